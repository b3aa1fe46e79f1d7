//! Credentials kept out of logs and spans.
//!
//! aegis never logs headers or RPC arguments on its own. When a whole event is logged
//! ([`TraceLayer::log_events`](crate::TraceLayer::log_events)) it first passes through
//! [`redact_event`], which replaces, wherever they sit in the event, the values of the
//! credential headers (`Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`,
//! `X-Api-Key`, in any case, in `headers` and `multiValueHeaders` alike), HTTP API's `cookies`
//! list, a TOKEN authorizer's `authorizationToken`, and the `args` of an RPC call. The JSON
//! log layer applies the same names to event fields, so `tracing::info!(authorization = ..)`
//! is written as `"[REDACTED]"` too.

use aegis_core::Trigger;
use serde_json::Value;

/// What a redacted value is replaced with.
pub const REDACTED: &str = "[REDACTED]";

/// Names whose values are credentials, compared without regard to case, with `_` and `-`
/// taken as the same.
const SENSITIVE: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "cookies",
    "authorizationtoken",
];

/// Whether a header, key or field called `name` holds a credential.
#[must_use]
pub fn is_sensitive(name: &str) -> bool {
    SENSITIVE.iter().any(|s| {
        s.len() == name.len()
            && s.bytes().zip(name.bytes()).all(|(s, n)| {
                let n = if n == b'_' {
                    b'-'
                } else {
                    n.to_ascii_lowercase()
                };
                s == n
            })
    })
}

/// The event as JSON text with its credentials replaced by [`REDACTED`].
///
/// A payload that is not JSON is described by its length only: it could be anything.
///
/// ```
/// use aegis_core::Trigger;
///
/// let event = br#"{"headers":{"Authorization":"Bearer SECRET123","accept":"*/*"}}"#;
/// let logged = aegis_tracing::redact_event(Trigger::ApigwHttp, event);
/// assert_eq!(logged, r#"{"headers":{"Authorization":"[REDACTED]","accept":"*/*"}}"#);
/// ```
#[must_use]
pub fn redact_event(trigger: Trigger, payload: &[u8]) -> String {
    let Ok(mut event) = serde_json::from_slice::<Value>(payload) else {
        return format!("<{} bytes that are not JSON>", payload.len());
    };
    redact(&mut event);
    if trigger == Trigger::Rpc {
        if let Some(args) = event.get_mut("args") {
            *args = Value::from(REDACTED);
        }
    }
    event.to_string()
}

fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if is_sensitive(key) {
                    *value = Value::from(REDACTED);
                } else {
                    redact(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_match_in_any_case_and_spelling() {
        assert!(is_sensitive("Authorization"));
        assert!(is_sensitive("X-API-KEY"));
        assert!(is_sensitive("set_cookie"));
        assert!(!is_sensitive("content-type"));
    }

    #[test]
    fn multi_value_headers_and_cookies_are_redacted() {
        let event =
            br#"{"multiValueHeaders":{"cookie":["a=1","b=2"]},"cookies":["s=SECRET"],"body":"x"}"#;
        let logged = redact_event(Trigger::ApigwRest, event);
        assert!(
            !logged.contains("SECRET") && !logged.contains("a=1"),
            "{logged}"
        );
        assert!(logged.contains(r#""body":"x""#));
    }

    #[test]
    fn rpc_arguments_are_redacted() {
        let logged = redact_event(
            Trigger::Rpc,
            br#"{"aegis_rpc":1,"method":"pay","args":{"card":"4111"}}"#,
        );
        let logged: Value = serde_json::from_str(&logged).unwrap();
        assert_eq!(
            logged,
            serde_json::json!({"aegis_rpc":1,"method":"pay","args":"[REDACTED]"})
        );
    }

    #[test]
    fn a_payload_that_is_not_json_is_described_by_its_length() {
        assert_eq!(
            redact_event(Trigger::Unknown, b"\x00\x01"),
            "<2 bytes that are not JSON>"
        );
    }
}
