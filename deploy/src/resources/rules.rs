//! EventBridge rules, each with one target, the alias: the schedule rules, `{app}-{task}` on
//! the default bus, and the rule of the EventBridge routes, `{app}-events` on the configured
//! bus ([`PatternRule`]; one per bus, so one event invokes the function once).
//!
//! The app's rules are the ones named `{app}-…` on any of the account's buses that carry this
//! app's tag. One no longer declared, or left on a bus the config no longer names, is deleted:
//! so are the `{app}-{route}` rules of the layout before one rule per bus. A hand-made rule that
//! happens to share the prefix stays; when it holds the name of a declared rule, planning fails
//! rather than take it over.

use anyhow::bail;
use aws_sdk_eventbridge::types::{RuleState, Tag, Target};

use super::rules_found::{self, Found};
use super::Ctx;
use crate::desired::{Desired, Rule, APP_TAG};
use crate::error::{is_not_found, AwsContext as _};
use crate::event_pattern::{length, same_pattern, PATTERN_MAX, PATTERN_QUOTA};
use crate::eventbridge::{description, PatternRule, DEFAULT_BUS};
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "eventbridge rule";
/// The id of the target aegis puts on its rules.
const TARGET_ID: &str = "aegis";

/// A change to a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create or update the schedule rule and its target.
    Put(Rule),
    /// Create or update the rule of an EventBridge route and its target.
    PutPattern(PatternRule),
    /// Remove the rule's targets, then the rule: bus, name and target ids.
    Delete(String, String, Vec<String>),
}

/// The steps for every declared rule and every stale rule of the app.
///
/// # Errors
///
/// When the configured bus does not exist, a declared rule's name is taken by a rule that is
/// not the app's, or EventBridge cannot be read.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let (buses, found) = rules_found::read(ctx).await?;
    if let Some(rule) = d.pattern_rules.iter().find(|r| !buses.contains(&r.bus)) {
        bail!(
            "the event bus `{}` ([eventbridge] bus in aegis.toml) does not exist in {}: create \
             it, or remove the setting to use the default bus",
            rule.bus,
            ctx.aws.region
        );
    }
    let mut steps = Vec::new();

    for rule in &d.rules {
        let detail = format!("{} -> {}", rule.expression, d.alias);
        let same = |f: &Found| {
            f.schedule.as_deref() == Some(rule.expression.as_str()) && f.pattern.is_none()
        };
        let op = PlanOp::Rule(Op::Put(rule.clone()));
        steps.push(step(d, &found, DEFAULT_BUS, &rule.name, detail, same, op)?);
    }
    for rule in &d.pattern_rules {
        let same = |f: &Found| {
            f.schedule.is_none()
                && f.pattern
                    .as_deref()
                    .is_some_and(|p| same_pattern(p, &rule.pattern))
        };
        let op = PlanOp::Rule(Op::PutPattern(rule.clone()));
        let detail = pattern_detail(rule, &d.alias);
        steps.push(step(d, &found, &rule.bus, &rule.name, detail, same, op)?);
    }

    let declared = |f: &Found| {
        (f.bus == DEFAULT_BUS && d.rules.iter().any(|r| r.name == f.name))
            || (d.pattern_rules.iter()).any(|r| r.bus == f.bus && r.name == f.name)
    };
    for f in found.iter().filter(|f| f.ours && !declared(f)) {
        steps.push(delete(f, "no longer declared"));
    }
    Ok(steps)
}

/// The steps deleting every rule of the app, on every bus.
///
/// # Errors
///
/// When EventBridge cannot be read.
pub async fn destroy(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let (_, found) = rules_found::read(ctx).await?;
    Ok(found
        .iter()
        .filter(|f| f.ours)
        .map(|f| delete(f, ""))
        .collect())
}

/// The plan's line for the routes' rule: the routes it serves, and what to know of its pattern.
fn pattern_detail(rule: &PatternRule, alias: &str) -> String {
    let routes: Vec<String> = rule.routes.iter().map(|r| format!("`{r}`")).collect();
    let noun = if routes.len() == 1 { "route" } else { "routes" };
    let mut detail = format!("{noun} {} -> {alias}", routes.join(", "));
    if !rule.wider.is_empty() {
        let wider: Vec<String> = rule.wider.iter().map(|r| format!("`{r}`")).collect();
        detail.push_str(&format!(
            "; wider than {}, which the function filters",
            wider.join(", ")
        ));
    }
    let length = length(&rule.pattern);
    if length > PATTERN_QUOTA {
        detail.push_str(&format!(
            "; its pattern has {length} characters, over EventBridge's default quota \
             \"Event pattern size\" of {PATTERN_QUOTA}: raise it in Service Quotas (up to \
             {PATTERN_MAX}) if EventBridge refuses the rule"
        ));
    }
    detail
}

/// `name`, or `bus/name` off the default bus, as the plan shows it.
fn shown(bus: &str, name: &str) -> String {
    if bus == DEFAULT_BUS {
        name.to_owned()
    } else {
        format!("{bus}/{name}")
    }
}

/// The step for one declared rule: create it, keep it, update it, or refuse a foreign one.
fn step(
    d: &Desired,
    found: &[Found],
    bus: &str,
    name: &str,
    detail: String,
    same: impl Fn(&Found) -> bool,
    op: PlanOp,
) -> anyhow::Result<Step> {
    let shown = shown(bus, name);
    let Some(f) = found.iter().find(|f| f.bus == bus && f.name == name) else {
        return Ok(Step::new(Action::Create, KIND, shown, detail, op));
    };
    if !f.ours {
        bail!(
            "the rule {shown} exists but does not carry the tag {APP_TAG} = {}: aegis will not \
             take it over; delete or rename that rule, or rename the task or route",
            d.app
        );
    }
    let target = [(TARGET_ID.to_owned(), d.alias_arn.clone())];
    if same(f) && f.enabled && f.targets == target {
        Ok(Step::keep(KIND, shown))
    } else {
        Ok(Step::new(Action::Update, KIND, shown, detail, op))
    }
}

fn delete(f: &Found, detail: &str) -> Step {
    let ids = f.targets.iter().map(|(id, _)| id.clone()).collect();
    let op = Op::Delete(f.bus.clone(), f.name.clone(), ids);
    Step::new(
        Action::Delete,
        KIND,
        shown(&f.bus, &f.name),
        detail,
        PlanOp::Rule(op),
    )
}

/// Runs one rule operation.
///
/// # Errors
///
/// When EventBridge refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (events, d) = (&ctx.aws.events, ctx.desired);
    let tags = (d.tags.iter())
        .map(|(key, value)| Tag::builder().key(key).value(value).build())
        .collect::<Result<Vec<_>, _>>()?;
    match op {
        Op::Put(rule) => {
            let put = (events.put_rule())
                .name(&rule.name)
                .schedule_expression(&rule.expression)
                .state(RuleState::Enabled)
                .description(format!("aegis: task {} of {}", rule.task, d.app))
                .set_tags(Some(tags));
            put.send()
                .await
                .doing(|| format!("writing rule {}", rule.name))?;
            point_at_alias(ctx, DEFAULT_BUS, &rule.name).await
        }
        Op::PutPattern(rule) => {
            let put = (events.put_rule())
                .name(&rule.name)
                .event_bus_name(&rule.bus)
                .event_pattern(rule.pattern.to_string())
                .state(RuleState::Enabled)
                .description(description(rule, &d.app))
                .set_tags(Some(tags));
            put.send().await.doing(|| {
                let mut doing = format!(
                    "writing rule {} for the routes {}",
                    shown(&rule.bus, &rule.name),
                    rule.routes.join(", ")
                );
                let length = length(&rule.pattern);
                if length > PATTERN_QUOTA {
                    doing.push_str(&format!(
                        " (its pattern has {length} characters; EventBridge's quota \
                         \"Event pattern size\" is {PATTERN_QUOTA} unless raised in Service \
                         Quotas, up to {PATTERN_MAX})"
                    ));
                }
                doing
            })?;
            point_at_alias(ctx, &rule.bus, &rule.name).await
        }
        Op::Delete(bus, name, targets) => {
            let shown = shown(bus, name);
            if !targets.is_empty() {
                let remove = (events.remove_targets())
                    .rule(name)
                    .event_bus_name(bus)
                    .set_ids(Some(targets.clone()))
                    .send()
                    .await;
                remove.doing(|| format!("removing the targets of rule {shown}"))?;
            }
            let delete = (events.delete_rule()).name(name).event_bus_name(bus);
            if let Err(e) = delete.send().await {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting rule {shown}"));
                }
            }
            Ok(())
        }
    }
}

/// Makes the alias the rule's one target.
async fn point_at_alias(ctx: Ctx<'_>, bus: &str, name: &str) -> anyhow::Result<()> {
    let alias = &ctx.desired.alias_arn;
    let target = Target::builder().id(TARGET_ID).arn(alias).build()?;
    let put = (ctx.aws.events.put_targets())
        .rule(name)
        .event_bus_name(bus)
        .targets(target)
        .send()
        .await;
    let put = put.doing(|| format!("pointing rule {} at {alias}", shown(bus, name)))?;
    if put.failed_entry_count() > 0 {
        let why: Vec<&str> = (put.failed_entries().iter())
            .filter_map(|f| f.error_message())
            .collect();
        bail!(
            "EventBridge refused the target of rule {}: {}",
            shown(bus, name),
            why.join("; ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::pattern_detail;
    use crate::eventbridge::PatternRule;

    #[test]
    fn the_plan_line_names_the_routes_and_what_to_know_of_the_pattern() {
        let mut rule = PatternRule {
            name: "shop-events".into(),
            routes: vec!["orders".into(), "guess".into()],
            bus: "default".into(),
            pattern: json!({"$or": [{"source": ["a"]}, {"source": [{"prefix": "b"}]}]}),
            wider: vec!["guess".into()],
            arn: String::new(),
        };
        assert_eq!(
            pattern_detail(&rule, "live"),
            "routes `orders`, `guess` -> live; wider than `guess`, which the function filters"
        );
        rule.routes.truncate(1);
        rule.wider.clear();
        rule.pattern = json!({"source": ["x".repeat(3000)]});
        let detail = pattern_detail(&rule, "live");
        assert!(detail.starts_with("route `orders` -> live; its pattern has 3015 characters"));
        assert!(detail.contains("Service Quotas"), "{detail}");
    }
}
