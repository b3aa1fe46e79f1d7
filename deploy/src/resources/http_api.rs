//! The API Gateway HTTP API in front of the alias, when the app serves HTTP and
//! `[http] kind = "http-api"`.
//!
//! It is an HTTP API named after the function and tagged with the app, holding one `AWS_PROXY`
//! integration to the alias with payload format 2.0, the `$default` route to it, and the
//! `$default` stage with auto-deploy, so a change is live without a deployment step. Each part
//! is planned on its own, and brought back when it drifts. API Gateway allows several APIs of
//! one name, so an API without the app's tag is never touched. The API, with everything in it,
//! is deleted when the app stops serving HTTP, when `[http]` switches to a Function URL, and on
//! destroy.
//!
//! The API's id exists only once the API does, so the Lambda permission naming it is planned
//! with a placeholder on a first deploy, filled in by [`resolve`] when it is added.

use aws_sdk_apigatewayv2::types::{Api, Integration, IntegrationType, ProtocolType, Route, Stage};

use super::Ctx;
use crate::config::HttpKind;
use crate::desired::APP_TAG;
use crate::error::AwsContext as _;
use crate::permissions_for::HTTP_API_ID;
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "http api";
const INTEGRATION_KIND: &str = "http api integration";
const ROUTE_KIND: &str = "http api route";
const STAGE_KIND: &str = "http api stage";
/// The catch-all route's key, and the stage served at the API's root.
pub(super) const DEFAULT: &str = "$default";
/// The event shape aegis's HTTP service reads as `apigw_http`.
pub(super) const PAYLOAD: &str = "2.0";

/// A change to the API or one of its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create the API.
    CreateApi,
    /// Create the integration to the alias, or bring the one with this id back to it.
    Integration(Option<String>),
    /// Create the `$default` route, or point the one with this id at the integration.
    Route(Option<String>),
    /// Create the `$default` stage with auto-deploy (`false`), or turn auto-deploy back on.
    Stage(bool),
    /// Delete the API with this id, and everything in it.
    Delete(String),
}

/// Every item of a paged `Get…` call, built anew for each page by `$call`.
macro_rules! all_pages {
    ($call:expr, $doing:expr) => {{
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = $call.set_next_token(token).send().await.doing($doing)?;
            items.extend(page.items().iter().cloned());
            token = page.next_token().map(str::to_owned);
            if token.is_none() {
                break items;
            }
        }
    }};
}

/// The steps for the API and its parts, and the API's id when it exists.
///
/// # Errors
///
/// When API Gateway cannot be read.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<(Vec<Step>, Option<String>)> {
    let d = ctx.desired;
    let wanted = (d.http.as_ref()).is_some_and(|h| h.kind == HttpKind::HttpApi);
    let apis = ours(ctx).await?;
    let (kept, extra) = match apis.split_first() {
        Some((api, rest)) if wanted => (Some(api), rest),
        _ => (None, apis.as_slice()),
    };
    let why = match &d.http {
        _ if wanted => "a second HTTP API of the app",
        Some(_) => "[http] kind is \"function-url\"",
        None => "the app serves no HTTP",
    };
    let mut steps: Vec<Step> = extra.iter().map(|api| delete(api, why)).collect();
    if !wanted {
        return Ok((steps, None));
    }
    let gateway = &ctx.aws.apigateway;
    let (id, integrations, routes, stages) = match kept {
        None => {
            let detail = "HTTP protocol";
            let op = PlanOp::HttpApi(Op::CreateApi);
            steps.push(Step::new(Action::Create, KIND, &d.function, detail, op));
            (None, Vec::new(), Vec::new(), Vec::new())
        }
        Some(api) => {
            let id = api.api_id().unwrap_or_default();
            steps.push(Step::keep(KIND, format!("{} ({id})", d.function)));
            let doing = |what: &'static str| move || format!("reading the {what} of HTTP API {id}");
            let routes = all_pages!(gateway.get_routes().api_id(id), doing("routes"));
            let stages = all_pages!(gateway.get_stages().api_id(id), doing("stages"));
            (
                Some(id.to_owned()),
                integrations(ctx, id).await?,
                routes,
                stages,
            )
        }
    };
    steps.extend(parts(ctx, &integrations, &routes, &stages));
    Ok((steps, id))
}

/// The steps for the integration, route and stage, given those the API has.
fn parts(
    ctx: Ctx<'_>,
    integrations: &[Integration],
    routes: &[Route],
    stages: &[Stage],
) -> Vec<Step> {
    let d = ctx.desired;
    let route = routes.iter().find(|r| r.route_key() == Some(DEFAULT));
    let target = route
        .and_then(|r| r.target())
        .and_then(|t| t.strip_prefix("integrations/"));
    let routed = |i: &&Integration| target.is_some() && i.integration_id() == target;
    let integration = (integrations.iter().find(routed))
        .or_else(|| (integrations.iter()).find(|i| i.integration_uri() == Some(&d.alias_arn)));
    let step = |action, kind, name: &str, detail: String, op| {
        Step::new(action, kind, name, detail, PlanOp::HttpApi(op))
    };

    let detail = integration_detail(ctx);
    let mut steps = vec![match integration {
        None => step(
            Action::Create,
            INTEGRATION_KIND,
            &d.alias,
            detail,
            Op::Integration(None),
        ),
        Some(i) if is_desired(ctx, i) => Step::keep(INTEGRATION_KIND, &d.alias),
        Some(i) => {
            let id = i.integration_id().map(str::to_owned);
            step(
                Action::Update,
                INTEGRATION_KIND,
                &d.alias,
                detail,
                Op::Integration(id),
            )
        }
    }];
    let detail = "to the integration".to_owned();
    steps.push(match route {
        None => step(Action::Create, ROUTE_KIND, DEFAULT, detail, Op::Route(None)),
        Some(_) if integration.is_some_and(|i| routed(&i)) => Step::keep(ROUTE_KIND, DEFAULT),
        Some(r) => {
            let id = r.route_id().map(str::to_owned);
            step(Action::Update, ROUTE_KIND, DEFAULT, detail, Op::Route(id))
        }
    });
    let stage = stages.iter().find(|s| s.stage_name() == Some(DEFAULT));
    let detail = "auto-deploy".to_owned();
    steps.push(match stage {
        None => step(
            Action::Create,
            STAGE_KIND,
            DEFAULT,
            detail,
            Op::Stage(false),
        ),
        Some(s) if s.auto_deploy() == Some(true) => Step::keep(STAGE_KIND, DEFAULT),
        Some(_) => step(Action::Update, STAGE_KIND, DEFAULT, detail, Op::Stage(true)),
    });
    steps
}

/// Every integration of the API `api`.
pub(super) async fn integrations(ctx: Ctx<'_>, api: &str) -> anyhow::Result<Vec<Integration>> {
    let gateway = &ctx.aws.apigateway;
    Ok(all_pages!(
        gateway.get_integrations().api_id(api),
        || format!("reading the integrations of HTTP API {api}")
    ))
}

fn integration_detail(ctx: Ctx<'_>) -> String {
    format!("AWS_PROXY to {}, payload {PAYLOAD}", ctx.desired.alias_arn)
}

/// Whether `integration` proxies to the alias with payload format 2.0.
pub(super) fn is_desired(ctx: Ctx<'_>, integration: &Integration) -> bool {
    integration.integration_type() == Some(&IntegrationType::AwsProxy)
        && integration.integration_uri() == Some(ctx.desired.alias_arn.as_str())
        && integration.payload_format_version() == Some(PAYLOAD)
}

fn delete(api: &Api, why: &str) -> Step {
    let id = api.api_id().unwrap_or_default().to_owned();
    let name = format!("{} ({id})", api.name().unwrap_or_default());
    Step::new(
        Action::Delete,
        KIND,
        name,
        why,
        PlanOp::HttpApi(Op::Delete(id)),
    )
}

/// The steps deleting every HTTP API of the app.
///
/// # Errors
///
/// When API Gateway cannot be read.
pub async fn destroy(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let apis = ours(ctx).await?;
    Ok(apis.iter().map(|api| delete(api, "")).collect())
}

/// The HTTP APIs named after the function and tagged with the app.
async fn ours(ctx: Ctx<'_>) -> anyhow::Result<Vec<Api>> {
    let d = ctx.desired;
    let apis = all_pages!(ctx.aws.apigateway.get_apis(), || "listing the HTTP APIs"
        .to_owned());
    Ok(apis
        .into_iter()
        .filter(|a| {
            a.name() == Some(d.function.as_str())
                && a.protocol_type() == Some(&ProtocolType::Http)
                && a.tags().and_then(|t| t.get(APP_TAG)) == Some(&d.app)
        })
        .collect())
}

/// The id of the app's API, which an earlier step created.
pub(super) async fn required(ctx: Ctx<'_>) -> anyhow::Result<String> {
    let apis = ours(ctx).await?;
    let id = apis.first().and_then(|api| api.api_id());
    id.map(str::to_owned).ok_or_else(|| {
        anyhow::anyhow!(
            "the HTTP API {} is gone; run `aegis deploy` again to create it",
            ctx.desired.function
        )
    })
}

/// `arn` with [`HTTP_API_ID`] replaced by the id of the app's API.
///
/// # Errors
///
/// When the ARN needs the id and the API does not exist, or API Gateway cannot be read.
pub async fn resolve(ctx: Ctx<'_>, arn: &str) -> anyhow::Result<String> {
    if !arn.contains(HTTP_API_ID) {
        return Ok(arn.to_owned());
    }
    Ok(arn.replace(HTTP_API_ID, &required(ctx).await?))
}

/// The URL the app's HTTP API serves at, when it has one.
///
/// # Errors
///
/// When API Gateway cannot be read.
pub async fn endpoint(ctx: Ctx<'_>) -> anyhow::Result<Option<String>> {
    let apis = ours(ctx).await?;
    Ok(apis
        .first()
        .and_then(|api| api.api_endpoint())
        .map(str::to_owned))
}

/// Runs one operation on the API.
///
/// # Errors
///
/// When API Gateway refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    super::http_api_apply::apply(ctx, op).await
}
