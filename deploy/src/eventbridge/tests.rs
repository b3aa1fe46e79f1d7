//! The rule of the EventBridge routes, derived from real manifests.

use std::path::Path;

use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
use aegis_core::{App, Ctx, EventBridgeRouter, EventPattern, EventRule, Manifest};
use serde_json::{json, Value};

use super::{check_bus, description, rules, PatternRule};
use crate::config::Config;
use crate::desired::Rule;
use crate::event_pattern::for_eventbridge;
use crate::names::Target;

async fn handle(_event: EventBridgeEvent<Value>, _ctx: Ctx) -> Result<(), String> {
    Ok(())
}

fn target() -> Target {
    Target {
        partition: "aws".into(),
        region: "eu-west-1".into(),
        account: "123456789012".into(),
    }
}

/// The rules of `manifest`'s routes, with a schedule for `task` and `bus` configured.
fn derive(manifest: &Manifest, task: &str, bus: Option<&str>) -> anyhow::Result<Vec<PatternRule>> {
    let mut text = "[function]\nname = \"f\"\n".to_owned();
    if let Some(bus) = bus {
        text.push_str(&format!("[eventbridge]\nbus = \"{bus}\"\n"));
    }
    let config = Config::parse(&text, Path::new("aegis.toml"))?;
    let schedule = Rule {
        name: format!("{}-{task}", manifest.app),
        task: task.into(),
        expression: "rate(1 day)".into(),
        arn: String::new(),
    };
    rules(manifest, &config, &target(), &[schedule])
}

fn app(name: &str, routes: &[EventRule]) -> Manifest {
    let router = (routes.iter()).fold(EventBridgeRouter::new(), |router, rule| {
        router.route(rule.clone(), handle)
    });
    let app = App::new(name).eventbridge(router).build().unwrap();
    app.manifest().clone()
}

/// Whether the rule's pattern matches `event`, a `$or` as any of its alternatives.
fn matches(pattern: &Value, event: &Value) -> bool {
    let alternatives = match pattern.get("$or") {
        Some(Value::Array(alternatives)) => alternatives.clone(),
        _ => vec![pattern.clone()],
    };
    (alternatives.iter()).any(|p| EventPattern::parse(p).unwrap().matches(event))
}

#[test]
fn overlapping_routes_share_one_rule_whose_pattern_is_the_or_of_theirs() {
    let orders = EventRule::new("com.shop", "Order Placed").name("orders");
    let everything = EventRule::new("*", "*").name("everything");
    let manifest = app("shop", &[orders.clone(), everything]);
    let found = derive(&manifest, "nightly", None).unwrap();
    assert_eq!(found.len(), 1, "one rule for the bus: {found:?}");
    let rule = &found[0];
    let patterns: Vec<Value> = (manifest.eventbridge.iter())
        .map(|r| for_eventbridge(r).unwrap())
        .collect();
    assert_eq!(rule.pattern, json!({ "$or": patterns }));
    assert_eq!(rule.routes, ["orders", "everything"]);
    assert_eq!(
        description(rule, "shop"),
        "aegis: EventBridge routes of shop: orders, everything"
    );
    let event = json!({"source": "com.shop", "detail-type": "Order Placed", "detail": {}});
    assert!(
        matches(&rule.pattern, &event),
        "one rule, so one invocation"
    );
    assert!(matches(
        &rule.pattern,
        &json!({"source": "x", "detail-type": "y"})
    ));

    let single = derive(&app("shop", &[orders]), "nightly", None).unwrap();
    assert_eq!(single[0].pattern, patterns[0], "one route needs no `$or`");
    let guessed = app("shop", &[EventRule::new("com.sho?", "*").name("guess")]);
    assert_eq!(
        derive(&guessed, "nightly", None).unwrap()[0].wider,
        ["guess"]
    );
    let many: Vec<EventRule> = (0..40)
        .map(|i| EventRule::new(&format!("com.{i}"), "*").name(&"r".repeat(i + 20)))
        .collect();
    let long = derive(&app("shop", &many), "nightly", None).unwrap();
    assert_eq!(description(&long[0], "shop").chars().count(), 512);
}

#[test]
fn the_rule_name_is_short_and_clear_of_the_schedules() {
    let manifest = app("shop", &[EventRule::new("a", "b")]);
    let found = derive(&manifest, "nightly", None).unwrap();
    assert_eq!(found[0].name, "shop-events");
    assert_eq!(
        found[0].arn,
        "arn:aws:events:eu-west-1:123456789012:rule/shop-events"
    );
    assert_eq!(found[0].bus, "default");
    let clash = derive(&manifest, "events", None).unwrap();
    assert_eq!(
        clash[0].name, "shop-events-2",
        "the task `events` has shop-events"
    );

    let mut renamed = manifest;
    renamed.app = "s".repeat(57);
    assert_eq!(derive(&renamed, "t", None).unwrap()[0].name.len(), 64);
    renamed.app = "s".repeat(58);
    let message = derive(&renamed, "t", None).unwrap_err().to_string();
    assert!(message.contains("at most 57 characters"), "{message}");
    renamed.app = "shop shop".into();
    assert!(derive(&renamed, "t", None).is_err());
}

#[test]
fn a_custom_bus_is_named_or_given_by_arn_in_the_deploying_account() {
    let manifest = app("shop", &[EventRule::new("a", "b")]);
    let named = derive(&manifest, "nightly", Some("orders-bus")).unwrap();
    assert_eq!(named[0].bus, "orders-bus");
    assert_eq!(
        named[0].arn,
        "arn:aws:events:eu-west-1:123456789012:rule/orders-bus/shop-events"
    );
    let arn = "arn:aws:events:eu-west-1:123456789012:event-bus/orders-bus";
    assert_eq!(derive(&manifest, "nightly", Some(arn)).unwrap(), named);
    let elsewhere = "arn:aws:events:us-east-1:123456789012:event-bus/orders-bus";
    let message = derive(&manifest, "nightly", Some(elsewhere))
        .unwrap_err()
        .to_string();
    assert!(message.contains("us-east-1"), "{message}");
    assert!(check_bus("arn:aws:sqs:eu-west-1:1:q").is_err());
    assert!(check_bus("orders bus").is_err());
    assert!(check_bus("aws.partner/saas.com/1/events").is_ok());
}
