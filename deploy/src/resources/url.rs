//! The Function URL on the alias, when the app serves HTTP and `[http] kind = "function-url"`.

use aws_sdk_lambda::types::FunctionUrlAuthType;

use super::{Ctx, Seen};
use crate::config::{HttpKind, UrlAuth};
use crate::error::{is_not_found, AwsContext as _};
use crate::plan::{Action, Op as PlanOp, Step};

const KIND: &str = "function url";

/// A change to the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create it.
    Create,
    /// Change its auth type.
    Update,
    /// Delete it.
    Delete,
}

/// The step for the URL, if the app has or had one.
///
/// # Errors
///
/// When Lambda cannot be read.
pub async fn plan(ctx: Ctx<'_>, seen: &Seen) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let wanted = d
        .http
        .as_ref()
        .filter(|h| h.kind == HttpKind::FunctionUrl)
        .map(|h| auth(h.auth));
    let current = if seen.alias {
        current(ctx).await?
    } else {
        None
    };
    let name = d.alias.clone();
    Ok(match (current, wanted) {
        (None, None) => Vec::new(),
        (None, Some(auth)) => vec![Step::new(
            Action::Create,
            KIND,
            name,
            auth.as_str(),
            PlanOp::Url(Op::Create),
        )],
        (Some(_), None) => vec![Step::new(
            Action::Delete,
            KIND,
            name,
            if d.http.is_some() {
                "[http] kind is \"http-api\""
            } else {
                "the app serves no HTTP"
            },
            PlanOp::Url(Op::Delete),
        )],
        (Some(have), Some(want)) if have == want => vec![Step::keep(KIND, name)],
        (Some(_), Some(auth)) => vec![Step::new(
            Action::Update,
            KIND,
            name,
            auth.as_str(),
            PlanOp::Url(Op::Update),
        )],
    })
}

/// The Function URL of the alias, when it has one.
///
/// # Errors
///
/// When Lambda cannot be read.
pub async fn endpoint(ctx: Ctx<'_>) -> anyhow::Result<Option<String>> {
    Ok(read(ctx).await?.map(|(_, url)| url))
}

async fn current(ctx: Ctx<'_>) -> anyhow::Result<Option<FunctionUrlAuthType>> {
    Ok(read(ctx).await?.map(|(auth, _)| auth))
}

async fn read(ctx: Ctx<'_>) -> anyhow::Result<Option<(FunctionUrlAuthType, String)>> {
    let d = ctx.desired;
    match ctx
        .aws
        .lambda
        .get_function_url_config()
        .function_name(&d.function)
        .qualifier(&d.alias)
        .send()
        .await
    {
        Ok(out) => Ok(Some((
            out.auth_type().clone(),
            out.function_url().to_owned(),
        ))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e).doing(|| format!("reading the URL of {}", d.alias_arn)),
    }
}

fn auth(auth: UrlAuth) -> FunctionUrlAuthType {
    match auth {
        UrlAuth::None => FunctionUrlAuthType::None,
        UrlAuth::AwsIam => FunctionUrlAuthType::AwsIam,
    }
}

/// Runs one URL operation.
///
/// # Errors
///
/// When Lambda refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (lambda, d) = (&ctx.aws.lambda, ctx.desired);
    let wanted = auth(d.http.as_ref().map(|h| h.auth).unwrap_or_default());
    match op {
        Op::Create => {
            let create = lambda
                .create_function_url_config()
                .function_name(&d.function)
                .qualifier(&d.alias)
                .auth_type(wanted);
            create
                .send()
                .await
                .doing(|| format!("creating the URL of {}", d.alias_arn))?;
        }
        Op::Update => {
            let update = lambda
                .update_function_url_config()
                .function_name(&d.function)
                .qualifier(&d.alias)
                .auth_type(wanted);
            update
                .send()
                .await
                .doing(|| format!("updating the URL of {}", d.alias_arn))?;
        }
        Op::Delete => {
            let delete = lambda
                .delete_function_url_config()
                .function_name(&d.function)
                .qualifier(&d.alias);
            delete
                .send()
                .await
                .doing(|| format!("deleting the URL of {}", d.alias_arn))?;
        }
    }
    Ok(())
}
