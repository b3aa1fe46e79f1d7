//! The AWS clients the CLI uses, built once from the standard credential and region chain, and
//! the log of every call they make.
//!
//! The HTTP client is rustls with ring, chosen here rather than through the SDK's default
//! feature, which would compile aws-lc. `AWS_ENDPOINT_URL` and the per-service
//! `AWS_ENDPOINT_URL_<SERVICE>` variables are honoured by the SDK, which is how the tests point
//! every client at a moto server.
//!
//! Connecting checks, before anything is changed, that the region is one AWS has and that
//! credentials can be found, and reads the account id that ARNs are built from.

use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{bail, Context as _};
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_http_client::tls;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

use crate::regions;

/// Builds one service client on the shared configuration with the call log attached.
macro_rules! client {
    ($sdk:ident, $config:expr, $calls:expr) => {
        $sdk::Client::from_conf(
            $sdk::config::Builder::from($config)
                .interceptor($calls.clone())
                .build(),
        )
    };
}

/// One client per service, sharing one configuration and one call log.
#[derive(Debug, Clone)]
pub struct Aws {
    /// Lambda.
    pub lambda: aws_sdk_lambda::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// API Gateway (v2: HTTP APIs).
    pub apigateway: aws_sdk_apigatewayv2::Client,
    /// DynamoDB Streams, to find a table's stream.
    pub dynamodb_streams: aws_sdk_dynamodbstreams::Client,
    /// Kinesis, to check that a stream to map exists.
    pub kinesis: aws_sdk_kinesis::Client,
    /// Every operation the clients above started.
    pub calls: CallLog,
    /// The region every client talks to.
    pub region: String,
    /// The account the credentials belong to.
    pub account: String,
    /// The ARN partition of the region (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

impl Aws {
    /// Loads the configuration, checks region and credentials, and reads the account id.
    ///
    /// `region` (from `aegis.toml`) wins over the environment's region when set.
    ///
    /// # Errors
    ///
    /// When no region is set or it is not an AWS region, when no credentials are found, or when
    /// STS refuses them; each message says what to set.
    pub async fn connect(region: Option<&str>) -> anyhow::Result<Self> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client());
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_owned()));
        }
        let config = loader.load().await;

        let Some(region) = config.region().map(ToString::to_string) else {
            bail!(
                "no AWS region is set: add `region = \"eu-west-1\"` under [function] in \
                 aegis.toml, or set AWS_REGION"
            );
        };
        regions::check(&region)?;
        check_credentials(&config).await?;

        let calls = CallLog::default();
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&config)
                .interceptor(calls.clone())
                .build(),
        );
        let identity = sts.get_caller_identity().send().await.map_err(|e| {
            anyhow::anyhow!(
                "AWS refused the credentials ({}); check AWS_PROFILE or AWS_ACCESS_KEY_ID",
                crate::error::describe(&e)
            )
        })?;
        let account = identity.account().unwrap_or_default().to_owned();

        Ok(Self {
            lambda: client!(aws_sdk_lambda, &config, &calls),
            iam: client!(aws_sdk_iam, &config, &calls),
            s3: client!(aws_sdk_s3, &config, &calls),
            sqs: client!(aws_sdk_sqs, &config, &calls),
            sns: client!(aws_sdk_sns, &config, &calls),
            events: client!(aws_sdk_eventbridge, &config, &calls),
            logs: client!(aws_sdk_cloudwatchlogs, &config, &calls),
            apigateway: client!(aws_sdk_apigatewayv2, &config, &calls),
            dynamodb_streams: client!(aws_sdk_dynamodbstreams, &config, &calls),
            kinesis: client!(aws_sdk_kinesis, &config, &calls),
            partition: regions::partition(&region).to_owned(),
            calls,
            region,
            account,
        })
    }
}

/// The HTTP client of every SDK client: rustls with ring; it speaks plain HTTP too, for local
/// endpoints.
#[must_use]
pub fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// Fails early, with a hint, when the credential chain finds nothing; otherwise the first
/// mutating call would be the one to fail.
async fn check_credentials(config: &SdkConfig) -> anyhow::Result<()> {
    let provider = config.credentials_provider().context(
        "no AWS credential provider is configured; set AWS_PROFILE or AWS_ACCESS_KEY_ID and \
         AWS_SECRET_ACCESS_KEY",
    )?;
    provider.provide_credentials().await.map_err(|e| {
        anyhow::anyhow!(
            "no AWS credentials found ({e}); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, or run on a machine with an instance role"
        )
    })?;
    Ok(())
}

/// One AWS operation as the call log saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The service, as the SDK names it (`Lambda`, `S3`).
    pub service: String,
    /// The operation (`CreateFunction`).
    pub operation: String,
    /// Whether the operation changes anything.
    pub mutating: bool,
}

/// Every operation started by the clients, in order, shared by all of them.
///
/// It counts operations, not HTTP attempts: a retried call is one entry.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<Call>>>);

impl CallLog {
    /// The calls so far.
    #[must_use]
    pub fn calls(&self) -> Vec<Call> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// How many of the calls so far change something.
    #[must_use]
    pub fn mutating(&self) -> usize {
        self.calls().iter().filter(|c| c.mutating).count()
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "aegis-call-log"
    }

    // Not `read_before_execution`: client interceptors run that before the operation's
    // configuration, which holds its name, is in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            let operation = metadata.name().to_owned();
            let call = Call {
                service: metadata.service().to_owned(),
                mutating: is_mutating(&operation),
                operation,
            };
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(call);
        }
        Ok(())
    }
}

/// AWS names its read-only operations with these verbs, across every service used here.
fn is_mutating(operation: &str) -> bool {
    const READS: [&str; 5] = ["Get", "List", "Describe", "Head", "Filter"];
    !READS.iter().any(|verb| operation.starts_with(verb))
}

#[cfg(test)]
mod tests {
    use super::is_mutating;

    #[test]
    fn reads_are_told_from_writes_by_their_verb() {
        assert!(!is_mutating("GetFunction"));
        assert!(!is_mutating("ListEventSourceMappings"));
        assert!(!is_mutating("FilterLogEvents"));
        assert!(is_mutating("PutBucketNotificationConfiguration"));
        assert!(is_mutating("CreateFunction"));
    }
}
