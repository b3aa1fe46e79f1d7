//! The `{{name}}` placeholders of sample events, and the values `aegis invoke` fills them with.
//!
//! A value comes from `--set name=value` first, then from `aegis.toml` (the region, the
//! function's name, `[s3] bucket`), then from the connected account, then from a default. A
//! bucket, queue, topic, table or stream given with `--set` is looked up in `[names]` first, so
//! the logical name the code uses (`--set queue=orders`) becomes the physical one; an ARN there
//! gives its resource name. A few placeholders are derived from others: `key_url` is `key` as
//! S3 encodes keys in notifications, `body_base64` is `body` in base64 (Kinesis `data`), and
//! `now` is the current time. `args` and `detail` are JSON: the placeholder stands for a whole
//! JSON value, not text.
//!
//! Event files may use the same placeholders; a `{{word}}` that names no value is left as
//! written.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context as _};
use aws_smithy_types::date_time::{DateTime, Format};
use base64::Engine as _;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

use crate::config::Config;

/// One placeholder a user may set: its name, its default and what it stands for.
#[derive(Debug, Clone, Copy)]
pub struct Placeholder {
    /// The name between the braces.
    pub name: &'static str,
    /// The value when nothing else gives one.
    pub default: &'static str,
    /// What it stands for.
    pub about: &'static str,
}

/// Every placeholder a user may set.
#[rustfmt::skip]
pub const PLACEHOLDERS: &[Placeholder] = &[
    p("region", "us-east-1", "region in ARNs and fields; aegis.toml's"),
    p("account", "123456789012", "account in ARNs; the caller's when deployed"),
    p("function", "my-function", "function name; aegis.toml's"),
    p("path", "/", "HTTP request path"),
    p("bucket", "example-bucket", "S3 bucket; aegis.toml's [s3] bucket"),
    p("key", "uploads/example.jpg", "S3 object key (encoded as S3 does)"),
    p("queue", "example-queue", "SQS queue name"),
    p("topic", "example-topic", "SNS topic name"),
    p("table", "example-table", "DynamoDB table name"),
    p("stream", "example-stream", "Kinesis stream name"),
    p("task", "example-task", "schedule task (rule <function>-<task>)"),
    p("body", "hello from aegis invoke", "message body / record data"),
    p("source", "my.app", "EventBridge source"),
    p("detail_type", "Example Event", "EventBridge detail-type"),
    p("detail", r#"{"hello":"world"}"#, "EventBridge detail (JSON)"),
    p("method", "ping", "RPC method"),
    p("args", "{}", "RPC arguments (JSON)"),
];

const fn p(name: &'static str, default: &'static str, about: &'static str) -> Placeholder {
    Placeholder {
        name,
        default,
        about,
    }
}

/// Placeholders that stand for a whole JSON value.
const JSON_VALUED: [&str; 2] = ["args", "detail"];
/// Placeholders resolved through `[names]` when set.
const NAMED: [&str; 5] = ["bucket", "queue", "topic", "table", "stream"];
/// Derived placeholders and the one each is derived from (`now` from none).
const DERIVED: [(&str, Option<&str>); 3] = [
    ("key_url", Some("key")),
    ("body_base64", Some("body")),
    ("now", None),
];

/// What S3 leaves unencoded in a notification's key; a space becomes `+`.
const S3_KEY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'*');

/// The values of the placeholders for one invocation.
#[derive(Debug, Clone)]
pub struct Values(BTreeMap<String, String>);

impl Values {
    /// The defaults, overridden by `config` where it says, and by the `region` and `account`
    /// of the connection where known.
    #[must_use]
    pub fn new(config: Option<&Config>, region: Option<&str>, account: Option<&str>) -> Self {
        let mut map: BTreeMap<String, String> = PLACEHOLDERS
            .iter()
            .map(|p| (p.name.to_owned(), p.default.to_owned()))
            .collect();
        let mut put = |name: &str, value: Option<&str>| {
            if let Some(value) = value {
                map.insert(name.to_owned(), value.to_owned());
            }
        };
        put("region", region);
        put("account", account);
        if let Some(config) = config {
            put("function", Some(&config.function.name));
            put("region", config.function.region.as_deref());
            put("bucket", config.s3.bucket.as_deref());
        }
        Self(map)
    }

    /// The value of `name`, derived ones included.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<String> {
        let base = |n: &str| self.0.get(n).cloned().unwrap_or_default();
        match name {
            "key_url" => Some(
                utf8_percent_encode(&base("key"), S3_KEY)
                    .to_string()
                    .replace("%20", "+"),
            ),
            "body_base64" => Some(base64::engine::general_purpose::STANDARD.encode(base("body"))),
            "now" => DateTime::from(std::time::SystemTime::now())
                .fmt(Format::DateTime)
                .ok(),
            _ => self.0.get(name).cloned(),
        }
    }

    /// Applies one `--set name=value`, for an event whose text is `event`.
    ///
    /// # Errors
    ///
    /// When it is not `name=value`, when the event uses no such placeholder (the message lists
    /// those it uses), or when a JSON placeholder is given text that is not JSON.
    pub fn set(
        &mut self,
        assignment: &str,
        event: &str,
        config: Option<&Config>,
    ) -> anyhow::Result<()> {
        let Some((name, value)) = assignment.split_once('=') else {
            bail!("--set `{assignment}`: write it as name=value, such as --set queue=orders");
        };
        let used = used(event);
        let Some(name) = used.iter().copied().find(|u| *u == name.trim()) else {
            let known: Vec<&str> = used.into_iter().collect();
            bail!(
                "--set {name}: the event has no {{{{{name}}}}} placeholder; it takes: {}",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            );
        };
        if JSON_VALUED.contains(&name) {
            serde_json::from_str::<Value>(value)
                .with_context(|| format!("--set {name}: `{value}` is not JSON"))?;
        }
        let mut value = value.to_owned();
        if NAMED.contains(&name) {
            if let Some(physical) = config.and_then(|c| c.names.get(&value)) {
                value = physical
                    .rsplit([':', '/'])
                    .next()
                    .unwrap_or(physical)
                    .to_owned();
            }
        }
        self.0.insert(name.to_owned(), value);
        Ok(())
    }

    /// `event` with every placeholder that has a value filled in; the text unchanged when it
    /// has none.
    ///
    /// # Errors
    ///
    /// When `event` is not JSON.
    pub fn render(&self, event: &str) -> anyhow::Result<Vec<u8>> {
        if !event.contains("{{") {
            return Ok(event.as_bytes().to_vec());
        }
        let mut value: Value = serde_json::from_str(event)?;
        self.fill(&mut value);
        Ok(serde_json::to_vec(&value)?)
    }

    fn fill(&self, value: &mut Value) {
        match value {
            Value::String(text) => {
                if let Some(name) = whole(text).filter(|n| JSON_VALUED.contains(n)) {
                    if let Some(json) = self.get(name).and_then(|v| serde_json::from_str(&v).ok()) {
                        *value = json;
                    }
                    return;
                }
                *text = self.fill_text(text);
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.fill(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.fill(v)),
            _ => {}
        }
    }

    fn fill_text(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match (after.find("}}")).and_then(|end| self.get(&after[..end]).map(|v| (v, end))) {
                Some((value, end)) => {
                    out.push_str(&value);
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str("{{");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The placeholder a whole string is, such as `{{args}}`.
fn whole(text: &str) -> Option<&str> {
    text.strip_prefix("{{")?
        .strip_suffix("}}")
        .filter(|n| !n.contains('{'))
}

/// The settable placeholders `event` uses, a derived one counted as the one it comes from.
#[must_use]
pub fn used(event: &str) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    let mut rest = event;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        let Some(end) = rest.find("}}") else { break };
        let name = &rest[..end];
        if is_word(name) {
            match DERIVED.iter().find(|(d, _)| *d == name) {
                Some((_, Some(base))) => {
                    names.insert(*base);
                }
                Some((_, None)) => {}
                None => {
                    names.insert(name);
                }
            }
        }
        rest = &rest[end + 2..];
    }
    names
}

fn is_word(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
