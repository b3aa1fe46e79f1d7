//! `aegis build` of the example as a user runs it from the workspace: a release build (with
//! `cargo lambda` when it is installed, plain cargo otherwise), the glibc check, the manifest
//! read from the binary, and a zip holding one executable `bootstrap`.

#![allow(clippy::unwrap_used, missing_docs)]

mod support;

use std::io::Read as _;
use std::process::Command;

use serde_json::Value;
use support::{config, Project, APP};

#[test]
fn build_zips_the_release_binary_as_bootstrap_and_reads_its_manifest() {
    let project = Project::new("build", &config(128));
    let zip_path = project.dir.join("bootstrap.zip");
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aegis"))
        .args(["build", "-p", "example-multi-trigger", "--output", "json"])
        .arg("--config")
        .arg(project.dir.join("aegis.toml"))
        .arg("--out")
        .arg(&zip_path)
        .current_dir(workspace)
        .output()
        .unwrap();
    let result: Value = serde_json::from_str(&support::stdout_of(output)).unwrap();
    assert_eq!(result["command"], "build");
    assert_eq!(result["manifest"]["app"], APP);
    assert!(
        (result["manifest"]["schedules"].as_array().unwrap().iter())
            .any(|s| s["task"] == "nightly-report"),
        "{result}"
    );

    let bytes = std::fs::read(&zip_path).unwrap();
    assert_eq!(result["bytes"], bytes.len());
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(archive.len(), 1, "one file in the package");
    let mut bootstrap = archive.by_index(0).unwrap();
    assert_eq!(bootstrap.name(), "bootstrap");
    assert_eq!(
        bootstrap.unix_mode().map(|m| m & 0o111),
        Some(0o111),
        "executable by everyone, as Lambda needs"
    );
    let mut magic = [0u8; 4];
    bootstrap.read_exact(&mut magic).unwrap();
    assert_eq!(&magic, b"\x7fELF");
}
