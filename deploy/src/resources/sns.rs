//! SNS subscriptions of the alias to the app's topics. A topic the code no longer names (found
//! in the function's `aegis:topics` tag) loses the subscription.

use std::collections::BTreeSet;

use anyhow::bail;

use super::{Ctx, Seen};
use crate::error::{is_not_found, AwsContext as _};
use crate::names::last_part;
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "sns subscription";

/// A change to a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Subscribe the alias to this topic ARN.
    Subscribe(String),
    /// Remove the subscription with this ARN.
    Unsubscribe(String),
}

/// The steps for every topic aegis uses now or used before.
///
/// # Errors
///
/// When a declared topic does not exist, or SNS cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    steps(ctx, seen, false).await
}

/// The steps removing every subscription aegis made.
///
/// # Errors
///
/// When SNS cannot be read.
pub async fn destroy(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    steps(ctx, seen, true).await
}

async fn steps(ctx: Ctx<'_>, seen: &Seen, destroying: bool) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let topics: BTreeSet<&String> = d.topics.iter().chain(seen.topics.iter()).collect();
    let mut steps = Vec::new();
    for topic in topics {
        let wanted = !destroying && d.topics.contains(topic);
        let subscriptions = match subscriptions(ctx, topic).await? {
            Some(subscriptions) => subscriptions,
            None if wanted => bail!(
                "the SNS topic `{topic}` does not exist: create it, or map the code's topic to \
                 an existing one under [names] in aegis.toml"
            ),
            None => continue,
        };
        let name = format!("{} -> {}", last_part(topic), d.alias);
        match (subscriptions.first(), wanted) {
            (None, true) => steps.push(Step::new(
                Action::Create,
                KIND,
                name,
                "",
                PlanOp::Sns(Op::Subscribe(topic.clone())),
            )),
            (Some(_), true) => steps.push(Step::keep(KIND, name)),
            (_, false) => {
                for arn in subscriptions {
                    steps.push(Step::new(
                        Action::Delete,
                        KIND,
                        &name,
                        "",
                        PlanOp::Sns(Op::Unsubscribe(arn)),
                    ));
                }
            }
        }
    }
    Ok(steps)
}

/// The ARNs of the topic's subscriptions delivering to the alias; `None` when the topic does
/// not exist.
async fn subscriptions(ctx: Ctx<'_>, topic: &str) -> anyhow::Result<Option<Vec<String>>> {
    let listed: Result<Vec<_>, _> = (ctx.aws.sns.list_subscriptions_by_topic())
        .topic_arn(topic)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let listed = match listed {
        Err(e) if is_not_found(&e) => return Ok(None),
        listed => listed.doing(|| format!("listing the subscriptions of topic {topic}"))?,
    };
    Ok(Some(
        (listed.iter())
            .filter(|s| {
                s.protocol() == Some("lambda")
                    && s.endpoint() == Some(ctx.desired.alias_arn.as_str())
            })
            .filter_map(|s| s.subscription_arn().map(str::to_owned))
            .collect(),
    ))
}

/// Runs one subscription operation.
///
/// # Errors
///
/// When SNS refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (sns, d) = (&ctx.aws.sns, ctx.desired);
    match op {
        Op::Subscribe(topic) => {
            let subscribe = sns
                .subscribe()
                .topic_arn(topic)
                .protocol("lambda")
                .endpoint(&d.alias_arn)
                .send()
                .await;
            subscribe.doing(|| format!("subscribing {} to {topic}", d.alias_arn))?;
        }
        Op::Unsubscribe(arn) => {
            sns.unsubscribe()
                .subscription_arn(arn)
                .send()
                .await
                .doing(|| format!("unsubscribing {arn}"))?;
        }
    }
    Ok(())
}
