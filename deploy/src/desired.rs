//! The desired state: every resource the app needs, derived from its manifest and
//! `aegis.toml`, with names and ARNs fixed before any AWS call.
//!
//! Building it checks the input: unmapped names, invalid schedule expressions, rule names AWS
//! would refuse. So bad input fails here, before anything is changed.

use std::collections::{BTreeMap, BTreeSet};

use aegis_core::{Manifest, ScheduleExpression};
use anyhow::bail;
use serde::Serialize;

use crate::config::{Architecture, Config, HttpConfig, StartingPosition};
use crate::names::{self, arn_of, Kind, Resolver, Target};
use crate::policy::{self, Policy};
use crate::streams::{Stream, StreamKind};

/// The tag every resource aegis creates carries, with the app's name as its value.
pub const APP_TAG: &str = "aegis:app";
/// The function tag listing the buckets aegis wrote notifications into, for later clean-up.
pub const BUCKETS_TAG: &str = "aegis:buckets";
/// The function tag listing the topics aegis subscribed the function to.
pub const TOPICS_TAG: &str = "aegis:topics";

/// Everything one deploy of the app should leave in place.
#[derive(Debug, Clone, Serialize)]
pub struct Desired {
    /// The app's name, from the manifest.
    pub app: String,
    /// The function's name.
    pub function: String,
    /// The function's unqualified ARN.
    pub function_arn: String,
    /// The alias triggers point at.
    pub alias: String,
    /// The alias's ARN, which every trigger targets.
    pub alias_arn: String,
    /// The execution role's name.
    pub role_name: String,
    /// The execution role's ARN.
    pub role_arn: String,
    /// Its inline policy.
    pub policy: Policy,
    /// Memory in MB.
    pub memory: i32,
    /// Timeout in seconds.
    pub timeout: i32,
    /// The instruction set.
    pub architecture: Architecture,
    /// Environment variables.
    pub environment: BTreeMap<String, String>,
    /// X-Ray active tracing.
    pub tracing: bool,
    /// Tags for everything aegis creates (the function's carry more, see [`Desired::function_tags`]).
    pub tags: BTreeMap<String, String>,
    /// S3 notification entries, by bucket name.
    pub notifications: BTreeMap<String, Vec<Notification>>,
    /// EventBridge schedule rules.
    pub rules: Vec<Rule>,
    /// The rule of the EventBridge routes, one per bus (so none or one), its pattern the `$or`
    /// of theirs.
    pub pattern_rules: Vec<crate::eventbridge::PatternRule>,
    /// SQS queues to map, by ARN.
    pub queues: Vec<String>,
    /// Records per SQS batch.
    pub batch_size: i32,
    /// SNS topics to subscribe to, by ARN.
    pub topics: Vec<String>,
    /// Kinesis streams and DynamoDB tables whose streams are mapped.
    pub streams: Vec<Stream>,
    /// Records per Kinesis or DynamoDB batch.
    pub stream_batch_size: i32,
    /// Where a new stream mapping starts reading.
    pub starting_position: StartingPosition,
    /// Lambda permissions on the alias.
    pub permissions: Vec<Permission>,
    /// How HTTP reaches the function, when the app serves it.
    pub http: Option<HttpConfig>,
}

/// One entry of a bucket's `LambdaFunctionConfigurations`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Notification {
    /// Its id: [`Desired::notification_prefix`] and the route's name.
    pub id: String,
    /// Event names in S3's notation.
    pub events: Vec<String>,
    /// The key prefix filter; empty for none.
    pub prefix: String,
    /// The key suffix filter; empty for none.
    pub suffix: String,
}

/// One schedule rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// `{app}-{task}`, which the runtime matches back to the task.
    pub name: String,
    /// The task in code.
    pub task: String,
    /// The validated `rate(...)` or `cron(...)` expression.
    pub expression: String,
    /// The rule's ARN.
    pub arn: String,
}

/// One statement of the function's resource policy, on the alias.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permission {
    /// The statement id, unique within the policy.
    pub sid: String,
    /// The service allowed to invoke.
    pub principal: String,
    /// `lambda:InvokeFunction`, or `lambda:InvokeFunctionUrl`.
    pub action: String,
    /// The one resource allowed to invoke; `None` only for a public Function URL.
    pub source_arn: Option<String>,
    /// The account owning the source, for S3, whose ARNs carry none.
    pub source_account: Option<String>,
}

impl Desired {
    /// Derives the desired state and checks it.
    ///
    /// # Errors
    ///
    /// When the code names buckets, queues, topics, streams, tables or functions `aegis.toml`
    /// does not map or maps to an ARN of the wrong kind, when
    /// an S3 route has no bucket, when a schedule expression is invalid or a rule name too long,
    /// or when an EventBridge route's pattern is one EventBridge would refuse.
    pub fn new(manifest: &Manifest, config: &Config, target: &Target) -> anyhow::Result<Self> {
        let app = manifest.app.clone();
        let function = config.function.name.clone();
        let function_arn = target.arn("lambda", &format!("function:{function}"));
        let alias = config.alias().to_owned();
        let alias_arn = format!("{function_arn}:{alias}");
        let role_name = config.role_name();
        let global = Target {
            region: String::new(),
            ..target.clone()
        };
        let role_arn = global.arn("iam", &format!("role/{role_name}"));

        let mut resolver = Resolver::new(&config.names);
        let notifications = notifications(manifest, config, &mut resolver)?;
        let queues: Vec<String> = (manifest.sqs.iter())
            .map(|q| arn_of(target, "sqs", &resolver.resolve(Kind::Queue, &q.queue)))
            .collect();
        let topics: Vec<String> = (manifest.sns.iter())
            .map(|t| arn_of(target, "sns", &resolver.resolve(Kind::Topic, t)))
            .collect();
        let callees: Vec<String> = (manifest.rpc.calls.iter())
            .map(|f| arn_of(target, "lambda", &resolver.resolve(Kind::Function, f)))
            .collect();
        let streams = crate::streams::derive(manifest, target, &mut resolver)?;
        resolver.finish()?;
        let rules = rules(manifest, target)?;
        let pattern_rules = crate::eventbridge::rules(manifest, config, target, &rules)?;

        let mut tags = config.overrides.tags.clone();
        tags.insert(APP_TAG.to_owned(), app.clone());
        let http = manifest.http.then(|| config.http.clone());
        let read = |kind| {
            (streams.iter().filter(|s| s.kind == kind))
                .map(Stream::policy_resource)
                .collect::<Vec<_>>()
        };
        let policy = policy::derive(&policy::Inputs {
            target,
            function: &function,
            queues: &queues,
            objects: &object_arns(&notifications, target),
            callees: &callees,
            kinesis: &read(StreamKind::Kinesis),
            dynamodb: &read(StreamKind::DynamoDb),
            tracing: config.function.tracing,
        });

        let mut desired = Self {
            app,
            function,
            function_arn,
            alias,
            alias_arn,
            role_name,
            role_arn,
            policy,
            memory: config.function.memory,
            timeout: config.function.timeout,
            architecture: config.function.architecture,
            environment: environment_with_names(config),
            tracing: config.function.tracing,
            tags,
            notifications,
            rules,
            pattern_rules,
            queues,
            batch_size: config.overrides.sqs_batch_size.unwrap_or(10),
            topics,
            streams,
            stream_batch_size: config.overrides.stream_batch_size.unwrap_or(100),
            starting_position: config.overrides.stream_starting_position,
            permissions: Vec::new(),
            http,
        };
        desired.permissions = crate::permissions_for::derive(&desired, target);
        Ok(desired)
    }

    /// The id prefix marking a bucket's notification entries as this app's.
    #[must_use]
    pub fn notification_prefix(&self) -> String {
        format!("aegis-{}-", names::sanitize(&self.app, 80))
    }

    /// The function's tags: [`Desired::tags`] plus where aegis wrote outside the function.
    #[must_use]
    pub fn function_tags(&self) -> BTreeMap<String, String> {
        let mut tags = self.tags.clone();
        let buckets: Vec<&str> = self.notifications.keys().map(String::as_str).collect();
        if !buckets.is_empty() {
            tags.insert(BUCKETS_TAG.to_owned(), buckets.join(" "));
        }
        if !self.topics.is_empty() {
            tags.insert(TOPICS_TAG.to_owned(), self.topics.join(" "));
        }
        tags
    }
}

fn notifications(
    manifest: &Manifest,
    config: &Config,
    resolver: &mut Resolver<'_>,
) -> anyhow::Result<BTreeMap<String, Vec<Notification>>> {
    let prefix = format!("aegis-{}-", names::sanitize(&manifest.app, 80));
    let mut by_bucket: BTreeMap<String, Vec<Notification>> = BTreeMap::new();
    let mut ids = BTreeSet::new();

    for route in &manifest.s3 {
        let bucket = match (&route.bucket, &config.s3.bucket) {
            (Some(logical), _) => resolver.resolve(Kind::Bucket, logical),
            (None, Some(bucket)) => bucket.clone(),
            (None, None) => bail!(
                "the S3 route `{}` names no bucket in code and aegis.toml sets none: add \
                 `bucket = \"<bucket name>\"` under [s3]",
                route.route
            ),
        };
        let id = unique(
            &mut ids,
            format!("{prefix}{}", names::sanitize(&route.route, 200)),
            255,
        );
        by_bucket
            .entry(names::bucket_name(&bucket).to_owned())
            .or_default()
            .push(Notification {
                id,
                events: sorted(route.events.clone()),
                prefix: route.prefix.clone(),
                suffix: route.suffix.clone(),
            });
    }
    Ok(by_bucket)
}

fn rules(manifest: &Manifest, target: &Target) -> anyhow::Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for schedule in &manifest.schedules {
        let expression: ScheduleExpression = schedule.expression.parse().map_err(|e| {
            anyhow::anyhow!("the schedule of task `{}` is invalid: {e}", schedule.task)
        })?;
        let name = format!("{}-{}", manifest.app, schedule.task);
        let valid = name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if name.len() > 64 || !valid {
            bail!(
                "the rule name `{name}` for task `{}` must be at most 64 characters of \
                 [A-Za-z0-9._-]: shorten the app's or the task's name",
                schedule.task
            );
        }
        let arn = target.arn("events", &format!("rule/{name}"));
        rules.push(Rule {
            name,
            task: schedule.task.clone(),
            expression: expression.to_string(),
            arn,
        });
    }
    Ok(rules)
}

/// The objects the S3 routes read: `bucket/prefix*` for each route.
fn object_arns(
    notifications: &BTreeMap<String, Vec<Notification>>,
    target: &Target,
) -> Vec<String> {
    let mut arns: BTreeSet<String> = BTreeSet::new();
    for (bucket, entries) in notifications {
        for entry in entries {
            arns.insert(format!(
                "arn:{}:s3:::{bucket}/{}*",
                target.partition, entry.prefix
            ));
        }
    }
    arns.into_iter().collect()
}

/// `wanted`, or `wanted-2`, `wanted-3`… when taken, cut to `max` characters.
pub(crate) fn unique(taken: &mut BTreeSet<String>, wanted: String, max: usize) -> String {
    let base: String = wanted.chars().take(max.saturating_sub(4)).collect();
    let mut candidate = wanted.chars().take(max).collect::<String>();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

fn sorted(mut events: Vec<String>) -> Vec<String> {
    events.sort();
    events
}

/// The function's environment: the configured variables, plus `AEGIS_NAMES` with the
/// logical-to-physical name map when the config has one, which the routers resolve the names
/// in code through.
fn environment_with_names(config: &crate::config::Config) -> BTreeMap<String, String> {
    let mut environment = config.environment.clone();
    let renamed: BTreeMap<&String, &String> = config
        .names
        .iter()
        .filter(|(logical, physical)| logical != physical)
        .collect();
    if !renamed.is_empty() {
        let json = serde_json::to_string(&renamed).unwrap_or_default();
        environment.insert("AEGIS_NAMES".to_owned(), json);
    }
    environment
}
