//! The example app served locally (no `AWS_LAMBDA_RUNTIME_API`) on a free port of 127.0.0.1,
//! its stdout kept for the tests to read, killed when dropped.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running local server of the example.
pub struct LocalApp {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl LocalApp {
    /// Starts the example's binary and waits until it listens.
    pub fn start() -> Self {
        let port = super::free_port();
        let addr = format!("127.0.0.1:{port}");
        let mut child = Command::new(super::example_binary())
            .env("AEGIS_ADDR", &addr)
            .env_remove("AWS_LAMBDA_RUNTIME_API")
            .env_remove("AEGIS_NAMES")
            .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        super::wait_until_listening(port, Duration::from_secs(30), "the example");
        Self { child, addr, lines }
    }

    /// Whether the app writes a line containing every one of `parts` within `within`.
    pub fn logs_within(&self, parts: &[&str], within: Duration) -> bool {
        let started = Instant::now();
        while started.elapsed() < within {
            let found = (self.lines.lock().unwrap().iter())
                .any(|line| parts.iter().all(|part| line.contains(part)));
            if found {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }
}

impl Drop for LocalApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
