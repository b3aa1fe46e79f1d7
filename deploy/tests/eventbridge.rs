//! The one rule of an app's EventBridge routes, deployed against a real moto server: created
//! with the `$or` of their patterns in place of an older rule per route, kept however
//! EventBridge orders it, updated in place as routes change, moved to a custom bus and
//! destroyed.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use aws_sdk_eventbridge::types::{Tag, Target};
use serde_json::{json, Value};
use support::eventbridge::{
    check_pattern, expected, manifest_with, routes, rule_matches, rule_name, rules_on, BusRule, ALL,
};
use support::state::Deployed;
use support::{
    config, create_bucket_and_queue, example_binary, runtime, sdk, Moto, Project, ALIAS_ARN, APP,
};

const BUS: &str = "orders-bus";

fn mutating(result: &Value) -> u64 {
    result["aws_calls"]["mutating"].as_u64().unwrap()
}

/// `(action, name)` of the plan's rule changes that are not keeps.
fn rule_changes(result: &Value) -> Vec<(String, String)> {
    let mut changes: Vec<(String, String)> = (result["changes"].as_array().unwrap().iter())
        .filter(|c| c["kind"] == "eventbridge rule" && c["action"] != "keep")
        .map(|c| {
            let text = |key: &str| c[key].as_str().unwrap().to_owned();
            (text("action"), text("name"))
        })
        .collect();
    changes.sort();
    changes
}

fn change(action: &str, name: &str) -> (String, String) {
    (action.to_owned(), name.to_owned())
}

/// Checks that the routes have one rule on `bus`, with `pattern`, and its one permission.
fn check(rules: &[BusRule], deployed: &Deployed, bus: &str, pattern: &Value) {
    let ours: Vec<&BusRule> = (rules.iter())
        .filter(|r| r.schedule.is_none() && r.app_tag.as_deref() == Some(APP))
        .collect();
    let name = rule_name();
    assert_eq!(
        ours.len(),
        1,
        "one rule of the routes on bus {bus}: {ours:?}"
    );
    let rule = ours[0];
    assert_eq!(rule.name, name);
    let stored = rule.pattern.as_ref().unwrap();
    check_pattern(&name, stored);
    assert_eq!(stored, pattern, "the pattern of rule {name}");
    assert_eq!(rule.targets, [("aegis".to_owned(), ALIAS_ARN.to_owned())]);
    assert_eq!(rule.state, "ENABLED");
    let arn = if bus == "default" {
        format!("arn:aws:events:eu-west-1:123456789012:rule/{name}")
    } else {
        format!("arn:aws:events:eu-west-1:123456789012:rule/{bus}/{name}")
    };
    assert_eq!(rule.arn, arn);
    let events: Vec<_> = (deployed.permissions.iter())
        .filter(|p| p.1 == "events.amazonaws.com")
        .collect();
    let scoped = events
        .iter()
        .filter(|p| p.2.as_deref() == Some(arn.as_str()));
    assert_eq!(scoped.count(), 1, "one permission for {arn}: {events:?}");
    assert_eq!(
        events.len(),
        2,
        "the rule's and the schedule's, no stale one"
    );
    deployed.check_rules_moto_does_not();
}

#[test]
fn eventbridge_routes_share_one_rule_per_bus_kept_updated_in_place_moved_and_destroyed() {
    let moto = Moto::start();
    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let put_rule = |name: &str, pattern: &Value, tagged: bool| {
        let tags =
            tagged.then(|| vec![Tag::builder().key("aegis:app").value(APP).build().unwrap()]);
        let put = (events.put_rule().name(name))
            .event_pattern(pattern.to_string())
            .set_tags(tags);
        rt.block_on(put.send()).unwrap();
    };
    // A hand-made rule sharing the app's prefix, which aegis must leave alone, and a rule per
    // route as deploys made them before one rule per bus, which it must delete.
    put_rule(
        &format!("{APP}-handmade"),
        &json!({"source": ["someone.else"]}),
        false,
    );
    let old = format!("{APP}-order-placed");
    put_rule(&old, &support::eventbridge::patterns(0, &ALL)[0], true);
    let target = Target::builder()
        .id("aegis")
        .arn(ALIAS_ARN)
        .build()
        .unwrap();
    rt.block_on(events.put_targets().rule(&old).targets(target).send())
        .unwrap();

    let project = Project::new("eventbridge", &config(128));
    let binary = example_binary();
    let run = |command: &str, which: &[&str], minimum: i64| {
        let manifest = manifest_with(routes(minimum, which));
        let path = project.write("manifest.json", &manifest.to_string());
        let (binary, path) = (binary.to_str().unwrap(), path.to_str().unwrap());
        project.run(&moto, &[command, "--binary", binary, "--manifest", path])
    };
    let on = |bus: &str| rt.block_on(rules_on(&sdk, bus));
    let deployed = || rt.block_on(Deployed::read(&sdk));
    let name = rule_name();

    // A foreign rule holding the name is refused, not taken over.
    put_rule(&name, &json!({"source": ["someone.else"]}), false);
    let manifest = manifest_with(routes(0, &ALL));
    let path = project.write("manifest.json", &manifest.to_string());
    let refused = project.run_raw(&moto, &["plan", "--manifest", path.to_str().unwrap()]);
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(message.contains("does not carry the tag"), "{message}");
    rt.block_on(events.delete_rule().name(&name).send())
        .unwrap();

    let plan = run("plan", &ALL, 0);
    assert_eq!(mutating(&plan), 0, "{plan}");
    let routes_line = (plan["changes"].as_array().unwrap().iter())
        .find(|c| c["name"] == name.as_str())
        .map(|c| c["detail"].as_str().unwrap().to_owned())
        .unwrap();
    assert!(
        routes_line.starts_with("routes `order placed`, `audit`, `everything` -> "),
        "{routes_line}"
    );

    let first = run("deploy", &ALL, 0);
    let mut wanted = vec![
        change("create", &name),
        change("create", &format!("{APP}-nightly-report")),
        change("delete", &old),
    ];
    wanted.sort();
    assert_eq!(rule_changes(&first), wanted, "{}", first["changes"]);
    let default = on("default");
    check(&default, &deployed(), "default", &expected(0, &ALL));
    assert_eq!(deployed().rules.len(), 1, "the schedule's rule stays");
    // An order matches `order placed` and `everything`: one rule, so one invocation.
    let order = json!({"source": "com.shop.orders", "detail-type": "Order Placed",
        "detail": {"total": 5}});
    let matching: Vec<&str> = (default.iter())
        .filter(|r| r.pattern.as_ref().is_some_and(|p| rule_matches(p, &order)))
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(matching, [name.as_str()]);

    let again = run("deploy", &ALL, 0);
    assert_eq!(mutating(&again), 0, "{}", again["aws_calls"]);

    // EventBridge may hand the pattern back with its keys and `$or` alternatives reordered.
    let mut alternatives = support::eventbridge::patterns(0, &ALL);
    alternatives.reverse();
    put_rule(&name, &json!({ "$or": alternatives }), true);
    let stored = on("default").into_iter().find(|r| r.name == name).unwrap();
    assert_ne!(
        stored.pattern.unwrap(),
        expected(0, &ALL),
        "moto keeps the new order"
    );
    let after_reorder = run("deploy", &ALL, 0);
    assert_eq!(
        mutating(&after_reorder),
        0,
        "{}",
        after_reorder["aws_calls"]
    );

    let raised = run("deploy", &ALL, 100);
    assert_eq!(rule_changes(&raised), [change("update", &name)]);
    check(&on("default"), &deployed(), "default", &expected(100, &ALL));

    let two = ["order placed", "audit"];
    let fewer = run("deploy", &two, 100);
    assert_eq!(rule_changes(&fewer), [change("update", &name)]);
    check(&on("default"), &deployed(), "default", &expected(100, &two));

    let one = run("deploy", &two[..1], 100);
    assert_eq!(rule_changes(&one), [change("update", &name)]);
    let single = expected(100, &two[..1]);
    assert!(single.get("$or").is_none(), "{single}");
    check(&on("default"), &deployed(), "default", &single);

    rt.block_on(events.create_event_bus().name(BUS).send())
        .unwrap();
    let on_bus = format!("{}\n[eventbridge]\nbus = \"{BUS}\"\n", config(128));
    project.write("aegis.toml", &on_bus);
    let moved = run("deploy", &two, 100);
    let mut wanted = vec![
        change("create", &format!("{BUS}/{name}")),
        change("delete", &name),
    ];
    wanted.sort();
    assert_eq!(rule_changes(&moved), wanted);
    check(&on(BUS), &deployed(), BUS, &expected(100, &two));
    let left: Vec<String> = on("default").into_iter().map(|r| r.name).collect();
    assert_eq!(
        left,
        [format!("{APP}-handmade"), format!("{APP}-nightly-report")],
        "only the schedule and the hand-made rule stay on the default bus"
    );
    let settled = run("deploy", &two, 100);
    assert_eq!(mutating(&settled), 0, "{}", settled["aws_calls"]);

    let destroyed = run("destroy", &two, 100);
    assert_eq!(destroyed["changed"], true);
    assert!(on(BUS).is_empty(), "{:?}", on(BUS));
    let left: Vec<String> = on("default").into_iter().map(|r| r.name).collect();
    assert_eq!(left, [format!("{APP}-handmade")]);
    let twice = run("destroy", &two, 100);
    assert_eq!(mutating(&twice), 0, "{}", twice["aws_calls"]);
}
