//! S3 notifications, merged into each bucket's existing configuration.
//!
//! A bucket has one notification configuration shared by every consumer. aegis reads it, keeps
//! every entry that is not its own (other functions, queues, topics, EventBridge), and
//! replaces only the Lambda entries whose id starts with the app's prefix. A bucket the code no
//! longer uses (found in the function's `aegis:buckets` tag) loses aegis's entries and keeps the
//! rest.

use std::collections::BTreeSet;

use anyhow::bail;
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
    NotificationConfigurationFilter, S3KeyFilter,
};

use aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;

use super::{Ctx, Seen};
use crate::desired::Notification;
use crate::error::{code, AwsContext as _};
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "s3 notification";

/// Write this whole configuration to the bucket.
#[derive(Debug, Clone)]
pub struct Op {
    bucket: String,
    configuration: NotificationConfiguration,
}

/// The steps for every bucket aegis uses now or used before.
///
/// # Errors
///
/// When a bucket the app needs does not exist, or S3 cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let buckets: BTreeSet<&String> = d.notifications.keys().chain(seen.buckets.iter()).collect();
    let mut steps = Vec::new();
    for bucket in buckets {
        let wanted = d
            .notifications
            .get(bucket)
            .map(Vec::as_slice)
            .unwrap_or_default();
        steps.push(plan_bucket(ctx, bucket, wanted).await?);
    }
    Ok(steps)
}

/// The steps removing aegis's entries from every bucket it wrote into, keeping the rest.
///
/// # Errors
///
/// When S3 cannot be read.
pub async fn destroy(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    let buckets: BTreeSet<&String> = ctx
        .desired
        .notifications
        .keys()
        .chain(seen.buckets.iter())
        .collect();
    let mut steps = Vec::new();
    for bucket in buckets {
        let step = plan_bucket(ctx, bucket, &[]).await?;
        if step.change.action != Action::Keep {
            steps.push(step);
        }
    }
    Ok(steps)
}

async fn plan_bucket(ctx: Ctx<'_>, bucket: &str, wanted: &[Notification]) -> anyhow::Result<Step> {
    let d = ctx.desired;
    let prefix = d.notification_prefix();
    let read = ctx
        .aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await;
    let current = match read {
        Ok(current) => current,
        Err(e) if is_empty_answer(&e) => {
            GetBucketNotificationConfigurationOutput::builder().build()
        }
        Err(e) if code(&e) == Some("NoSuchBucket") && wanted.is_empty() => {
            return Ok(Step::keep(KIND, bucket))
        }
        Err(e) if code(&e) == Some("NoSuchBucket") => bail!(
            "the bucket `{bucket}` does not exist: create it, or map the code's bucket to an \
             existing one under [names] (or [s3] bucket) in aegis.toml"
        ),
        Err(e) => return Err(e).doing(|| format!("reading the notifications of bucket {bucket}")),
    };

    let (ours, others): (Vec<_>, Vec<_>) =
        (current.lambda_function_configurations().iter().cloned())
            .partition(|c| c.id().is_some_and(|id| id.starts_with(&prefix)));
    let mut have: Vec<Notification> = ours.iter().map(from_sdk).collect();
    have.sort();
    let mut want: Vec<Notification> = wanted.to_vec();
    want.sort();
    let same_target = ours.iter().all(|c| c.lambda_function_arn() == d.alias_arn);
    if have == want && same_target {
        return Ok(Step::keep(KIND, bucket));
    }

    let mut lambdas = others.clone();
    for n in &want {
        lambdas.push(to_sdk(n, &d.alias_arn)?);
    }
    let configuration = NotificationConfiguration::builder()
        .set_topic_configurations(Some(current.topic_configurations().to_vec()))
        .set_queue_configurations(Some(current.queue_configurations().to_vec()))
        .set_lambda_function_configurations(Some(lambdas))
        .set_event_bridge_configuration(current.event_bridge_configuration().cloned())
        .build();

    let ids: Vec<&str> = want.iter().map(|n| n.id.as_str()).collect();
    let kept =
        others.len() + current.topic_configurations().len() + current.queue_configurations().len();
    let (action, detail) = match (have.is_empty(), want.is_empty()) {
        (true, _) => (
            Action::Create,
            format!("{ids:?}; keeps {kept} other entries"),
        ),
        (false, true) => (
            Action::Delete,
            format!("aegis's {} entries; keeps {kept} other entries", have.len()),
        ),
        (false, false) => (
            Action::Update,
            format!("{ids:?}; keeps {kept} other entries"),
        ),
    };
    let op = Op {
        bucket: bucket.to_owned(),
        configuration,
    };
    Ok(Step::new(action, KIND, bucket, detail, PlanOp::S3(op)))
}

/// Whether S3 answered 200 with a body the SDK could not read that holds no entry at all.
///
/// moto answers a bucket without notifications with `<GetBucketNotificationResponse/>`, which
/// the SDK rejects for its root element. Such a body holds no configuration, so reading it as
/// empty loses nothing; a body naming any kind of entry is still an error, so a configuration
/// is never overwritten for want of reading it.
fn is_empty_answer<E>(error: &SdkError<E, HttpResponse>) -> bool {
    let SdkError::ServiceError(service) = error else {
        return false;
    };
    let raw = service.raw();
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    raw.status().as_u16() == 200 && !body.contains("Configuration")
}

fn from_sdk(c: &LambdaFunctionConfiguration) -> Notification {
    let rules = (c.filter().and_then(|f| f.key()))
        .map(|k| k.filter_rules().to_vec())
        .unwrap_or_default();
    let rule = |name: FilterRuleName| {
        (rules.iter().find(|r| r.name() == Some(&name)))
            .and_then(|r| r.value().map(str::to_owned))
            .unwrap_or_default()
    };
    let mut events: Vec<String> = c.events().iter().map(|e| e.as_str().to_owned()).collect();
    events.sort();
    Notification {
        id: c.id().unwrap_or_default().to_owned(),
        events,
        prefix: rule(FilterRuleName::Prefix),
        suffix: rule(FilterRuleName::Suffix),
    }
}

fn to_sdk(n: &Notification, arn: &str) -> anyhow::Result<LambdaFunctionConfiguration> {
    let mut rules = Vec::new();
    for (name, value) in [
        (FilterRuleName::Prefix, &n.prefix),
        (FilterRuleName::Suffix, &n.suffix),
    ] {
        if !value.is_empty() {
            rules.push(FilterRule::builder().name(name).value(value).build());
        }
    }
    let filter = (!rules.is_empty()).then(|| {
        NotificationConfigurationFilter::builder()
            .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
            .build()
    });
    Ok(LambdaFunctionConfiguration::builder()
        .id(&n.id)
        .lambda_function_arn(arn)
        .set_events(Some(
            n.events.iter().map(|e| Event::from(e.as_str())).collect(),
        ))
        .set_filter(filter)
        .build()?)
}

/// Writes the merged configuration.
///
/// # Errors
///
/// When S3 refuses it, for instance because another entry's filter overlaps aegis's.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    (ctx.aws.s3.put_bucket_notification_configuration())
        .bucket(&op.bucket)
        .notification_configuration(op.configuration.clone())
        .send()
        .await
        .doing(|| format!("writing the notifications of bucket {}", op.bucket))?;
    Ok(())
}
