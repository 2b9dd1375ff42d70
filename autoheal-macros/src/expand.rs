//! From the parsed function to the generated one: same signature, body wrapped.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{ItemFn, ReturnType, Signature, Type};

use crate::attr::Args;

/// The annotated function with its body wrapped in the capture boundary.
pub(crate) fn expand(args: &Args, function: ItemFn) -> syn::Result<TokenStream> {
    check_signature(&function.sig)?;
    let ItemFn {
        attrs,
        vis,
        modifiers,
        sig,
        block,
    } = function;
    // `default fn` (specialization) is the only modifier syn knows of today.
    let defaultness = modifiers.defaultness;
    let site = site_static(args, &sig);
    let result_type = annotatable_return_type(&sig.output);
    let closure_return = closure_return_type(&sig.output);
    let fake_return = fake_return_edge(&sig.output);
    let stmts = &block.stmts;
    let inspect = inspect_result(&sig.output);
    let body = if sig.asyncness.is_some() {
        quote! {
            #site
            ::autoheal::__private::AsyncFrame::new(
                async move {
                    #fake_return
                    #(#stmts)*
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
            #[allow(clippy::redundant_closure_call)]
            let __autoheal_result #result_type = (move || #closure_return {
                // Moving a value in makes the closure FnOnce, so the body may return borrows
                // of `self` and of the arguments, as the function itself may.
                __autoheal_once.consume();
                #(#stmts)*
            })();
            #inspect
            __autoheal_result
        }
    };
    Ok(quote! {
        #(#attrs)*
        #vis #defaultness #sig {
            #body
        }
    })
}

/// Check the result and hand an `Err` to the cold capture path.
fn inspect_result(output: &ReturnType) -> TokenStream {
    let span = match output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => Span::call_site(),
    };
    let assert_debug = quote_spanned! {span=>
        ::autoheal::__private::assert_error_is_debug(&__autoheal_result);
    };
    quote! {
        #assert_debug
        if let ::core::result::Result::Err(__autoheal_error) = &__autoheal_result {
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
fn site_static(args: &Args, sig: &Signature) -> TokenStream {
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

/// Reject what the attribute cannot wrap, pointing at the part at fault.
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
        ReturnType::Type(_, ty) => check_result_type(ty),
    }
}

fn check_result_type(ty: &Type) -> syn::Result<()> {
    match ty {
        Type::Group(group) => check_result_type(&group.elem),
        Type::Paren(paren) => check_result_type(&paren.elem),
        Type::Path(path) if path.qself.is_none() => {
            let last = path
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default();
            if last.ends_with("Result") {
                Ok(())
            } else {
                Err(not_a_result(ty))
            }
        }
        Type::ImplTrait(_) => Err(syn::Error::new(
            ty.span(),
            "#[auto_heal] needs a function that returns `Result<T, E>`; for a function returning \
             `impl Future`, write it as an `async fn` returning `Result<T, E>`",
        )),
        _ => Err(not_a_result(ty)),
    }
}

fn not_a_result(ty: &Type) -> syn::Error {
    syn::Error::new(
        ty.span(),
        format!(
            "#[auto_heal] needs a function that returns `Result<T, E>`; this one returns `{}`",
            quote!(#ty)
        ),
    )
}

/// Where a missing return type would go: right after the argument list.
fn return_span(sig: &Signature) -> Span {
    sig.paren_token.span.close()
}
