//! A moto server for one test, on a free port of 127.0.0.1, killed when dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running moto server.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
}

impl Moto {
    /// Starts moto and waits until it answers; installs it with pip once when it is missing.
    pub fn start() -> Self {
        let port = super::free_port();
        let mut command = command();
        command
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let child = command
            .spawn()
            .expect("cannot start moto; run `python3 -m pip install 'moto[server]'`");
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };

        super::wait_until_listening(port, Duration::from_secs(60), "moto");
        moto
    }

    /// The environment that points the SDK (and the CLI) at this server.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_REGION", "eu-west-1".into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
            ("AWS_CONFIG_FILE", "/nonexistent".into()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent".into()),
        ]
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `moto_server` from PATH, else `python3 -m moto.server`, installing moto once if neither runs.
fn command() -> Command {
    if let Some(path) = on_path("moto_server") {
        return Command::new(path);
    }
    let has_module = || {
        Command::new("python3")
            .args(["-c", "import moto.server, flask"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has_module() {
        static INSTALL: std::sync::Once = std::sync::Once::new();
        INSTALL.call_once(|| {
            // A failure shows as moto failing to start, with the install hint.
            let _ = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "moto[server]"])
                .status();
        });
    }
    let mut command = Command::new("python3");
    command.args(["-m", "moto.server"]);
    command
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}
