//! `plan`, `deploy` and `destroy`: reading the actual state resource by resource, in the order
//! changes must be made, and applying the steps.
//!
//! The order matters on a first deploy: the role before the function (which names it), the
//! alias before anything that targets it, the permission for a source before the source (S3
//! checks it can invoke the function when the notification is written), except the HTTP API's
//! permission, which names the API's id and so comes after the API. Destroy runs the other
//! way: every trigger is removed first, so a destroy killed partway leaves nothing pointing at a
//! deleted function, and a second destroy finishes the job.

use crate::config::HttpKind;
use crate::plan::{Op, Plan, Step};
use crate::resources::{
    self, function, http_api, mappings, permissions, role, rules, s3, sns, url, Ctx,
};

/// The steps that would bring AWS to the desired state; only reads.
///
/// # Errors
///
/// When a resource of the app's name exists but is not the app's, when something the app needs
/// (a bucket, a queue, a topic) is missing, or when AWS cannot be read.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<Plan> {
    let mut steps = role::plan(ctx).await?;
    let (function_steps, seen) = function::plan(ctx).await?;
    steps.extend(function_steps);
    steps.extend(url::plan(ctx, &seen).await?);
    let (api_steps, api) = http_api::plan(ctx).await?;
    steps.extend(api_steps);
    steps.extend(permissions::plan(ctx, &seen, api.as_deref()).await?);
    steps.extend(s3::plan(ctx, &seen).await?);
    steps.extend(rules::plan(ctx).await?);
    steps.extend(mappings::plan(ctx, &seen).await?);
    steps.extend(sns::plan(ctx, &seen).await?);
    Ok(Plan { steps })
}

/// The steps removing everything aegis made for the app; only reads.
///
/// # Errors
///
/// When AWS cannot be read.
pub async fn plan_destroy(ctx: Ctx<'_>) -> anyhow::Result<Plan> {
    let (function_steps, seen) = function::destroy(ctx).await?;
    let mut steps = s3::destroy(ctx, &seen).await?;
    steps.extend(sns::destroy(ctx, &seen).await?);
    steps.extend(rules::destroy(ctx).await?);
    steps.extend(mappings::destroy(ctx, &seen).await?);
    steps.extend(http_api::destroy(ctx).await?);
    steps.extend(function_steps);
    steps.extend(role::destroy(ctx).await?);
    Ok(Plan { steps })
}

/// Where the app serves HTTP once deployed: its Function URL or its HTTP API's endpoint, when
/// it has either; only reads.
///
/// # Errors
///
/// When AWS cannot be read.
pub async fn endpoint(ctx: Ctx<'_>) -> anyhow::Result<Option<String>> {
    match ctx.desired.http.as_ref().map(|h| h.kind) {
        Some(HttpKind::HttpApi) => http_api::endpoint(ctx).await,
        Some(HttpKind::FunctionUrl) => url::endpoint(ctx).await,
        None => Ok(None),
    }
}

/// Runs every step that changes something, printing a progress line before each.
///
/// # Errors
///
/// The first step AWS refuses; the steps before it stay done, and running again picks up
/// from there.
pub async fn apply(ctx: Ctx<'_>, plan: &Plan) -> anyhow::Result<()> {
    for Step { change, op } in &plan.steps {
        if matches!(op, Op::Nothing) {
            continue;
        }
        crate::progress::line(&format!("==> {change}"));
        resources::apply(ctx, op).await?;
    }
    Ok(())
}
