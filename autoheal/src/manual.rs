//! Capturing without the attribute. (being written)

use crate::Delivery;

/// The severity of a message passed to [`capture_message`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Something failed.
    Error,
    /// Something looks wrong.
    Warning,
}

/// Report an error that was handled without the attribute.
pub fn capture_error<E: std::error::Error + ?Sized>(error: &E) -> Option<Delivery> {
    let _ = error;
    None
}

/// Report a message.
pub fn capture_message(level: Level, message: &str) -> Option<Delivery> {
    let _ = (level, message);
    None
}
