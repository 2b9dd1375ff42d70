//! Who did what to an issue and who may do what in a repository: an issue's events (who added
//! which label) and a collaborator's permission.

use super::http::Reply;
use super::pagination::PageRequest;
use super::routes::Context;
use super::shapes::{self, not_found};
use super::state::{Repo, State};

/// `GET /repos/{o}/{r}/issues/{n}/events`, oldest first, paginated.
pub(crate) fn issue_events(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    number: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    let Some(issue) = number.parse().ok().and_then(|n| repo.issues.get(&n)) else {
        return not_found();
    };
    PageRequest::from_query(&context.query).reply(
        issue.events.iter().collect(),
        |event| shapes::issue_event(repo, event, context.base),
        context.base,
        &context.request.path,
        &context.query,
    )
}

/// `GET /repos/{o}/{r}/collaborators/{username}/permission`: the owner is an admin, a
/// collaborator has the role given, anyone else may read (the fake's repositories are public).
pub(crate) fn collaborator_permission(
    state: &mut State,
    context: &Context<'_>,
    repo: &str,
    login: &str,
) -> Reply {
    let repo: &Repo = state.repo_mut(repo);
    let role = repo.role_of(login);
    Reply::json(
        200,
        &shapes::collaborator_permission(login, role, context.base),
    )
}
