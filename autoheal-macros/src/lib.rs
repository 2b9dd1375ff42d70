//! Implementation detail of the `autoheal` crate: use `autoheal::auto_heal`, not this crate.
//!
//! The attribute keeps the function's signature and wraps its body: the body runs in a closure
//! (an `async` block for `async fn`), and an `Err` it returns is handed to autoheal's cold
//! capture path before being returned unchanged. The generated code names only
//! `::autoheal::__private` items.

use proc_macro::TokenStream;
use quote::ToTokens;

mod attr;
mod expand;

/// Report the errors that escape this function. See `autoheal::auto_heal` for the
/// documentation.
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
fn parse_function(item: proc_macro2::TokenStream) -> syn::Result<syn::ItemFn> {
    if let Ok(function) = syn::parse2::<syn::ItemFn>(item.clone()) {
        return Ok(function);
    }
    if let Ok(declaration) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
        return Err(syn::Error::new_spanned(
            declaration.sig.fn_token,
            "#[auto_heal] needs a function body; put it on the trait's implementations instead",
        ));
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
