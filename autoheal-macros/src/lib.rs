//! Implementation detail of the `autoheal` crate: use `autoheal::auto_heal`, not this crate.
//!
//! The attribute keeps the function's signature and wraps its body, kept as tokens and never
//! re-parsed: the body runs in a closure (an `async` block for `async fn`), and an `Err` it
//! returns is handed to autoheal's cold capture path before being returned unchanged. The
//! generated code names only `::autoheal::__private` items.

// A macro must never panic: a mistake is a compile error at the span at fault.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable
    )
)]

use proc_macro::TokenStream;
use quote::ToTokens;

mod attr;
mod expand;
mod item;

/// Report the errors that escape this function.
///
/// Put it on any function — free function, method (`&self`, `&mut self`, `self`), trait impl
/// method, `async fn` (also in traits), generic function, `fn main` — that returns
/// `Result<T, E>` where `E: Debug`, however the type is spelled: `io::Result<T>`,
/// `anyhow::Result<T>` or an alias of your own (`type Fallible<T> = Result<T, MyError>`). The
/// signature is kept as written, the body is moved unchanged (inner attributes such as
/// `#![allow(unused)]` stay at its top), and the returned value is never changed: `Ok` and
/// `Err` pass through untouched.
///
/// When an `Err` escapes, autoheal captures it on a cold, out-of-line path: the error's type,
/// message and (for `std::error::Error` types, `Box<dyn Error>` and `anyhow::Error`) its whole
/// `source()` chain, the site, a backtrace (symbols are resolved only when the report is
/// built), and the tracing span stack. The success path only counts annotated frames in a
/// thread-local.
///
/// # Reported once
///
/// An error that propagates through several annotated functions is reported once, at the
/// outermost one, keeping the site and backtrace of the innermost and listing the frames it
/// passed through. An error a caller recovers from (returns `Ok`) is not reported, and does
/// not colour a later failure of the caller: it is taken over only by the caller's error
/// that carries it (the same error, converted or wrapped as a `source()`), and let go as soon
/// as the caller calls or awaits another annotated function, or waits in an `async fn`. This
/// holds for async functions too, across the threads of a multi-thread runtime; a spawned
/// task or thread is its own boundary.
///
/// # With `#[tracing::instrument]`
///
/// Either order works: the report's span stack ends with the function's own span and its
/// fields. Below `#[auto_heal]`, the span wraps the capture as it wraps the body; above it, the
/// span has closed by the time the error reaches the capture, and autoheal's layer hands it
/// over (a span given another name with `instrument(name = ...)` is not recognised there: put
/// `#[auto_heal]` on top for those).
///
/// # Arguments
///
/// - `name = "mcp start"`: the operation's name in reports: the issue title and the frames
///   use it, and the report's `site.name` holds it beside the function's path in
///   `site.function`.
/// - `labels("mcp", "server")`: extra labels for the issue (non-empty, at most 50
///   characters, no commas).
///
/// ```ignore
/// #[autoheal::auto_heal(name = "mcp start", labels("mcp"))]
/// async fn start(port: u16) -> std::io::Result<()> {
///     let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
///     // ...
///     Ok(())
/// }
/// ```
///
/// # `main`
///
/// The guard returned by `autoheal::init` stops reporting when it is dropped. Called inside an
/// annotated `main`, it is dropped as `main`'s body ends, before `main`'s own error is seen, so
/// that combination is a compile error saying what to do: keep `init` in `main` and annotate
/// the function `main` calls after it.
///
/// ```ignore
/// fn main() -> anyhow::Result<()> {
///     let _guard = autoheal::init(config);
///     run()
/// }
///
/// #[autoheal::auto_heal]
/// fn run() -> anyhow::Result<()> {
///     // ...
///     Ok(())
/// }
/// ```
///
/// # Compile errors
///
/// On a function that does not return a `Result` (at its return type, from the compiler, which
/// knows what an alias stands for), on a `const fn`, on a trait method without a body, on
/// anything that is not a function, on a `main` that calls `autoheal::init`, and for unknown
/// or repeated arguments, with the span of the part at fault. A mistake inside the body is
/// left as it is, for the compiler to report where it is.
#[proc_macro_attribute]
pub fn auto_heal(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let expanded = syn::parse::<attr::Args>(args).and_then(|args| {
        let function = parse_function(item.clone())?;
        expand::expand(&args, function)
    });
    match expanded {
        Ok(tokens) => tokens.into(),
        // Emit the item unchanged beside the error, so one mistake does not cascade.
        Err(error) => {
            let mut tokens = item;
            tokens.extend(error.to_compile_error());
            tokens.into()
        }
    }
}

/// The annotated item as a function with a body, or an error that says what it is instead.
fn parse_function(item: proc_macro2::TokenStream) -> syn::Result<item::Function> {
    let function_error = match syn::parse2::<item::Function>(item.clone()) {
        Ok(function) => return Ok(function),
        Err(error) => error,
    };
    // Something that starts like a function is one, whatever it is wrong with it.
    let starts_like_a_function = syn::parse2::<item::FunctionStart>(item.clone()).is_ok();
    if starts_like_a_function {
        return Err(function_error);
    }
    let message = "#[auto_heal] can only be applied to functions that return `Result<T, E>`";
    Err(match syn::parse2::<syn::Item>(item.clone()) {
        Ok(other) => syn::Error::new_spanned(item_keyword(&other), message),
        Err(_) => syn::Error::new(proc_macro2::Span::call_site(), message),
    })
}

/// The token that names the kind of item (`struct`, `impl`, ...), for the error's span.
fn item_keyword(item: &syn::Item) -> proc_macro2::TokenStream {
    match item {
        syn::Item::Struct(s) => s.struct_token.to_token_stream(),
        syn::Item::Enum(e) => e.enum_token.to_token_stream(),
        syn::Item::Impl(i) => i.impl_token.to_token_stream(),
        syn::Item::Trait(t) => t.trait_token.to_token_stream(),
        syn::Item::Const(c) => c.const_token.to_token_stream(),
        syn::Item::Static(s) => s.static_token.to_token_stream(),
        syn::Item::Mod(m) => m.mod_token.to_token_stream(),
        syn::Item::Type(t) => t.type_token.to_token_stream(),
        syn::Item::Use(u) => u.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}
