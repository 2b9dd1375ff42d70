//! `GET /search/issues`: GitHub's issue search syntax as far as clients use it, over an index
//! that lags behind issue creation by a configurable time.
//!
//! Understood: `repo:o/r`, `is:issue`/`is:pr` (and `type:`), `is:open`/`is:closed` (and
//! `state:`), `label:x`, `label:"x y"`, `label:a,b` (either), `-label:x`, `no:label`,
//! `author:login`, `in:title`/`in:body`/`in:comments` (comma lists too), bare words and
//! `"quoted phrases"` (each must occur, case-insensitively, in a field `in:` selects; title and
//! body by default). Other `name:value` tokens are searched as text.

use serde_json::json;

use super::http::Reply;
use super::pagination::PageRequest;
use super::routes::Context;
use super::shapes::{issue, validation_failed};
use super::state::{Issue, Repo, State};

/// The fields a term is looked for in.
#[derive(Clone, Copy, Debug, Default)]
struct Fields {
    title: bool,
    body: bool,
    comments: bool,
}

/// A parsed search query.
#[derive(Debug, Default)]
struct SearchQuery {
    repos: Vec<String>,
    pulls: Option<bool>,
    open: Option<bool>,
    /// Each group must match: an issue has at least one label of the group.
    label_groups: Vec<Vec<String>>,
    without_labels: Vec<String>,
    no_label: bool,
    authors: Vec<String>,
    fields: Fields,
    /// Lowercased words and phrases.
    terms: Vec<String>,
}

impl SearchQuery {
    fn parse(q: &str) -> SearchQuery {
        let mut query = SearchQuery::default();
        for token in tokenize(q) {
            let (negated, rest) = match token.strip_prefix('-') {
                Some(rest) if rest.contains(':') => (true, rest),
                _ => (false, token.as_str()),
            };
            let qualifier = rest.split_once(':').filter(|(name, _)| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic())
            });
            let Some((name, value)) = qualifier else {
                if token != "AND" {
                    query.terms.push(unquote(&token).to_lowercase());
                }
                continue;
            };
            let value = unquote(value);
            match (
                name.to_ascii_lowercase().as_str(),
                value.to_ascii_lowercase().as_str(),
            ) {
                ("repo", _) => query.repos.push(value.to_ascii_lowercase()),
                ("is" | "type", "issue") => query.pulls = Some(false),
                ("is" | "type", "pr" | "pull-request") => query.pulls = Some(true),
                ("is" | "state", "open") => query.open = Some(true),
                ("is" | "state", "closed") => query.open = Some(false),
                ("label", _) if negated => query.without_labels.push(value.to_string()),
                ("label", _) => query
                    .label_groups
                    .push(value.split(',').map(|l| unquote(l).to_string()).collect()),
                ("no", "label") => query.no_label = true,
                ("author", _) => query.authors.push(value.to_string()),
                ("in", fields) => {
                    for field in fields.split(',') {
                        match field {
                            "title" => query.fields.title = true,
                            "body" => query.fields.body = true,
                            "comments" => query.fields.comments = true,
                            _ => {}
                        }
                    }
                }
                _ => query.terms.push(unquote(&token).to_lowercase()),
            }
        }
        if !(query.fields.title || query.fields.body || query.fields.comments) {
            query.fields.title = true;
            query.fields.body = true;
        }
        query
    }

    fn matches(&self, repo: &Repo, issue: &Issue) -> bool {
        let has_label = |name: &str| issue.labels.iter().any(|l| l.eq_ignore_ascii_case(name));
        (self.repos.is_empty()
            || self
                .repos
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&repo.full_name)))
            && self.pulls.is_none_or(|pulls| pulls == issue.pull.is_some())
            && self.open.is_none_or(|open| open == issue.open)
            && self
                .label_groups
                .iter()
                .all(|group| group.iter().any(|l| has_label(l)))
            && !self.without_labels.iter().any(|l| has_label(l))
            && (!self.no_label || issue.labels.is_empty())
            && (self.authors.is_empty()
                || self
                    .authors
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(&issue.user)))
            && self.terms_match(issue)
    }

    fn terms_match(&self, issue: &Issue) -> bool {
        if self.terms.is_empty() {
            return true;
        }
        let mut texts = Vec::new();
        if self.fields.title {
            texts.push(issue.title.to_lowercase());
        }
        if self.fields.body {
            texts.push(issue.body.as_deref().unwrap_or_default().to_lowercase());
        }
        if self.fields.comments {
            texts.extend(issue.comments.iter().map(|c| c.body.to_lowercase()));
        }
        self.terms
            .iter()
            .all(|term| texts.iter().any(|text| text.contains(term.as_str())))
    }
}

/// Split on spaces outside double quotes; quotes stay in the tokens.
fn tokenize(q: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in q.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

fn unquote(text: &str) -> &str {
    let text = text.strip_prefix('"').unwrap_or(text);
    text.strip_suffix('"').unwrap_or(text)
}

/// `GET /search/issues?q=...&sort=&order=&per_page=&page=`.
pub(crate) fn search_issues(state: &State, context: &Context<'_>) -> Reply {
    const DOCS: &str = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests";
    let q = context.query.get("q").unwrap_or_default().trim();
    if q.is_empty() {
        return validation_failed(
            &json!([{ "resource": "Search", "field": "q", "code": "missing" }]),
            DOCS,
        );
    }
    let page = PageRequest::from_query(&context.query);
    if (page.page - 1).saturating_mul(page.per_page) >= 1000 {
        return Reply::json(
            422,
            &json!({ "message": "Only the first 1000 search results are available", "documentation_url": DOCS, "status": "422" }),
        );
    }
    let query = SearchQuery::parse(q);
    let mut found: Vec<(&Repo, &Issue)> = state
        .repos
        .values()
        .flat_map(|repo| repo.issues.values().map(move |issue| (repo, issue)))
        .filter(|(_, issue)| issue.indexed(state.search_lag))
        .filter(|(repo, issue)| query.matches(repo, issue))
        .collect();
    let ascending = context.query.get("order") == Some("asc");
    match context.query.get("sort") {
        Some("updated") => found.sort_by_key(|(_, i)| (i.updated_at, i.id)),
        Some("comments") => found.sort_by_key(|(_, i)| (i.comments.len(), i.id)),
        _ => found.sort_by_key(|(_, i)| (i.created_at, i.id)),
    }
    if !ascending {
        found.reverse();
    }
    let total = found.len();
    let items: Vec<_> = page
        .slice(found)
        .into_iter()
        .map(|(repo, found)| {
            let mut item = issue(repo, found, context.base);
            item["score"] = json!(1.0);
            item
        })
        .collect();
    let reply = Reply::json(
        200,
        &json!({
            "total_count": total, "incomplete_results": false, "items": items,
            "search_type": "lexical",
        }),
    );
    match page.link(
        total.min(1000),
        context.base,
        &context.request.path,
        &context.query,
    ) {
        Some(link) => reply.with_header("Link", link),
        None => reply,
    }
}
