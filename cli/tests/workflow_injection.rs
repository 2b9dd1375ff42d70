//! The auto-heal workflow's scripts given hostile text, as an attacker would write it in an
//! issue or a job name: they run locally, with the environment the workflow gives them, the
//! built `ipfs-kit` on the PATH and (the fake) GitHub behind GITHUB_API_URL. The text must stay
//! data: no command in it runs, no file it names appears, nothing it says reaches ipfs-kit's
//! arguments, and the runner is not handed workflow commands while it is printed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fake_github::FakeGitHub;
use fake_github::tools::require_tool;

const REPO: &str = "acme/ipfs_kit";
const TOKEN: &str = "ghp_WorkflowInjectionTestToken0123456789";
/// The run-report script reads the Actions API's answers with jq.
const JQ: (&str, &str) = ("jq", "apt-get install jq");
const BUILD_LOG: &str = include_str!("../../tests/fixtures/job_logs/cargo_build.log");

/// Shell payloads that create files named CANARY* (in the working directory and under
/// `canaries`) or delete `victim` when anything executes them.
fn hostile_text(canaries: &Path, victim: &Path) -> String {
    let c = canaries.display();
    let v = victim.display();
    format!(
        "Crash $(touch CANARY_subst) `touch CANARY_tick` $(touch {c}/CANARY_abs)\n\
         \"; touch {c}/CANARY_dq; \" '; touch {c}/CANARY_sq; ' ; rm -rf {v} && touch CANARY_semicolon\n\
         ${{{{ github.token }}}} ${{IFS}}$(id>{c}/CANARY_ifs) <(touch {c}/CANARY_procsub) \\\n\
         | touch {c}/CANARY_pipe & touch {c}/CANARY_bg\n\
         ::add-mask::{TOKEN}\n\
         ::set-output name=issues::[999]\n\
         ::stop-commands::x\n\
         %0A::error::injected"
    )
}

/// A temporary world for one run: working directory, home, a directory for canaries, a victim
/// file, a bin directory whose `ipfs-kit` records its arguments and runs the real binary.
struct World {
    root: tempfile::TempDir,
    bash: PathBuf,
}

impl World {
    /// `None` (the test skips) when there is no bash, or `tools` names a program the scripts
    /// need that is missing.
    fn new(tools: &[(&str, &str)]) -> Option<World> {
        let bash = require_tool("bash", "apt-get install bash")?;
        for (tool, install) in tools {
            require_tool(tool, install)?;
        }
        let world = World {
            root: tempfile::tempdir().unwrap(),
            bash,
        };
        for dir in ["work", "home", "canaries", "calls", "bin", "victim"] {
            std::fs::create_dir_all(world.path(dir)).unwrap();
        }
        std::fs::write(world.path("victim/keep"), "still here").unwrap();
        let wrapper = format!(
            "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\" >\"$(mktemp \"{calls}/call.XXXXXX\")\"\nexec '{real}' \"$@\"\n",
            calls = world.path("calls").display(),
            real = env!("CARGO_BIN_EXE_ipfs-kit"),
        );
        world.executable("bin/ipfs-kit", &wrapper);
        Some(world)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn executable(&self, name: &str, text: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    /// `bash .github/scripts/NAME` with only the variables the workflow gives it.
    fn run_script(&self, name: &str, github: &FakeGitHub, env: &[(&str, &str)]) -> Output {
        let script = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../.github/scripts")
            .join(name);
        let path = format!(
            "{}:{}",
            self.path("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut command = Command::new(&self.bash);
        command
            .arg(script)
            .current_dir(self.path("work"))
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.path("home"))
            .env("IPFS_KIT_CONFIG_DIR", self.path("home/config"))
            .env("GITHUB_API_URL", github.url())
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_TOKEN", TOKEN);
        for (name, value) in env {
            command.env(name, value);
        }
        command.output().unwrap()
    }

    /// Every file anywhere in the world whose name says CANARY.
    fn canaries(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let mut dirs = vec![self.root.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path.clone());
                }
                if path
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().to_uppercase().contains("CANARY"))
                {
                    found.push(path);
                }
            }
        }
        found
    }

    /// The argument lists ipfs-kit was started with, one per start.
    fn ipfs_kit_calls(&self) -> Vec<Vec<String>> {
        std::fs::read_dir(self.path("calls"))
            .unwrap()
            .map(|entry| {
                let bytes = std::fs::read(entry.unwrap().path()).unwrap();
                String::from_utf8(bytes)
                    .unwrap()
                    .split_terminator('\0')
                    .map(str::to_string)
                    .collect()
            })
            .collect()
    }

    #[track_caller]
    fn assert_untouched(&self, output: &Output) {
        assert_eq!(
            self.canaries(),
            Vec::<PathBuf>::new(),
            "hostile text ran\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(self.path("victim/keep")).unwrap(),
            "still here"
        );
    }
}

/// The lines the script printed between `::stop-commands::TOKEN` and `::TOKEN::`, after
/// checking that the whole output is inside such a pair (with a fresh, unguessable token).
#[track_caller]
fn inside_stopped_commands(stdout: &str) -> Vec<&str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let first = lines.first().copied().unwrap_or_default();
    let token = first.strip_prefix("::stop-commands::").unwrap_or_else(|| {
        panic!("output does not start by stopping workflow commands:\n{stdout}")
    });
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    let resume = format!("::{token}::");
    let end = lines
        .iter()
        .rposition(|l| *l == resume)
        .unwrap_or_else(|| panic!("workflow commands are never resumed:\n{stdout}"));
    lines.get(1..end).unwrap_or_default().to_vec()
}

#[test]
fn a_hostile_issue_is_answered_without_running_its_text() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    let title = hostile_text(&world.path("canaries"), &world.path("victim"));
    let body = format!("{title}\n\n```\n$(touch CANARY_body)\n```\n");
    let number = github.seed_issue(REPO, &title, &body, &["auto-heal"], "open");
    let number_text = number.to_string();
    let output = world.run_script(
        "autoheal-fix-issue.sh",
        &github,
        &[
            ("ISSUE_NUMBER", &number_text),
            ("ISSUE_TITLE", &title),
            ("ISSUE_BODY", &body),
            ("AUTOHEAL_COPILOT", "false"),
        ],
    );
    world.assert_untouched(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("command not found") && !stderr.contains("syntax error"),
        "{stderr}"
    );
    // The body holds no report: ipfs-kit read the issue and refused it as bad input, and the
    // script passed its exit status on, writing nothing.
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("issue #{number} is not an auto-heal issue")),
        "{stderr}"
    );
    assert!(github.comments(REPO, number).is_empty());
    // ipfs-kit ran once, with arguments of the script's making only: the body itself stays
    // in the script, only its hash is passed on.
    let body_hash = autoheal::github::body_sha256(&body);
    assert_eq!(
        world.ipfs_kit_calls(),
        [[
            "autoheal",
            "fix",
            "--issue",
            &number_text,
            "--repo",
            REPO,
            "--create-pr",
            "--expect-body-sha256",
            &body_hash,
        ]]
    );
    // The title was printed as it is, on one line, while workflow commands were stopped.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let printed = inside_stopped_commands(&stdout);
    let one_line = format!("Title: {}", title.replace('\n', " "));
    assert!(printed.contains(&one_line.as_str()), "{stdout}");
    // Nothing was written to the repository by the hostile text itself.
    assert_eq!(github.issue(REPO, number).unwrap().title, title);
}

#[test]
fn copilot_is_asked_for_only_by_the_variable() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    // A report a rule recognises: answered with a comment whether Copilot is asked or not.
    let number = seed_hostile_report_issue(&github, "t");
    for (value, expect_copilot) in [("true", true), ("TRUE; touch CANARY", false), ("", false)] {
        std::fs::remove_dir_all(world.path("calls")).unwrap();
        std::fs::create_dir(world.path("calls")).unwrap();
        let output = world.run_script(
            "autoheal-fix-issue.sh",
            &github,
            &[
                ("ISSUE_NUMBER", &number.to_string()),
                ("AUTOHEAL_COPILOT", value),
            ],
        );
        world.assert_untouched(&output);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{value}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let calls = world.ipfs_kit_calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(
            calls[0].last().map(String::as_str) == Some("--copilot"),
            expect_copilot,
            "{value}: {calls:?}"
        );
    }
    // The hand-off jobs leave pull requests to the job that may write them.
    std::fs::remove_dir_all(world.path("calls")).unwrap();
    std::fs::create_dir(world.path("calls")).unwrap();
    let output = world.run_script(
        "autoheal-fix-issue.sh",
        &github,
        &[
            ("ISSUE_NUMBER", &number.to_string()),
            ("AUTOHEAL_COPILOT", "true"),
            ("AUTOHEAL_CREATE_PR", "false"),
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let calls = world.ipfs_kit_calls();
    assert!(
        calls[0].contains(&"--copilot".to_string())
            && !calls[0].contains(&"--create-pr".to_string()),
        "{calls:?}"
    );
    assert_eq!(
        github.comments(REPO, number).len(),
        1,
        "answered once, then left as it was"
    );
}

#[test]
fn an_issue_number_that_is_not_a_number_is_refused_before_anything_runs() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    for number in [
        "1; touch CANARY_num",
        "$(touch CANARY_num)",
        "1\n2",
        "",
        "-1",
        "0",
    ] {
        let output = world.run_script(
            "autoheal-fix-issue.sh",
            &github,
            &[("ISSUE_NUMBER", number)],
        );
        assert_eq!(output.status.code(), Some(2), "{number:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr)
                .contains("ISSUE_NUMBER must be an issue number"),
            "{number:?}"
        );
        world.assert_untouched(&output);
    }
    assert!(world.ipfs_kit_calls().is_empty());
    assert_eq!(github.request_count(), 0);
}

/// A stand-in for curl serving the Actions API of one failed run: the job list and each job's
/// log (which the fake GitHub does not serve). It records its arguments, and reads the headers
/// it is given from the files curl would read them from.
fn fake_actions_curl(world: &World, job_name: &str, log: &str) {
    let jobs = serde_json::json!({
        "total_count": 2,
        "jobs": [
            { "id": 501, "name": job_name, "conclusion": "failure" },
            { "id": 502, "name": "docs", "conclusion": "success" },
        ]
    });
    std::fs::write(world.path("jobs.json"), jobs.to_string()).unwrap();
    std::fs::write(world.path("501.log"), log).unwrap();
    let script = format!(
        r#"#!/usr/bin/env bash
set -eu
printf '%s\0' "$@" >"$(mktemp "{root}/curl-args.XXXXXX")"
out=""; url=""
while [ $# -gt 0 ]; do
    case "$1" in
        --output) out="$2"; shift 2 ;;
        --header)
            case "$2" in @*) cat "${{2#@}}" >>"{root}/curl-headers" ;; esac
            shift 2 ;;
        --max-time|--retry) shift 2 ;;
        --*) shift ;;
        *) url="$1"; shift ;;
    esac
done
case "$url" in
    */repos/{REPO}/actions/runs/7001/attempts/1/jobs\?per_page=100\&page=1) cp "{root}/jobs.json" "$out" ;;
    */repos/{REPO}/actions/jobs/501/logs) cp "{root}/501.log" "$out" ;;
    *) echo "curl: (22) The requested URL returned error: 404 for $url" >&2; exit 22 ;;
esac
"#,
        root = world.root.path().display(),
    );
    world.executable("bin/curl", &script);
}

#[test]
fn a_hostile_job_name_and_log_are_filed_as_data() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[JQ]) else {
        return;
    };
    let job_name = hostile_text(&world.path("canaries"), &world.path("victim"));
    let log = format!(
        "{BUILD_LOG}$(touch CANARY_log)\n`touch CANARY_log_tick`\n::set-output name=issues::[999]\n"
    );
    fake_actions_curl(&world, &job_name, &log);
    let github_output = world.path("github_output");
    let output = world.run_script(
        "autoheal-report-run.sh",
        &github,
        &[
            ("RUN_ID", "7001"),
            ("RUN_ATTEMPT", "1"),
            (
                "RUN_URL",
                "https://github.com/acme/ipfs_kit/actions/runs/7001",
            ),
            ("GITHUB_OUTPUT", &github_output.display().to_string()),
        ],
    );
    world.assert_untouched(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The failed job was filed once, its name passed whole as one argument.
    let calls = world.ipfs_kit_calls();
    assert_eq!(
        calls,
        [[
            "autoheal",
            "report-log",
            "--kind",
            "workflow",
            "--run-url",
            "https://github.com/acme/ipfs_kit/actions/runs/7001",
            "--job",
            job_name.as_str()
        ]]
    );
    let issues = github.issues(REPO);
    let [issue] = &issues[..] else {
        panic!("{issues:?}")
    };
    assert!(issue.labels.contains(&"workflow-error".to_string()));
    assert!(issue.title.contains("error[E0425]"), "{}", issue.title);
    // The issues for the answering job: the one filed, not the one the log asked for, and
    // the job whose log filed it.
    assert_eq!(
        std::fs::read_to_string(&github_output).unwrap(),
        format!(
            "issues=[{n}]\nissue_jobs={{\"{n}\":501}}\n",
            n = issue.number
        )
    );
    // What ipfs-kit printed about the log was printed with workflow commands stopped.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let guarded = inside_stopped_commands(stdout.split("Issues filed or updated").next().unwrap());
    assert!(
        guarded
            .iter()
            .any(|l| l.starts_with("cargo build: error[E0425]")),
        "{stdout}"
    );
    // The token went to curl in a header file, never on its command line.
    for entry in std::fs::read_dir(world.root.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("curl-args.") {
            let args = std::fs::read_to_string(&path).unwrap();
            assert!(
                !args.contains(TOKEN),
                "token on curl's command line: {args}"
            );
        }
    }
    let headers = std::fs::read_to_string(world.path("curl-headers")).unwrap();
    assert!(headers.contains(&format!("Authorization: Bearer {TOKEN}")));
}

#[test]
fn a_run_id_that_is_not_a_number_is_refused() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    fake_actions_curl(&world, "build", BUILD_LOG);
    for run_id in ["7001; touch CANARY_run", "$(touch CANARY_run)", ""] {
        let output = world.run_script("autoheal-report-run.sh", &github, &[("RUN_ID", run_id)]);
        assert_eq!(output.status.code(), Some(2), "{run_id:?}");
        world.assert_untouched(&output);
    }
    assert!(world.ipfs_kit_calls().is_empty());
}

/// An auto-heal issue as a program files it, with hostile text everywhere an attacker who can
/// make the program fail could put it: the error message, the log lines, the arguments.
fn seed_hostile_report_issue(github: &FakeGitHub, hostile: &str) -> u64 {
    let report: autoheal::Report = serde_json::from_value(serde_json::json!({
        "schema": 1, "trace_id": "0af7651916cd43dd8448eb211c80319c",
        "timestamp": "2026-11-25T09:00:00Z", "fingerprint": "4f2a9c1d8e7b6a50", "kind": "error",
        "error": { "type": "io::Error", "message": format!("No such file or directory (os error 2) {hostile}"), "chain": [hostile] },
        "site": { "function": "add", "module": "ipfs_kit::commands::add", "file": "cli/src/commands/add.rs", "line": 12 },
        "frames": ["add"], "command": { "program": "ipfs-kit", "args": ["add", hostile] },
        "backtrace": [], "logs": [hostile], "spans": [], "env": {},
        "system": { "os": "linux", "arch": "x86_64", "app": "ipfs_kit", "app_version": "0.1.0",
                    "rust_version": "1.95.0", "pid": 7, "cwd": "~/work" },
        "labels": ["auto-heal", "cli-error"],
    }))
    .unwrap();
    let draft = autoheal::issue::render_issue(&report);
    github.seed_issue(REPO, hostile, &draft.body, &["auto-heal"], "open")
}

#[test]
fn a_hostile_report_is_diagnosed_and_answered_as_data() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    let hostile = hostile_text(&world.path("canaries"), &world.path("victim"));
    let number = seed_hostile_report_issue(&github, &hostile);
    let issue = github.issue(REPO, number).unwrap();
    let output = world.run_script(
        "autoheal-fix-issue.sh",
        &github,
        &[
            ("ISSUE_NUMBER", &number.to_string()),
            ("ISSUE_TITLE", &issue.title),
            ("ISSUE_BODY", &issue.body),
        ],
    );
    world.assert_untouched(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // ipfs-kit read the issue and answered it.
    assert_eq!(github.comments(REPO, number).len(), 1);
    inside_stopped_commands(&String::from_utf8_lossy(&output.stdout));
}

#[test]
fn a_body_edited_after_the_event_is_not_answered() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[]) else { return };
    let number = seed_hostile_report_issue(&github, "t");
    let issue = github.issue(REPO, number).unwrap();
    // The event carried the body as it was when the label was added; the author edited it
    // while the job was starting.
    let approved = format!("{}\nThanks!", issue.body);
    let output = world.run_script(
        "autoheal-fix-issue.sh",
        &github,
        &[
            ("ISSUE_NUMBER", &number.to_string()),
            ("ISSUE_BODY", &approved),
        ],
    );
    world.assert_untouched(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("changed since it was approved"), "{stderr}");
    assert!(github.comments(REPO, number).is_empty());
}

#[test]
fn a_failed_run_is_filed_and_its_issue_answered() {
    let github = FakeGitHub::start();
    let Some(world) = World::new(&[JQ]) else {
        return;
    };
    fake_actions_curl(&world, "build (ubuntu-latest)", BUILD_LOG);
    let github_output = world.path("github_output");
    let reported = world.run_script(
        "autoheal-report-run.sh",
        &github,
        &[
            ("RUN_ID", "7001"),
            (
                "RUN_URL",
                "https://github.com/acme/ipfs_kit/actions/runs/7001",
            ),
            ("GITHUB_OUTPUT", &github_output.display().to_string()),
        ],
    );
    assert_eq!(reported.status.code(), Some(0), "{reported:?}");
    let outputs = std::fs::read_to_string(&github_output).unwrap();
    let issues: Vec<u64> = serde_json::from_str(
        outputs
            .lines()
            .find_map(|l| l.strip_prefix("issues="))
            .unwrap(),
    )
    .unwrap();
    let [number] = issues[..] else {
        panic!("{outputs}")
    };
    // The job that answers it gets the number from the matrix, as the workflow passes it.
    let answered = world.run_script(
        "autoheal-fix-issue.sh",
        &github,
        &[("ISSUE_NUMBER", &number.to_string())],
    );
    assert_eq!(answered.status.code(), Some(0), "{answered:?}");
    let comments = github.comments(REPO, number);
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert!(
        github
            .issue(REPO, number)
            .unwrap()
            .labels
            .contains(&"workflow-error".to_string())
    );
}
