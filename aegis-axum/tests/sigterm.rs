//! A real SIGTERM to a process serving the app: the request in flight completes, then the
//! process exits cleanly. The test runs its own binary again as the server (`serving_child`).
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aegis_axum::{AppExt, LocalServer};
use axum::routing::get;
use axum::Router;

const CHILD_ENV: &str = "AEGIS_SIGTERM_CHILD";

/// The server side, run only by the test below as its child process.
#[test]
#[ignore = "the server half of sigterm_lets_the_request_in_flight_finish, which runs it"]
fn serving_child() {
    assert!(
        std::env::var(CHILD_ENV).is_ok(),
        "run by sigterm_lets_the_request_in_flight_finish"
    );
    let router = Router::new().route(
        "/slow",
        get(|| async {
            println!("SLOW-STARTED");
            tokio::time::sleep(Duration::from_millis(500)).await;
            "finished"
        }),
    );
    let demux = aegis_core::App::new("sig").router(router).build().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let server = LocalServer::new(demux)
            .addr("127.0.0.1:0".parse().unwrap())
            .bind()
            .await
            .unwrap();
        println!("ADDR={}", server.local_addr());
        server.serve().await.unwrap();
        println!("STOPPED");
    });
}

#[test]
fn sigterm_lets_the_request_in_flight_finish() {
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "serving_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (lines, read) = mpsc::channel();
    let stdout = child.0.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let wait_for = |prefix: &str| -> String {
        loop {
            let line = read
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("the child printed no `{prefix}` line"));
            // The harness prints `test serving_child ... ` before the child's first line.
            if let Some((_, rest)) = line.split_once(prefix) {
                return rest.trim().to_owned();
            }
        }
    };

    let addr = wait_for("ADDR=");
    let mut stream = TcpStream::connect(&addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "GET /slow HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    wait_for("SLOW-STARTED");

    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("finished"), "{response}");
    wait_for("STOPPED");
    assert!(child.0.wait().unwrap().success());
}

/// Stops the child should the test fail before it exits.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
