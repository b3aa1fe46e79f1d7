//! What the event source mappings read: the declared SQS queues, Kinesis streams and DynamoDB
//! table streams, each with its batch size and, for streams, where a new mapping starts.
//!
//! A DynamoDB table's stream ARN is looked up here, when planning, so a table without a stream
//! fails before anything is changed.

use aws_sdk_dynamodbstreams::types::StreamStatus;

use super::Ctx;
use crate::config::StartingPosition;
use crate::error::{describe, is_not_found, AwsContext as _};
use crate::streams::Stream;

/// One queue or stream to map to the alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The queue's or stream's ARN.
    pub arn: String,
    /// Records per batch.
    pub batch_size: i32,
    /// Where a new mapping starts reading; `None` for a queue.
    pub starting_position: Option<StartingPosition>,
}

/// Every queue and stream the app declares.
///
/// # Errors
///
/// When a DynamoDB table has no enabled stream (every such table is named at once), or AWS
/// cannot be read.
pub async fn wanted(ctx: Ctx<'_>) -> anyhow::Result<Vec<Source>> {
    let d = ctx.desired;
    let mut sources: Vec<Source> = (d.queues.iter())
        .map(|queue| Source {
            arn: queue.clone(),
            batch_size: d.batch_size,
            starting_position: None,
        })
        .collect();
    let mut streamless = Vec::new();
    for stream in &d.streams {
        let arn = match stream.known_arn() {
            Some(arn) => Some(arn.to_owned()),
            None => latest_stream(ctx, stream).await?,
        };
        let Some(arn) = arn else {
            streamless.push(stream.name.as_str());
            continue;
        };
        sources.push(Source {
            arn,
            batch_size: d.stream_batch_size,
            starting_position: Some(d.starting_position),
        });
    }
    if let Some(first) = streamless.first() {
        anyhow::bail!(
            "the DynamoDB table{} `{}` {} no enabled stream (or does not exist in {}), so there is \
             nothing for Lambda to read: turn one on with new and old images, e.g. `aws dynamodb \
             update-table --table-name {first} --stream-specification \
             StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES`, or map the table to a \
             stream ARN under [names] in aegis.toml",
            if streamless.len() > 1 { "s" } else { "" },
            streamless.join("`, `"),
            if streamless.len() > 1 { "have" } else { "has" },
            ctx.aws.region,
        );
    }
    Ok(sources)
}

/// The ARN of the table's newest stream, when that stream is on.
async fn latest_stream(ctx: Ctx<'_>, table: &Stream) -> anyhow::Result<Option<String>> {
    let aws = ctx.aws;
    let here = format!(
        "arn:{}:dynamodb:{}:{}:table/",
        aws.partition, aws.region, aws.account
    );
    if !table.arn.starts_with(&here) {
        anyhow::bail!(
            "the DynamoDB table `{}` is in another account or region, where aegis cannot look \
             up its stream: map it to the stream's ARN under [names] in aegis.toml",
            table.arn
        );
    }
    let client = &aws.dynamodb_streams;
    let mut newest: Option<(String, String)> = None;
    let mut start = None;
    loop {
        let page = (client.list_streams().table_name(&table.name))
            .set_exclusive_start_stream_arn(start)
            .send()
            .await;
        let page = match page {
            Err(e) if is_not_found(&e) => return Ok(None),
            page => page.doing(|| format!("listing the streams of table {}", table.name))?,
        };
        for stream in page.streams() {
            let (Some(arn), Some(label)) = (stream.stream_arn(), stream.stream_label()) else {
                continue;
            };
            // Labels are ISO 8601 times, so they sort as text.
            if newest
                .as_ref()
                .is_none_or(|(newest, _)| label > newest.as_str())
            {
                newest = Some((label.to_owned(), arn.to_owned()));
            }
        }
        start = page.last_evaluated_stream_arn().map(str::to_owned);
        if start.is_none() {
            break;
        }
    }
    let Some((_, arn)) = newest else {
        return Ok(None);
    };
    // A stream that was turned off stays listed for a day.
    let described = (client.describe_stream().stream_arn(&arn).limit(1))
        .send()
        .await
        .doing(|| format!("reading stream {arn}"))?;
    let status = described
        .stream_description()
        .and_then(|s| s.stream_status());
    let on = matches!(status, Some(StreamStatus::Enabled | StreamStatus::Enabling));
    Ok(on.then_some(arn))
}

/// Fails before any change when a Kinesis stream of this account and region is missing, which
/// Lambda would only say once earlier steps had run. A stream elsewhere is left to Lambda.
///
/// # Errors
///
/// When the stream does not exist, or Kinesis cannot be read.
pub async fn check_stream(ctx: Ctx<'_>, arn: &str) -> anyhow::Result<()> {
    let aws = ctx.aws;
    let here = format!(
        "arn:{}:kinesis:{}:{}:stream/",
        aws.partition, aws.region, aws.account
    );
    let Some(name) = arn.strip_prefix(&here) else {
        return Ok(());
    };
    let found = aws
        .kinesis
        .describe_stream_summary()
        .stream_arn(arn)
        .send()
        .await;
    match found {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) || describe(&e).contains("ResourceNotFound") => anyhow::bail!(
            "the Kinesis stream `{name}` does not exist in {}: create it, or map the code's \
             stream to an existing one under [names] in aegis.toml",
            aws.region
        ),
        Err(e) => Err(e).doing(|| format!("looking up stream {name}")),
    }
}

/// Fails before any change when the queue is missing, which Lambda would only say later.
///
/// # Errors
///
/// When the queue does not exist, or SQS cannot be read.
pub async fn check_queue(ctx: Ctx<'_>, arn: &str) -> anyhow::Result<()> {
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
