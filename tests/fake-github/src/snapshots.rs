//! The fake's state as tests see it: snapshots of issues, comments and pull requests to assert
//! on, and ways to seed state without going through HTTP (thousands of issues at once, files,
//! a maintainer closing an issue).

use super::FakeGitHub;
use super::encoding::rfc3339;
use super::state::{Comment, Commit, Issue, IssueEvent, IssueFields, PullInfo, Repo};

/// An issue as it stands in the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueSnapshot {
    /// Its id (unique among all objects of the fake).
    pub id: u64,
    /// Its number in its repository.
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its body; empty when it has none.
    pub body: String,
    /// Its label names.
    pub labels: Vec<String>,
    /// Its assignees' logins.
    pub assignees: Vec<String>,
    /// `open` or `closed`.
    pub state: String,
    /// `completed`, `not_planned`, `reopened`, `duplicate`, or none.
    pub state_reason: Option<String>,
    /// The id of the issue it was closed as a duplicate of (`duplicate_issue_id`).
    pub duplicate_of: Option<u64>,
    /// The bodies of its comments, oldest first.
    pub comments: Vec<String>,
    /// Its author's login.
    pub user: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// When it was closed (RFC 3339), if it is closed.
    pub closed_at: Option<String>,
}

/// An issue comment as it stands in the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommentSnapshot {
    /// Its id.
    pub id: u64,
    /// Its body.
    pub body: String,
    /// Its author's login.
    pub user: String,
}

/// A pull request as it stands in the fake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullSnapshot {
    /// Its number (shared with issues, as on GitHub).
    pub number: u64,
    /// Its title.
    pub title: String,
    /// Its body; empty when it has none.
    pub body: String,
    /// The branch it merges.
    pub head: String,
    /// The branch it merges into.
    pub base: String,
    /// Whether it is a draft.
    pub draft: bool,
    /// `open` or `closed`.
    pub state: String,
}

/// An issue to seed with [`FakeGitHub::create_issue_directly`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewIssue {
    /// Its title.
    pub title: String,
    /// Its body.
    pub body: String,
    /// Its labels (created in the repository when missing).
    pub labels: Vec<String>,
    /// Its assignees.
    pub assignees: Vec<String>,
    /// Whether it is closed (as completed).
    pub closed: bool,
    /// Bodies of comments it already has.
    pub comments: Vec<String>,
    /// A pull request (from branch `autoheal/fix` into the default branch), not an issue.
    pub pull_request: bool,
    /// Its author, when not the token's user.
    pub author: Option<String>,
    /// Its author's `author_association` (`OWNER` when not given).
    pub author_association: Option<String>,
}

impl NewIssue {
    /// An open issue titled `title`, with no body.
    pub fn new(title: &str) -> NewIssue {
        NewIssue {
            title: title.to_string(),
            ..NewIssue::default()
        }
    }

    /// With this body.
    pub fn body(mut self, body: &str) -> NewIssue {
        self.body = body.to_string();
        self
    }

    /// With these labels.
    pub fn labels(mut self, labels: &[&str]) -> NewIssue {
        self.labels = labels.iter().map(|l| (*l).to_string()).collect();
        self
    }

    /// Closed.
    pub fn closed(mut self) -> NewIssue {
        self.closed = true;
        self
    }

    /// A pull request rather than an issue: the issue list and search hold it too, with a
    /// `pull_request` object.
    pub fn pull_request(mut self) -> NewIssue {
        self.pull_request = true;
        self
    }

    /// Opened by `login`, someone outside the repository (GitHub's `author_association`
    /// `NONE`), as anyone may on a public repository; its labels are added by `login` too.
    pub fn by_outsider(self, login: &str) -> NewIssue {
        self.by(login, "NONE")
    }

    /// Opened by `login`, whose `author_association` is `association` (`MEMBER`,
    /// `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, ...).
    pub fn by(mut self, login: &str, association: &str) -> NewIssue {
        self.author = Some(login.to_string());
        self.author_association = Some(association.to_string());
        self
    }

    /// With one more comment.
    pub fn comment(mut self, body: &str) -> NewIssue {
        self.comments.push(body.to_string());
        self
    }
}

fn issue_snapshot(issue: &Issue) -> IssueSnapshot {
    IssueSnapshot {
        id: issue.id,
        number: issue.number,
        title: issue.title.clone(),
        body: issue.body.clone().unwrap_or_default(),
        labels: issue.labels.clone(),
        assignees: issue.assignees.clone(),
        state: issue.state().to_string(),
        state_reason: issue.state_reason.clone(),
        duplicate_of: issue.duplicate_of,
        comments: issue.comments.iter().map(|c| c.body.clone()).collect(),
        user: issue.user.clone(),
        created_at: rfc3339(issue.created_at),
        closed_at: issue.closed_at.map(rfc3339),
    }
}

impl FakeGitHub {
    /// The issues of `repo` (not its pull requests), in the order they were created.
    pub fn issues(&self, repo: &str) -> Vec<IssueSnapshot> {
        self.state()
            .repo(repo)
            .map(|r| {
                r.issues
                    .values()
                    .filter(|i| i.pull.is_none())
                    .map(issue_snapshot)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Issue `number` of `repo`.
    pub fn issue(&self, repo: &str, number: u64) -> Option<IssueSnapshot> {
        self.state()
            .repo(repo)?
            .issues
            .get(&number)
            .filter(|i| i.pull.is_none())
            .map(issue_snapshot)
    }

    /// How many issues of `repo` are open.
    pub fn open_issue_count(&self, repo: &str) -> usize {
        self.state().repo(repo).map_or(0, |r| {
            r.issues
                .values()
                .filter(|i| i.open && i.pull.is_none())
                .count()
        })
    }

    /// The comments on issue (or pull request) `number` of `repo`, oldest first.
    pub fn comments(&self, repo: &str, number: u64) -> Vec<CommentSnapshot> {
        let state = self.state();
        let Some(issue) = state.repo(repo).and_then(|r| r.issues.get(&number)) else {
            return Vec::new();
        };
        issue
            .comments
            .iter()
            .map(|c| CommentSnapshot {
                id: c.id,
                body: c.body.clone(),
                user: c.user.clone(),
            })
            .collect()
    }

    /// The label names of `repo`.
    pub fn labels(&self, repo: &str) -> Vec<String> {
        self.state()
            .repo(repo)
            .map(|r| r.labels.iter().map(|l| l.name.clone()).collect())
            .unwrap_or_default()
    }

    /// The pull requests of `repo`, in the order they were opened.
    pub fn pulls(&self, repo: &str) -> Vec<PullSnapshot> {
        self.state()
            .repo(repo)
            .map(|r| {
                r.issues
                    .values()
                    .filter_map(|i| {
                        let pull = i.pull.as_ref()?;
                        Some(PullSnapshot {
                            number: i.number,
                            title: i.title.clone(),
                            body: i.body.clone().unwrap_or_default(),
                            head: pull.head.clone(),
                            base: pull.base.clone(),
                            draft: pull.draft,
                            state: i.state().to_string(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Seed an issue as if it was created long ago: search finds it at once, whatever the lag.
    /// Returns its number.
    pub fn create_issue_directly(&self, repo: &str, issue: NewIssue) -> u64 {
        self.create_issues_directly(repo, 1, |_| issue.clone())
            .first()
            .copied()
            .unwrap_or_default()
    }

    /// Seed `count` issues under one lock (fast enough for tens of thousands), `make(i)`
    /// describing the `i`-th. Returns their numbers.
    pub fn create_issues_directly(
        &self,
        repo: &str,
        count: usize,
        mut make: impl FnMut(usize) -> NewIssue,
    ) -> Vec<u64> {
        let mut state = self.state();
        let strict = std::mem::replace(&mut state.reject_unknown_labels, false);
        let numbers = (0..count)
            .map(|i| {
                let new = make(i);
                let labels = state.ensure_labels(repo, &new.labels).unwrap_or_default();
                let pull = new.pull_request.then(|| {
                    let repo = state.repo_mut(repo);
                    let sha = repo
                        .branches
                        .get(&repo.default_branch)
                        .cloned()
                        .unwrap_or_default();
                    PullInfo {
                        head: "autoheal/fix".to_string(),
                        head_sha: sha.clone(),
                        base: repo.default_branch.clone(),
                        base_sha: sha,
                        draft: false,
                    }
                });
                let fields = IssueFields {
                    title: new.title,
                    body: Some(new.body).filter(|b| !b.is_empty()),
                    labels,
                    assignees: new.assignees,
                    closed: new.closed,
                    comments: new.comments,
                    pull,
                    author: new.author,
                    author_association: new.author_association,
                };
                state.insert_issue(repo, fields, true)
            })
            .collect();
        state.reject_unknown_labels = strict;
        numbers
    }

    /// Seed an issue (`state` is `open` or `closed`) as if created long ago; returns its number.
    pub fn seed_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        labels: &[&str],
        state: &str,
    ) -> u64 {
        let mut issue = NewIssue::new(title).body(body).labels(labels);
        issue.closed = state == "closed";
        self.create_issue_directly(repo, issue)
    }

    /// A comment on issue `number` by `login`, someone outside the repository (GitHub's
    /// `author_association` `NONE`), as anyone may write on a public repository.
    pub fn comment_as_outsider(&self, repo: &str, number: u64, login: &str, body: &str) {
        let mut state = self.state();
        let id = state.allocate_id();
        if let Some(issue) = state.repo_mut(repo).issues.get_mut(&number) {
            let mut comment = Comment::new(id, body.to_string(), login);
            comment.author_association = "NONE";
            issue.comments.push(comment);
        }
    }

    /// `login` adds `label` to issue `number` in the web interface (creating the label when
    /// the repository lacks it): the issue's events record who did.
    pub fn label_issue_as(&self, repo: &str, number: u64, label: &str, login: &str) {
        self.add_label(repo, label);
        let mut state = self.state();
        let id = state.allocate_id();
        if let Some(issue) = state.repo_mut(repo).issues.get_mut(&number) {
            let now = std::time::SystemTime::now();
            issue
                .events
                .push(IssueEvent::labeled(id, login, label, now));
            if !issue.labels.iter().any(|l| l.eq_ignore_ascii_case(label)) {
                issue.labels.push(label.to_string());
            }
            issue.updated_at = now;
        }
    }

    /// Make `login` a collaborator of `repo` with `role` (`admin`, `maintain`, `write`,
    /// `triage` or `read`).
    pub fn add_collaborator(&self, repo: &str, login: &str, role: &str) {
        self.state()
            .repo_mut(repo)
            .collaborators
            .insert(login.to_ascii_lowercase(), role.to_string());
    }

    /// Replace the body of issue `number`, as its author would by editing it.
    pub fn edit_issue_body(&self, repo: &str, number: u64, body: &str) {
        if let Some(issue) = self.state().repo_mut(repo).issues.get_mut(&number) {
            issue.body = Some(body.to_string());
            issue.updated_at = std::time::SystemTime::now();
        }
    }

    /// Close issue `number` as completed, as a maintainer would in the web interface.
    pub fn close_issue(&self, repo: &str, number: u64) {
        if let Some(issue) = self.state().repo_mut(repo).issues.get_mut(&number) {
            issue.set_open(false, None);
        }
    }

    /// Transfer issue `number` of `repo` to `to_repo`, as a maintainer would: it becomes the
    /// next issue there, and requests about it in `repo` are answered 301 `Moved Permanently`
    /// with its new address. Returns its number in `to_repo`.
    pub fn transfer_issue(&self, repo: &str, number: u64, to_repo: &str) -> u64 {
        let mut state = self.state();
        let Some(mut issue) = state.repo_mut(repo).issues.remove(&number) else {
            return 0;
        };
        let target = state.repo_mut(to_repo);
        let new_number = target.next_number;
        target.next_number += 1;
        issue.number = new_number;
        let full_name = target.full_name.clone();
        target.issues.insert(new_number, issue);
        state
            .repo_mut(repo)
            .transferred
            .insert(number, format!("/repos/{full_name}/issues/{new_number}"));
        new_number
    }

    /// Reopen issue `number`.
    pub fn reopen_issue(&self, repo: &str, number: u64) {
        if let Some(issue) = self.state().repo_mut(repo).issues.get_mut(&number) {
            issue.set_open(true, None);
        }
    }

    /// Commit `content` to `path` on `branch` (created from the default branch when missing).
    pub fn put_file(&self, repo: &str, branch: &str, path: &str, content: &[u8]) {
        let mut state = self.state();
        let repo: &mut Repo = state.repo_mut(repo);
        if !repo.branches.contains_key(branch) {
            let head = repo
                .branches
                .get(&repo.default_branch)
                .cloned()
                .unwrap_or_default();
            repo.branches.insert(branch.to_string(), head);
        }
        let _ = repo.commit(branch, &format!("Update {path}"), |files| {
            files.insert(path.to_string(), content.to_vec());
        });
    }

    /// The content of `path` on `branch` (or at a commit sha).
    pub fn file(&self, repo: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        self.state()
            .repo(repo)?
            .resolve(branch)?
            .files
            .get(path)
            .cloned()
    }

    /// Add a commit with id `sha` holding `files`, on no branch: a commit pushed elsewhere that
    /// GitHub has (a branch or a reference may then be created at it).
    pub fn add_commit(&self, repo: &str, sha: &str, files: &[(&str, &[u8])]) {
        let mut state = self.state();
        let repo: &mut Repo = state.repo_mut(repo);
        let commit = Commit {
            sha: sha.to_string(),
            files: files
                .iter()
                .map(|(path, content)| (path.to_string(), content.to_vec()))
                .collect(),
            parent: None,
            message: "Pushed elsewhere".to_string(),
            time: std::time::SystemTime::now(),
        };
        repo.commits.insert(sha.to_string(), commit);
    }

    /// The commit sha `branch` points at.
    pub fn branch_sha(&self, repo: &str, branch: &str) -> Option<String> {
        self.state().repo(repo)?.branches.get(branch).cloned()
    }
}
