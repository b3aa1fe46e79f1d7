//! `aegis build`: a release binary for `provided.al2023`, checked against its glibc and zipped
//! as `bootstrap`.
//!
//! With `cargo lambda` installed it builds with `cargo lambda build --release`, which links
//! against a glibc old enough for Lambda. Without it, it runs `cargo build --release` and reads
//! the binary's ELF version needs: one that needs a glibc newer than al2023's 2.34 would not
//! start on Lambda, so it is refused with what to do instead.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};
use zip::write::SimpleFileOptions;

use crate::config::Architecture;
use crate::glibc::{self, AL2023_GLIBC};

/// A deployment package: the zip Lambda receives and its SHA-256, as Lambda reports it.
#[derive(Clone)]
pub struct Code {
    /// The zip, holding one executable file named `bootstrap`.
    pub zip: Vec<u8>,
    /// Base64 of the zip's SHA-256, Lambda's `CodeSha256`.
    pub sha256: String,
}

impl std::fmt::Debug for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Code")
            .field("bytes", &self.zip.len())
            .field("sha256", &self.sha256)
            .finish()
    }
}

/// What to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `cargo -p`: the package, when the workspace has several.
    pub package: Option<String>,
    /// `cargo --bin`: the binary, when the package has several.
    pub bin: Option<String>,
    /// The architecture from `aegis.toml`.
    pub architecture: Architecture,
}

/// Builds the app and returns the path of its binary.
///
/// # Errors
///
/// When cargo fails, when the build yields no or several binaries, or when cross-compiling
/// is needed without `cargo lambda`.
pub fn cargo_build(options: &BuildOptions) -> anyhow::Result<PathBuf> {
    let mut selection = Vec::new();
    if let Some(package) = &options.package {
        selection.extend(["-p".to_owned(), package.clone()]);
    }
    if let Some(bin) = &options.bin {
        selection.extend(["--bin".to_owned(), bin.clone()]);
    }

    let cargo_lambda = Command::new("cargo")
        .args(["lambda", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    let mut command = Command::new("cargo");
    if cargo_lambda {
        command.args(["lambda", "build", "--release"]);
        if options.architecture == Architecture::Arm64 {
            command.arg("--arm64");
        }
    } else {
        let host = if cfg!(target_arch = "aarch64") {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        };
        command.args(["build", "--release"]);
        if host != options.architecture {
            if !cfg!(target_os = "linux") || !has_target(options.architecture.target()) {
                bail!(
                    "building for {} on this {} machine needs cross-compiling: install cargo-lambda \
                     (`pip install cargo-lambda`), or set `architecture = \"{}\"` in aegis.toml",
                    options.architecture.as_str(),
                    host.as_str(),
                    host.as_str()
                );
            }
            command.args(["--target", options.architecture.target()]);
        }
    }
    command
        .args(&selection)
        .args(["--message-format", "json-render-diagnostics"]);
    crate::progress::line(&format!(
        "==> building with `cargo {}`",
        if cargo_lambda {
            "lambda build"
        } else {
            "build"
        }
    ));

    let output = command
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        bail!("the build failed (cargo's errors are above)");
    }
    let executables = executables(&String::from_utf8_lossy(&output.stdout));
    match executables.as_slice() {
        [one] if cargo_lambda => moved_by_cargo_lambda(one).with_context(|| {
            format!(
                "cargo lambda built {} but it is neither there nor under the target \
                 directory's `lambda/`",
                one.display()
            )
        }),
        [one] => Ok(one.clone()),
        [] => bail!("the build produced no binary; pass --package or --bin"),
        many => bail!(
            "the build produced {} binaries; choose one with --bin",
            many.len()
        ),
    }
}

fn has_target(triple: &str) -> bool {
    let list = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    list.is_ok_and(|o| {
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|l| l.trim() == triple)
    })
}

/// Where the binary cargo named as `executable` is after `cargo lambda build`: cargo lambda
/// moves it to `{target}/lambda/{name}/bootstrap`, `{target}` being three levels above it
/// (`{target}/{triple}/release/{name}`). `None` when it is in neither place.
fn moved_by_cargo_lambda(executable: &Path) -> Option<PathBuf> {
    if executable.is_file() {
        return Some(executable.to_owned());
    }
    let name = executable.file_name()?;
    let target = executable.ancestors().nth(3)?;
    let bootstrap = target.join("lambda").join(name).join("bootstrap");
    bootstrap.is_file().then_some(bootstrap)
}

/// The executables cargo's JSON messages name.
fn executables(messages: &str) -> Vec<PathBuf> {
    (messages.lines())
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter_map(|m| m["executable"].as_str().map(PathBuf::from))
        .collect()
}

/// Checks `binary` against al2023's glibc and zips it as `bootstrap`.
///
/// The zip's timestamps are fixed, so the same binary always gives the same `CodeSha256` and a
/// rebuild that changed nothing deploys nothing.
///
/// # Errors
///
/// When the binary cannot be read, is not ELF, or needs a glibc newer than 2.34.
pub fn package(binary: &Path) -> anyhow::Result<Code> {
    let bytes = std::fs::read(binary)
        .with_context(|| format!("cannot read the binary {}", binary.display()))?;
    if let Some(needed) = glibc::required(&bytes).with_context(|| binary.display().to_string())? {
        if needed > AL2023_GLIBC {
            bail!(
                "{} needs glibc {needed}, but Lambda's provided.al2023 has {AL2023_GLIBC}, so it \
                 would not start there; build with cargo-lambda (`pip install cargo-lambda`), \
                 which links against an older glibc, or on Amazon Linux 2023, or for the \
                 x86_64-unknown-linux-musl target",
                binary.display()
            );
        }
    }

    zip_bootstrap(&bytes)
}

/// `bytes` zipped as an executable `bootstrap`, with its digest.
///
/// # Errors
///
/// When the zip cannot be written, which in memory means a bug in the zip crate.
pub fn zip_bootstrap(bytes: &[u8]) -> anyhow::Result<Code> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        // The fastest level compresses a Rust binary nearly as well as the default, in a
        // fraction of the time.
        .compression_level(Some(1))
        .unix_permissions(0o755)
        .last_modified_time(zip::DateTime::default());
    zip.start_file("bootstrap", options)?;
    zip.write_all(bytes)?;
    let zip = zip.finish()?.into_inner();
    let sha256 = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&zip));
    Ok(Code { zip, sha256 })
}

/// Writes the package next to the build output, for `aegis build`.
///
/// # Errors
///
/// When the file cannot be written.
pub fn write(code: &Code, path: &Path) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, &code.zip).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::{executables, moved_by_cargo_lambda, zip_bootstrap};

    #[test]
    fn the_same_binary_always_zips_to_the_same_digest() {
        let first = zip_bootstrap(b"\x7fELF and the rest").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert_eq!(
            first.sha256,
            zip_bootstrap(b"\x7fELF and the rest").unwrap().sha256
        );
    }

    #[test]
    fn a_binary_cargo_lambda_moved_is_found_under_lambda() {
        let target = std::env::temp_dir().join(format!("aegis-build-test-{}", std::process::id()));
        let named = target.join("x86_64-unknown-linux-gnu/release/app");
        assert_eq!(moved_by_cargo_lambda(&named), None);

        let moved = target.join("lambda/app/bootstrap");
        std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
        std::fs::write(&moved, b"\x7fELF").unwrap();
        assert_eq!(moved_by_cargo_lambda(&named), Some(moved));

        std::fs::create_dir_all(named.parent().unwrap()).unwrap();
        std::fs::write(&named, b"\x7fELF").unwrap();
        assert_eq!(moved_by_cargo_lambda(&named), Some(named.clone()));
        std::fs::remove_dir_all(&target).unwrap();
    }

    #[test]
    fn executables_are_read_from_cargo_messages() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","executable":null}"#,
            "\n",
            r#"{"reason":"compiler-artifact","executable":"/t/release/app"}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            executables(messages),
            [std::path::PathBuf::from("/t/release/app")]
        );
    }
}
