//! From the parsed function to the generated one: same signature, body wrapped.

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{ReturnType, Signature, Type};

use crate::attr::Args;
use crate::item::Function;

/// The annotated function with its body wrapped in the capture boundary.
pub(crate) fn expand(args: &Args, function: Function) -> syn::Result<TokenStream> {
    check_signature(&function.sig)?;
    check_main(&function)?;
    let Function {
        outer_attrs,
        vis,
        defaultness,
        sig,
        brace_token,
        inner_attrs,
        body,
    } = function;
    let span_closes_first = is_instrumented(body.clone());
    let site = site_static(args, &sig, span_closes_first);
    let forget_closed_span = if span_closes_first {
        quote!(::autoheal::__private::forget_closed_span();)
    } else {
        TokenStream::new()
    };
    let result_type = annotatable_return_type(&sig.output);
    let closure_return = closure_return_type(&sig.output);
    let fake_return = fake_return_edge(&sig.output);
    let inspect = inspect_result(&sig.output);
    let wrapped = if sig.asyncness.is_some() {
        quote! {
            #site
            ::autoheal::__private::AsyncFrame::new(
                async move {
                    #fake_return
                    #forget_closed_span
                    #body
                },
                |__autoheal_frame: &::autoheal::__private::Frame, __autoheal_result #result_type| {
                    #inspect
                    __autoheal_result
                },
            )
            .await
        }
    } else {
        quote! {
            #site
            let __autoheal_frame = ::autoheal::__private::Frame::enter();
            let __autoheal_once = ::autoheal::__private::CallOnce;
            let __autoheal_result #result_type = ::autoheal::__private::run_sync_body(move || #closure_return {
                // Moving a value in makes the closure FnOnce, so the body may return borrows
                // of `self` and of the arguments, as the function itself may.
                __autoheal_once.consume();
                #forget_closed_span
                #body
            });
            #inspect
            __autoheal_result
        }
    };
    let mut tokens = quote! {
        #(#outer_attrs)*
        #vis #defaultness #sig
    };
    // The function's own braces keep their span, and its inner attributes stay at the top of
    // its body, where they apply to the whole of it as written.
    brace_token.surround(&mut tokens, |tokens| {
        tokens.extend(quote! {
            #(#inner_attrs)*
            #wrapped
        });
    });
    Ok(tokens)
}

/// Check the result and hand an `Err` to the cold capture path.
///
/// Whether the return type is a `Result` is the compiler's to say, through the bound of
/// `__private::failure` spanned at the return type: an alias, `io::Result<T>` or another
/// crate's `Result` is one whatever it is called, and anything else is an error there.
fn inspect_result(output: &ReturnType) -> TokenStream {
    let span = match output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let failure = quote_spanned! {span=>
        ::autoheal::__private::failure(&__autoheal_result)
    };
    quote! {
        if let ::core::option::Option::Some(__autoheal_error) = #failure {
            __autoheal_frame.fail(&__AUTOHEAL_SITE, || {
                #[allow(unused_imports)]
                use ::autoheal::__private::{
                    ViaDebug as _, ViaDisplay as _, ViaDynError as _, ViaError as _, ViaTypeName as _,
                };
                (&&&&&::autoheal::__private::Wrap(__autoheal_error)).autoheal_details()
            });
        }
    }
}

/// The function's site, fixed at compile time, and the nested item that names its path.
fn site_static(args: &Args, sig: &Signature, span_closes_first: bool) -> TokenStream {
    let span = sig.ident.span();
    let name = match &args.name {
        Some(name) => quote!(::core::option::Option::Some(#name)),
        None => quote!(::core::option::Option::None),
    };
    let labels = &args.labels;
    let line = quote_spanned!(span=> ::core::line!());
    let file = quote_spanned!(span=> ::core::file!());
    quote! {
        fn __autoheal_locate() -> &'static str {
            ::core::any::type_name_of_val(&__autoheal_locate)
        }
        static __AUTOHEAL_SITE: ::autoheal::__private::SiteInfo = ::autoheal::__private::SiteInfo {
            name: #name,
            module: ::core::module_path!(),
            file: #file,
            line: #line,
            labels: &[#(#labels),*],
            locate: __autoheal_locate,
            span_closes_first: #span_closes_first,
        };
    }
}

/// `: ReturnType` for the result binding.
fn annotatable_return_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Type(_, ty) => {
            let ty = inferable(ty);
            quote!(: #ty)
        }
        ReturnType::Default => TokenStream::new(),
    }
}

/// `-> ReturnType` for the closure, so the body's tail is checked (and coerced) against it.
fn closure_return_type(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Type(_, ty) => {
            let ty = inferable(ty);
            quote!(-> #ty)
        }
        ReturnType::Default => TokenStream::new(),
    }
}

/// A never-taken `return` of the function's type at the top of an async body: it fixes the
/// block's output type before the body is checked, so the body's tail coerces as it would in
/// the function itself (`Ok(&self.name)` to `Result<&str, E>`).
fn fake_return_edge(output: &ReturnType) -> TokenStream {
    match output {
        ReturnType::Type(_, ty) => {
            let ty = inferable(ty);
            quote! {
                #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::let_unit_value)]
                if false {
                    let __autoheal_fake_return: #ty = loop {};
                    return __autoheal_fake_return;
                }
            }
        }
        ReturnType::Default => TokenStream::new(),
    }
}

/// The return type as it can be written inside the body: each `impl Trait` (which only the
/// signature may name) becomes `_`, inferred from the body. The rest stays, so the error type
/// is known before the error is inspected: `Result<impl Display, String>` becomes
/// `Result<_, String>`, not no annotation at all.
fn inferable(ty: &Type) -> Type {
    struct ImplTraitToInfer;
    impl VisitMut for ImplTraitToInfer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(impl_trait) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    attrs: Vec::new(),
                    underscore_token: syn::Token![_](impl_trait.impl_token.span),
                });
            } else {
                syn::visit_mut::visit_type_mut(self, ty);
            }
        }
    }
    let mut ty = ty.clone();
    ImplTraitToInfer.visit_type_mut(&mut ty);
    ty
}

/// Reject what the attribute cannot wrap, pointing at the part at fault. Whether the return
/// type is a `Result` is left to the compiler (see [`inspect_result`]); only what it could not
/// say as clearly is checked here.
fn check_signature(sig: &Signature) -> syn::Result<()> {
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span(),
            "#[auto_heal] cannot be used on a `const fn`: capturing an error needs run-time work",
        ));
    }
    match &sig.output {
        ReturnType::Default => Err(syn::Error::new(
            return_span(sig),
            "#[auto_heal] needs a function that returns `Result<T, E>`; this one returns `()`",
        )),
        ReturnType::Type(_, ty) => match peel(ty) {
            Type::ImplTrait(_) => Err(syn::Error::new(
                ty.span(),
                "#[auto_heal] needs a function that returns `Result<T, E>`; for a function \
                 returning `impl Future`, write it as an `async fn` returning `Result<T, E>`",
            )),
            _ => Ok(()),
        },
    }
}

/// The type inside any parentheses or invisible groups.
fn peel(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => peel(&group.elem),
        Type::Paren(paren) => peel(&paren.elem),
        other => other,
    }
}

/// Refuse `main` when its body installs autoheal: the guard `init` returns is a local of the
/// body, dropped as the body ends, so reporting has stopped by the time the frame sees the
/// error `main` returns. Nothing would be reported, and nothing would say so.
fn check_main(function: &Function) -> syn::Result<()> {
    if function.sig.ident != "main" || function.sig.receiver().is_some() {
        return Ok(());
    }
    match find_autoheal_init(function.body.clone()) {
        Some((init, is_macro)) => Err(syn::Error::new(init.span(), {
            let init = if is_macro {
                format!("{init}!")
            } else {
                init.to_string()
            };
            format!(
                "#[auto_heal] on `main` cannot report `main`'s own error when `main` calls \
                 `{init}`: the guard is dropped as the body ends, before the error is seen; \
                 keep `{init}` in `main` and move the rest into an annotated function, \
                 e.g. `let _guard = autoheal::{init}(..); run()` with `#[auto_heal] fn run()`"
            )
        })),
        None => Ok(()),
    }
}

/// A call of autoheal's `init` or `init_with_sink` in `tokens`, or of the `init!` macro:
/// written `autoheal::init(...)`, or bare as `init(...)` after a `use`. Another crate's `init` (`env_logger::init()`) and
/// methods (`.init()`) are not it.
/// Answers the ident and whether it is the macro.
fn find_autoheal_init(tokens: TokenStream) -> Option<(proc_macro2::Ident, bool)> {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (index, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => {
                if let Some(found) = find_autoheal_init(group.stream()) {
                    return Some(found);
                }
            }
            TokenTree::Ident(ident) if ident == "init" || ident == "init_with_sink" => {
                let is_call = |token: Option<&TokenTree>| matches!(token, Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis);
                let is_bang = matches!(tokens.get(index + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                // `init(...)`, or the macro `init!(...)` (which installs as `init` does).
                let called = is_call(tokens.get(index + 1))
                    || (ident == "init" && is_bang && is_call(tokens.get(index + 2)));
                if called && is_autoheal_path_end(tokens.get(..index).unwrap_or_default()) {
                    return Some((ident.clone(), is_bang));
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the ident after `before` ends a path of autoheal's: `autoheal::` (or
/// `::autoheal::`) right before it, or no path at all.
fn is_autoheal_path_end(before: &[TokenTree]) -> bool {
    let punct = |token: Option<&TokenTree>, c: char| matches!(token, Some(TokenTree::Punct(p)) if p.as_char() == c);
    let mut rest = before.iter().rev();
    match rest.next() {
        Some(TokenTree::Punct(p)) if p.as_char() == ':' => {
            if !punct(rest.next(), ':') {
                return false;
            }
            matches!(rest.next(), Some(TokenTree::Ident(crate_name)) if crate_name == "autoheal")
        }
        // A method call (`.init()`) or a field; anything else starts a new path.
        Some(TokenTree::Punct(p)) => p.as_char() != '.',
        _ => true,
    }
}

/// Whether `body` is what `#[tracing::instrument]` made of the function's body: it was written
/// above `#[auto_heal]`, expanded first, and its span now wraps the capture boundary from
/// outside, so it has closed by the time an error reaches the capture. Known by the local that
/// holds the span in every form tracing-attributes generates, sync and async.
fn is_instrumented(body: TokenStream) -> bool {
    body.into_iter().any(|token| match token {
        TokenTree::Ident(ident) => ident == "__tracing_attr_span",
        TokenTree::Group(group) => is_instrumented(group.stream()),
        _ => false,
    })
}

/// Where a missing return type would go: right after the argument list.
fn return_span(sig: &Signature) -> Span {
    sig.paren_token.span.close()
}
