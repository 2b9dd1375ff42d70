//! Running `ipfs-kit` as a process in a private home, with a clean environment.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A temporary home and configuration directory for one test.
pub struct Sandbox {
    home: tempfile::TempDir,
    extra_env: Vec<(String, String)>,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            home: tempfile::tempdir().unwrap(),
            extra_env: Vec::new(),
        }
    }

    /// A sandbox reporting to the GitHub API at `api_url` with `token`, auto-healing enabled
    /// for `repo`.
    pub fn reporting_to(api_url: &str, token: &str, repo: &str) -> Self {
        let sandbox = Sandbox::new()
            .env("GITHUB_TOKEN", token)
            .env("GITHUB_API_URL", api_url);
        sandbox
            .run(&["autoheal", "enable", "--github-repo", repo])
            .success();
        sandbox
    }

    /// The number of reports waiting in the queue, as `autoheal status --json` says.
    pub fn queue_length(&self) -> u64 {
        self.run(&["autoheal", "status", "--json"]).success().json()["queue_length"]
            .as_u64()
            .unwrap()
    }

    /// Set an environment variable for every run.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.extra_env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn config_dir(&self) -> PathBuf {
        self.home.path().join("config")
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir().join("auto_heal_config.json")
    }

    /// A command with only PATH, HOME, IPFS_KIT_CONFIG_DIR and the sandbox's variables set.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_of(Path::new(env!("CARGO_BIN_EXE_ipfs-kit")), args)
    }

    /// `program` (another binary of the tests, such as the test itself) in the sandbox's
    /// environment, as [`Sandbox::command`] runs `ipfs-kit`.
    pub fn command_of(&self, program: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("IPFS_KIT_CONFIG_DIR", self.config_dir());
        for (name, value) in &self.extra_env {
            command.env(name, value);
        }
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().unwrap())
    }

    /// Run with `input` on standard input. A write the command cut short by closing the pipe
    /// is not a failure: what it printed says what it made of the input.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        use std::io::Write as _;
        use std::process::Stdio;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(input);
        drop(stdin);
        Run::from(child.wait_with_output().unwrap())
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command(args);
        for (name, value) in env {
            command.env(name, value);
        }
        Run::from(command.output().unwrap())
    }

    /// Every file under the home directory, with its contents.
    pub fn all_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        let mut dirs = vec![self.home.path().to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    let bytes = std::fs::read(&path).unwrap();
                    files.push((path, bytes));
                }
            }
        }
        files
    }
}

/// The outcome of one run.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Self {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn failure(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.stdout))
    }
}
