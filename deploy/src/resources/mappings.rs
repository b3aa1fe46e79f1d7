//! SQS, Kinesis and DynamoDB event source mappings on the alias, each reporting batch item
//! failures, so a failed message is retried without its batch and a failed stream record
//! checkpoints the shard at itself.
//!
//! A stream mapping's starting position only applies when it is created: changing it in
//! `aegis.toml` leaves existing mappings where they are in their streams, as Lambda does not
//! allow moving one.

use aws_sdk_lambda::types::FunctionResponseType;
use aws_sdk_lambda::types::{EventSourceMappingConfiguration, EventSourcePosition};

use super::retry::{is_iam_propagation, until_ready};
use super::sources::{self, Source};
use super::{Ctx, Seen};
use crate::error::{describe, is_not_found, AwsContext as _};
use crate::names::last_part;
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "event source mapping";

/// A change to a mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Map this queue or stream to the alias.
    Create(Source),
    /// Set the batch size and response types of the mapping with this UUID.
    Update(String, i32),
    /// Delete the mapping with this UUID.
    Delete(String),
}

/// The steps for every declared queue and stream and every mapping no longer declared.
///
/// # Errors
///
/// When a queue to map does not exist, a DynamoDB table has no stream, or AWS cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let wanted = sources::wanted(ctx).await?;
    let found = if seen.alias {
        list(ctx).await?
    } else {
        Vec::new()
    };
    let mut steps = Vec::new();

    for source in &wanted {
        let name = format!("{} -> {}", shown(&source.arn), d.alias);
        let position = (source.starting_position).map_or(String::new(), |p| {
            format!(", from {} when created", p.as_str())
        });
        let detail = format!(
            "batch {}{position}, ReportBatchItemFailures",
            source.batch_size
        );
        let step = match found
            .iter()
            .find(|m| m.event_source_arn() == Some(source.arn.as_str()))
        {
            None => {
                if source.starting_position.is_none() {
                    sources::check_queue(ctx, &source.arn).await?;
                } else {
                    sources::check_stream(ctx, &source.arn).await?;
                }
                Step::new(
                    Action::Create,
                    KIND,
                    name,
                    detail,
                    PlanOp::Mapping(Op::Create(source.clone())),
                )
            }
            Some(m) if is_desired(m, source) => Step::keep(KIND, name),
            Some(m) => {
                let uuid = m.uuid().unwrap_or_default().to_owned();
                Step::new(
                    Action::Update,
                    KIND,
                    name,
                    detail,
                    PlanOp::Mapping(Op::Update(uuid, source.batch_size)),
                )
            }
        };
        steps.push(step);
    }
    for stale in found.iter().filter(|m| {
        !wanted
            .iter()
            .any(|s| m.event_source_arn() == Some(s.arn.as_str()))
    }) {
        let uuid = stale.uuid().unwrap_or_default().to_owned();
        let name = format!(
            "{} -> {}",
            shown(stale.event_source_arn().unwrap_or_default()),
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
            let name = shown(m.event_source_arn().unwrap_or_default());
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

/// A source as plans show it: the queue's name, `kinesis NAME` or `dynamodb TABLE`.
fn shown(arn: &str) -> String {
    let stream = (arn
        .split_once(":table/")
        .map(|(_, rest)| ("dynamodb", rest)))
    .or_else(|| {
        arn.split_once(":stream/")
            .map(|(_, rest)| ("kinesis", rest))
    });
    match stream {
        Some((service, rest)) => format!("{service} {}", rest.split('/').next().unwrap_or(rest)),
        None => last_part(arn).to_owned(),
    }
}

fn is_desired(m: &EventSourceMappingConfiguration, source: &Source) -> bool {
    m.batch_size() == Some(source.batch_size)
        && m.function_response_types()
            .contains(&FunctionResponseType::ReportBatchItemFailures)
}

async fn list(ctx: Ctx<'_>) -> anyhow::Result<Vec<EventSourceMappingConfiguration>> {
    let d = ctx.desired;
    let all: Vec<EventSourceMappingConfiguration> = (ctx.aws.lambda.list_event_source_mappings())
        .function_name(&d.alias_arn)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .doing(|| format!("listing the event source mappings of {}", d.alias_arn))?;
    // Listed by the alias's ARN; moto reports the alias resolved to its version, so only the
    // function is checked here.
    let prefix = format!("{}:", d.function_arn);
    Ok(all
        .into_iter()
        .filter(|m| m.function_arn().is_some_and(|arn| arn.starts_with(&prefix)))
        .collect())
}

/// Runs one mapping operation.
///
/// # Errors
///
/// When Lambda refuses it, after retrying while a new role's read permissions propagate.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (lambda, d) = (&ctx.aws.lambda, ctx.desired);
    match op {
        Op::Create(source) => {
            let position =
                (source.starting_position).map(|p| EventSourcePosition::from(p.as_str()));
            until_ready(
                || {
                    (lambda.create_event_source_mapping())
                        .event_source_arn(&source.arn)
                        .function_name(&d.alias_arn)
                        .batch_size(source.batch_size)
                        .set_starting_position(position.clone())
                        .function_response_types(FunctionResponseType::ReportBatchItemFailures)
                        .enabled(true)
                        .set_tags(Some(d.tags.clone().into_iter().collect()))
                        .send()
                },
                |e| is_iam_propagation(&describe(e)),
            )
            .await
            .doing(|| format!("mapping {} to {}", source.arn, d.alias_arn))?;
        }
        Op::Update(uuid, batch_size) => {
            (lambda.update_event_source_mapping())
                .uuid(uuid)
                .batch_size(*batch_size)
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
