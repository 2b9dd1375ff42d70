//! How the expansion of `#[auto_heal]` reads the error a function returned: through the most
//! capable trait its type implements, chosen at compile time by autoref specialisation. The
//! expansion calls `(&&&&&Wrap(&error)).autoheal_details()` with every `Via*` trait in scope;
//! method lookup takes the impl that needs the fewest auto-derefs, so `std::error::Error`
//! (with its `source()` chain) wins over a trait object behind a pointer, which wins over
//! `Display`, over `Debug`, over the bare type name.

use std::error::Error as StdError;
use std::fmt::{Debug, Display};
use std::ops::Deref;

use crate::capture;
use crate::report::ErrorDetails;

/// The error an annotated function returned, viewed through the most capable trait it
/// implements (autoref specialisation: `(&&&&&Wrap(&e)).autoheal_details()`).
#[derive(Debug)]
pub struct Wrap<'a, E: ?Sized>(pub &'a E);

/// Errors implementing `std::error::Error`: message and `source()` chain.
pub trait ViaError {
    /// The error's details.
    fn autoheal_details(&self) -> ErrorDetails;
}

impl<E: StdError + ?Sized> ViaError for &&&&Wrap<'_, E> {
    #[cold]
    #[inline(never)]
    fn autoheal_details(&self) -> ErrorDetails {
        capture::details_of_error(
            &capture::short_type_name(std::any::type_name::<E>()),
            self.0,
        )
    }
}

/// A trait object error, seen through a smart pointer.
pub trait AsDynError {
    /// The error as a `'static` trait object.
    fn as_dyn_error(&self) -> &(dyn StdError + 'static);
}

impl AsDynError for dyn StdError + 'static {
    fn as_dyn_error(&self) -> &(dyn StdError + 'static) {
        self
    }
}

impl AsDynError for dyn StdError + Send + 'static {
    fn as_dyn_error(&self) -> &(dyn StdError + 'static) {
        self
    }
}

impl AsDynError for dyn StdError + Send + Sync + 'static {
    fn as_dyn_error(&self) -> &(dyn StdError + 'static) {
        self
    }
}

/// Smart pointers to trait object errors: `Box<dyn Error + Send + Sync>`, `anyhow::Error`.
pub trait ViaDynError {
    /// The error's details.
    fn autoheal_details(&self) -> ErrorDetails;
}

impl<E, T> ViaDynError for &&&Wrap<'_, E>
where
    E: Deref<Target = T> + ?Sized,
    T: AsDynError + ?Sized,
{
    #[cold]
    #[inline(never)]
    fn autoheal_details(&self) -> ErrorDetails {
        capture::details_of_dyn_error(std::any::type_name::<E>(), (**self.0).as_dyn_error())
    }
}

/// Errors that are only `Display`, such as `String`.
pub trait ViaDisplay {
    /// The error's details.
    fn autoheal_details(&self) -> ErrorDetails;
}

impl<E: Display + ?Sized> ViaDisplay for &&Wrap<'_, E> {
    #[cold]
    #[inline(never)]
    fn autoheal_details(&self) -> ErrorDetails {
        capture::details_of_display(std::any::type_name::<E>(), self.0)
    }
}

/// Errors that are only `Debug`.
pub trait ViaDebug {
    /// The error's details.
    fn autoheal_details(&self) -> ErrorDetails;
}

impl<E: Debug + ?Sized> ViaDebug for &Wrap<'_, E> {
    #[cold]
    #[inline(never)]
    fn autoheal_details(&self) -> ErrorDetails {
        capture::details_of_debug(std::any::type_name::<E>(), self.0)
    }
}

/// Anything else. Unreachable in compiled code: `__private::failure` rejects error types
/// without `Debug` first; this level only keeps that error the single one reported.
pub trait ViaTypeName {
    /// The error's details.
    fn autoheal_details(&self) -> ErrorDetails;
}

impl<E: ?Sized> ViaTypeName for Wrap<'_, E> {
    #[cold]
    #[inline(never)]
    fn autoheal_details(&self) -> ErrorDetails {
        ErrorDetails {
            type_name: capture::short_type_name(std::any::type_name::<E>()),
            message: String::new(),
            chain: Vec::new(),
            root_type: None,
        }
    }
}
