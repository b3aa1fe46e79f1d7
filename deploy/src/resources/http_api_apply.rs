//! Running the operations [`super::http_api`] plans.

use aws_sdk_apigatewayv2::types::{Integration, IntegrationType, ProtocolType};

use super::http_api::{integrations, is_desired, required, Op, DEFAULT, PAYLOAD};
use super::Ctx;
use crate::error::{is_not_found, AwsContext as _};

/// Runs one operation on the API, finding the API again for each part: its id is new on a
/// first deploy.
///
/// # Errors
///
/// When API Gateway refuses it.
pub(super) async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (gateway, d) = (&ctx.aws.apigateway, ctx.desired);
    let tags = || Some(d.tags.clone().into_iter().collect());
    match op {
        Op::CreateApi => {
            (gateway.create_api())
                .name(&d.function)
                .protocol_type(ProtocolType::Http)
                .description(format!("aegis: HTTP for app {}", d.app))
                .set_tags(tags())
                .send()
                .await
                .doing(|| format!("creating HTTP API {}", d.function))?;
        }
        Op::Integration(existing) => {
            let api = required(ctx).await?;
            let doing = || format!("integrating HTTP API {api} with {}", d.alias_arn);
            // Create and update take the same three settings, on builders of two types.
            macro_rules! to_alias {
                ($builder:expr) => {
                    ($builder)
                        .integration_type(IntegrationType::AwsProxy)
                        .integration_uri(&d.alias_arn)
                        .payload_format_version(PAYLOAD)
                        .send()
                        .await
                        .map(drop)
                        .doing(doing)?
                };
            }
            match existing {
                None => to_alias!(gateway.create_integration().api_id(&api)),
                Some(id) => to_alias!(gateway.update_integration().api_id(&api).integration_id(id)),
            }
        }
        Op::Route(existing) => {
            let api = required(ctx).await?;
            let integrations = integrations(ctx, &api).await?;
            let Some(id) = (integrations.iter().find(|i| is_desired(ctx, i)))
                .and_then(Integration::integration_id)
            else {
                anyhow::bail!("HTTP API {api} has no integration to {}", d.alias_arn);
            };
            let target = format!("integrations/{id}");
            let doing = || format!("routing {DEFAULT} of HTTP API {api} to {target}");
            match existing {
                None => (gateway.create_route().api_id(&api).route_key(DEFAULT))
                    .target(&target)
                    .send()
                    .await
                    .map(drop)
                    .doing(doing)?,
                Some(route) => (gateway.update_route().api_id(&api).route_id(route))
                    .target(&target)
                    .send()
                    .await
                    .map(drop)
                    .doing(doing)?,
            }
        }
        Op::Stage(exists) => {
            let api = required(ctx).await?;
            let doing = || format!("auto-deploying stage {DEFAULT} of HTTP API {api}");
            if *exists {
                (gateway.update_stage().api_id(&api).stage_name(DEFAULT))
                    .auto_deploy(true)
                    .send()
                    .await
                    .doing(doing)?;
            } else {
                (gateway.create_stage().api_id(&api).stage_name(DEFAULT))
                    .auto_deploy(true)
                    .set_tags(tags())
                    .send()
                    .await
                    .doing(doing)?;
            }
        }
        Op::Delete(id) => {
            if let Err(e) = gateway.delete_api().api_id(id).send().await {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting HTTP API {id}"));
                }
            }
        }
    }
    Ok(())
}
