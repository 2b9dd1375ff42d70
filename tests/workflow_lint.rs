//! The repository's workflow lint (`.ci/lint-workflows.py`), run as a process on workflow files
//! written to a temporary directory: untrusted text in a script, broad permissions and unpinned
//! actions fail it with a message that says what to do; the real workflow passes.

use std::path::{Path, PathBuf};
use std::process::Command;

use fake_github::tools::require_tool;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CHECKOUT: &str = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2";

struct Lint {
    code: Option<i32>,
    stdout: String,
}

/// The Python the lint runs with; `None` (the test skips) when there is none.
fn python3() -> Option<PathBuf> {
    require_tool("python3", "apt-get install python3")
}

fn lint(python: &Path, path: &Path) -> Lint {
    let output = Command::new(python)
        .arg(Path::new(ROOT).join(".ci/lint-workflows.py"))
        .arg(path)
        .current_dir(ROOT)
        .output()
        .expect("python3 runs");
    Lint {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
    }
}

fn write(dir: &tempfile::TempDir, yaml: &str) -> PathBuf {
    let path = dir.path().join("workflow.yml");
    std::fs::write(&path, yaml).unwrap();
    path
}

/// A workflow that passes, with `steps` (indented as steps of its one job) appended.
fn workflow(steps: &str) -> String {
    format!(
        "name: t\non:\n  issues:\n    types: [opened]\npermissions: {{}}\njobs:\n  answer:\n    runs-on: ubuntu-latest\n    permissions:\n      issues: write\n    steps:\n      - uses: {CHECKOUT}\n{steps}"
    )
}

#[test]
fn a_well_formed_workflow_passes() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &workflow(
            "      - name: answer\n        env:\n          ISSUE_TITLE: ${{ github.event.issue.title }}\n          ISSUE_BODY: ${{ github.event.issue.body }}\n        run: |\n          printf '%s\\n' \"$ISSUE_TITLE\" \"${{ github.run_id }}\"\n",
        ),
    );
    let result = lint(&python, &path);
    assert_eq!(result.code, Some(0), "{}", result.stdout);
}

#[test]
fn an_issue_title_in_a_run_block_fails_with_its_line() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &workflow("      - run: echo \"${{ github.event.issue.title }}\"\n"),
    );
    let result = lint(&python, &path);
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    let expected = format!(
        "{}:13: `run:` interpolates ${{{{ github.event.issue.title }}}}: github.event.issue.title is attacker-controlled text and would run as shell code; pass it through `env:` and read \"$VAR\" in the script",
        path.display()
    );
    assert_eq!(result.stdout.trim_end(), expected);
}

#[test]
fn an_issue_body_inside_a_multi_line_script_fails() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        &workflow(
            "      - name: triage\n        run: |\n          set -eu\n          body=\"${{github.event.issue.body}}\"\n          echo done\n",
        ),
    );
    let result = lint(&python, &path);
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    assert!(
        result
            .stdout
            .contains(":16: `run:` interpolates ${{ github.event.issue.body }}"),
        "{}",
        result.stdout
    );
}

#[test]
fn a_plain_script_continued_on_the_next_line_and_a_flow_step_fail() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    // A plain scalar goes on over the deeper lines below its key.
    let continued = write(
        &dir,
        &workflow("      - run: echo hello\n          \"${{ github.event.issue.title }}\"\n"),
    );
    let result = lint(&python, &continued);
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    assert!(
        result
            .stdout
            .contains(":14: `run:` interpolates ${{ github.event.issue.title }}"),
        "{}",
        result.stdout
    );

    let flow = write(
        &dir,
        &workflow("      - { name: x, run: \"echo ${{ github.event.issue.body }}\" }\n"),
    );
    let result = lint(&python, &flow);
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    assert!(
        result.stdout.contains(":13: a flow-style mapping"),
        "{}",
        result.stdout
    );
}

#[test]
fn branch_names_inputs_and_other_contexts_in_scripts_fail() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (expression, named) in [
        ("github.head_ref", "github.head_ref is attacker-controlled"),
        (
            "github.event.workflow_run.head_branch",
            "github.event.workflow_run.head_branch is attacker-controlled",
        ),
        ("inputs.ref", "inputs.ref is attacker-controlled"),
        ("steps.read.outputs.title", "only values GitHub makes"),
        ("env.TITLE", "only values GitHub makes"),
    ] {
        let path = write(
            &dir,
            &workflow(&format!(
                "      - run: git checkout ${{{{ {expression} }}}}\n"
            )),
        );
        let result = lint(&python, &path);
        assert_eq!(result.code, Some(1), "{expression}: {}", result.stdout);
        assert!(
            result.stdout.contains(named),
            "{expression}: {}",
            result.stdout
        );
    }
}

#[test]
fn broad_or_missing_permissions_fail() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    let write_all =
        workflow("      - run: echo ok\n").replace("permissions: {}", "permissions: write-all");
    let result = lint(&python, &write(&dir, &write_all));
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    assert!(
        result
            .stdout
            .contains(":5: `permissions: write-all` grants every scope"),
        "{}",
        result.stdout
    );
    let missing = workflow("      - run: echo ok\n").replace("permissions: {}\n", "");
    let result = lint(&python, &write(&dir, &missing));
    assert_eq!(result.code, Some(1), "{}", result.stdout);
    assert!(
        result.stdout.contains(":1: no top-level `permissions:`"),
        "{}",
        result.stdout
    );
}

#[test]
fn actions_must_be_pinned_to_a_full_commit_sha() {
    let Some(python) = python3() else { return };
    let dir = tempfile::tempdir().unwrap();
    for unpinned in [
        "actions/checkout@v4",
        "actions/checkout@main",
        "actions/checkout@11bd71901bbe5b1630ceea73d2759736",
    ] {
        let yaml =
            workflow("      - run: echo ok\n").replace(CHECKOUT, &format!("{unpinned} # v4.2.2"));
        let result = lint(&python, &write(&dir, &yaml));
        assert_eq!(result.code, Some(1), "{unpinned}: {}", result.stdout);
        assert!(
            result.stdout.contains(&format!(
                ":12: `uses: {unpinned}` is not pinned to a commit"
            )),
            "{}",
            result.stdout
        );
    }
}

#[test]
fn the_auto_heal_workflow_passes() {
    let Some(python) = python3() else { return };
    let path = Path::new(ROOT).join(".github/workflows/auto-heal-workflow.yml");
    let result = lint(&python, &path);
    assert_eq!(result.code, Some(0), "{}", result.stdout);
}

#[test]
fn the_auto_heal_workflow_runs_only_its_own_scripts() {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join(".github/workflows/auto-heal-workflow.yml"))
            .unwrap();
    let runs: Vec<&str> = text
        .lines()
        .filter_map(|line| line.trim().strip_prefix("run: "))
        .collect();
    assert!(runs.len() >= 4, "{runs:?}");
    for run in runs {
        let script = run
            .strip_prefix("bash .github/scripts/")
            .unwrap_or_else(|| panic!("`run: {run}` does not call a script of .github/scripts"));
        assert!(
            Path::new(ROOT)
                .join(".github/scripts")
                .join(script)
                .is_file(),
            "{script} is missing"
        );
    }
    assert!(text.contains("\npermissions: {}\n"));
}

#[test]
fn every_workflow_whose_failures_are_reported_exists() {
    let dir = Path::new(ROOT).join(".github/workflows");
    let text = std::fs::read_to_string(dir.join("auto-heal-workflow.yml")).unwrap();
    let listed = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("workflows: "))
        .expect("the workflow_run trigger lists the workflows it reports");
    let wanted: Vec<&str> = listed
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|name| name.trim().trim_matches('"'))
        .collect();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .filter_map(|workflow| {
            workflow
                .lines()
                .find_map(|line| line.strip_prefix("name: ").map(|n| n.trim().to_string()))
        })
        .collect();
    assert!(!wanted.is_empty());
    for name in wanted {
        assert!(
            names.iter().any(|n| n == name),
            "the auto-heal workflow reports failures of {name:?}, but no workflow is named so ({names:?})"
        );
    }
}

/// The auto-heal workflow's jobs, each as its name and its lines.
fn auto_heal_jobs() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(Path::new(ROOT).join(".github/workflows/auto-heal-workflow.yml"))
            .unwrap();
    let jobs = text.split_once("\njobs:\n").expect("a jobs: section").1;
    let mut out: Vec<(String, String)> = Vec::new();
    for line in jobs.lines() {
        let is_job = line.len() > 2
            && line.starts_with("  ")
            && !line.starts_with("   ")
            && !line.trim_start().starts_with('#')
            && line.trim_end().ends_with(':');
        if is_job {
            out.push((line.trim().trim_end_matches(':').to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

#[test]
fn no_job_that_writes_or_holds_a_secret_builds_or_restores_a_cache() {
    let jobs = auto_heal_jobs();
    assert!(
        jobs.len() >= 5,
        "{:?}",
        jobs.iter().map(|j| &j.0).collect::<Vec<_>>()
    );
    let mut builders = 0;
    for (name, body) in &jobs {
        let privileged = body.contains(": write") || body.contains("secrets.");
        let builds = body.contains("autoheal-build.sh")
            || body.contains("rust-cache")
            || body.contains("cargo ");
        if builds {
            builders += 1;
            assert!(
                !privileged,
                "{name} builds while holding a write permission or a secret"
            );
            assert!(body.contains("save-if: false"), "{name} saves the cache");
            assert!(
                body.contains("actions/upload-artifact@"),
                "{name} hands on no binary"
            );
        } else if privileged {
            assert!(
                body.contains("actions/download-artifact@") && body.contains("autoheal-install.sh"),
                "{name} runs a binary it did not get from the build job"
            );
        }
        if body.contains("secrets.AUTOHEAL_COPILOT_TOKEN") {
            assert!(
                body.contains("environment: copilot-handoff"),
                "{name} reads the Copilot token outside its protected environment"
            );
        }
    }
    assert_eq!(builders, 1, "one job builds");
}

#[test]
fn the_repair_job_may_only_read_holds_no_secret_and_hands_on_data() {
    let jobs = auto_heal_jobs();
    let job = |name: &str| {
        jobs.iter()
            .find(|(n, _)| n == name)
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no job {name}"))
    };
    let repair = job("repair-ci-failure");
    let permissions: Vec<&str> = repair
        .split_once("\n    permissions:\n")
        .expect("the repair job sets its permissions")
        .1
        .lines()
        .take_while(|l| l.starts_with("      "))
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .collect();
    assert_eq!(permissions, ["actions: read", "contents: read"]);
    for forbidden in ["secrets.", ": write", "environment:", "rust-cache"] {
        assert!(
            !repair.contains(forbidden),
            "the repair job has {forbidden:?}"
        );
    }
    assert!(repair.contains("ref: ${{ github.event.workflow_run.head_sha }}"));
    assert!(repair.contains("name: autoheal-repairs"));
    for line in repair
        .lines()
        .filter(|l| l.trim_start().starts_with("- uses: "))
    {
        let reference = line.split('@').nth(1).unwrap_or_default();
        let sha = reference.split_whitespace().next().unwrap_or_default();
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{line} is not pinned"
        );
    }
    // The token reaches the step that downloads the logs, never the one that builds.
    let steps: Vec<&str> = repair.split("\n      - ").collect();
    let repairing = steps
        .iter()
        .find(|s| s.contains("autoheal-repair-run.sh"))
        .expect("a step runs the repair");
    assert!(!repairing.to_lowercase().contains("token"), "{repairing}");
    let fetching = steps
        .iter()
        .find(|s| s.contains("autoheal-fetch-logs.sh"))
        .expect("a step downloads the logs");
    assert!(fetching.contains("GITHUB_TOKEN: ${{ github.token }}"));

    // The jobs that write take the bundles as data, by path, and never check out the failed
    // commit.
    for name in ["fix-reported-issues", "hand-off-reported-issues"] {
        let body = job(name);
        assert!(body.contains("name: autoheal-repairs"), "{name}");
        assert!(
            body.contains("AUTOHEAL_BUNDLE_DIR: ${{ runner.temp }}/autoheal-repairs"),
            "{name}"
        );
        assert!(
            body.contains("ISSUE_JOBS: ${{ needs.report-ci-failure.outputs.issue_jobs }}"),
            "{name}"
        );
        assert!(
            !body.contains("head_sha"),
            "{name} checks out the failed commit"
        );
        assert!(
            body.contains("repair-ci-failure"),
            "{name} does not wait for it"
        );
    }
}
