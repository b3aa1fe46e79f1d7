//! EventBridge rules for the app's schedules, named `{app}-{task}`, each with one target: the
//! alias.
//!
//! A rule whose name starts with `{app}-` but is no longer declared is deleted only when it
//! carries this app's tag, so a hand-made rule that happens to share the prefix stays.

use aws_sdk_eventbridge::types::{RuleState, Tag, Target};

use super::Ctx;
use crate::desired::{Rule, APP_TAG};
use crate::error::{is_not_found, AwsContext as _};
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "eventbridge rule";
/// The id of the target aegis puts on its rules.
const TARGET_ID: &str = "aegis";

/// A change to a rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create or update the rule and its target.
    Put(Rule),
    /// Remove the rule's targets, then the rule.
    Delete(String, Vec<String>),
}

/// The steps for every declared rule and every stale rule of the app.
///
/// # Errors
///
/// When EventBridge cannot be read.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let events = &ctx.aws.events;
    let mut steps = Vec::new();

    for rule in &d.rules {
        let detail = format!("{} -> {}", rule.expression, d.alias);
        let step = match events.describe_rule().name(&rule.name).send().await {
            Err(e) if is_not_found(&e) => Step::new(
                Action::Create,
                KIND,
                &rule.name,
                detail,
                PlanOp::Rule(Op::Put(rule.clone())),
            ),
            Err(e) => return Err(e).doing(|| format!("reading rule {}", rule.name)),
            Ok(found) => {
                let targets = target_arns(ctx, &rule.name).await?;
                let same = found.schedule_expression() == Some(rule.expression.as_str())
                    && found.state() == Some(&RuleState::Enabled)
                    && targets == [(TARGET_ID.to_owned(), d.alias_arn.clone())];
                if same {
                    Step::keep(KIND, &rule.name)
                } else {
                    Step::new(
                        Action::Update,
                        KIND,
                        &rule.name,
                        detail,
                        PlanOp::Rule(Op::Put(rule.clone())),
                    )
                }
            }
        };
        steps.push(step);
    }

    for (name, targets) in stale(ctx).await? {
        if !d.rules.iter().any(|r| r.name == name) {
            steps.push(Step::new(
                Action::Delete,
                KIND,
                &name,
                "no longer declared",
                PlanOp::Rule(Op::Delete(name.clone(), targets)),
            ));
        }
    }
    Ok(steps)
}

/// The steps deleting every rule of the app.
///
/// # Errors
///
/// When EventBridge cannot be read.
pub async fn destroy(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let rules = stale(ctx).await?;
    Ok(rules
        .into_iter()
        .map(|(name, targets)| {
            Step::new(
                Action::Delete,
                KIND,
                &name,
                "",
                PlanOp::Rule(Op::Delete(name.clone(), targets)),
            )
        })
        .collect())
}

/// Every rule named `{app}-…` that carries this app's tag, with its target ids.
async fn stale(ctx: Ctx<'_>) -> anyhow::Result<Vec<(String, Vec<String>)>> {
    let d = ctx.desired;
    let events = &ctx.aws.events;
    let prefix = format!("{}-", d.app);
    let mut found = Vec::new();
    let mut token = None;
    loop {
        let page = events
            .list_rules()
            .name_prefix(&prefix)
            .set_next_token(token)
            .send()
            .await;
        let page = page.doing(|| format!("listing rules named {prefix}*"))?;
        for rule in page.rules() {
            let (Some(name), Some(arn)) = (rule.name(), rule.arn()) else {
                continue;
            };
            let tags = events
                .list_tags_for_resource()
                .resource_arn(arn)
                .send()
                .await;
            let tags = tags.doing(|| format!("reading the tags of rule {name}"))?;
            if tags
                .tags()
                .iter()
                .any(|t| t.key() == APP_TAG && t.value() == d.app)
            {
                let targets = target_arns(ctx, name)
                    .await?
                    .into_iter()
                    .map(|(id, _)| id)
                    .collect();
                found.push((name.to_owned(), targets));
            }
        }
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return Ok(found);
        }
    }
}

async fn target_arns(ctx: Ctx<'_>, rule: &str) -> anyhow::Result<Vec<(String, String)>> {
    let out = ctx
        .aws
        .events
        .list_targets_by_rule()
        .rule(rule)
        .send()
        .await;
    let out = out.doing(|| format!("reading the targets of rule {rule}"))?;
    Ok(out
        .targets()
        .iter()
        .map(|t| (t.id().to_owned(), t.arn().to_owned()))
        .collect())
}

/// Runs one rule operation.
///
/// # Errors
///
/// When EventBridge refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (events, d) = (&ctx.aws.events, ctx.desired);
    match op {
        Op::Put(rule) => {
            let mut put = (events.put_rule())
                .name(&rule.name)
                .schedule_expression(&rule.expression)
                .state(RuleState::Enabled)
                .description(format!("aegis: task {} of {}", rule.task, d.app));
            for (key, value) in &d.tags {
                put = put.tags(Tag::builder().key(key).value(value).build()?);
            }
            put.send()
                .await
                .doing(|| format!("writing rule {}", rule.name))?;
            let target = Target::builder().id(TARGET_ID).arn(&d.alias_arn).build()?;
            let put = events
                .put_targets()
                .rule(&rule.name)
                .targets(target)
                .send()
                .await;
            let put = put.doing(|| format!("pointing rule {} at {}", rule.name, d.alias_arn))?;
            if put.failed_entry_count() > 0 {
                let why: Vec<&str> = put
                    .failed_entries()
                    .iter()
                    .filter_map(|f| f.error_message())
                    .collect();
                anyhow::bail!(
                    "EventBridge refused the target of rule {}: {}",
                    rule.name,
                    why.join("; ")
                );
            }
        }
        Op::Delete(name, targets) => {
            if !targets.is_empty() {
                let remove = events
                    .remove_targets()
                    .rule(name)
                    .set_ids(Some(targets.clone()))
                    .send()
                    .await;
                remove.doing(|| format!("removing the targets of rule {name}"))?;
            }
            let delete = events.delete_rule().name(name).send().await;
            if let Err(e) = delete {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting rule {name}"));
                }
            }
        }
    }
    Ok(())
}
