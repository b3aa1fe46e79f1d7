//! `aegis invoke`: sends an event file or a built-in sample ([`crate::samples`]) to the
//! deployed function's alias, or with `--local` to the local server's Invoke route.
//!
//! Both go through the same `aws-sdk-lambda` Invoke call; locally its endpoint is
//! `http://ADDR` with dummy credentials, since the local server takes any function name and
//! signature. The answer's payload is printed (pretty when it is JSON); a function error
//! prints its `errorType` and `errorMessage` and fails the command.

mod list;
mod local;

use std::path::Path;

use anyhow::{bail, Context as _};
use aws_sdk_lambda::operation::invoke::InvokeOutput;
use aws_sdk_lambda::operation::RequestId as _;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{InvocationType, LogType};
use base64::Engine as _;
use serde_json::{json, Value};

use crate::aws::Aws;
use crate::config::Config;
use crate::placeholders::Values;
use crate::{output, progress, samples};

/// The local server's address when `--local` names none.
pub const LOCAL_ADDR: &str = "127.0.0.1:9000";

/// The arguments of `aegis invoke`.
#[derive(Debug, Clone, clap::Args)]
pub struct InvokeArgs {
    /// A JSON event file, or the name of a built-in sample (see --list).
    #[arg(required_unless_present = "list")]
    pub event: Option<String>,
    /// List the built-in samples and the placeholders --set fills.
    #[arg(long)]
    pub list: bool,
    /// Fill a placeholder of the event, such as --set queue=orders; repeatable.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
    /// Send it to the local server (`aegis_axum::run` without Lambda) at ADDR instead;
    /// 127.0.0.1:9000 when ADDR is left out.
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = LOCAL_ADDR)]
    pub local: Option<String>,
    /// Invoke asynchronously (InvocationType Event): queued, answered with 202.
    #[arg(long = "async")]
    pub asynchronous: bool,
    /// Also print the tail of the invocation's log (LogType Tail), on stderr.
    #[arg(long)]
    pub log: bool,
    /// Print the event that would be sent, and send nothing.
    #[arg(long)]
    pub print: bool,
}

/// Runs `aegis invoke` with the configuration at `config`, printing JSON when `json`.
///
/// # Errors
///
/// When the event is neither a JSON file nor a sample, a `--set` does not fit it, the
/// configuration is invalid, the function cannot be reached, or the function fails.
pub async fn run(config: &Path, json: bool, args: &InvokeArgs) -> anyhow::Result<()> {
    let local = args.local.as_deref().map(local::local_addr).transpose()?;
    let (text, label) = match args.event.as_deref() {
        Some(name) if !args.list => event_text(name)?,
        _ => (String::new(), String::new()),
    };
    // Locally the function's name does not matter, so aegis.toml is optional.
    let config = if (local.is_some() || args.list || args.print) && !config.exists() {
        None
    } else {
        Some(Config::load(config)?)
    };
    if args.list {
        return list::list(config.as_ref(), json);
    }

    let connection = if args.print {
        None
    } else {
        Some(connect(local.as_deref(), config.as_ref()).await?)
    };
    let (region, account) = connection.as_ref().map_or((None, None), |c| {
        (c.region.as_deref(), c.account.as_deref())
    });
    let mut values = Values::new(config.as_ref(), region, account);
    for assignment in &args.set {
        values.set(assignment, &text, config.as_ref())?;
    }
    let payload = values
        .render(&text)
        .with_context(|| format!("{label} is not JSON"))?;
    let Some(connection) = connection else {
        let event: Value = serde_json::from_slice(&payload)?;
        return Ok(output::line(&serde_json::to_string_pretty(&event)?)?);
    };

    let function = values.get("function").unwrap_or_default();
    let qualifier = config.as_ref().map(|c| c.alias().to_owned());
    let target = match (&local, &qualifier) {
        (Some(addr), _) => format!("{function} on the local server at {addr}"),
        (None, Some(alias)) => format!("{function}:{alias}"),
        (None, None) => function.clone(),
    };
    let kind = if args.asynchronous {
        InvocationType::Event
    } else {
        InvocationType::RequestResponse
    };
    progress::line(&format!(
        "==> invoking {target} with {label} ({})",
        kind.as_str()
    ));
    let answer = connection
        .client
        .invoke()
        .function_name(&function)
        .set_qualifier(qualifier.clone().filter(|_| local.is_none()))
        .invocation_type(kind)
        .log_type(if args.log {
            LogType::Tail
        } else {
            LogType::None
        })
        .payload(Blob::new(payload))
        .send()
        .await
        .map_err(|e| local::refused(&e, &target, local.as_deref()))?;
    let summary = json!({
        "command": "invoke", "function": function, "qualifier": qualifier, "local": local,
        "event": label,
    });
    report(&answer, args, json.then_some(summary))
}

/// A Lambda client for the local server or the function's account, and where it points.
struct Connection {
    client: aws_sdk_lambda::Client,
    region: Option<String>,
    account: Option<String>,
}

async fn connect(local: Option<&str>, config: Option<&Config>) -> anyhow::Result<Connection> {
    if let Some(addr) = local {
        return Ok(Connection {
            client: local::local_client(addr, config),
            region: None,
            account: None,
        });
    }
    let config = config.context("aegis.toml is needed to find the function")?;
    let aws = Aws::connect(config.function.region.as_deref()).await?;
    Ok(Connection {
        client: aws.lambda,
        region: Some(aws.region),
        account: Some(aws.account),
    })
}

/// Prints the answer (as JSON, `summary` and the answer's fields, when `summary` is given);
/// a function error fails with its `errorType` and `errorMessage`.
fn report(answer: &InvokeOutput, args: &InvokeArgs, summary: Option<Value>) -> anyhow::Result<()> {
    let body = answer.payload().map(Blob::as_ref).unwrap_or_default();
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let log = answer.log_result().and_then(|tail| {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(tail)
            .ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    });
    let request_id = answer.request_id().unwrap_or("unknown");
    if let Some(mut summary) = summary {
        let payload = match &parsed {
            _ if body.is_empty() => Value::Null,
            Some(value) => value.clone(),
            None => Value::String(String::from_utf8_lossy(body).into()),
        };
        let fields = json!({
            "status": answer.status_code(), "request_id": answer.request_id(),
            "executed_version": answer.executed_version(),
            "function_error": answer.function_error(), "payload": payload, "log": log,
        });
        if let (Value::Object(summary), Value::Object(fields)) = (&mut summary, fields) {
            summary.extend(fields);
        }
        output::line(&summary.to_string())?;
    } else {
        if let Some(log) = &log {
            progress::line(&format!("--- log tail ---\n{log}--- end of log tail ---"));
        } else if args.log {
            progress::line("note: no log tail came back (the local server sends none)");
        }
        let status = answer.status_code();
        if args.asynchronous {
            output::line(&format!("queued: status {status}, request id {request_id}"))?;
        } else if answer.function_error().is_none() {
            match &parsed {
                Some(value) => output::line(&serde_json::to_string_pretty(value)?)?,
                None => output::line(&String::from_utf8_lossy(body))?,
            }
            progress::line(&format!("status {status}, request id {request_id}"));
        }
    }
    if let Some(kind) = answer.function_error() {
        let field = |key: &str| {
            let value = parsed.as_ref().and_then(|p| p[key].as_str());
            value.unwrap_or("(none)").to_owned()
        };
        bail!(
            "the function failed ({kind})\n  errorType:    {}\n  errorMessage: {}",
            field("errorType"),
            field("errorMessage")
        );
    }
    Ok(())
}

/// The event's text and how to name it, from a file or a sample.
fn event_text(name: &str) -> anyhow::Result<(String, String)> {
    let path = Path::new(name);
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the event file {}", path.display()))?;
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
            bail!("the event file {} is not JSON: {e}", path.display());
        }
        return Ok((text, format!("event file {}", path.display())));
    }
    match samples::find(name) {
        Some(sample) => Ok((sample.text.to_owned(), format!("sample {name}"))),
        None => bail!(
            "`{name}` is neither an event file nor a built-in sample; the samples are: {} \
             (aegis invoke --list describes them)",
            samples::names()
        ),
    }
}
