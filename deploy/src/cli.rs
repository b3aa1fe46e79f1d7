//! The command line: arguments, and each command as a function of them.

use std::path::{Path, PathBuf};

use aegis_core::Manifest;
use aegis_deploy::aws::Aws;
use aegis_deploy::build::{self, BuildOptions, Code};
use aegis_deploy::config::Config;
use aegis_deploy::desired::Desired;
use aegis_deploy::names::Target;
use aegis_deploy::plan::Plan;
use aegis_deploy::resources::Ctx;
use aegis_deploy::{deploy, init, manifest, template, yaml};
use anyhow::{bail, Context as _};
use clap::{Parser, Subcommand, ValueEnum};
use serde_json::json;

/// Deploy one Lambda function serving many triggers, from what its code declares.
#[derive(Debug, Parser)]
#[command(name = "aegis", version)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Command,
    /// The configuration file.
    #[arg(long, global = true, default_value = "aegis.toml")]
    config: PathBuf,
    /// How to print the result.
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Output {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a commented aegis.toml.
    Init {
        /// The function's name; the current directory's name by default.
        #[arg(long)]
        name: Option<String>,
        /// The region.
        #[arg(long, default_value = "us-east-1")]
        region: String,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        source: Source,
    },
    /// Build the app for provided.al2023 and zip it as bootstrap.
    Build {
        #[command(flatten)]
        source: Source,
        /// Where to write the zip.
        #[arg(long, default_value = "target/aegis/bootstrap.zip")]
        out: PathBuf,
    },
    /// Show what deploy would create, change and delete.
    Plan {
        #[command(flatten)]
        source: Source,
    },
    /// Create or update everything the app declares.
    Deploy {
        #[command(flatten)]
        source: Source,
    },
    /// Remove everything aegis made for the app, and nothing else.
    Destroy {
        #[command(flatten)]
        source: Source,
    },
    /// Print the stack as an AWS SAM template.
    Template {
        #[command(flatten)]
        source: Source,
        /// The package's path as the template names it.
        #[arg(long, default_value = "target/aegis/bootstrap.zip")]
        code_uri: String,
        /// YAML (the default) or JSON.
        #[arg(long, value_enum, default_value_t = Format::Yaml)]
        format: Format,
    },
    /// Print the function's CloudWatch logs, filtered by aegis's log fields.
    Logs(aegis_deploy::logs::LogsArgs),
    /// Send an event file or a built-in sample to the deployed function, or with --local to
    /// the local server.
    Invoke(aegis_deploy::invoke::InvokeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

/// Where the binary and its manifest come from.
#[derive(Debug, Clone, clap::Args)]
struct Source {
    /// Use this built binary instead of building.
    #[arg(long)]
    binary: Option<PathBuf>,
    /// Read the manifest from this JSON file instead of running the binary.
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// The cargo package to build.
    #[arg(long, short = 'p')]
    package: Option<String>,
    /// The cargo binary to build.
    #[arg(long)]
    bin: Option<String>,
}

pub(crate) async fn run(args: Args) -> anyhow::Result<()> {
    match &args.command {
        Command::Init {
            name,
            region,
            force,
            source,
        } => init_file(&args, name.as_deref(), region, *force, source),
        Command::Build { source, out } => {
            let config = Config::load(&args.config)?;
            let (manifest, code) = load(&config, source, true, true)?;
            let code = code.context("no package was built")?;
            build::write(&code, out)?;
            report(
                &args,
                &format!(
                    "wrote {} ({} bytes) for app {}",
                    out.display(),
                    code.zip.len(),
                    manifest.app
                ),
                json!({
                    "command": "build", "zip": out, "bytes": code.zip.len(), "sha256": code.sha256, "manifest": manifest,
                }),
            );
            Ok(())
        }
        Command::Template {
            source,
            code_uri,
            format,
        } => {
            let config = Config::load(&args.config)?;
            let (manifest, _) = load(&config, source, false, false)?;
            let desired = Desired::new(&manifest, &config, &Target::pseudo())?;
            let template = template::sam(&desired, code_uri);
            match format {
                Format::Yaml => print!("{}", yaml::to_string(&template)),
                Format::Json => println!("{}", serde_json::to_string_pretty(&template)?),
            }
            Ok(())
        }
        Command::Plan { source } | Command::Deploy { source } | Command::Destroy { source } => {
            stack(&args, source).await
        }
        Command::Logs(logs) => {
            aegis_deploy::logs::run(&args.config, args.output == Output::Json, logs).await
        }
        Command::Invoke(invoke) => {
            aegis_deploy::invoke::run(&args.config, args.output == Output::Json, invoke).await
        }
    }
}

/// plan, deploy and destroy: everything that talks to AWS.
async fn stack(args: &Args, source: &Source) -> anyhow::Result<()> {
    let config = Config::load(&args.config)?;
    let (command, needs_code) = match args.command {
        Command::Plan { .. } => ("plan", false),
        Command::Deploy { .. } => ("deploy", true),
        _ => ("destroy", false),
    };
    let (manifest, code) = load(&config, source, needs_code, true)?;
    let aws = Aws::connect(config.function.region.as_deref()).await?;
    let target = Target {
        partition: aws.partition.clone(),
        region: aws.region.clone(),
        account: aws.account.clone(),
    };
    let desired = Desired::new(&manifest, &config, &target)?;
    let ctx = Ctx {
        aws: &aws,
        desired: &desired,
        code: code.as_ref(),
    };

    let plan = if command == "destroy" {
        deploy::plan_destroy(ctx).await?
    } else {
        deploy::plan(ctx).await?
    };
    if args.output == Output::Text {
        for change in plan.changes() {
            println!("{change}");
        }
        for note in notes(&desired) {
            println!("note: {note}");
        }
    }
    if command != "plan" && !plan.is_noop() {
        deploy::apply(ctx, &plan).await?;
    }
    let endpoint = match command {
        "deploy" => deploy::endpoint(ctx).await?,
        _ => None,
    };
    finish(args, command, &aws, &desired, &plan, endpoint.as_deref());
    Ok(())
}

/// The statements that could not be scoped, named in the output as the design requires.
fn notes(desired: &Desired) -> Vec<String> {
    let mut notes: Vec<String> = desired
        .policy
        .unscoped()
        .into_iter()
        .map(|s| format!("IAM statement {s}: uses \"Resource\": \"*\""))
        .collect();
    for p in desired
        .permissions
        .iter()
        .filter(|p| p.source_arn.is_none())
    {
        notes.push(format!("lambda permission {} has no source ARN: a public Function URL has no caller to scope by", p.sid));
    }
    notes
}

fn finish(
    args: &Args,
    command: &str,
    aws: &Aws,
    desired: &Desired,
    plan: &Plan,
    endpoint: Option<&str>,
) {
    let calls = aws.calls.calls();
    let mutating = aws.calls.mutating();
    let mut text = match (command, plan.is_noop()) {
        ("plan", _) => format!("plan: {}", plan.summary()),
        ("deploy", true) => format!(
            "nothing to change: everything is up to date; made no mutating AWS call ({} reads)",
            calls.len()
        ),
        ("destroy", true) => format!(
            "nothing to destroy for app {}; made no mutating AWS call",
            desired.app
        ),
        _ => format!(
            "{command}: {}; {} AWS calls, {mutating} mutating",
            plan.summary(),
            calls.len()
        ),
    };
    if let Some(url) = endpoint {
        text.push_str(&format!("\nserving HTTP at {url}"));
    }
    report(
        args,
        &text,
        json!({
            "command": command,
            "app": desired.app,
            "endpoint": endpoint,
            "function": desired.function,
            "alias_arn": desired.alias_arn,
            "changed": command != "plan" && !plan.is_noop(),
            "changes": plan.changes(),
            "notes": notes(desired),
            "aws_calls": { "total": calls.len(), "mutating": mutating, "calls": calls },
        }),
    );
}

fn report(args: &Args, text: &str, value: serde_json::Value) {
    match args.output {
        Output::Text => println!("{text}"),
        Output::Json => println!("{value}"),
    }
}

/// The manifest, and the package when one is needed or a binary was given.
fn load(
    config: &Config,
    source: &Source,
    needs_code: bool,
    package: bool,
) -> anyhow::Result<(Manifest, Option<Code>)> {
    let binary = match (&source.binary, &source.manifest) {
        (Some(binary), _) => Some(binary.clone()),
        (None, Some(_)) if !needs_code => None,
        (None, _) => Some(build::cargo_build(&BuildOptions {
            package: source.package.clone(),
            bin: source.bin.clone(),
            architecture: config.function.architecture,
        })?),
    };
    // A template needs only the manifest, and packaging a large binary takes seconds.
    let code = if package {
        binary.as_deref().map(build::package).transpose()?
    } else {
        None
    };
    let manifest = match (&source.manifest, &binary) {
        (Some(path), _) => manifest::from_file(path)?,
        (None, Some(binary)) => manifest::from_binary(binary)?,
        (None, None) => bail!("pass --binary or --manifest"),
    };
    Ok((manifest, code))
}

fn init_file(
    args: &Args,
    name: Option<&str>,
    region: &str,
    force: bool,
    source: &Source,
) -> anyhow::Result<()> {
    if args.config.exists() && !force {
        bail!(
            "{} exists; pass --force to overwrite it",
            args.config.display()
        );
    }
    let manifest = match (&source.manifest, &source.binary) {
        (Some(path), _) => Some(manifest::from_file(path)?),
        (None, Some(binary)) => Some(manifest::from_binary(binary)?),
        (None, None) => None,
    };
    let dir_name = std::env::current_dir()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()));
    let name = name
        .map(str::to_owned)
        .or_else(|| manifest.as_ref().map(|m| m.app.clone()))
        .or(dir_name)
        .unwrap_or_else(|| "app".into());
    std::fs::write(&args.config, init::text(&name, region, manifest.as_ref()))
        .with_context(|| format!("cannot write {}", args.config.display()))?;
    report(
        args,
        &format!("wrote {}", args.config.display()),
        json!({ "command": "init", "config": path_text(&args.config) }),
    );
    Ok(())
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}
