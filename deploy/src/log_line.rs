//! One CloudWatch log event of the function as `aegis logs` reads it: parsed when it is one of
//! aegis's JSON lines, matched against `--trigger`, `--route` and `--request-id`, and written
//! for a person or as JSON.
//!
//! Only a line that is a JSON object can match a field filter; Lambda's own `START`, `END`
//! and `REPORT` lines and any other text never do, and with no filter every line is shown.

use std::fmt::Write as _;

use anyhow::bail;
use aws_smithy_types::date_time::{DateTime, Format};
use serde_json::{Map, Value};

/// The fields `--trigger`, `--route` and `--request-id` compare, each equal or absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// The `trigger` field, one of [`aegis_core::Trigger`]'s names.
    pub trigger: Option<String>,
    /// The `route` field.
    pub route: Option<String>,
    /// The `request_id` field.
    pub request_id: Option<String>,
}

impl Filter {
    fn fields(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("trigger", &self.trigger),
            ("route", &self.route),
            ("request_id", &self.request_id),
        ]
        .into_iter()
        .filter_map(|(key, want)| want.as_deref().map(|w| (key, w)))
    }

    /// Whether the line `parsed` (its JSON object, `None` when it is not one) passes.
    #[must_use]
    pub fn matches(&self, parsed: Option<&Map<String, Value>>) -> bool {
        self.fields().all(|(key, want)| {
            parsed
                .and_then(|line| line.get(key))
                .and_then(Value::as_str)
                == Some(want)
        })
    }

    /// The CloudWatch JSON filter pattern that narrows what AWS sends, such as
    /// `{ $.trigger = "sqs" && $.route = "orders" }`; `None` without filters.
    ///
    /// A value holding a quote or backslash is left to the client-side check, which always
    /// runs, as does a `*` (a wildcard to CloudWatch): the pattern may only let more through.
    #[must_use]
    pub fn pattern(&self) -> Option<String> {
        let terms: Vec<String> = self
            .fields()
            .filter(|(_, want)| !want.contains(['"', '\\']))
            .map(|(key, want)| format!("$.{key} = \"{want}\""))
            .collect();
        (!terms.is_empty()).then(|| format!("{{ {} }}", terms.join(" && ")))
    }
}

/// A log event: its stream, time (ms since the epoch) and message, and the message's JSON
/// object when it is one.
#[derive(Debug, Clone)]
pub struct Event {
    /// The log stream.
    pub stream: String,
    /// CloudWatch's timestamp of the event, in ms since the epoch.
    pub time: i64,
    /// The message, without its line end.
    pub message: String,
    /// The message parsed, when it is a JSON object.
    pub parsed: Option<Map<String, Value>>,
}

/// The fields the text line shows in its columns rather than as `key=value`.
const SHOWN: [&str; 7] = [
    "timestamp",
    "level",
    "target",
    "trigger",
    "route",
    "request_id",
    "message",
];

impl Event {
    /// The event of `message` in `stream` at `time`.
    #[must_use]
    pub fn new(stream: &str, time: i64, message: &str) -> Self {
        let message = message.trim_end_matches(['\n', '\r']).to_owned();
        let parsed = match serde_json::from_str(&message) {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        };
        Self {
            stream: stream.to_owned(),
            time,
            message,
            parsed,
        }
    }

    /// One line for a person: time, level, trigger, route, request id and message, then the
    /// line's other fields as `key=value`; a line that is not JSON as time and text.
    #[must_use]
    pub fn text(&self) -> String {
        let Some(line) = &self.parsed else {
            return format!("{} {}", rfc3339(self.time), self.message);
        };
        let field = |key: &str| match line.get(key) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Null) | None => "-".to_owned(),
            Some(other) => other.to_string(),
        };
        let time = line
            .get("timestamp")
            .and_then(Value::as_str)
            .map_or_else(|| rfc3339(self.time), str::to_owned);
        let message = match (line.get("message"), line.get("type")) {
            (Some(Value::String(m)), _) => m.clone(),
            // Lambda's JSON platform records: `{"time","type":"platform.report","record"}`.
            (None, Some(Value::String(kind))) => format!(
                "{kind} {}",
                line.get("record").map(Value::to_string).unwrap_or_default()
            ),
            _ => self.message.clone(),
        };
        let mut text = format!(
            "{time} {:<5} {} {} {} {message}",
            field("level"),
            field("trigger"),
            field("route"),
            field("request_id"),
        );
        if line.contains_key("message") {
            for (key, value) in line.iter().filter(|(k, _)| !SHOWN.contains(&k.as_str())) {
                // Writing to a String cannot fail.
                let _ = match value {
                    Value::String(s) => write!(text, " {key}={s}"),
                    other => write!(text, " {key}={other}"),
                };
            }
        }
        text
    }

    /// The line as one JSON object: its own fields (or `message` for a line that is not
    /// JSON), with `log_stream` and `event_time` added.
    #[must_use]
    pub fn json(&self) -> Value {
        let mut line = self.parsed.clone().unwrap_or_else(|| {
            let mut map = Map::new();
            map.insert("message".into(), Value::String(self.message.clone()));
            map
        });
        line.insert("log_stream".into(), Value::String(self.stream.clone()));
        line.insert("event_time".into(), Value::String(rfc3339(self.time)));
        Value::Object(line)
    }
}

/// `ms` since the epoch as an RFC 3339 time in UTC.
#[must_use]
pub fn rfc3339(ms: i64) -> String {
    DateTime::from_millis(ms)
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}

/// The start time `since` names, in ms since the epoch: a duration back from `now_ms`
/// (`30s`, `10m`, `2h`, `1d`) or an RFC 3339 time.
///
/// # Errors
///
/// When it is neither, with examples of both.
pub fn since(since: &str, now_ms: i64) -> anyhow::Result<i64> {
    let text = since.trim();
    let unit = match text.chars().last() {
        Some('s') => Some(1_000),
        Some('m') => Some(60_000),
        Some('h') => Some(3_600_000),
        Some('d') => Some(86_400_000),
        _ => None,
    };
    if let Some(unit) = unit {
        if let Ok(count) = text[..text.len() - 1].parse::<i64>() {
            if count >= 0 {
                return Ok(now_ms.saturating_sub(count.saturating_mul(unit)));
            }
        }
    }
    match DateTime::from_str(text, Format::DateTimeWithOffset) {
        Ok(time) => Ok(time.to_millis().unwrap_or(0)),
        Err(_) => bail!(
            "--since `{since}` is neither a duration nor a time: use 30s, 10m, 2h or 1d, or an \
             RFC 3339 time such as 2025-01-31T12:00:00Z"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(message: &str) -> Event {
        Event::new("2025/01/01/[$LATEST]abc", 1_735_689_600_000, message)
    }

    #[test]
    fn only_json_lines_with_the_fields_match_a_filter() {
        let line = event(
            r#"{"level":"INFO","message":"hi","trigger":"sqs","route":"orders","request_id":"r1"}"#,
        );
        let start = event("START RequestId: r1 Version: $LATEST");
        let sqs = Filter {
            trigger: Some("sqs".into()),
            ..Filter::default()
        };
        assert!(sqs.matches(line.parsed.as_ref()));
        assert!(!sqs.matches(start.parsed.as_ref()));
        assert!(Filter::default().matches(start.parsed.as_ref()));
        let both = Filter {
            route: Some("orders".into()),
            request_id: Some("r2".into()),
            ..sqs
        };
        assert!(!both.matches(line.parsed.as_ref()));
        assert_eq!(
            both.pattern().as_deref(),
            Some(r#"{ $.trigger = "sqs" && $.route = "orders" && $.request_id = "r2" }"#)
        );
        let quoted = Filter {
            route: Some("a\"b".into()),
            ..Filter::default()
        };
        assert_eq!(quoted.pattern(), None);
    }

    #[test]
    fn lines_print_in_columns_or_as_json() {
        let line = event(
            r#"{"timestamp":"2025-01-01T00:00:00.5Z","level":"ERROR","message":"failed","trigger":"rpc","route":null,"request_id":"r1","outcome":"error"}"#,
        );
        assert_eq!(
            line.text(),
            "2025-01-01T00:00:00.5Z ERROR rpc - r1 failed outcome=error"
        );
        assert_eq!(
            event("REPORT RequestId: r1\n").text(),
            "2025-01-01T00:00:00Z REPORT RequestId: r1"
        );
        let json = event("plain").json();
        assert_eq!(json["message"], "plain");
        assert_eq!(json["event_time"], "2025-01-01T00:00:00Z");
        assert_eq!(json["log_stream"], "2025/01/01/[$LATEST]abc");
    }

    #[test]
    fn since_takes_durations_and_times() {
        let now = 1_735_689_600_000;
        assert_eq!(since("10m", now).unwrap(), now - 600_000);
        assert_eq!(since("1d", now).unwrap(), now - 86_400_000);
        assert_eq!(since("30s", now).unwrap(), now - 30_000);
        assert_eq!(since("2025-01-01T01:00:00+01:00", now).unwrap(), now);
        let error = since("10x", now).unwrap_err().to_string();
        assert!(
            error.contains("10m") && error.contains("RFC 3339"),
            "{error}"
        );
        assert!(since("-5m", now).is_err());
    }
}
