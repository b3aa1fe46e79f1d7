//! Building workspace binaries from inside a test.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::process::{wait_with_deadline, Exit};

/// How long one `cargo build` may take before the test gives up. Generous, because another
/// build may hold the shared target directory's lock.
const BUILD_DEADLINE: Duration = Duration::from_secs(20 * 60);

type Built = HashMap<(String, String), PathBuf>;

/// Builds the binary `bin` of the workspace package `package` and returns its path.
///
/// Each binary is built once per test process: parallel tests asking for the same one wait
/// for the first build. Cargo runs with the test's environment, so `CARGO_TARGET_DIR` and
/// cargo's configuration apply; the path comes from cargo's own report of the artifact.
///
/// # Panics
///
/// When the build fails or takes longer than twenty minutes, with cargo's output.
pub fn cargo_bin(package: &str, bin: &str) -> PathBuf {
    static BUILT: OnceLock<Mutex<Built>> = OnceLock::new();

    // One lock for all binaries: cargo would serialize the builds on its own lock anyway.
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);

    let key = (package.to_owned(), bin.to_owned());
    if let Some(path) = built.get(&key) {
        return path.clone();
    }
    let path = build(package, bin);
    built.insert(key, path.clone());
    path
}

fn build(package: &str, bin: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = workspace_root().join("Cargo.toml");

    let mut child = Command::new(cargo)
        .args([
            "build",
            "--message-format=json-render-diagnostics",
            "--manifest-path",
        ])
        .arg(&manifest)
        .args(["-p", package, "--bin", bin])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot run cargo to build {package}/{bin}: {error}"));

    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let exit = wait_with_deadline(&mut child, BUILD_DEADLINE);
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();

    match exit {
        Exit::Exited(status) if status.success() => {}
        Exit::Exited(status) => panic!("building {package}/{bin} failed ({status}):\n{stderr}"),
        Exit::TimedOut => {
            panic!("building {package}/{bin} took over {BUILD_DEADLINE:?}:\n{stderr}")
        }
    }

    executable(&stdout, bin).unwrap_or_else(|| {
        panic!("cargo built {package} but reported no executable for the binary {bin}:\n{stderr}")
    })
}

/// The `executable` of the `compiler-artifact` message for the binary target `bin`.
fn executable(messages: &str, bin: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact")
        .filter(|message| message["target"]["name"] == bin)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
}

fn workspace_root() -> &'static Path {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().unwrap_or(crate_dir)
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            // A read error only shortens the text shown in a panic message.
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executable_is_taken_from_the_matching_bin_artifact() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","target":{"name":"serde"},"executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","target":{"name":"echo"},"executable":"/t/echo"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );

        assert_eq!(executable(messages, "echo"), Some(PathBuf::from("/t/echo")));
        assert_eq!(executable(messages, "other"), None);
    }
}
