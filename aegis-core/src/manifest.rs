//! The manifest: what an app declares, as JSON, so deploy tools create resources from the code.
//!
//! A binary built on aegis prints its manifest and exits when run with `AEGIS_MANIFEST=1`,
//! without contacting any Runtime API. The deploy CLI reads it that way.

use serde::{Deserialize, Serialize};

/// The version of the manifest format; bumped when a field changes meaning.
pub const MANIFEST_VERSION: u32 = 1;

/// Everything an app declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Manifest {
    /// [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The app's name, as given to [`App::new`](crate::App::new).
    pub app: String,
    /// The aegis version that built the binary.
    pub aegis_version: String,
    /// The stable names of the triggers the app serves.
    pub triggers: Vec<String>,
    /// Whether the app serves HTTP requests.
    pub http: bool,
    /// S3 notification routes.
    #[serde(default)]
    pub s3: Vec<S3Declaration>,
    /// SNS topics, by name or ARN.
    #[serde(default)]
    pub sns: Vec<String>,
    /// SQS queues.
    #[serde(default)]
    pub sqs: Vec<QueueDeclaration>,
    /// Scheduled tasks.
    #[serde(default)]
    pub schedules: Vec<ScheduleDeclaration>,
    /// RPC methods served and functions called.
    #[serde(default)]
    pub rpc: RpcDeclaration,
    /// EventBridge routes, each with the pattern of the rule that would feed it.
    #[serde(default)]
    pub eventbridge: Vec<EventBridgeDeclaration>,
    /// DynamoDB tables whose streams are read.
    #[serde(default)]
    pub dynamodb: Vec<TableDeclaration>,
    /// Kinesis streams, by name or ARN.
    #[serde(default)]
    pub kinesis: Vec<String>,
    /// Firehose delivery streams whose records are transformed, by name or ARN.
    #[serde(default)]
    pub firehose: Vec<String>,
    /// Cognito user pool trigger sources, as globs (`PreSignUp_*`).
    #[serde(default)]
    pub cognito: Vec<String>,
    /// SES recipients, as globs (`*@orders.example.com`).
    #[serde(default)]
    pub ses: Vec<String>,
    /// CloudFormation custom resource types served.
    #[serde(default)]
    pub custom_resources: Vec<CustomResourceDeclaration>,
    /// CloudWatch Logs log groups subscribed to, as globs.
    #[serde(default)]
    pub log_groups: Vec<String>,
    /// API Gateway WebSocket route keys (`$connect`, `sendMessage`).
    #[serde(default)]
    pub websocket: Vec<String>,
    /// API Gateway authorizer payloads served: `token`, `request`, `http`.
    #[serde(default)]
    pub authorizers: Vec<String>,
}

/// One EventBridge route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EventBridgeDeclaration {
    /// The route's name.
    pub route: String,
    /// The `source` glob as written.
    pub source: String,
    /// The `detail-type` glob as written.
    pub detail_type: String,
    /// The pattern on `detail`, in EventBridge's syntax, when the route has one.
    pub detail: Option<serde_json::Value>,
    /// The whole route as an EventBridge event pattern, for a rule. Globs EventBridge cannot
    /// express exactly are widened to their literal prefix; the router checks the rest.
    pub pattern: serde_json::Value,
}

/// One DynamoDB table whose stream is read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TableDeclaration {
    /// The table, by name or table ARN.
    pub table: String,
    /// The changes routed (`INSERT`, `MODIFY`, `REMOVE`).
    pub events: Vec<String>,
}

/// One CloudFormation custom resource type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomResourceDeclaration {
    /// The resource type, such as `Custom::Thing`.
    pub resource_type: String,
    /// The request types routed (`Create`, `Update`, `Delete`).
    pub request_types: Vec<String>,
}

/// One S3 route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct S3Declaration {
    /// The route's name.
    pub route: String,
    /// The bucket named in code, if the route names one.
    pub bucket: Option<String>,
    /// Event-name patterns in S3's notation (`s3:ObjectCreated:*`).
    pub events: Vec<String>,
    /// The key glob as written.
    pub key: String,
    /// The literal prefix of the key glob, for S3's notification filter.
    pub prefix: String,
    /// The literal suffix of the key glob, for S3's notification filter.
    pub suffix: String,
}

/// One SQS queue.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QueueDeclaration {
    /// The queue, by name or ARN.
    pub queue: String,
    /// Whether it is a FIFO queue (its name ends in `.fifo`).
    pub fifo: bool,
}

/// One scheduled task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScheduleDeclaration {
    /// The task's name.
    pub task: String,
    /// Its `rate(...)` or `cron(...)` expression, validated.
    pub expression: String,
}

/// RPC methods and callees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RpcDeclaration {
    /// The methods this app serves.
    pub methods: Vec<String>,
    /// The functions this app calls, by logical name.
    pub calls: Vec<String>,
}

impl Manifest {
    pub(crate) fn new(app: &str) -> Self {
        Self {
            manifest_version: MANIFEST_VERSION,
            app: app.to_owned(),
            aegis_version: env!("CARGO_PKG_VERSION").to_owned(),
            ..Self::default()
        }
    }

    /// The manifest as pretty-printed JSON.
    #[must_use]
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
