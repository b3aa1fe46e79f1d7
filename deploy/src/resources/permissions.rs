//! The statements of the function's resource policy (on the alias) that let each trigger
//! source invoke it, each scoped by the source's ARN.
//!
//! Only statements whose id starts with [`SID_PREFIX`] are aegis's; others are left alone.

use serde_json::Value;

use super::{Ctx, Seen};
use crate::desired::Permission;
use crate::error::{is_not_found, AwsContext as _};
use crate::permissions_for::{HTTP_API_ID, SID_PREFIX};
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "lambda permission";

/// A change to the resource policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Add the statement.
    Add(Permission),
    /// Remove the statement with this id, then add the new one.
    Replace(Permission),
    /// Remove the statement with this id.
    Remove(String),
}

/// A statement as read back from `GetPolicy`.
#[derive(Debug, PartialEq, Eq)]
struct Found {
    sid: String,
    source_arn: Option<String>,
    action: Option<String>,
}

/// The steps bringing aegis's statements to the desired ones; `api` is the id of the app's
/// HTTP API when it exists already, put into the source ARN naming it.
///
/// # Errors
///
/// When Lambda cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen, api: Option<&str>) -> anyhow::Result<Vec<Step>> {
    let found = if seen.alias {
        read(ctx).await?
    } else {
        Vec::new()
    };
    let mut steps = Vec::new();

    for wanted in &ctx.desired.permissions {
        let mut wanted = wanted.clone();
        if let (Some(arn), Some(api)) = (&wanted.source_arn, api) {
            wanted.source_arn = Some(arn.replace(HTTP_API_ID, api));
        }
        let wanted = &wanted;
        let detail = describe(wanted).replace(HTTP_API_ID, "<the new API's id>");
        let step = match found.iter().find(|f| f.sid == wanted.sid) {
            None => Step::new(
                Action::Create,
                KIND,
                &wanted.sid,
                detail,
                PlanOp::Permission(Op::Add(wanted.clone())),
            ),
            Some(f)
                if f.source_arn == wanted.source_arn
                    && f.action.as_deref() == Some(wanted.action.as_str()) =>
            {
                Step::keep(KIND, &wanted.sid)
            }
            Some(_) => Step::new(
                Action::Update,
                KIND,
                &wanted.sid,
                detail,
                PlanOp::Permission(Op::Replace(wanted.clone())),
            ),
        };
        steps.push(step);
    }
    for stale in found
        .iter()
        .filter(|f| !ctx.desired.permissions.iter().any(|p| p.sid == f.sid))
    {
        steps.push(Step::new(
            Action::Delete,
            KIND,
            &stale.sid,
            "no longer declared",
            PlanOp::Permission(Op::Remove(stale.sid.clone())),
        ));
    }
    Ok(steps)
}

/// What a statement allows, naming the one unscoped case.
fn describe(p: &Permission) -> String {
    match &p.source_arn {
        Some(arn) => format!("{} from {arn}", p.principal),
        None => "public Function URL: no source ARN exists to scope by; FunctionUrlAuthType=NONE"
            .to_owned(),
    }
}

/// aegis's statements on the alias.
async fn read(ctx: Ctx<'_>) -> anyhow::Result<Vec<Found>> {
    let d = ctx.desired;
    let policy = match ctx
        .aws
        .lambda
        .get_policy()
        .function_name(&d.function)
        .qualifier(&d.alias)
        .send()
        .await
    {
        Ok(out) => out.policy().unwrap_or_default().to_owned(),
        Err(e) if is_not_found(&e) => return Ok(Vec::new()),
        Err(e) => {
            return Err(e).doing(|| format!("reading the resource policy of {}", d.alias_arn))
        }
    };
    let policy: Value = serde_json::from_str(&policy).unwrap_or_default();
    let statements = policy
        .get("Statement")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(statements
        .iter()
        .filter_map(|s| {
            let sid = s.get("Sid")?.as_str()?;
            sid.starts_with(SID_PREFIX).then(|| Found {
                sid: sid.to_owned(),
                source_arn: (s.pointer("/Condition/ArnLike/AWS:SourceArn"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                action: s.get("Action").and_then(Value::as_str).map(str::to_owned),
            })
        })
        .collect())
}

/// Runs one permission operation.
///
/// # Errors
///
/// When Lambda refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    match op {
        Op::Add(p) => add(ctx, p).await,
        Op::Replace(p) => {
            remove(ctx, &p.sid).await?;
            add(ctx, p).await
        }
        Op::Remove(sid) => remove(ctx, sid).await,
    }
}

async fn add(ctx: Ctx<'_>, p: &Permission) -> anyhow::Result<()> {
    let d = ctx.desired;
    let source_arn = match &p.source_arn {
        Some(arn) => Some(super::http_api::resolve(ctx, arn).await?),
        None => None,
    };
    let mut add = (ctx.aws.lambda.add_permission())
        .function_name(&d.function)
        .qualifier(&d.alias)
        .statement_id(&p.sid)
        .action(&p.action)
        .principal(&p.principal)
        .set_source_arn(source_arn)
        .set_source_account(p.source_account.clone());
    if p.action == "lambda:InvokeFunctionUrl" {
        add = add.function_url_auth_type(aws_sdk_lambda::types::FunctionUrlAuthType::None);
    }
    add.send()
        .await
        .doing(|| format!("adding permission {}", p.sid))?;
    Ok(())
}

async fn remove(ctx: Ctx<'_>, sid: &str) -> anyhow::Result<()> {
    let d = ctx.desired;
    let result = (ctx.aws.lambda.remove_permission())
        .function_name(&d.function)
        .qualifier(&d.alias)
        .statement_id(sid)
        .send()
        .await;
    match result {
        Err(e) if !is_not_found(&e) => Err(e).doing(|| format!("removing permission {sid}")),
        _ => Ok(()),
    }
}
