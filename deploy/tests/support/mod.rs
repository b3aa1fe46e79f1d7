//! What the deploy tests share: a moto server, the example's binary, the CLI, and SDK clients
//! pointed at moto to set the scene and check the result.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::print_stderr)]

pub mod eventbridge;
pub mod local;
pub mod moto;
pub mod state;
pub mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
pub use moto::Moto;
use serde_json::Value;

/// The function name, app name and resources of the example.
pub const FUNCTION: &str = "multi-trigger";
pub const APP: &str = "multi-trigger";
pub const BUCKET: &str = "photos";
pub const QUEUE: &str = "orders";
pub const ACCOUNT: &str = "123456789012";
pub const ALIAS_ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:multi-trigger:live";

/// The `aegis.toml` the tests deploy with, memory given.
pub fn config(memory: u32) -> String {
    format!(
        "[function]\nname = \"{FUNCTION}\"\nregion = \"eu-west-1\"\nmemory = {memory}\n\n\
         [names]\norders = \"{QUEUE}\"\n\n[s3]\nbucket = \"{BUCKET}\"\n"
    )
}

/// A port of 127.0.0.1 free a moment ago, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until something listens on `port` of 127.0.0.1, failing the test after `within`.
pub fn wait_until_listening(port: u16, within: std::time::Duration, what: &str) {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < within,
            "{what} did not listen on {port} within {within:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The standard output of a command that must have succeeded; its standard error otherwise.
pub fn stdout_of(output: Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The example's debug binary, built once per test process.
pub fn example_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            let output = Command::new(env!("CARGO"))
                .args([
                    "build",
                    "-p",
                    "example-multi-trigger",
                    "--message-format",
                    "json",
                ])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap();
            (stdout_of(output).lines())
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
                .find(|p| p.ends_with("example-multi-trigger"))
                .expect("cargo named the example's binary")
        })
        .clone()
}

/// The example's manifest, as `aegis` reads it from the binary (`AEGIS_MANIFEST=1`).
pub fn example_manifest() -> Value {
    let output = Command::new(example_binary())
        .env("AEGIS_MANIFEST", "1")
        .output()
        .unwrap();
    serde_json::from_str(&stdout_of(output)).unwrap()
}

/// A scratch directory with an `aegis.toml`.
pub struct Project {
    pub dir: PathBuf,
}

impl Project {
    pub fn new(name: &str, config: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("aegis-deploy-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("aegis.toml"), config).unwrap();
        Self { dir }
    }

    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.dir.join(file);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The `aegis` command, in this directory, pointed at `moto`.
    pub fn command(&self, moto: &Moto, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aegis"));
        command.args(args).current_dir(&self.dir).envs(moto.env());
        command
    }

    /// Runs `aegis ARGS --binary <example> --output json` and returns its JSON result.
    pub fn run(&self, moto: &Moto, args: &[&str]) -> Value {
        let output = self.run_raw(moto, args);
        assert!(
            output.status.success(),
            "aegis {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).unwrap()
    }

    /// As [`Project::run`], returning the raw output whether it succeeded or not.
    pub fn run_raw(&self, moto: &Moto, args: &[&str]) -> Output {
        let binary = example_binary();
        let mut all: Vec<&str> = args.to_vec();
        if !args.contains(&"--binary") && !args.contains(&"--manifest") {
            all.extend(["--binary", binary.to_str().unwrap()]);
        }
        all.extend(["--output", "json"]);
        self.command(moto, &all).output().unwrap()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SDK configuration for moto, for the tests' own checks.
pub async fn sdk(moto: &Moto) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .endpoint_url(&moto.endpoint)
        .region(Region::new("eu-west-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .load()
        .await
}

/// The bucket and queue the example's config maps to, created as a user would have.
pub async fn create_bucket_and_queue(config: &SdkConfig) {
    let s3 = aws_sdk_s3::Client::new(config);
    let location = aws_sdk_s3::types::CreateBucketConfiguration::builder()
        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
        .build();
    s3.create_bucket()
        .bucket(BUCKET)
        .create_bucket_configuration(location)
        .send()
        .await
        .unwrap();
    aws_sdk_sqs::Client::new(config)
        .create_queue()
        .queue_name(QUEUE)
        .send()
        .await
        .unwrap();
}

/// The tokio runtime of one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `true` when `path` exists; for readable assertions.
pub fn exists(path: &Path) -> bool {
    path.exists()
}
