//! Pages of a list, as GitHub serves them: `per_page` (default 30, at most 100) and `page`
//! (from 1), with an RFC 8288 `Link` header of absolute addresses for `next`, `last`, `first`
//! and `prev` that keep every other query parameter.

use super::http::{Query, Reply};

/// The page a request asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct PageRequest {
    pub(crate) per_page: usize,
    pub(crate) page: usize,
}

impl PageRequest {
    /// Read `per_page` and `page`; values GitHub would not accept fall back to its defaults.
    pub(crate) fn from_query(query: &Query) -> PageRequest {
        let number = |name: &str| query.get(name).and_then(|v| v.trim().parse::<usize>().ok());
        PageRequest {
            per_page: number("per_page").filter(|n| *n > 0).unwrap_or(30).min(100),
            page: number("page").filter(|n| *n > 0).unwrap_or(1),
        }
    }

    /// The items of this page.
    pub(crate) fn slice<T>(&self, all: Vec<T>) -> Vec<T> {
        all.into_iter()
            .skip((self.page - 1).saturating_mul(self.per_page))
            .take(self.per_page)
            .collect()
    }

    /// The `Link` header for `total` items, `None` when there is only one page and this is it.
    pub(crate) fn link(
        &self,
        total: usize,
        base: &str,
        path: &str,
        query: &Query,
    ) -> Option<String> {
        let last = total.div_ceil(self.per_page).max(1);
        let others = query.encoded_without("page");
        let address = |page: usize, rel: &str| {
            let mut params = others.clone();
            params.push(format!("page={page}"));
            format!("<{base}{path}?{}>; rel=\"{rel}\"", params.join("&"))
        };
        let mut links = Vec::new();
        if self.page > 1 {
            links.push(address((self.page - 1).min(last), "prev"));
        }
        if self.page < last {
            links.push(address(self.page + 1, "next"));
            links.push(address(last, "last"));
        }
        if self.page > 1 {
            links.push(address(1, "first"));
        }
        (!links.is_empty()).then(|| links.join(", "))
    }

    /// A reply listing this page of `all`, each item turned into JSON by `shape`.
    pub(crate) fn reply<T>(
        &self,
        all: Vec<T>,
        shape: impl Fn(T) -> serde_json::Value,
        base: &str,
        path: &str,
        query: &Query,
    ) -> Reply {
        let total = all.len();
        let items: Vec<serde_json::Value> = self.slice(all).into_iter().map(shape).collect();
        let reply = Reply::json(200, &serde_json::Value::Array(items));
        match self.link(total, base, path, query) {
            Some(link) => reply.with_header("Link", link),
            None => reply,
        }
    }
}
