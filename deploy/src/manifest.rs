//! Reading the app's manifest: from a JSON file, or by running the built binary with
//! `AEGIS_MANIFEST=1`, which prints it and exits without contacting any Runtime API.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aegis_core::{Manifest, MANIFEST_ENV, MANIFEST_VERSION};
use anyhow::{bail, Context as _};

/// How long a binary may take to print its manifest.
const PATIENCE: Duration = Duration::from_secs(20);

/// Runs `binary` with `AEGIS_MANIFEST=1` and parses what it prints.
///
/// # Errors
///
/// When it cannot run (a binary for another architecture: pass `--manifest`), fails, hangs,
/// or prints something that is not a manifest.
pub fn from_binary(binary: &Path) -> anyhow::Result<Manifest> {
    let mut child = Command::new(binary)
        .env(MANIFEST_ENV, "1")
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| {
            format!(
                "cannot run {} to read its manifest; if it was built for another architecture, \
                 write the manifest with `AEGIS_MANIFEST=1 cargo run > manifest.json` and pass \
                 --manifest manifest.json",
                binary.display()
            )
        })?;

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            bail!(
                "{} did not print its manifest within {}s: is it built on aegis and does its \
                 `main` reach `aegis_core::run`?",
                binary.display(),
                PATIENCE.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .context("no stdout")?
        .read_to_string(&mut stdout)?;
    if !status.success() {
        let mut stderr = String::new();
        let _ = child
            .stderr
            .take()
            .map(|mut e| e.read_to_string(&mut stderr));
        bail!(
            "{} exited with {status} when asked for its manifest: {}",
            binary.display(),
            stderr.trim()
        );
    }
    parse(&stdout).with_context(|| format!("reading the manifest printed by {}", binary.display()))
}

/// Reads a manifest from a JSON file.
///
/// # Errors
///
/// When the file cannot be read or is not a manifest.
pub fn from_file(path: &Path) -> anyhow::Result<Manifest> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    parse(&text).with_context(|| format!("reading the manifest {}", path.display()))
}

fn parse(text: &str) -> anyhow::Result<Manifest> {
    // The binary's own logging may precede the manifest; the manifest is the last JSON object.
    let start = text
        .find("{\n")
        .or_else(|| text.find('{'))
        .context("no JSON object in the output")?;
    let manifest: Manifest =
        serde_json::from_str(text[start..].trim()).context("not an aegis manifest")?;
    if manifest.manifest_version > MANIFEST_VERSION {
        bail!(
            "the manifest is version {}, newer than this aegis CLI understands ({MANIFEST_VERSION}); \
             update the CLI",
            manifest.manifest_version
        );
    }
    Ok(manifest)
}
