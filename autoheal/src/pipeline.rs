//! The pipeline. (being written)

use crate::{Config, Delivery, Sink};

/// Keeps autoheal installed; flushes the sink when dropped.
#[must_use = "autoheal stops reporting when the guard is dropped"]
#[derive(Debug)]
pub struct Guard {
    _private: (),
}

/// Install the configuration, the embedded default sink and the panic hook.
pub fn init(config: Config) -> Guard {
    let _ = config;
    Guard { _private: () }
}

/// Install the configuration with a sink of your own.
pub fn init_with_sink(config: Config, sink: impl Sink) -> Guard {
    let _ = (config, sink);
    Guard { _private: () }
}

/// What became of the last report of this process.
pub fn last_delivery() -> Option<Delivery> {
    None
}
