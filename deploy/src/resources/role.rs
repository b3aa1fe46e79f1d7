//! The execution role: created with Lambda's trust policy and the app's tag, and its one inline
//! policy kept equal to the one derived from the manifest.

use anyhow::bail;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::Ctx;
use crate::desired::APP_TAG;
use crate::error::{is_not_found, AwsContext as _};
use crate::plan::{Action, Op as PlanOp, Step};
use crate::policy::{trust_document, POLICY_NAME};

const KIND: &str = "iam role";
const POLICY_KIND: &str = "iam role policy";

/// A change to the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Create the role.
    Create,
    /// Write the inline policy.
    PutPolicy,
    /// Delete the inline policy.
    DeletePolicy,
    /// Delete the role.
    Delete,
}

/// The steps bringing the role and its policy to the desired state.
///
/// # Errors
///
/// When a role of that name exists without this app's tag: aegis does not take over roles.
pub async fn plan(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    let Some(tagged) = tagged_app(ctx).await? else {
        return Ok(vec![
            Step::new(
                Action::Create,
                KIND,
                &d.role_name,
                "trusts lambda.amazonaws.com",
                PlanOp::Role(Op::Create),
            ),
            Step::new(
                Action::Create,
                POLICY_KIND,
                POLICY_NAME,
                policy_detail(ctx),
                PlanOp::Role(Op::PutPolicy),
            ),
        ]);
    };
    if tagged.as_deref() != Some(d.app.as_str()) {
        bail!(
            "the IAM role `{}` exists but is not tagged {APP_TAG}={}: aegis will not take it \
             over; set `role_name` under [overrides] to another name",
            d.role_name,
            d.app
        );
    }

    let current = ctx
        .aws
        .iam
        .get_role_policy()
        .role_name(&d.role_name)
        .policy_name(POLICY_NAME)
        .send()
        .await;
    let policy = match current {
        Ok(out) => {
            let text = percent_decode_str(out.policy_document())
                .decode_utf8_lossy()
                .into_owned();
            let same = serde_json::from_str::<Value>(&text).ok() == Some(d.policy.document());
            if same {
                Step::keep(POLICY_KIND, POLICY_NAME)
            } else {
                Step::new(
                    Action::Update,
                    POLICY_KIND,
                    POLICY_NAME,
                    policy_detail(ctx),
                    PlanOp::Role(Op::PutPolicy),
                )
            }
        }
        Err(e) if is_not_found(&e) => Step::new(
            Action::Create,
            POLICY_KIND,
            POLICY_NAME,
            policy_detail(ctx),
            PlanOp::Role(Op::PutPolicy),
        ),
        Err(e) => return Err(e).doing(|| format!("reading the policy of role {}", d.role_name)),
    };
    Ok(vec![Step::keep(KIND, &d.role_name), policy])
}

/// The steps deleting the role, when it exists and carries this app's tag.
///
/// # Errors
///
/// When IAM cannot be read.
pub async fn destroy(ctx: Ctx<'_>) -> anyhow::Result<Vec<Step>> {
    let d = ctx.desired;
    match tagged_app(ctx).await? {
        Some(Some(app)) if app == d.app => Ok(vec![
            Step::new(
                Action::Delete,
                POLICY_KIND,
                POLICY_NAME,
                "",
                PlanOp::Role(Op::DeletePolicy),
            ),
            Step::new(
                Action::Delete,
                KIND,
                &d.role_name,
                "",
                PlanOp::Role(Op::Delete),
            ),
        ]),
        _ => Ok(Vec::new()),
    }
}

/// `None` when the role does not exist, else its `aegis:app` tag.
async fn tagged_app(ctx: Ctx<'_>) -> anyhow::Result<Option<Option<String>>> {
    let d = ctx.desired;
    match ctx.aws.iam.get_role().role_name(&d.role_name).send().await {
        Ok(out) => {
            let role = out.role();
            let tag = role
                .and_then(|r| r.tags().iter().find(|t| t.key() == APP_TAG))
                .map(|t| t.value().to_owned());
            Ok(Some(tag))
        }
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(e).doing(|| format!("reading role {}", d.role_name)),
    }
}

fn policy_detail(ctx: Ctx<'_>) -> String {
    let policy = &ctx.desired.policy;
    let sids: Vec<&str> = policy.statements.iter().map(|s| s.sid).collect();
    let mut detail = sids.join(", ");
    for unscoped in policy.unscoped() {
        detail.push_str(&format!("; Resource \"*\" for {unscoped}"));
    }
    detail
}

/// Runs one role operation.
///
/// # Errors
///
/// When IAM refuses it.
pub async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (iam, d) = (&ctx.aws.iam, ctx.desired);
    match op {
        Op::Create => {
            let mut create = iam
                .create_role()
                .role_name(&d.role_name)
                .assume_role_policy_document(trust_document().to_string())
                .description(format!("Execution role of the aegis app {}", d.app));
            for (key, value) in &d.tags {
                create = create.tags(
                    aws_sdk_iam::types::Tag::builder()
                        .key(key)
                        .value(value)
                        .build()?,
                );
            }
            create
                .send()
                .await
                .doing(|| format!("creating role {}", d.role_name))?;
        }
        Op::PutPolicy => {
            iam.put_role_policy()
                .role_name(&d.role_name)
                .policy_name(POLICY_NAME)
                .policy_document(d.policy.document().to_string())
                .send()
                .await
                .doing(|| format!("writing the policy of role {}", d.role_name))?;
        }
        Op::DeletePolicy => {
            let result = iam
                .delete_role_policy()
                .role_name(&d.role_name)
                .policy_name(POLICY_NAME)
                .send()
                .await;
            if let Err(e) = result {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting the policy of role {}", d.role_name));
                }
            }
        }
        Op::Delete => {
            iam.delete_role()
                .role_name(&d.role_name)
                .send()
                .await
                .doing(|| format!("deleting role {}", d.role_name))?;
        }
    }
    Ok(())
}
