//! The function, its published versions and the alias every trigger targets.
//!
//! `$LATEST` is brought to the desired code and configuration; then, if the alias does not
//! already point at a version equal to it, a version is published and the alias moved to it in
//! one `UpdateAlias` call, so traffic switches at once. A deploy killed between the two is
//! finished by the next one, which finds `$LATEST` right and the alias behind.

use std::collections::BTreeMap;

use anyhow::bail;

use super::function_state::{tag_diff, Observed};
use super::{Ctx, Seen};
use crate::desired::{APP_TAG, BUCKETS_TAG, TOPICS_TAG};
use crate::error::{is_not_found, AwsContext as _};
use crate::plan::{Action, Op as PlanOp, Step};

pub(crate) const KIND: &str = "lambda function";
pub(crate) const ALIAS_KIND: &str = "lambda alias";

/// A change to the function or its alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create the function.
    Create,
    /// Upload new code.
    UpdateCode,
    /// Change memory, timeout, environment, role or tracing.
    UpdateConfig,
    /// Set these tags and remove those.
    Tag(BTreeMap<String, String>, Vec<String>),
    /// Publish `$LATEST` and point the alias at it; `true` when the alias exists.
    Release(bool),
    /// Delete the function with its versions, aliases and URL.
    Delete,
}

/// The steps for the function and alias, and what the function's tags say aegis made before.
///
/// # Errors
///
/// When a function of that name exists without this app's tag, or Lambda cannot be read.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<(Vec<Step>, Seen)> {
    let d = ctx.desired;
    let lambda = &ctx.aws.lambda;

    let current = match lambda
        .get_function()
        .function_name(&d.function)
        .send()
        .await
    {
        Ok(out) => out,
        Err(e) if is_not_found(&e) => {
            let steps = vec![
                Step::new(
                    Action::Create,
                    KIND,
                    &d.function,
                    create_detail(d),
                    PlanOp::Function(Op::Create),
                ),
                Step::new(
                    Action::Create,
                    ALIAS_KIND,
                    &d.alias,
                    "on the first published version",
                    PlanOp::Function(Op::Release(false)),
                ),
            ];
            return Ok((steps, Seen::default()));
        }
        Err(e) => return Err(e).doing(|| format!("reading function {}", d.function)),
    };

    let tags = current.tags().cloned().unwrap_or_default();
    if tags.get(APP_TAG) != Some(&d.app) {
        bail!(
            "the Lambda function `{}` exists but is not tagged {APP_TAG}={}: aegis will not take \
             it over; change `name` under [function]",
            d.function,
            d.app
        );
    }
    let seen = Seen {
        function: true,
        alias: false,
        buckets: split_tag(&tags, BUCKETS_TAG),
        topics: split_tag(&tags, TOPICS_TAG),
    };

    let mut steps = Vec::new();
    let latest = current
        .configuration()
        .map(Observed::from)
        .unwrap_or_default();
    let code_changed = latest.code_differs(ctx);
    let config_diff = latest.config_diff(ctx);
    if code_changed {
        steps.push(Step::new(
            Action::Update,
            KIND,
            &d.function,
            "code",
            PlanOp::Function(Op::UpdateCode),
        ));
    }
    if !config_diff.is_empty() {
        let detail = config_diff.join(", ");
        steps.push(Step::new(
            Action::Update,
            KIND,
            &d.function,
            detail,
            PlanOp::Function(Op::UpdateConfig),
        ));
    }
    let (set, remove) = tag_diff(&tags, &d.function_tags());
    if !set.is_empty() || !remove.is_empty() {
        let keys: Vec<&String> = set.keys().chain(remove.iter()).collect();
        let detail = format!("tags {keys:?}");
        steps.push(Step::new(
            Action::Update,
            KIND,
            &d.function,
            detail,
            PlanOp::Function(Op::Tag(set, remove)),
        ));
    }
    if steps.is_empty() {
        steps.push(Step::keep(KIND, &d.function));
    }

    let alias = match lambda
        .get_alias()
        .function_name(&d.function)
        .name(&d.alias)
        .send()
        .await
    {
        Ok(alias) => Some(alias.function_version().unwrap_or_default().to_owned()),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(e).doing(|| format!("reading alias {}", d.alias)),
    };
    let release = match alias {
        None => Step::new(
            Action::Create,
            ALIAS_KIND,
            &d.alias,
            "on a new version",
            PlanOp::Function(Op::Release(false)),
        ),
        Some(version) => {
            let behind = code_changed || !config_diff.is_empty() || {
                let published = lambda
                    .get_function_configuration()
                    .function_name(&d.function)
                    .qualifier(&version)
                    .send()
                    .await;
                let published =
                    Observed::from(&published.doing(|| format!("reading version {version}"))?);
                published.code_differs(ctx) || !published.config_diff(ctx).is_empty()
            };
            if behind {
                let detail = format!("from version {version} to a new one");
                Step::new(
                    Action::Update,
                    ALIAS_KIND,
                    &d.alias,
                    detail,
                    PlanOp::Function(Op::Release(true)),
                )
            } else {
                Step::keep(ALIAS_KIND, format!("{} -> version {version}", d.alias))
            }
        }
    };
    steps.push(release);
    let alias = alias_exists(&steps);
    Ok((steps, Seen { alias, ..seen }))
}

fn alias_exists(steps: &[Step]) -> bool {
    steps
        .iter()
        .any(|s| s.change.kind == ALIAS_KIND && s.change.action != Action::Create)
}

fn create_detail(d: &crate::desired::Desired) -> String {
    format!(
        "provided.al2023, {}, {} MB, {} s",
        d.architecture.as_str(),
        d.memory,
        d.timeout
    )
}

fn split_tag(tags: &std::collections::HashMap<String, String>, key: &str) -> Vec<String> {
    tags.get(key)
        .map(|v| v.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Runs one function operation.
///
/// # Errors
///
/// When Lambda refuses it, or the function does not become ready in time.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    super::function_apply::apply(ctx, op).await
}

/// The steps deleting the function, when it carries this app's tag.
///
/// # Errors
///
/// When Lambda cannot be read.
pub async fn destroy(ctx: Ctx<'_>) -> anyhow::Result<(Vec<Step>, Seen)> {
    let d = ctx.desired;
    match ctx
        .aws
        .lambda
        .get_function()
        .function_name(&d.function)
        .send()
        .await
    {
        Ok(out) => {
            let tags = out.tags().cloned().unwrap_or_default();
            if tags.get(APP_TAG) != Some(&d.app) {
                return Ok((Vec::new(), Seen::default()));
            }
            let seen = Seen {
                function: true,
                alias: true,
                buckets: split_tag(&tags, BUCKETS_TAG),
                topics: split_tag(&tags, TOPICS_TAG),
            };
            let detail = "with its versions, aliases and URL";
            Ok((
                vec![Step::new(
                    Action::Delete,
                    KIND,
                    &d.function,
                    detail,
                    PlanOp::Function(Op::Delete),
                )],
                seen,
            ))
        }
        Err(e) if is_not_found(&e) => Ok((Vec::new(), Seen::default())),
        Err(e) => Err(e).doing(|| format!("reading function {}", d.function)),
    }
}
