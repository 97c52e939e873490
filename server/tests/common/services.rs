//! Redis and PostgreSQL for a test, started by `scripts/cluster` in a
//! temporary directory (installed from Debian's packages if missing) and
//! stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Services running for one test; stopped (and their directory removed)
/// on drop, even if the test panics.
pub struct Services {
    dir: tempfile::TempDir,
}

impl Services {
    /// Starts `only` (a comma-separated list of `postgres`, `redis`).
    pub fn start(only: &str) -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let status = cluster_command("start", dir.path())
            .args(["--only", only])
            .status()
            .expect("run scripts/cluster");
        assert!(
            status.success(),
            "scripts/cluster start --only {only} failed"
        );
        Self { dir }
    }

    /// A value from the cluster's `cluster.env` (`DATABASE_URL`,
    /// `REDIS_URL`, …).
    pub fn get(&self, key: &str) -> String {
        let env =
            std::fs::read_to_string(self.dir.path().join("cluster.env")).expect("read cluster.env");
        env.lines()
            .filter_map(|line| line.strip_prefix(key)?.strip_prefix('='))
            .next_back()
            .unwrap_or_else(|| panic!("{key} is not in cluster.env:\n{env}"))
            .to_owned()
    }
}

impl Drop for Services {
    fn drop(&mut self) {
        let _ = cluster_command("stop", self.dir.path()).status();
    }
}

fn cluster_command(what: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(repo_root().join("scripts/cluster"));
    cmd.arg(what).arg("--dir").arg(dir);
    cmd
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server crate is in the repository")
        .to_owned()
}
