//! The annotated function, parsed as far as the attribute needs and no further.
//!
//! Like `tracing-attributes`' `MaybeItemFn`, the body stays a token stream: the attribute only
//! moves it, so a mistake inside it is left for the compiler to report where it is, and syntax
//! newer than this crate's parser passes through. The inner attributes at the top of the body
//! (`#![allow(unused)]`) are parsed apart so they can be put back at the top of the body.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::token::Brace;
use syn::{Attribute, Signature, Token, Visibility};

/// A function with a body whose statements are kept as tokens.
pub(crate) struct Function {
    pub(crate) outer_attrs: Vec<Attribute>,
    pub(crate) vis: Visibility,
    /// `default fn` (specialization).
    pub(crate) defaultness: Option<Token![default]>,
    pub(crate) sig: Signature,
    pub(crate) brace_token: Brace,
    /// `#![...]` at the top of the body.
    pub(crate) inner_attrs: Vec<Attribute>,
    /// The rest of the body, not parsed.
    pub(crate) body: TokenStream,
}

impl Parse for Function {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let outer_attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let defaultness: Option<Token![default]> = input.parse()?;
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            return Err(syn::Error::new_spanned(
                sig.fn_token,
                "#[auto_heal] needs a function body; put it on the trait's implementations instead",
            ));
        }
        let content;
        let brace_token = syn::braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let body: TokenStream = content.parse()?;
        Ok(Function {
            outer_attrs,
            vis,
            defaultness,
            sig,
            brace_token,
            inner_attrs,
            body,
        })
    }
}

/// The attributes, visibility and signature of a function, followed by anything.
pub(crate) struct FunctionStart;

impl Parse for FunctionStart {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.call(Attribute::parse_outer)?;
        input.parse::<Visibility>()?;
        input.parse::<Option<Token![default]>>()?;
        input.parse::<Signature>()?;
        input.parse::<TokenStream>()?;
        Ok(FunctionStart)
    }
}
