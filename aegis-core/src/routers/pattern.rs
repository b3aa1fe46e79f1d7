//! EventBridge event patterns, in EventBridge's own syntax, parsed and checked once.
//!
//! A pattern is a JSON object. A member whose value is an object matches a nested object; a
//! member whose value is an array matches a field equal to any of its entries. An entry is a
//! plain value (string, number, `true`, `false`, `null`) or one of the comparisons
//! `{"prefix": s}`, `{"suffix": s}`, `{"equals-ignore-case": s}`, `{"wildcard": s}`,
//! `{"anything-but": v | [v, …] | {"prefix": s} | {"suffix": s}}`, `{"exists": bool}` and
//! `{"numeric": [op, n, …]}`. When the event's field is an array, it matches if any element
//! does. A field absent from the event matches only `{"exists": false}`. A `wildcard` reads as
//! EventBridge reads it: `*` any run, `\*` and `\\` literal, `?` itself.
//!
//! [`EventPattern::parse`] rejects what EventBridge would reject (an empty array, an operator
//! given the wrong type, an unknown operator) with an [`InvalidPattern`] naming where.

use std::fmt;

use serde_json::Value;

use super::wildcard::Wildcard;

/// A checked EventBridge event pattern.
///
/// ```
/// use aegis_core::EventPattern;
/// use serde_json::json;
///
/// let pattern = EventPattern::parse(&json!({
///     "state": ["running", {"prefix": "stop"}],
///     "tags": {"team": [{"anything-but": "ops"}]}
/// })).unwrap();
/// assert!(pattern.matches(&json!({"state": "stopping", "tags": {"team": "web"}})));
/// assert!(!pattern.matches(&json!({"state": "pending", "tags": {"team": "web"}})));
/// ```
#[derive(Debug, Clone)]
pub struct EventPattern {
    fields: Fields,
    written: Value,
}

type Fields = Vec<(String, Node)>;

#[derive(Debug, Clone)]
enum Node {
    Nested(Fields),
    Any(Vec<Matcher>),
}

#[derive(Debug, Clone)]
enum Matcher {
    Exact(Value),
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    AnythingBut(Vec<Value>),
    AnythingButPrefix(String),
    AnythingButSuffix(String),
    Exists(bool),
    Numeric(Vec<(String, f64)>),
}

/// Why a pattern was rejected, and where in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidPattern {
    /// Where the problem is, as a path into the pattern (`state[1]`).
    pub path: String,
    /// What is wrong there.
    pub reason: String,
}

impl fmt::Display for InvalidPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid event pattern at `{}`: {}",
            self.path, self.reason
        )
    }
}

impl std::error::Error for InvalidPattern {}

impl EventPattern {
    /// Parses and checks `pattern`.
    ///
    /// # Errors
    ///
    /// [`InvalidPattern`] when it is not an object of arrays and objects, or an entry is not a
    /// plain value or a well-formed comparison.
    pub fn parse(pattern: &Value) -> Result<Self, InvalidPattern> {
        Ok(Self {
            fields: fields("", pattern)?,
            written: pattern.clone(),
        })
    }

    /// The pattern as written.
    #[must_use]
    pub fn as_json(&self) -> &Value {
        &self.written
    }

    /// Whether `value` matches the pattern.
    #[must_use]
    pub fn matches(&self, value: &Value) -> bool {
        matches_fields(&self.fields, Some(value))
    }
}

fn invalid(path: &str, reason: impl Into<String>) -> InvalidPattern {
    InvalidPattern {
        path: if path.is_empty() {
            "(root)".to_owned()
        } else {
            path.to_owned()
        },
        reason: reason.into(),
    }
}

fn fields(path: &str, pattern: &Value) -> Result<Fields, InvalidPattern> {
    let Value::Object(members) = pattern else {
        return Err(invalid(
            path,
            format!("expected an object, found `{pattern}`"),
        ));
    };
    members
        .iter()
        .map(|(key, value)| {
            let here = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let node = match value {
                Value::Object(_) => Node::Nested(fields(&here, value)?),
                Value::Array(entries) if entries.is_empty() => {
                    return Err(invalid(&here, "an empty array matches nothing"));
                }
                Value::Array(entries) => Node::Any(
                    entries
                        .iter()
                        .enumerate()
                        .map(|(i, entry)| matcher(&format!("{here}[{i}]"), entry))
                        .collect::<Result<_, _>>()?,
                ),
                other => {
                    return Err(invalid(
                        &here,
                        format!("expected an array of values or an object, found `{other}`"),
                    ))
                }
            };
            Ok((key.clone(), node))
        })
        .collect()
}

fn matcher(path: &str, entry: &Value) -> Result<Matcher, InvalidPattern> {
    let Value::Object(members) = entry else {
        return match entry {
            Value::Array(_) => Err(invalid(path, "arrays cannot nest")),
            plain => Ok(Matcher::Exact(plain.clone())),
        };
    };
    let mut only = members.iter();
    let (Some((op, arg)), None) = (only.next(), only.next()) else {
        return Err(invalid(
            path,
            format!("a comparison has exactly one member, found `{entry}`"),
        ));
    };
    let text = |what: &str| {
        arg.as_str()
            .map(str::to_owned)
            .ok_or_else(|| invalid(path, format!("`{what}` takes a string, found `{arg}`")))
    };
    Ok(match op.as_str() {
        "prefix" => Matcher::Prefix(text("prefix")?),
        "suffix" => Matcher::Suffix(text("suffix")?),
        "equals-ignore-case" => Matcher::EqualsIgnoreCase(text("equals-ignore-case")?),
        "wildcard" => Matcher::Wildcard(
            Wildcard::parse(&text("wildcard")?).map_err(|reason| invalid(path, reason))?,
        ),
        "exists" => Matcher::Exists(arg.as_bool().ok_or_else(|| {
            invalid(path, format!("`exists` takes true or false, found `{arg}`"))
        })?),
        "anything-but" => anything_but(path, arg)?,
        "numeric" => Matcher::Numeric(numeric(path, arg)?),
        other => return Err(invalid(path, format!("unknown comparison `{other}`"))),
    })
}

fn anything_but(path: &str, arg: &Value) -> Result<Matcher, InvalidPattern> {
    match arg {
        Value::String(_) | Value::Number(_) => Ok(Matcher::AnythingBut(vec![arg.clone()])),
        Value::Array(values) if !values.is_empty() && values.iter().all(is_scalar) => {
            Ok(Matcher::AnythingBut(values.clone()))
        }
        Value::Object(inner) if inner.len() == 1 => match inner.iter().next() {
            Some((op, Value::String(s))) if op == "prefix" => {
                Ok(Matcher::AnythingButPrefix(s.clone()))
            }
            Some((op, Value::String(s))) if op == "suffix" => {
                Ok(Matcher::AnythingButSuffix(s.clone()))
            }
            _ => Err(invalid(path, format!("`anything-but` cannot take `{arg}`"))),
        },
        _ => Err(invalid(
            path,
            format!("`anything-but` takes a string, a number, a non-empty array of them, or a prefix or suffix, found `{arg}`"),
        )),
    }
}

fn numeric(path: &str, arg: &Value) -> Result<Vec<(String, f64)>, InvalidPattern> {
    let bad = || {
        invalid(
            path,
            format!("`numeric` takes pairs of an operator and a number, found `{arg}`"),
        )
    };
    let items = arg
        .as_array()
        .filter(|a| !a.is_empty() && a.len() % 2 == 0)
        .ok_or_else(bad)?;
    items
        .chunks(2)
        .map(|pair| match (pair[0].as_str(), pair[1].as_f64()) {
            (Some(op @ ("=" | "<" | "<=" | ">" | ">=")), Some(n)) => Ok((op.to_owned(), n)),
            (Some(op), Some(_)) => Err(invalid(path, format!("unknown numeric operator `{op}`"))),
            _ => Err(bad()),
        })
        .collect()
}

fn is_scalar(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_))
}

fn matches_fields(fields: &Fields, value: Option<&Value>) -> bool {
    fields.iter().all(|(key, node)| {
        let child = value.and_then(|v| v.get(key));
        match node {
            Node::Nested(inner) => matches_fields(inner, child),
            Node::Any(matchers) => matchers.iter().any(|m| matches_one(m, child)),
        }
    })
}

fn matches_one(matcher: &Matcher, value: Option<&Value>) -> bool {
    match (matcher, value) {
        (Matcher::Exists(wanted), value) => *wanted == value.is_some(),
        (_, None) => false,
        (_, Some(Value::Array(items))) => items.iter().any(|item| matches_value(matcher, item)),
        (_, Some(item)) => matches_value(matcher, item),
    }
}

fn matches_value(matcher: &Matcher, value: &Value) -> bool {
    let text = value.as_str();
    match matcher {
        Matcher::Exact(wanted) => same(wanted, value),
        Matcher::Prefix(p) => text.is_some_and(|t| t.starts_with(p.as_str())),
        Matcher::Suffix(s) => text.is_some_and(|t| t.ends_with(s.as_str())),
        Matcher::EqualsIgnoreCase(s) => text.is_some_and(|t| t.to_lowercase() == s.to_lowercase()),
        Matcher::Wildcard(wildcard) => text.is_some_and(|t| wildcard.matches(t)),
        Matcher::AnythingBut(values) => is_scalar(value) && !values.iter().any(|v| same(v, value)),
        Matcher::AnythingButPrefix(p) => text.is_some_and(|t| !t.starts_with(p.as_str())),
        Matcher::AnythingButSuffix(s) => text.is_some_and(|t| !t.ends_with(s.as_str())),
        Matcher::Exists(wanted) => *wanted,
        Matcher::Numeric(bounds) => value.as_f64().is_some_and(|n| {
            bounds.iter().all(|(op, bound)| match op.as_str() {
                "=" => (n - bound).abs() < f64::EPSILON,
                "<" => n < *bound,
                "<=" => n <= *bound,
                ">" => n > *bound,
                _ => n >= *bound,
            })
        }),
    }
}

/// Equality where numbers compare by value, as EventBridge compares them (`5` equals `5.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < f64::EPSILON,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pattern(p: Value) -> EventPattern {
        EventPattern::parse(&p).unwrap()
    }

    #[test]
    fn plain_values_are_alternatives_and_arrays_in_the_event_match_any_element() {
        let p = pattern(json!({"state": ["running", "stopped"], "size": [5]}));
        assert!(p.matches(&json!({"state": "stopped", "size": 5.0})));
        assert!(p.matches(&json!({"state": ["pending", "running"], "size": 5})));
        assert!(!p.matches(&json!({"state": "pending", "size": 5})));
        assert!(!p.matches(&json!({"state": "running"})));
    }

    #[test]
    fn exists_and_anything_but_treat_missing_fields_differently() {
        let absent = pattern(json!({"error": [{"exists": false}]}));
        assert!(absent.matches(&json!({})));
        assert!(!absent.matches(&json!({"error": null})));
        let but = pattern(json!({"team": [{"anything-but": ["ops", "sec"]}]}));
        assert!(but.matches(&json!({"team": "web"})));
        assert!(!but.matches(&json!({"team": "ops"})));
        assert!(!but.matches(&json!({})), "anything-but needs the field");
    }

    #[test]
    fn nested_objects_numeric_ranges_and_string_comparisons_match() {
        let p = pattern(json!({
            "order": {"total": [{"numeric": [">", 0, "<=", 100]}], "id": [{"prefix": "ord-"}]},
            "region": [{"anything-but": {"prefix": "cn-"}}],
            "name": [{"equals-ignore-case": "ALICE"}, {"wildcard": "bob*"}]
        }));
        let event =
            json!({"order": {"total": 50, "id": "ord-1"}, "region": "eu-west-1", "name": "alice"});
        assert!(p.matches(&event));
        let costly =
            json!({"order": {"total": 500, "id": "ord-1"}, "region": "eu-west-1", "name": "bobby"});
        assert!(!p.matches(&costly));
    }

    #[test]
    fn a_wildcard_question_mark_is_literal_as_in_eventbridge() {
        let p = pattern(json!({"file": [{"wildcard": "what?*"}]}));
        assert!(p.matches(&json!({"file": "what?.txt"})));
        assert!(!p.matches(&json!({"file": "whats.txt"})));
    }

    #[test]
    fn a_malformed_pattern_is_rejected_with_its_path() {
        let cases = [
            (json!({"state": "running"}), "state"),
            (json!({"state": []}), "state"),
            (json!({"a": {"b": [{"prefix": 5}]}}), "a.b[0]"),
            (json!({"a": [{"exists": "yes"}]}), "a[0]"),
            (json!({"a": [{"numeric": [">"]}]}), "a[0]"),
            (json!({"a": [{"numeric": ["~", 1]}]}), "a[0]"),
            (json!({"a": [{"bogus": 1}]}), "a[0]"),
            (json!({"a": [{"prefix": "x", "suffix": "y"}]}), "a[0]"),
            (json!({"a": [{"wildcard": "x**"}]}), "a[0]"),
            (json!(["not", "an", "object"]), "(root)"),
        ];
        for (p, path) in cases {
            let err = EventPattern::parse(&p).expect_err(&p.to_string());
            assert_eq!(err.path, path, "{err}");
        }
    }
}
