//! The two ends `aegis invoke` talks to besides AWS: the local server's address and client,
//! and what to say when the Invoke call itself fails.

use anyhow::bail;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::retry::RetryConfig;

use super::LOCAL_ADDR;
use crate::config::Config;
use crate::{aws, error};

/// `ADDR` of `--local`, as `host:port`.
pub(super) fn local_addr(addr: &str) -> anyhow::Result<String> {
    let bare = addr
        .strip_prefix("http://")
        .unwrap_or(addr)
        .trim_end_matches('/');
    let port = bare.rsplit_once(':').map(|(_, port)| port.parse::<u16>());
    if !matches!(port, Some(Ok(_))) {
        bail!(
            "--local `{addr}` is not an address such as {LOCAL_ADDR}; put the event before \
             --local when it takes the default"
        );
    }
    Ok(bare.to_owned())
}

/// A Lambda client for the local server at `addr`: dummy credentials, no retries.
pub(super) fn local_client(addr: &str, config: Option<&Config>) -> aws_sdk_lambda::Client {
    let region = config.and_then(|c| c.function.region.clone());
    let config = aws_sdk_lambda::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.unwrap_or_else(|| "us-east-1".into())))
        .endpoint_url(format!("http://{addr}"))
        .credentials_provider(Credentials::new(
            "aegis-local",
            "aegis-local",
            None,
            None,
            "aegis",
        ))
        .http_client(aws::http_client())
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_lambda::Client::from_conf(config)
}

/// What to say when the Invoke call itself fails.
pub(super) fn refused<E, R>(e: &SdkError<E, R>, target: &str, local: Option<&str>) -> anyhow::Error
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match (local, e) {
        (Some(addr), SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)) => anyhow::anyhow!(
            "nothing answers at {addr}: start the app locally (`cargo run`; AEGIS_ADDR sets its \
             address) or pass its address with --local ADDR"
        ),
        (None, _) if error::is_not_found(e) => anyhow::anyhow!(
            "function {target} was not found: run `aegis deploy` first ({})",
            error::describe(e)
        ),
        _ => anyhow::anyhow!("invoking {target} failed: {}", error::describe(e)),
    }
}
