//! SQS event source mappings on the alias, each reporting batch item failures so one bad
//! message is retried without its batch.

use aws_sdk_lambda::types::{EventSourceMappingConfiguration, FunctionResponseType};

use super::retry::{is_iam_propagation, until_ready};
use super::{Ctx, Seen};
use crate::error::{describe, is_not_found, AwsContext as _};
use crate::names::last_part;
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "event source mapping";

/// A change to a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Map this queue ARN to the alias.
    Create(String),
    /// Set the batch size and response types of the mapping with this UUID.
    Update(String),
    /// Delete the mapping with this UUID.
    Delete(String),
}

/// The steps for every declared queue and every mapping no longer declared.
///
/// # Errors
///
/// When a queue to map does not exist, or Lambda cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let found = if seen.alias {
        list(ctx).await?
    } else {
        Vec::new()
    };
    let mut steps = Vec::new();

    for queue in &d.queues {
        let name = format!("{} -> {}", last_part(queue), d.alias);
        let detail = format!("batch {}, ReportBatchItemFailures", d.batch_size);
        let step = match found
            .iter()
            .find(|m| m.event_source_arn() == Some(queue.as_str()))
        {
            None => {
                check_queue(ctx, queue).await?;
                Step::new(
                    Action::Create,
                    KIND,
                    name,
                    detail,
                    PlanOp::Mapping(Op::Create(queue.clone())),
                )
            }
            Some(m) if is_desired(ctx, m) => Step::keep(KIND, name),
            Some(m) => {
                let uuid = m.uuid().unwrap_or_default().to_owned();
                Step::new(
                    Action::Update,
                    KIND,
                    name,
                    detail,
                    PlanOp::Mapping(Op::Update(uuid)),
                )
            }
        };
        steps.push(step);
    }
    for stale in found.iter().filter(|m| {
        !d.queues
            .iter()
            .any(|q| m.event_source_arn() == Some(q.as_str()))
    }) {
        let uuid = stale.uuid().unwrap_or_default().to_owned();
        let name = format!(
            "{} -> {}",
            last_part(stale.event_source_arn().unwrap_or_default()),
            d.alias
        );
        steps.push(Step::new(
            Action::Delete,
            KIND,
            name,
            "no longer declared",
            PlanOp::Mapping(Op::Delete(uuid)),
        ));
    }
    Ok(steps)
}

/// The steps deleting every mapping on the alias.
///
/// # Errors
///
/// When Lambda cannot be read.
pub async fn destroy(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    if !seen.function {
        return Ok(Vec::new());
    }
    let found = list(ctx).await?;
    Ok(found
        .iter()
        .map(|m| {
            let uuid = m.uuid().unwrap_or_default().to_owned();
            let name = last_part(m.event_source_arn().unwrap_or_default()).to_owned();
            Step::new(
                Action::Delete,
                KIND,
                name,
                "",
                PlanOp::Mapping(Op::Delete(uuid)),
            )
        })
        .collect())
}

fn is_desired(ctx: Ctx<'_>, m: &EventSourceMappingConfiguration) -> bool {
    m.batch_size() == Some(ctx.desired.batch_size)
        && m.function_response_types()
            .contains(&FunctionResponseType::ReportBatchItemFailures)
}

async fn list(ctx: Ctx<'_>) -> anyhow::Result<Vec<EventSourceMappingConfiguration>> {
    let d = ctx.desired;
    let mut all = Vec::new();
    let mut marker = None;
    loop {
        let page = (ctx.aws.lambda.list_event_source_mappings())
            .function_name(&d.alias_arn)
            .set_marker(marker)
            .send()
            .await
            .doing(|| format!("listing the event source mappings of {}", d.alias_arn))?;
        // Listed by the alias's ARN; moto reports the alias resolved to its version, so only the
        // function is checked here.
        let ours = |m: &&EventSourceMappingConfiguration| {
            m.function_arn()
                .is_some_and(|arn| arn.starts_with(&format!("{}:", d.function_arn)))
        };
        all.extend(page.event_source_mappings().iter().filter(ours).cloned());
        marker = page.next_marker().map(str::to_owned);
        if marker.is_none() {
            return Ok(all);
        }
    }
}

/// Fails before any change when the queue is missing, which Lambda would only say later.
async fn check_queue(ctx: Ctx<'_>, arn: &str) -> anyhow::Result<()> {
    let parts: Vec<&str> = arn.split(':').collect();
    let (Some(account), Some(name)) = (parts.get(4), parts.get(5)) else {
        anyhow::bail!("`{arn}` is not an SQS queue ARN; fix it under [names] in aegis.toml");
    };
    let found = ctx
        .aws
        .sqs
        .get_queue_url()
        .queue_name(*name)
        .queue_owner_aws_account_id(*account)
        .send()
        .await;
    match found {
        Ok(_) => Ok(()),
        Err(e) if describe(&e).contains("NonExistentQueue") || is_not_found(&e) => anyhow::bail!(
            "the SQS queue `{name}` (account {account}) does not exist: create it, or map the \
             code's queue to an existing one under [names] in aegis.toml"
        ),
        Err(e) => Err(e).doing(|| format!("looking up queue {name}")),
    }
}

/// Runs one mapping operation.
///
/// # Errors
///
/// When Lambda refuses it, after retrying while a new role's SQS permissions propagate.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (lambda, d) = (&ctx.aws.lambda, ctx.desired);
    match op {
        Op::Create(queue) => {
            until_ready(
                || {
                    (lambda.create_event_source_mapping())
                        .event_source_arn(queue)
                        .function_name(&d.alias_arn)
                        .batch_size(d.batch_size)
                        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
                        .enabled(true)
                        .set_tags(Some(d.tags.clone().into_iter().collect()))
                        .send()
                },
                |e| is_iam_propagation(&describe(e)),
            )
            .await
            .doing(|| format!("mapping {queue} to {}", d.alias_arn))?;
        }
        Op::Update(uuid) => {
            (lambda.update_event_source_mapping())
                .uuid(uuid)
                .batch_size(d.batch_size)
                .function_response_types(FunctionResponseType::ReportBatchItemFailures)
                .enabled(true)
                .send()
                .await
                .doing(|| format!("updating event source mapping {uuid}"))?;
        }
        Op::Delete(uuid) => {
            if let Err(e) = lambda.delete_event_source_mapping().uuid(uuid).send().await {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting event source mapping {uuid}"));
                }
            }
        }
    }
    Ok(())
}
