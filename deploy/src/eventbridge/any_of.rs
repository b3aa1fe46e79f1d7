//! The one event pattern of a bus's rule, made of its routes' patterns.
//!
//! EventBridge takes `$or` in the patterns of event bus rules: `{"$or": [p1, p2]}` matches an
//! event that `p1` or `p2` matches. It needs at least two alternatives, each an object whose
//! keys are fields (a comparison's name such as `prefix` there would make EventBridge read the
//! `$or` as a plain field). A pattern with `$or` stands for the combinations its alternatives
//! expand to, one per alternative here, at most [`COMBINATIONS_MAX`] of them, and its text is
//! held to [`PATTERN_MAX`] characters like any other. All of this is checked before anything is
//! changed, and an error names the routes.

use std::collections::BTreeSet;

use anyhow::bail;
use serde_json::{json, Value};

use crate::event_pattern::{canonical, length, PATTERN_MAX};

/// The most combinations a pattern's `$or`s may expand to in one rule; EventBridge refuses a
/// rule whose `$or`s expand to more.
pub const COMBINATIONS_MAX: usize = 1000;

/// The comparisons EventBridge knows, which a `$or` alternative cannot use as a key.
const COMPARISONS: [&str; 8] = [
    "prefix",
    "suffix",
    "equals-ignore-case",
    "wildcard",
    "anything-but",
    "exists",
    "numeric",
    "cidr",
];

/// The pattern matching every event one of `routes` (`(route, pattern)`, patterns already made
/// fit for EventBridge) matches: the one pattern when the routes have one between them, else
/// the `$or` of the distinct ones, in the routes' order.
///
/// # Errors
///
/// When a pattern cannot be a `$or` alternative, or the patterns together expand to more
/// combinations or characters than one rule takes.
pub fn any_of(routes: &[(String, Value)]) -> anyhow::Result<Value> {
    let names: Vec<String> = routes.iter().map(|(r, _)| format!("`{r}`")).collect();
    let names = names.join(", ");
    let mut seen = BTreeSet::new();
    let mut alternatives = Vec::new();
    for (route, pattern) in routes {
        if pattern.as_object().is_none_or(|fields| fields.is_empty()) {
            bail!("the EventBridge route `{route}` has a pattern that is not a non-empty object");
        }
        if seen.insert(canonical(pattern).to_string()) {
            alternatives.push((route, pattern.clone()));
        }
    }
    if alternatives.len() == 1 {
        return check(alternatives.remove(0).1, &names);
    }
    for (route, pattern) in &alternatives {
        let mut keys = pattern
            .as_object()
            .into_iter()
            .flat_map(|fields| fields.keys());
        if let Some(key) = keys.find(|k| COMPARISONS.contains(&k.as_str())) {
            bail!(
                "the EventBridge route `{route}` has a pattern whose top-level key is the \
                 comparison `{key}`, which EventBridge cannot take in a `$or`: match a field of \
                 the event, such as `source` or `detail`"
            );
        }
    }
    let alternatives: Vec<Value> = alternatives.into_iter().map(|(_, p)| p).collect();
    check(json!({ "$or": alternatives }), &names)
}

/// `pattern`, unless it expands to more combinations or characters than one rule takes.
fn check(pattern: Value, names: &str) -> anyhow::Result<Value> {
    let combinations = combinations(&pattern);
    if combinations > COMBINATIONS_MAX {
        bail!(
            "the EventBridge routes {names} need one rule of {combinations} combinations; \
             EventBridge takes at most {COMBINATIONS_MAX}: merge routes that differ only in a \
             value into one route, or remove some"
        );
    }
    let length = length(&pattern);
    if length > PATTERN_MAX {
        bail!(
            "the EventBridge routes {names} need one rule whose pattern has {length} characters; \
             EventBridge takes at most {PATTERN_MAX}: shorten their detail patterns, or merge \
             routes that differ only in a value into one route"
        );
    }
    Ok(pattern)
}

/// How many plain patterns `value` stands for once every `$or` in it is expanded: the members
/// of an object multiply, the alternatives of a `$or` add up.
fn combinations(value: &Value) -> usize {
    let Value::Object(members) = value else {
        return 1;
    };
    (members.iter())
        .map(|(key, inner)| match (key.as_str(), inner) {
            ("$or", Value::Array(alternatives)) => alternatives
                .iter()
                .map(combinations)
                .fold(0, usize::saturating_add),
            (_, Value::Object(_)) => combinations(inner),
            _ => 1,
        })
        .fold(1, usize::saturating_mul)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::{any_of, combinations};
    use crate::event_pattern::same_pattern;

    fn routes(patterns: &[Value]) -> Vec<(String, Value)> {
        (patterns.iter().enumerate())
            .map(|(i, p)| (format!("r{i}"), p.clone()))
            .collect()
    }

    #[test]
    fn overlapping_routes_become_one_or_of_their_patterns_each_once() {
        let orders = json!({"source": ["com.shop"], "detail-type": ["Order Placed"]});
        let everything = json!({"source": [{"prefix": ""}]});
        let both = any_of(&routes(&[orders.clone(), everything.clone()])).unwrap();
        assert_eq!(both, json!({"$or": [orders, everything]}));

        let reordered = json!({"detail-type": ["Order Placed"], "source": ["com.shop"]});
        let once = any_of(&routes(&[orders.clone(), reordered, orders.clone()])).unwrap();
        assert_eq!(
            once, orders,
            "identical patterns are one, and one needs no `$or`"
        );

        let swapped = json!({"$or": [everything, orders]}).to_string();
        assert!(
            same_pattern(&swapped, &both),
            "the order of `$or` is not drift"
        );
    }

    #[test]
    fn what_one_rule_cannot_take_is_an_error_naming_the_routes() {
        let long = |i: usize| json!({"source": [format!("{i}{}", "s".repeat(1500))]});
        let message = any_of(&routes(&[long(1), long(2), long(3)]))
            .unwrap_err()
            .to_string();
        assert!(message.contains("`r0`, `r1`, `r2`"), "{message}");
        assert!(message.contains("at most 4096"), "{message}");

        let many: Vec<Value> = (0..1001).map(|i| json!({"source": [i]})).collect();
        let message = any_of(&routes(&many)).unwrap_err().to_string();
        assert!(message.contains("1001 combinations"), "{message}");

        let keyword = json!({"prefix": ["x"]});
        assert_eq!(
            any_of(&routes(std::slice::from_ref(&keyword))).unwrap(),
            keyword
        );
        let other = json!({"source": ["a"]});
        let message = any_of(&routes(&[other, keyword])).unwrap_err().to_string();
        assert!(message.contains("route `r1`") && message.contains("`prefix`"));
    }

    #[test]
    fn combinations_add_up_across_alternatives_and_multiply_across_fields() {
        assert_eq!(combinations(&json!({"source": ["a", "b"]})), 1);
        let nested = json!({
            "$or": [{"source": ["a"]}, {"detail": {"$or": [{"x": [1]}, {"y": [2]}]}}],
            "detail": {"$or": [{"z": [3]}, {"w": [4]}]},
        });
        assert_eq!(combinations(&nested), 6);
    }
}
