//! Making the function's changes: create, update, tag, publish and move the alias, waiting
//! between steps for Lambda to finish the last one.

use std::time::Duration;

use anyhow::{bail, Context as _};
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, LastUpdateStatus, Runtime, State, TracingConfig,
    TracingMode,
};

use super::function::Op;
use super::retry::{is_iam_propagation, until_ready};
use super::Ctx;
use crate::config;
use crate::error::{describe, is_not_found, AwsContext as _};

/// Runs one function operation.
pub(super) async fn apply(ctx: Ctx<'_>, op: &Op) -> anyhow::Result<()> {
    let (lambda, d) = (&ctx.aws.lambda, ctx.desired);
    match op {
        Op::Create => {
            let zip = package(ctx)?;
            until_ready(
                || {
                    lambda
                        .create_function()
                        .function_name(&d.function)
                        .runtime(Runtime::Providedal2023)
                        .handler("bootstrap")
                        .role(&d.role_arn)
                        .code(FunctionCode::builder().zip_file(zip.clone().into()).build())
                        .architectures(architecture(d.architecture))
                        .memory_size(d.memory)
                        .timeout(d.timeout)
                        .environment(environment(d))
                        .tracing_config(tracing(d))
                        .set_tags(Some(d.function_tags().into_iter().collect()))
                        .description(format!("aegis app {}", d.app))
                        .send()
                },
                |e| is_iam_propagation(&describe(e)),
            )
            .await
            .doing(|| format!("creating function {}", d.function))?;
            wait_until_ready(ctx).await?;
        }
        Op::UpdateCode => {
            let zip = package(ctx)?;
            lambda
                .update_function_code()
                .function_name(&d.function)
                .zip_file(zip.into())
                .architectures(architecture(d.architecture))
                .send()
                .await
                .doing(|| format!("uploading the code of {}", d.function))?;
            wait_until_ready(ctx).await?;
        }
        Op::UpdateConfig => {
            until_ready(
                || {
                    lambda
                        .update_function_configuration()
                        .function_name(&d.function)
                        .runtime(Runtime::Providedal2023)
                        .handler("bootstrap")
                        .role(&d.role_arn)
                        .memory_size(d.memory)
                        .timeout(d.timeout)
                        .environment(environment(d))
                        .tracing_config(tracing(d))
                        .send()
                },
                |e| is_iam_propagation(&describe(e)),
            )
            .await
            .doing(|| format!("updating the configuration of {}", d.function))?;
            wait_until_ready(ctx).await?;
        }
        Op::Tag(set, remove) => {
            if !set.is_empty() {
                let tags = lambda
                    .tag_resource()
                    .resource(&d.function_arn)
                    .set_tags(Some(set.clone().into_iter().collect()));
                tags.send()
                    .await
                    .doing(|| format!("tagging {}", d.function))?;
            }
            if !remove.is_empty() {
                let untag = lambda
                    .untag_resource()
                    .resource(&d.function_arn)
                    .set_tag_keys(Some(remove.clone()));
                untag
                    .send()
                    .await
                    .doing(|| format!("untagging {}", d.function))?;
            }
        }
        Op::Release(alias_exists) => {
            let published = lambda
                .publish_version()
                .function_name(&d.function)
                .set_code_sha256(ctx.code.map(|c| c.sha256.clone()))
                .send()
                .await
                .doing(|| format!("publishing a version of {}", d.function))?;
            let version = published
                .version()
                .context("Lambda published a version without a number")?;
            if *alias_exists {
                let update = lambda
                    .update_alias()
                    .function_name(&d.function)
                    .name(&d.alias)
                    .function_version(version);
                update
                    .send()
                    .await
                    .doing(|| format!("moving alias {} to version {version}", d.alias))?;
            } else {
                let create = lambda
                    .create_alias()
                    .function_name(&d.function)
                    .name(&d.alias)
                    .function_version(version);
                create
                    .send()
                    .await
                    .doing(|| format!("creating alias {} on version {version}", d.alias))?;
            }
        }
        Op::Delete => {
            if let Err(e) = lambda
                .delete_function()
                .function_name(&d.function)
                .send()
                .await
            {
                if !is_not_found(&e) {
                    return Err(e).doing(|| format!("deleting function {}", d.function));
                }
            }
        }
    }
    Ok(())
}

fn package(ctx: Ctx<'_>) -> anyhow::Result<Vec<u8>> {
    ctx.code
        .map(|c| c.zip.clone())
        .context("no package to upload: build first or pass --binary")
}

/// Polls until the function is `Active` and no update is in progress, as Lambda requires
/// before the next change or a publish.
async fn wait_until_ready(ctx: Ctx<'_>) -> anyhow::Result<()> {
    let d = ctx.desired;
    for attempt in 0..120_u32 {
        let config = ctx
            .aws
            .lambda
            .get_function_configuration()
            .function_name(&d.function)
            .send()
            .await;
        let config = config.doing(|| format!("reading the state of {}", d.function))?;
        let state = config.state().cloned();
        let update = config.last_update_status().cloned();
        if matches!(state, Some(State::Failed)) || matches!(update, Some(LastUpdateStatus::Failed))
        {
            let reason = config
                .state_reason()
                .or(config.last_update_status_reason())
                .unwrap_or("no reason given");
            bail!("Lambda could not make {} ready: {reason}", d.function);
        }
        let active = matches!(state, None | Some(State::Active));
        let settled = !matches!(update, Some(LastUpdateStatus::InProgress));
        if active && settled {
            return Ok(());
        }
        let pause = Duration::from_millis(250 * u64::from(attempt.min(8) + 1));
        tokio::time::sleep(pause).await;
    }
    bail!(
        "{} did not become Active within the wait; look at it in the Lambda console",
        d.function
    )
}

fn architecture(arch: config::Architecture) -> Architecture {
    match arch {
        config::Architecture::X86_64 => Architecture::X8664,
        config::Architecture::Arm64 => Architecture::Arm64,
    }
}

fn environment(d: &crate::desired::Desired) -> Environment {
    Environment::builder()
        .set_variables(Some(d.environment.clone().into_iter().collect()))
        .build()
}

fn tracing(d: &crate::desired::Desired) -> TracingConfig {
    let mode = if d.tracing {
        TracingMode::Active
    } else {
        TracingMode::PassThrough
    };
    TracingConfig::builder().mode(mode).build()
}
