//! Where the Runtime Interface Emulator binary lives.

use std::path::PathBuf;

/// The path of the `aws-lambda-rie` binary.
///
/// `AEGIS_RIE` names it when set; otherwise it is `aws-lambda-rie` in
/// `${AEGIS_TOOLS:-$HOME/.cache/aegis-tools}`, where `.ci/install-rie.sh` puts it.
///
/// When neither is there, it runs `.ci/install-rie.sh` once (which needs only `python3 -m pip`),
/// so `cargo test --workspace` works on a fresh machine.
///
/// # Panics
///
/// When no file is there and the install fails, with a message saying how to install it.
pub fn rie_path() -> PathBuf {
    let path = match std::env::var_os("AEGIS_RIE") {
        Some(path) => PathBuf::from(path),
        None => {
            let path = tools_dir().join("aws-lambda-rie");
            if !path.is_file() {
                install_once();
            }
            path
        }
    };

    assert!(
        path.is_file(),
        "the Lambda Runtime Interface Emulator is not at {}; run `.ci/install-rie.sh` \
         (or point AEGIS_RIE at an aws-lambda-rie binary)",
        path.display(),
    );
    path
}

/// Runs the install script, once per test process, whatever the number of tests asking.
fn install_once() {
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/install-rie.sh");
        // A failure shows in the assertion of `rie_path`, which names the missing file.
        let _ = std::process::Command::new("bash").arg(&script).status();
    });
}

fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("AEGIS_TOOLS") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    PathBuf::from(home).join(".cache").join("aegis-tools")
}
