//! What the fake remembers: repositories with their issues (pull requests are issues too, as
//! on GitHub, and share their numbers), comments, labels, commits and branches, plus the
//! switches a test sets and the record of requests.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::time::{Duration, Instant, SystemTime};

use super::copilot::{AgentTaskSnapshot, AgentTasks};
use super::encoding::object_id;
use super::faults::FaultRule;
use super::http::{Exchange, RecordedRequest};

/// The colour GitHub gives a label created without one.
pub(crate) const DEFAULT_LABEL_COLOR: &str = "ededed";

/// How the fake treats the `Authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Auth {
    /// Any `Bearer <token>` or `token <token>` passes; no header is a 401.
    RequireToken,
    /// Everything passes, even a request without a token.
    AcceptAnything,
    /// Only this token passes; another is a 401 `Bad credentials`.
    Expect(String),
}

/// Everything behind the fake's one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) repos: BTreeMap<String, Repo>,
    /// The next id of any object (repository, issue, comment, label): deterministic.
    pub(crate) next_id: u64,
    pub(crate) requests: Vec<RecordedRequest>,
    /// The requests answered, with their replies.
    pub(crate) exchanges: Vec<Exchange>,
    pub(crate) faults: Vec<FaultRule>,
    /// Counts changes of the fault rules: a hung request ends when they change.
    pub(crate) fault_generation: u64,
    pub(crate) search_lag: Duration,
    pub(crate) auth: Auth,
    /// Creating an issue (or adding a label to one) with an unknown label answers 422.
    pub(crate) reject_unknown_labels: bool,
    /// Labels every new repository starts with.
    pub(crate) seed_labels: Vec<String>,
    /// The login of the authenticated user, the author of everything created through the API.
    pub(crate) login: String,
    /// Whether the listening socket is open (false while the fake is down).
    pub(crate) listening: bool,
    pub(crate) rate: RateWindow,
    pub(crate) replies_sent: u64,
    /// How `POST /agents/repos/{o}/{r}/tasks` answers.
    pub(crate) agent_tasks: AgentTasks,
    /// Whether Copilot can be assigned to issues.
    pub(crate) copilot_assignable: bool,
    /// Whether draft pull requests are refused (a private repository on GitHub Free or Pro).
    pub(crate) drafts_refused: bool,
    /// The agent tasks started, oldest first.
    pub(crate) agent_task_log: Vec<AgentTaskSnapshot>,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            repos: BTreeMap::new(),
            next_id: 1001,
            requests: Vec::new(),
            exchanges: Vec::new(),
            faults: Vec::new(),
            fault_generation: 0,
            search_lag: Duration::ZERO,
            auth: Auth::RequireToken,
            reject_unknown_labels: false,
            seed_labels: Vec::new(),
            login: "autoheal-bot".to_string(),
            listening: true,
            rate: RateWindow::new(),
            replies_sent: 0,
            agent_tasks: AgentTasks::Refuse(404),
            copilot_assignable: false,
            drafts_refused: false,
            agent_task_log: Vec::new(),
        }
    }

    pub(crate) fn allocate_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Repository `owner/name`, created on first use (names compare without regard to case,
    /// as on GitHub).
    pub(crate) fn repo_mut(&mut self, full_name: &str) -> &mut Repo {
        match self.repos.entry(full_name.to_ascii_lowercase()) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let id = self.next_id;
                let mut repo = Repo::new(id, full_name);
                let mut next = id + 1;
                for name in &self.seed_labels {
                    repo.labels.push(Label::new(next, name));
                    next += 1;
                }
                self.next_id = next;
                entry.insert(repo)
            }
        }
    }

    /// Repository `owner/name` when it exists.
    pub(crate) fn repo(&self, full_name: &str) -> Option<&Repo> {
        self.repos.get(&full_name.to_ascii_lowercase())
    }

    /// Make sure `repo` has each of `names` (GitHub creates unknown labels for users with push
    /// access) and return them as the repository spells them, without duplicates; `Err(name)`
    /// for the first unknown one when unknown labels are rejected.
    pub(crate) fn ensure_labels(
        &mut self,
        repo: &str,
        names: &[String],
    ) -> Result<Vec<String>, String> {
        let mut canonical: Vec<String> = Vec::new();
        for name in names {
            let existing = self.repo_mut(repo).label(name).map(|l| l.name.clone());
            let name = match existing {
                Some(existing) => existing,
                None if self.reject_unknown_labels => return Err(name.clone()),
                None => {
                    let id = self.allocate_id();
                    self.repo_mut(repo).labels.push(Label::new(id, name));
                    name.clone()
                }
            };
            if !canonical.iter().any(|c| c.eq_ignore_ascii_case(&name)) {
                canonical.push(name);
            }
        }
        Ok(canonical)
    }

    /// Add an issue; `searchable_now` skips the search index lag (for issues seeded as old).
    pub(crate) fn insert_issue(
        &mut self,
        repo: &str,
        new: IssueFields,
        searchable_now: bool,
    ) -> u64 {
        let id = self.allocate_id();
        let login = self.login.clone();
        let user = new.author.clone().unwrap_or_else(|| login.clone());
        let author_association = new.author_association.clone();
        let event_ids: Vec<u64> = new.labels.iter().map(|_| self.allocate_id()).collect();
        let comment_ids: Vec<u64> = new.comments.iter().map(|_| self.allocate_id()).collect();
        let now = SystemTime::now();
        let repo = self.repo_mut(repo);
        let number = repo.next_number;
        repo.next_number += 1;
        let comments = comment_ids
            .into_iter()
            .zip(new.comments)
            // Seeded comments are the token's user's (a maintainer), whoever opened the issue.
            .map(|(id, body)| Comment::new(id, body, &login))
            .collect();
        // The labels an issue starts with were added by its author, as GitHub records them.
        let events = event_ids
            .into_iter()
            .zip(&new.labels)
            .map(|(id, label)| IssueEvent::labeled(id, &user, label, now))
            .collect();
        repo.issues.insert(
            number,
            Issue {
                id,
                number,
                title: new.title,
                body: new.body,
                labels: new.labels,
                assignees: new.assignees,
                open: !new.closed,
                state_reason: new.closed.then(|| "completed".to_string()),
                duplicate_of: None,
                comments,
                user,
                author_association: author_association.unwrap_or_else(|| "OWNER".to_string()),
                events,
                created_at: now,
                updated_at: now,
                closed_at: new.closed.then_some(now),
                merged_at: None,
                created: (!searchable_now).then(Instant::now),
                pull: new.pull,
            },
        );
        number
    }

    /// The request id and rate-limit headers of the next reply, counting it against `resource`.
    pub(crate) fn next_reply(&mut self, resource: Resource) -> (u64, RateSnapshot) {
        self.replies_sent += 1;
        (self.replies_sent, self.rate.spend(resource))
    }
}

/// The fields a new issue starts with.
#[derive(Clone, Debug, Default)]
pub(crate) struct IssueFields {
    pub(crate) title: String,
    pub(crate) body: Option<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) assignees: Vec<String>,
    pub(crate) closed: bool,
    pub(crate) comments: Vec<String>,
    pub(crate) pull: Option<PullInfo>,
    /// Its author, when not the token's user (an outsider's issue).
    pub(crate) author: Option<String>,
    /// The author's `author_association` (`OWNER` when not given).
    pub(crate) author_association: Option<String>,
}

/// One repository.
#[derive(Clone, Debug)]
pub(crate) struct Repo {
    pub(crate) id: u64,
    /// `owner/name` as first spelled.
    pub(crate) full_name: String,
    pub(crate) default_branch: String,
    pub(crate) issues: BTreeMap<u64, Issue>,
    pub(crate) next_number: u64,
    pub(crate) labels: Vec<Label>,
    /// Commit sha → the files of that commit.
    pub(crate) commits: BTreeMap<String, Commit>,
    /// Branch name → commit sha.
    pub(crate) branches: BTreeMap<String, String>,
    /// Issue number → the API path of the issue it became in another repository (transferred):
    /// requests about it are answered 301.
    pub(crate) transferred: BTreeMap<u64, String>,
    /// Collaborators by login (lowercase) with their role: `admin`, `maintain`, `write`,
    /// `triage` or `read`. The owner is an admin without being listed.
    pub(crate) collaborators: BTreeMap<String, String>,
}

impl Repo {
    fn new(id: u64, full_name: &str) -> Repo {
        let root = Commit {
            sha: object_id(format!("initial commit of {full_name}").as_bytes()),
            files: BTreeMap::new(),
            parent: None,
            message: "Initial commit".to_string(),
            time: SystemTime::now(),
        };
        let default_branch = "main".to_string();
        Repo {
            id,
            full_name: full_name.to_string(),
            branches: BTreeMap::from([(default_branch.clone(), root.sha.clone())]),
            commits: BTreeMap::from([(root.sha.clone(), root)]),
            default_branch,
            issues: BTreeMap::new(),
            transferred: BTreeMap::new(),
            collaborators: BTreeMap::new(),
            next_number: 1,
            labels: Vec::new(),
        }
    }

    /// The owner's login.
    pub(crate) fn owner(&self) -> &str {
        self.full_name.split('/').next().unwrap_or_default()
    }

    /// The repository's name without its owner.
    pub(crate) fn name(&self) -> &str {
        self.full_name.split('/').nth(1).unwrap_or_default()
    }

    /// Label `name` (compared without regard to case, as on GitHub).
    pub(crate) fn label(&self, name: &str) -> Option<&Label> {
        self.labels
            .iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
    }

    /// Issue or pull request `number` (as it appears in a path).
    pub(crate) fn issue_mut(&mut self, number: &str) -> Option<&mut Issue> {
        self.issues.get_mut(&number.parse().ok()?)
    }

    /// The role of `login` in the repository: the owner's is `admin`, a collaborator's the
    /// one given; anyone else may only read (the repositories are public).
    pub(crate) fn role_of(&self, login: &str) -> &str {
        if login.eq_ignore_ascii_case(self.owner()) {
            return "admin";
        }
        self.collaborators
            .get(&login.to_ascii_lowercase())
            .map_or("read", String::as_str)
    }

    /// The commit a branch name or commit sha points at.
    pub(crate) fn resolve(&self, reference: &str) -> Option<&Commit> {
        let reference = reference.strip_prefix("refs/heads/").unwrap_or(reference);
        let sha = self
            .branches
            .get(reference)
            .map_or(reference, String::as_str);
        self.commits.get(sha)
    }

    /// Commit `files` on top of `branch` (which must exist); returns the new commit's sha.
    pub(crate) fn commit(
        &mut self,
        branch: &str,
        message: &str,
        change: impl FnOnce(&mut BTreeMap<String, Vec<u8>>),
    ) -> Option<String> {
        let parent = self.branches.get(branch)?.clone();
        let mut files = self.commits.get(&parent)?.files.clone();
        change(&mut files);
        let sha = object_id(format!("{parent}\n{message}\n{}", self.commits.len()).as_bytes());
        self.commits.insert(
            sha.clone(),
            Commit {
                sha: sha.clone(),
                files,
                parent: Some(parent),
                message: message.to_string(),
                time: SystemTime::now(),
            },
        );
        self.branches.insert(branch.to_string(), sha.clone());
        Some(sha)
    }
}

/// One issue or pull request.
#[derive(Clone, Debug)]
pub(crate) struct Issue {
    pub(crate) id: u64,
    pub(crate) number: u64,
    pub(crate) title: String,
    pub(crate) body: Option<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) assignees: Vec<String>,
    pub(crate) open: bool,
    pub(crate) state_reason: Option<String>,
    /// The id of the issue this one was closed as a duplicate of (`duplicate_issue_id`).
    pub(crate) duplicate_of: Option<u64>,
    pub(crate) comments: Vec<Comment>,
    pub(crate) user: String,
    /// The author's relation to the repository (`OWNER`, `MEMBER`, `COLLABORATOR`, `NONE`, ...).
    pub(crate) author_association: String,
    /// What happened to it, oldest first (labels added, so far).
    pub(crate) events: Vec<IssueEvent>,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
    pub(crate) closed_at: Option<SystemTime>,
    /// For a pull request, when it was merged (it is closed then too).
    pub(crate) merged_at: Option<SystemTime>,
    /// When it was created through the API (search sees it once the lag has passed);
    /// `None` for issues seeded as old.
    pub(crate) created: Option<Instant>,
    /// Set when this is a pull request.
    pub(crate) pull: Option<PullInfo>,
}

impl Issue {
    /// `open` or `closed`.
    pub(crate) fn state(&self) -> &'static str {
        if self.open { "open" } else { "closed" }
    }

    /// Whether the search index has caught up with this issue.
    pub(crate) fn indexed(&self, lag: Duration) -> bool {
        self.created.is_none_or(|created| created.elapsed() >= lag)
    }

    /// Close (with `reason`, `completed` by default) or reopen.
    pub(crate) fn set_open(&mut self, open: bool, reason: Option<String>) {
        let now = SystemTime::now();
        if open && !self.open {
            self.state_reason = Some("reopened".to_string());
            self.closed_at = None;
        } else if !open && self.open {
            self.state_reason = Some(reason.unwrap_or_else(|| "completed".to_string()));
            self.closed_at = Some(now);
        } else if let Some(reason) = reason {
            self.state_reason = Some(reason);
        }
        self.open = open;
        self.updated_at = now;
    }
}

/// One event of an issue's history, as `GET /repos/{o}/{r}/issues/{n}/events` lists it.
#[derive(Clone, Debug)]
pub(crate) struct IssueEvent {
    pub(crate) id: u64,
    /// Who did it.
    pub(crate) actor: String,
    /// `labeled`, ...
    pub(crate) event: &'static str,
    /// The label added, for a `labeled` event.
    pub(crate) label: Option<String>,
    pub(crate) created_at: SystemTime,
}

impl IssueEvent {
    /// `actor` added `label`.
    pub(crate) fn labeled(id: u64, actor: &str, label: &str, at: SystemTime) -> IssueEvent {
        IssueEvent {
            id,
            actor: actor.to_string(),
            event: "labeled",
            label: Some(label.to_string()),
            created_at: at,
        }
    }
}

/// What makes a pull request more than an issue.
#[derive(Clone, Debug)]
pub(crate) struct PullInfo {
    pub(crate) head: String,
    pub(crate) head_sha: String,
    pub(crate) base: String,
    pub(crate) base_sha: String,
    pub(crate) draft: bool,
}

/// One issue comment.
#[derive(Clone, Debug)]
pub(crate) struct Comment {
    pub(crate) id: u64,
    pub(crate) body: String,
    pub(crate) user: String,
    /// The author's relation to the repository, as GitHub's `author_association` says it.
    pub(crate) author_association: &'static str,
    pub(crate) created_at: SystemTime,
    pub(crate) updated_at: SystemTime,
}

impl Comment {
    /// A comment by `user`, who may push to the repository (the token's user, a maintainer).
    pub(crate) fn new(id: u64, body: String, user: &str) -> Comment {
        let now = SystemTime::now();
        Comment {
            id,
            body,
            user: user.to_string(),
            author_association: "OWNER",
            created_at: now,
            updated_at: now,
        }
    }
}

/// One repository label.
#[derive(Clone, Debug)]
pub(crate) struct Label {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) color: String,
    pub(crate) description: Option<String>,
}

impl Label {
    pub(crate) fn new(id: u64, name: &str) -> Label {
        Label {
            id,
            name: name.to_string(),
            color: DEFAULT_LABEL_COLOR.to_string(),
            description: None,
        }
    }
}

/// One commit: a full copy of the files (repositories in tests are small).
#[derive(Clone, Debug)]
pub(crate) struct Commit {
    pub(crate) sha: String,
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    pub(crate) parent: Option<String>,
    pub(crate) message: String,
    pub(crate) time: SystemTime,
}

/// The two rate-limit buckets GitHub reports on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resource {
    Core,
    Search,
}

impl Resource {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Resource::Core => "core",
            Resource::Search => "search",
        }
    }

    pub(crate) fn limit(self) -> u64 {
        match self {
            Resource::Core => 5000,
            Resource::Search => 30,
        }
    }
}

/// Requests counted in the current rate-limit window (counted, never enforced: a test that
/// wants a rate limit switches on a fault).
#[derive(Clone, Debug)]
pub(crate) struct RateWindow {
    reset: SystemTime,
    core_used: u64,
    search_used: u64,
}

/// The rate-limit headers of one reply.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RateSnapshot {
    pub(crate) resource: Resource,
    pub(crate) used: u64,
    pub(crate) reset: SystemTime,
}

impl RateWindow {
    fn new() -> RateWindow {
        RateWindow {
            reset: SystemTime::now() + Duration::from_secs(3600),
            core_used: 0,
            search_used: 0,
        }
    }

    fn spend(&mut self, resource: Resource) -> RateSnapshot {
        if SystemTime::now() >= self.reset {
            *self = RateWindow::new();
        }
        let used = match resource {
            Resource::Core => &mut self.core_used,
            Resource::Search => &mut self.search_used,
        };
        *used += 1;
        RateSnapshot {
            resource,
            used: (*used).min(resource.limit() - 1),
            reset: self.reset,
        }
    }
}
