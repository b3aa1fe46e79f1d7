//! A route's event pattern as EventBridge takes it.
//!
//! The manifest carries each route's pattern in EventBridge's syntax already: aegis-core
//! writes a literal `source` or `detail-type` glob as the exact value, `text*` as
//! `{"prefix": "text"}`, any other glob with `*` as `{"wildcard": …}`, and a glob with `?`,
//! which EventBridge cannot express, as the prefix before its first wildcard. What EventBridge
//! would refuse or read differently is put right here, keeping the rule a superset of the
//! route:
//!
//! - a `wildcard` made from a glob with `**` (EventBridge refuses consecutive `*`) gets one `*`
//!   for each run, which matches the same strings;
//! - a `wildcard` made from a glob with `\` (an escape to EventBridge, a plain character to the
//!   glob) gets each `\` doubled, so it matches itself;
//! - an empty pattern, from a route on `*` and `*` with no detail pattern (EventBridge refuses
//!   `{}`), becomes `{"source": [{"prefix": ""}]}`: every event on the bus.
//!
//! So a rule can match more events than its route (a glob with `?`), never fewer; the router
//! in the function still checks every event. Patterns are then checked as EventBridge would:
//! an object of arrays and objects, known comparisons only, wildcards EventBridge accepts, at
//! most 4096 characters. A bad one fails [`Desired::new`](crate::desired::Desired::new),
//! naming the route, before anything is changed.

use aegis_core::{EventBridgeDeclaration, EventPattern};
use anyhow::{anyhow, bail};
use serde_json::{json, Map, Value};

/// EventBridge's limit on a rule's event pattern, in characters: the most `PutRule` takes.
pub const PATTERN_MAX: usize = 4096;
/// EventBridge's default quota on a rule's event pattern, in characters ("Event pattern size",
/// adjustable up to [`PATTERN_MAX`] in Service Quotas).
pub const PATTERN_QUOTA: usize = 2048;

/// The route's pattern as EventBridge takes it; see the module's documentation.
///
/// # Errors
///
/// When the pattern is not an object, or EventBridge would refuse it.
pub fn for_eventbridge(route: &EventBridgeDeclaration) -> anyhow::Result<Value> {
    let name = &route.route;
    let Value::Object(mut pattern) = route.pattern.clone() else {
        bail!(
            "the EventBridge route `{name}` has a pattern that is not a JSON object (`{}`): \
             rebuild the app with this version of aegis",
            route.pattern
        );
    };
    for (key, glob) in [
        ("source", &route.source),
        ("detail-type", &route.detail_type),
    ] {
        let Some(Value::Array(entries)) = pattern.get_mut(key) else {
            continue;
        };
        for entry in entries {
            if entry.get("wildcard").and_then(Value::as_str) == Some(glob.as_str()) {
                *entry = json!({ "wildcard": glob_wildcard(glob) });
            }
        }
    }
    if pattern.is_empty() {
        pattern.insert("source".to_owned(), json!([{ "prefix": "" }]));
    }
    let pattern = Value::Object(pattern);

    if let Err(e) = EventPattern::parse(&pattern) {
        bail!(
            "the EventBridge route `{name}` has an invalid pattern at `{}`: {}",
            e.path,
            e.reason
        );
    }
    check_wildcards(&pattern, "").map_err(|(path, wildcard, why)| {
        anyhow!(
            "the EventBridge route `{name}` has the wildcard `{wildcard}` at `{path}`, which \
             EventBridge refuses: {why}; write one `*` for any run of characters, `\\*` for a \
             literal `*` and `\\\\` for a literal `\\`"
        )
    })?;
    let length = length(&pattern);
    if length > PATTERN_MAX {
        bail!(
            "the EventBridge route `{name}` has a pattern of {length} characters; EventBridge \
             takes at most {PATTERN_MAX}: split the route or shorten its detail pattern"
        );
    }
    Ok(pattern)
}

/// The pattern's length as EventBridge counts it: characters of its JSON text, as sent.
#[must_use]
pub fn length(pattern: &Value) -> usize {
    pattern.to_string().chars().count()
}

/// A glob (`*` any run, everything else itself) as an EventBridge wildcard.
fn glob_wildcard(glob: &str) -> String {
    let mut out = String::with_capacity(glob.len());
    let mut after_star = false;
    for c in glob.chars() {
        match c {
            '*' if after_star => {}
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
        after_star = c == '*';
    }
    out
}

/// Every `wildcard` in `value` holds no two `*` in a row and escapes only `*` and `\`.
fn check_wildcards(value: &Value, path: &str) -> Result<(), (String, String, &'static str)> {
    let here = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(members) => {
            for (key, inner) in members {
                if let ("wildcard", Value::String(text)) = (key.as_str(), inner) {
                    wildcard_ok(text).map_err(|why| (path.to_owned(), text.clone(), why))?;
                } else {
                    check_wildcards(inner, &here(key))?;
                }
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                check_wildcards(inner, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn wildcard_ok(text: &str) -> Result<(), &'static str> {
    let mut chars = text.chars();
    let mut after_star = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' if matches!(chars.next(), Some('*' | '\\')) => after_star = false,
            '\\' => return Err("a `\\` escapes only `*` or `\\`"),
            '*' if after_star => return Err("it has two `*` in a row"),
            '*' => after_star = true,
            _ => after_star = false,
        }
    }
    Ok(())
}

/// Whether the pattern EventBridge reports (`found`) means the same as `wanted`: keys in any
/// order, the alternatives of an array in any order (those of a `$or` too; a `numeric` range's
/// terms excepted), numbers by value.
#[must_use]
pub fn same_pattern(found: &str, wanted: &Value) -> bool {
    serde_json::from_str::<Value>(found).is_ok_and(|found| canonical(&found) == canonical(wanted))
}

/// `value` with its keys and alternatives in one order, and its numbers as `f64`: two patterns
/// that mean the same have the same canonical form.
pub(crate) fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .map(|(key, inner)| {
                    let inner = match (key.as_str(), inner) {
                        ("numeric", Value::Array(terms)) => {
                            Value::Array(terms.iter().map(canonical).collect())
                        }
                        _ => canonical(inner),
                    };
                    (key.clone(), inner)
                })
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.iter().map(canonical).collect();
            items.sort_by_cached_key(Value::to_string);
            Value::Array(items)
        }
        Value::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| value.clone(), Value::Number),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
    use aegis_core::{App, Ctx, EventBridgeRouter, EventRule};
    use serde_json::{json, Value};

    use super::{for_eventbridge, same_pattern};

    async fn handle(_event: EventBridgeEvent<Value>, _ctx: Ctx) -> Result<(), String> {
        Ok(())
    }

    /// What deploy makes of the pattern aegis-core declares for `rule`.
    fn deployed(rule: EventRule) -> Value {
        let app = App::new("shop")
            .eventbridge(EventBridgeRouter::new().route(rule, handle))
            .build()
            .unwrap();
        for_eventbridge(&app.manifest().eventbridge[0]).unwrap()
    }

    fn declared(pattern: Value) -> aegis_core::EventBridgeDeclaration {
        serde_json::from_value(json!({
            "route": "r", "source": "s", "detail_type": "t", "detail": null, "pattern": pattern,
        }))
        .unwrap()
    }

    #[test]
    fn globs_become_what_eventbridge_accepts_and_never_narrower() {
        let detail = json!({"total": [{"numeric": [">", 0]}]});
        let exact = EventRule::new("com.shop", "Order Placed").detail(detail.clone());
        assert_eq!(
            deployed(exact),
            json!({"source": ["com.shop"], "detail-type": ["Order Placed"], "detail": detail})
        );
        assert_eq!(
            deployed(EventRule::new("com.**.audit", "*")),
            json!({"source": [{"wildcard": "com.*.audit"}]})
        );
        assert_eq!(
            deployed(EventRule::new(r"c:\dir\*.log", "*")),
            json!({"source": [{"wildcard": r"c:\\dir\\*.log"}]})
        );
        assert_eq!(
            deployed(EventRule::new("com.sho?", "Order *")),
            json!({"source": [{"prefix": "com.sho"}], "detail-type": [{"prefix": "Order "}]})
        );
        assert_eq!(
            deployed(EventRule::new("*", "*")),
            json!({"source": [{"prefix": ""}]}),
            "EventBridge refuses an empty pattern"
        );
    }

    #[test]
    fn a_pattern_eventbridge_would_refuse_is_an_error_naming_the_route_and_place() {
        let cases = [
            (json!(["source"]), "not a JSON object"),
            (
                json!({"detail": {"name": [{"wildcard": "a**b"}]}}),
                "`detail.name[0]`",
            ),
            (
                json!({"detail": {"path": [{"wildcard": r"a\b*"}]}}),
                "escapes",
            ),
            (json!({"source": [{"bogus": "x"}]}), "unknown comparison"),
            (
                json!({"detail": {"id": ["x".repeat(5000)]}}),
                "at most 4096",
            ),
        ];
        for (pattern, wanted) in cases {
            let message = for_eventbridge(&declared(pattern)).unwrap_err().to_string();
            assert!(message.contains("route `r`"), "{message}");
            assert!(message.contains(wanted), "{message}");
        }
        let escaped = json!({"detail": {"path": [{"wildcard": r"a\*b\\*"}]}});
        assert_eq!(
            for_eventbridge(&declared(escaped.clone())).unwrap(),
            escaped
        );
    }

    #[test]
    fn patterns_compare_by_meaning_not_by_text() {
        let wanted = json!({
            "source": ["a", "b"],
            "detail": {"n": [{"numeric": [">", 0, "<=", 5]}], "m": [5]},
        });
        let reordered =
            r#"{"detail":{"m":[5.0],"n":[{"numeric":[">",0,"<=",5]}]},"source":["b","a"]}"#;
        assert!(same_pattern(reordered, &wanted));
        let swapped = r#"{"source":["a","b"],"detail":{"n":[{"numeric":["<=",5,">",0]}],"m":[5]}}"#;
        assert!(
            !same_pattern(swapped, &wanted),
            "a range's terms are ordered"
        );
        assert!(!same_pattern(r#"{"source":["a"]}"#, &wanted));
        assert!(!same_pattern("not json", &wanted));

        let any = json!({"$or": [{"source": ["a"]}, {"detail-type": [{"prefix": "B"}]}]});
        let swapped = r#"{"$or":[{"detail-type":[{"prefix":"B"}]},{"source":["a"]}]}"#;
        assert!(
            same_pattern(swapped, &any),
            "a `$or`'s alternatives are a set"
        );
        assert!(!same_pattern(r#"{"$or":[{"source":["a"]}]}"#, &any));
    }
}
