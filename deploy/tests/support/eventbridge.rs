//! EventBridge routes as aegis-core declares them, the rules found on a bus, and the event
//! pattern syntax EventBridge accepts, `$or` included, checked here because moto takes any JSON
//! object of arrays and objects.

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::{App, Ctx, EventBridgeRouter, EventPattern, EventRule};
use aws_config::SdkConfig;
use serde_json::{json, Map, Value};

use super::APP;

/// Every route the tests can declare, in the router's order: `order placed` (orders over a
/// minimum), `audit` (a glob EventBridge cannot take as written) and `everything`, which
/// overlaps both.
pub const ALL: [&str; 3] = ["order placed", "audit", "everything"];

/// The name of the rule of the routes.
pub fn rule_name() -> String {
    format!("{APP}-events")
}

/// The routes of `which` (names from [`ALL`]), orders over `minimum`.
pub fn routes(minimum: i64, which: &[&str]) -> EventBridgeRouter {
    async fn handle(_event: EventBridgeEvent<Value>, _ctx: Ctx) -> Result<(), String> {
        Ok(())
    }
    let rule = |name: &str| match name {
        "order placed" => EventRule::new("com.shop.orders", "Order Placed")
            .detail(json!({"total": [{"numeric": [">", minimum]}]})),
        "audit" => EventRule::new("com.**.audit", "*"),
        "everything" => EventRule::new("*", "*"),
        other => panic!("no route {other} in the tests"),
    };
    (which.iter()).fold(EventBridgeRouter::new(), |router, name| {
        router.route(rule(name).name(name), handle)
    })
}

/// What deploy should make of each route of `which`, in order.
pub fn patterns(minimum: i64, which: &[&str]) -> Vec<Value> {
    (which.iter())
        .map(|name| match *name {
            "order placed" => json!({
                "source": ["com.shop.orders"],
                "detail-type": ["Order Placed"],
                "detail": {"total": [{"numeric": [">", minimum]}]},
            }),
            "audit" => json!({"source": [{"wildcard": "com.*.audit"}]}),
            "everything" => json!({"source": [{"prefix": ""}]}),
            other => panic!("no route {other} in the tests"),
        })
        .collect()
}

/// The pattern of the one rule of the routes of `which`: the route's, or the `$or` of theirs.
pub fn expected(minimum: i64, which: &[&str]) -> Value {
    let mut patterns = patterns(minimum, which);
    if patterns.len() == 1 {
        patterns.remove(0)
    } else {
        json!({ "$or": patterns })
    }
}

/// Whether a rule with `pattern` matches `event`, as EventBridge matches: a `$or` when any of
/// its alternatives does, through aegis-core's own matcher.
pub fn rule_matches(pattern: &Value, event: &Value) -> bool {
    match pattern.get("$or") {
        Some(Value::Array(alternatives)) => alternatives.iter().any(|p| rule_matches(p, event)),
        _ => EventPattern::parse(pattern).unwrap().matches(event),
    }
}

/// The example's own manifest with `routes` as its EventBridge routes.
pub fn manifest_with(routes: EventBridgeRouter) -> Value {
    let mut manifest = super::example_manifest();
    let app = App::new(APP).eventbridge(routes).build().unwrap();
    manifest["eventbridge"] = serde_json::to_value(&app.manifest().eventbridge).unwrap();
    manifest
}

/// One rule on a bus whose name starts with the app's.
#[derive(Debug, Clone, PartialEq)]
pub struct BusRule {
    pub name: String,
    pub arn: String,
    pub pattern: Option<Value>,
    pub schedule: Option<String>,
    pub state: String,
    /// The value of its `aegis:app` tag.
    pub app_tag: Option<String>,
    /// `(id, ARN)`.
    pub targets: Vec<(String, String)>,
}

/// Every rule named `{APP}-…` on `bus`, by name.
pub async fn rules_on(config: &SdkConfig, bus: &str) -> Vec<BusRule> {
    let events = aws_sdk_eventbridge::Client::new(config);
    let listed = events
        .list_rules()
        .name_prefix(format!("{APP}-"))
        .event_bus_name(bus)
        .send()
        .await
        .unwrap();
    let mut rules = Vec::new();
    for rule in listed.rules() {
        let (name, arn) = (rule.name().unwrap(), rule.arn().unwrap());
        let tags = events
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap();
        let targets = events
            .list_targets_by_rule()
            .rule(name)
            .event_bus_name(bus)
            .send()
            .await
            .unwrap();
        rules.push(BusRule {
            name: name.to_owned(),
            arn: arn.to_owned(),
            pattern: rule
                .event_pattern()
                .map(|p| serde_json::from_str(p).unwrap()),
            schedule: rule.schedule_expression().map(str::to_owned),
            state: rule
                .state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            app_tag: (tags.tags().iter())
                .find(|t| t.key() == "aegis:app")
                .map(|t| t.value().to_owned()),
            targets: (targets.targets().iter())
                .map(|t| (t.id().to_owned(), t.arn().to_owned()))
                .collect(),
        });
    }
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    rules
}

/// The fields of an EventBridge event a pattern can match at its top level.
const ENVELOPE: [&str; 9] = [
    "version",
    "id",
    "detail-type",
    "source",
    "account",
    "time",
    "region",
    "resources",
    "detail",
];

/// Panics unless EventBridge would take `pattern` for a rule: a non-empty object of the event's
/// fields, arrays of values or known comparisons, wildcards without `**` or stray escapes, and
/// `$or`s of at least two distinct, non-empty objects of the same kind.
pub fn check_pattern(rule: &str, pattern: &Value) {
    let fields = (pattern.as_object())
        .unwrap_or_else(|| panic!("rule {rule}: the pattern {pattern} is not an object"));
    assert!(
        pattern.to_string().chars().count() <= 4096,
        "rule {rule}: too long"
    );
    check_fields(rule, "", fields, true);
}

/// The members of one object of a pattern; `top` for the event's envelope.
fn check_fields(rule: &str, path: &str, fields: &Map<String, Value>, top: bool) {
    assert!(
        !fields.is_empty(),
        "rule {rule}: an empty object at `{path}`"
    );
    for (key, value) in fields {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if key == "$or" {
            let alternatives = (value.as_array())
                .unwrap_or_else(|| panic!("rule {rule}: `{here}` is not an array"));
            assert!(
                alternatives.len() >= 2,
                "rule {rule}: `{here}` needs two alternatives or more"
            );
            for (i, alternative) in alternatives.iter().enumerate() {
                assert!(
                    !alternatives[..i].contains(alternative),
                    "rule {rule}: `{here}` repeats {alternative}"
                );
                let inner = (alternative.as_object())
                    .unwrap_or_else(|| panic!("rule {rule}: `{here}[{i}]` is not an object"));
                check_fields(rule, &format!("{here}[{i}]"), inner, top);
            }
            continue;
        }
        assert!(
            !top || ENVELOPE.contains(&key.as_str()),
            "rule {rule}: `{key}` is not a field of an EventBridge event"
        );
        check_node(rule, &here, value);
    }
}

fn check_node(rule: &str, path: &str, value: &Value) {
    match value {
        Value::Object(fields) => check_fields(rule, path, fields, false),
        Value::Array(entries) if !entries.is_empty() => {
            for entry in entries {
                assert!(
                    comparison_ok(entry),
                    "rule {rule}: `{path}` holds `{entry}`, which EventBridge refuses"
                );
            }
        }
        other => panic!("rule {rule}: `{path}` is `{other}`, not a non-empty array or an object"),
    }
}

fn comparison_ok(entry: &Value) -> bool {
    let Value::Object(comparison) = entry else {
        return !entry.is_array();
    };
    let mut members = comparison.iter();
    let (Some((operator, argument)), None) = (members.next(), members.next()) else {
        return false;
    };
    let ignoring_case = |v: &Value| v.get("equals-ignore-case").is_some_and(Value::is_string);
    match operator.as_str() {
        "prefix" | "suffix" => argument.is_string() || ignoring_case(argument),
        "equals-ignore-case" | "cidr" => argument.is_string(),
        "wildcard" => argument.as_str().is_some_and(wildcard_ok),
        "exists" => argument.is_boolean(),
        "numeric" => argument.as_array().is_some_and(|terms| {
            !terms.is_empty()
                && terms.len() % 2 == 0
                && terms.chunks(2).all(|pair| {
                    ["=", "<", "<=", ">", ">="].contains(&pair[0].as_str().unwrap_or_default())
                        && pair[1].is_number()
                })
        }),
        "anything-but" => match argument {
            Value::String(_) | Value::Number(_) => true,
            Value::Array(values) => {
                !values.is_empty() && values.iter().all(|v| v.is_string() || v.is_number())
            }
            Value::Object(_) => comparison_ok(argument),
            _ => false,
        },
        _ => false,
    }
}

/// EventBridge's wildcards: `*` never twice in a row, `\` only before `*` or `\`.
fn wildcard_ok(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if matches!(bytes.get(i + 1), Some(b'*' | b'\\')) => i += 2,
            b'\\' => return false,
            b'*' if bytes.get(i + 1) == Some(&b'*') => return false,
            _ => i += 1,
        }
    }
    true
}
