//! The one-line explanation of why a payload classified as unknown.
//!
//! This runs only on the error path, so it favours clear words over speed: the JSON syntax
//! error comes from `serde_json`, whose messages are better than the scanner's.

use serde::de::IgnoredAny;

use super::facts::Facts;
use super::scan::Scanner;
use crate::Trigger;

/// How many top-level keys a description lists before it counts the rest.
const MAX_KEYS: usize = 12;
/// How many characters of a key or value a description quotes.
const MAX_TEXT: usize = 40;

/// Says in one line why [`classify`](crate::classify) finds no trigger for `payload`.
///
/// The line names the first problem found: an empty payload, invalid JSON (with the byte where
/// parsing failed), a JSON value that is not an object, a `Records` batch from an unknown
/// source, or the top-level keys of an object that matches no known event. For a payload that
/// does classify, it names the trigger instead.
///
/// ```
/// let line = aegis_core::describe_unknown(br#"{"hello": "world"}"#);
/// assert_eq!(line, "object with top-level keys [hello] matches no known event");
/// ```
#[must_use]
pub fn describe_unknown(payload: &[u8]) -> String {
    let Some(&first) = payload.trim_ascii_start().first() else {
        return "payload is empty".to_owned();
    };

    if let Err(err) = serde_json::from_slice::<IgnoredAny>(payload) {
        // Nesting too deep for serde_json is not an error here: the scanner, which has no
        // depth limit, checks the syntax instead.
        let message = err.to_string();
        if !message.starts_with("recursion limit exceeded") {
            let reason = message
                .rfind(" at line ")
                .map_or(message.as_str(), |end| &message[..end]);
            let at = byte_offset(payload, err.line(), err.column());
            return format!("payload is not valid JSON: {reason} at byte {at}");
        }

        let mut scanner = Scanner::new(payload);
        if let Err(malformed) = scanner.skip_value().and_then(|()| scanner.finish()) {
            return format!("payload is not valid JSON: {malformed}");
        }
    }

    let kind = match first {
        b'{' => "object",
        b'[' => "array",
        b'"' => "string",
        b't' | b'f' => "boolean",
        b'n' => "null",
        _ => "number",
    };
    if kind != "object" {
        return format!("payload is a JSON {kind}, not an object");
    }

    let facts = match Facts::scan(payload) {
        Ok(facts) => facts,
        Err(malformed) => return format!("payload is not valid JSON: {malformed}"),
    };
    let trigger = super::decide(&facts);
    if trigger != Trigger::Unknown {
        return format!("payload is a `{trigger}` event, not unknown");
    }

    match &facts.records {
        Some(None) => "payload has a `Records` member that is empty or not an array".to_owned(),
        Some(Some(record)) => match &record.event_source {
            Some(source) => format!(
                "the first of the `Records` comes from `{}`, which is not a known event source",
                quote(source)
            ),
            None => "the first of the `Records` names no known event source".to_owned(),
        },
        None => describe_keys(payload),
    }
}

fn describe_keys(payload: &[u8]) -> String {
    let mut keys = Vec::new();
    let scanned = Scanner::new(payload).object(|s, key| {
        keys.push(quote(&key));
        s.skip_value()
    });
    if let Err(malformed) = scanned {
        return format!("payload is not valid JSON: {malformed}");
    }

    if keys.is_empty() {
        return "payload is an empty object, which matches no known event".to_owned();
    }
    let list = keys[..keys.len().min(MAX_KEYS)].join(", ");
    let more = match keys.len().checked_sub(MAX_KEYS) {
        Some(rest) if rest > 0 => format!(", and {rest} more"),
        _ => String::new(),
    };
    format!("object with top-level keys [{list}{more}] matches no known event")
}

/// Payload text fit for one log line: lossy UTF-8, control characters escaped, cut short.
fn quote(text: &[u8]) -> String {
    let text = String::from_utf8_lossy(text);
    let mut quoted: String = text
        .chars()
        .take(MAX_TEXT)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX_TEXT).is_some() {
        quoted.push('…');
    }
    quoted
}

/// Turns serde_json's one-based line and column into a zero-based byte offset.
fn byte_offset(payload: &[u8], line: usize, column: usize) -> usize {
    let line_start = match line {
        0 | 1 => 0,
        _ => memchr::memchr_iter(b'\n', payload)
            .nth(line - 2)
            .map_or(payload.len(), |i| i + 1),
    };
    (line_start + column.saturating_sub(1)).min(payload.len())
}
