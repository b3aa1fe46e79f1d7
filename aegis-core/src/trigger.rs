//! The kinds of event one Lambda function can receive.
//!
//! A [`Trigger`] is what [`classify`](crate::classify) decides from the shape of a payload. Its
//! [`as_str`](Trigger::as_str) name is stable: logs, spans, metrics and the manifest all use it.

use std::fmt;
use std::str::FromStr;

/// The source of one Lambda invocation, as told by the structure of its payload.
///
/// New sources may be added in minor releases, so matches need a wildcard arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Trigger {
    /// API Gateway REST API, proxy integration (payload 1.0).
    ApigwRest,
    /// API Gateway HTTP API (payload 2.0).
    ApigwHttp,
    /// API Gateway WebSocket API.
    ApigwWebsocket,
    /// API Gateway Lambda authorizer: TOKEN or REQUEST, REST or HTTP API.
    ApigwAuthorizer,
    /// Application Load Balancer target group.
    Alb,
    /// Lambda Function URL (payload 2.0 on a `lambda-url` domain).
    FunctionUrl,
    /// VPC Lattice, payload v1 or v2.
    VpcLattice,
    /// S3 event notification.
    S3,
    /// SNS notification.
    Sns,
    /// SQS batch.
    Sqs,
    /// EventBridge scheduled event (a rule) or an EventBridge Scheduler invocation.
    Schedule,
    /// Any other EventBridge event.
    EventBridge,
    /// DynamoDB Streams batch.
    DynamoDb,
    /// Kinesis Data Streams batch.
    Kinesis,
    /// Kinesis Data Firehose record transformation.
    Firehose,
    /// Cognito user pool trigger.
    Cognito,
    /// SES inbound mail.
    Ses,
    /// CloudFormation custom resource request.
    CloudFormation,
    /// CloudWatch Logs subscription (`awslogs.data`).
    CloudWatchLogs,
    /// An aegis RPC envelope sent by another function.
    Rpc,
    /// A payload that matches none of the above.
    Unknown,
}

/// OpenTelemetry's `faas.trigger` values.
///
/// See the semantic conventions for FaaS spans: `datasource`, `http`, `pubsub`, `timer`, `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaasTrigger {
    /// A response to some data source operation, such as a database or file system change.
    Datasource,
    /// A response to an inbound HTTP request.
    Http,
    /// A message sent to a messaging system.
    Pubsub,
    /// A function scheduled to be executed regularly.
    Timer,
    /// Anything else.
    Other,
}

impl FaasTrigger {
    /// The attribute value, as the semantic conventions spell it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Datasource => "datasource",
            Self::Http => "http",
            Self::Pubsub => "pubsub",
            Self::Timer => "timer",
            Self::Other => "other",
        }
    }
}

impl Trigger {
    /// Every trigger, in the order of the table in the design notes.
    pub const ALL: [Trigger; 21] = [
        Self::ApigwRest,
        Self::ApigwHttp,
        Self::ApigwWebsocket,
        Self::ApigwAuthorizer,
        Self::Alb,
        Self::FunctionUrl,
        Self::VpcLattice,
        Self::S3,
        Self::Sns,
        Self::Sqs,
        Self::Schedule,
        Self::EventBridge,
        Self::DynamoDb,
        Self::Kinesis,
        Self::Firehose,
        Self::Cognito,
        Self::Ses,
        Self::CloudFormation,
        Self::CloudWatchLogs,
        Self::Rpc,
        Self::Unknown,
    ];

    /// The stable name of this trigger, as used in logs, spans, metrics and the manifest.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ApigwRest => "apigw_rest",
            Self::ApigwHttp => "apigw_http",
            Self::ApigwWebsocket => "apigw_websocket",
            Self::ApigwAuthorizer => "apigw_authorizer",
            Self::Alb => "alb",
            Self::FunctionUrl => "function_url",
            Self::VpcLattice => "vpc_lattice",
            Self::S3 => "s3",
            Self::Sns => "sns",
            Self::Sqs => "sqs",
            Self::Schedule => "schedule",
            Self::EventBridge => "eventbridge",
            Self::DynamoDb => "dynamodb",
            Self::Kinesis => "kinesis",
            Self::Firehose => "firehose",
            Self::Cognito => "cognito",
            Self::Ses => "ses",
            Self::CloudFormation => "cloudformation",
            Self::CloudWatchLogs => "cloudwatch_logs",
            Self::Rpc => "rpc",
            Self::Unknown => "unknown",
        }
    }

    /// The OpenTelemetry `faas.trigger` this source maps to.
    #[must_use]
    pub const fn faas_trigger(self) -> FaasTrigger {
        match self {
            Self::ApigwRest
            | Self::ApigwHttp
            | Self::ApigwWebsocket
            | Self::ApigwAuthorizer
            | Self::Alb
            | Self::FunctionUrl
            | Self::VpcLattice => FaasTrigger::Http,
            Self::Sns | Self::Sqs | Self::EventBridge | Self::Kinesis | Self::Firehose => {
                FaasTrigger::Pubsub
            }
            Self::S3 | Self::DynamoDb => FaasTrigger::Datasource,
            Self::Schedule => FaasTrigger::Timer,
            Self::Cognito
            | Self::Ses
            | Self::CloudFormation
            | Self::CloudWatchLogs
            | Self::Rpc
            | Self::Unknown => FaasTrigger::Other,
        }
    }

    /// Whether this trigger carries an HTTP request that an HTTP service can answer.
    ///
    /// WebSocket messages and authorizer calls are not: they have their own response shapes.
    #[must_use]
    pub const fn is_http_request(self) -> bool {
        matches!(
            self,
            Self::ApigwRest | Self::ApigwHttp | Self::Alb | Self::FunctionUrl | Self::VpcLattice
        )
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing a [`Trigger`] from a name that is not one of the stable names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownTriggerName(String);

impl fmt::Display for UnknownTriggerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a trigger name", self.0)
    }
}

impl std::error::Error for UnknownTriggerName {}

impl FromStr for Trigger {
    type Err = UnknownTriggerName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| UnknownTriggerName(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_trigger() {
        for trigger in Trigger::ALL {
            assert_eq!(trigger.as_str().parse::<Trigger>(), Ok(trigger));
        }
    }

    #[test]
    fn a_name_outside_the_table_is_refused() {
        let err = "kafka".parse::<Trigger>().unwrap_err();
        assert_eq!(err.to_string(), "`kafka` is not a trigger name");
    }
}
