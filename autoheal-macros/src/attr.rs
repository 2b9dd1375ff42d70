//! The attribute's arguments: `name = "..."` and `labels("...", ...)`.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};

mod kw {
    syn::custom_keyword!(name);
    syn::custom_keyword!(labels);
}

/// The longest label GitHub accepts.
const MAX_LABEL_CHARS: usize = 50;

/// The parsed arguments of `#[auto_heal(...)]`.
#[derive(Default)]
pub(crate) struct Args {
    /// The operation's name in reports.
    pub(crate) name: Option<LitStr>,
    /// Extra issue labels.
    pub(crate) labels: Vec<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Args::default();
        let mut seen_labels = false;
        while !input.is_empty() {
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::name) {
                let keyword: kw::name = input.parse()?;
                if args.name.is_some() {
                    return Err(syn::Error::new(keyword.span, "duplicate `name` argument"));
                }
                input.parse::<Token![=]>()?;
                let name: LitStr = input.parse()?;
                if name.value().trim().is_empty() {
                    return Err(syn::Error::new(name.span(), "`name` must not be empty"));
                }
                args.name = Some(name);
            } else if lookahead.peek(kw::labels) {
                let keyword: kw::labels = input.parse()?;
                if seen_labels {
                    return Err(syn::Error::new(keyword.span, "duplicate `labels` argument"));
                }
                seen_labels = true;
                let content;
                syn::parenthesized!(content in input);
                let labels = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
                for label in &labels {
                    check_label(label)?;
                }
                args.labels = labels.into_iter().collect();
            } else {
                let unknown = input.fork();
                return Err(match unknown.parse::<syn::Ident>() {
                    Ok(ident) => syn::Error::new(
                        ident.span(),
                        format!(
                            "unknown argument `{ident}`; expected `name = \"...\"` or `labels(\"...\", ...)`"
                        ),
                    ),
                    Err(_) => lookahead.error(),
                });
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    }
}

fn check_label(label: &LitStr) -> syn::Result<()> {
    let value = label.value();
    let problem = if value.trim().is_empty() {
        Some("a label must not be empty".to_string())
    } else if value.chars().count() > MAX_LABEL_CHARS {
        Some(format!("a label is at most {MAX_LABEL_CHARS} characters"))
    } else if value.contains(',') {
        Some("a label must not contain a comma".to_string())
    } else {
        None
    };
    match problem {
        Some(message) => Err(syn::Error::new(label.span(), message)),
        None => Ok(()),
    }
}
