//! Classify every Lambda payload and route it, through tower services, to typed handlers.
//!
//! One Lambda function can be wired to many triggers. `aegis-core` tells them apart by the
//! structure of the payload ([`classify`]), hands each invocation to the service registered
//! for its [`Trigger`] ([`EventDemux`]), and provides typed routers for the non-HTTP sources:
//! S3 ([`S3Router`]), SNS ([`SnsRouter`]), SQS with partial batch failures ([`SqsRouter`]),
//! schedules ([`ScheduleRouter`]) and RPC between functions ([`RpcRouter`]). Every router is a
//! tower [`Service`](tower::Service), so tower's middleware applies to one trigger or to all.
//! [`run`] serves the app on the real `lambda_runtime` loop.
//!
//! The other triggers have routers of the same shape: EventBridge events with detail patterns
//! ([`EventBridgeRouter`]), DynamoDB Streams ([`DynamoDbRouter`]) and Kinesis
//! ([`KinesisRouter`]) with checkpoint-correct failures, Firehose transformations
//! ([`FirehoseRouter`]), CloudFormation custom resources ([`CustomResourceRouter`]), Cognito
//! user pool triggers ([`CognitoRouter`]), SES inbound mail ([`SesRouter`]), CloudWatch Logs
//! subscriptions ([`LogsRouter`]), API Gateway WebSockets ([`WebSocketRouter`]) and
//! authorizers ([`AuthorizerRouter`]).
//!
//! # Features
//!
//! | Name | Description | Default? |
//! |---|---|---|
//! | `tls` | HTTPS (rustls with ring, the system's roots) for CloudFormation responses | yes |
//! | `rpc-client` | `RpcClient`: typed calls to other aegis functions over `aws-sdk-lambda` | no |
//! | `websocket-client` | `Connections`: posting to API Gateway WebSocket connections | no |
//!
//! # Failures
//!
//! Nothing is dropped silently: an unknown payload, a trigger without a service, an event that
//! matches no route, a malformed event, a handler error, a panic and a deadline overrun each
//! fail the invocation with an [`Error`] whose `errorType` and `errorMessage` say what happened,
//! and the process goes on serving. A failed SQS record is reported for retry and no other.
//!
//! # Example
//!
//! ```
//! use aegis_core::{App, Ctx, S3Filter, S3Record, S3Router, SqsRouter};
//! use aws_lambda_events::sqs::SqsMessage;
//!
//! async fn on_upload(record: S3Record, _ctx: Ctx) -> Result<(), std::io::Error> {
//!     assert_eq!(record.key, "uploads/cat photo.jpg");
//!     Ok(())
//! }
//!
//! async fn on_order(message: SqsMessage, _ctx: Ctx) -> Result<(), String> {
//!     if message.body.as_deref() == Some("bad") { Err("bad order".into()) } else { Ok(()) }
//! }
//!
//! let demux = App::new("shop")
//!     .s3(S3Router::new().route(S3Filter::created().key("uploads/*"), on_upload))
//!     .sqs(SqsRouter::new().queue("orders", on_order))
//!     .build()
//!     .expect("valid declarations");
//!
//! let batch = br#"{"Records":[
//!   {"messageId":"1","body":"ok","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"},
//!   {"messageId":"2","body":"bad","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:eu-west-1:1:orders"}
//! ]}"#;
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! let reply = rt.block_on(demux.invoke(&batch[..], Default::default())).unwrap();
//! assert_eq!(reply.as_str(), r#"{"batchItemFailures":[{"itemIdentifier":"2"}]}"#);
//! ```

mod batch;
mod classify;
mod deadline;
mod decode;
mod demux;
mod error;
mod glob;
mod handler;
mod invocation;
mod manifest;
mod reply;
mod routers;
#[cfg(feature = "rpc-client")]
mod rpc_client;
mod runtime;
#[cfg(any(feature = "rpc-client", feature = "websocket-client"))]
mod sdk_config;
mod trigger;
#[cfg(feature = "websocket-client")]
mod websocket_client;

pub use batch::{BatchFailures, BatchItemFailure};
pub use classify::{classify, describe_unknown};
pub use deadline::{Deadline, DeadlineLayer, ResponseFuture, DEFAULT_DEADLINE_MARGIN};
pub use decode::event as decode_event;
pub use demux::{App, BuildError, EventDemux, InvocationService};
pub use error::{BoxError, Error, ErrorKind};
pub use glob::Glob;
pub use handler::Ctx;
pub use invocation::{Invocation, Recorded};
pub use manifest::{CustomResourceDeclaration, EventBridgeDeclaration, TableDeclaration};
pub use manifest::{
    Manifest, QueueDeclaration, RpcDeclaration, S3Declaration, ScheduleDeclaration,
    MANIFEST_VERSION,
};
pub use reply::Reply;
pub use routers::authorizer::{policy_response, simple_response, AuthorizerRouter, Unauthorized};
pub use routers::cloudformation::CustomResourceRouter;
pub use routers::cognito::CognitoRouter;
pub use routers::custom_resource::{CustomResourceRequest, CustomResourceResponse, RequestType};
pub use routers::dynamodb::{ChangeKind, DynamoDbRouter};
pub use routers::eventbridge::{EventBridgeRouter, EventRule};
pub use routers::expression::{InvalidSchedule, RateUnit, ScheduleExpression};
pub use routers::firehose::{FirehoseRouter, Transformed};
pub use routers::kinesis::KinesisRouter;
pub use routers::logs::LogsRouter;
pub use routers::pattern::{EventPattern, InvalidPattern};
pub use routers::rpc::{RpcEnvelope, RpcRouter, RPC_ENVELOPE_VERSION};
pub use routers::s3::{S3Filter, S3Record, S3Router};
pub use routers::schedule::{scheduled_event, ScheduleRouter};
pub use routers::ses::SesRouter;
pub use routers::sns::SnsRouter;
pub use routers::sqs::SqsRouter;
pub use routers::websocket::{WebSocketResponse, WebSocketRouter};
#[cfg(feature = "rpc-client")]
pub use rpc_client::{RpcClient, RpcError, TraceContext, TRACEPARENT_HEADER, XRAY_TRACE_HEADER};
pub use runtime::{print_manifest_if_requested, run, MANIFEST_ENV};
pub use trigger::{FaasTrigger, Trigger, UnknownTriggerName};
#[cfg(feature = "websocket-client")]
pub use websocket_client::{
    ConnectionError, ConnectionInfo, ConnectionOperation, Connections, WebSocketEndpoint,
};

/// The `aws_lambda_events` crate, whose types the routers hand to handlers.
pub use aws_lambda_events;
/// The `aws-sdk-apigatewaymanagement` crate, whose configuration [`Connections::new`] takes.
#[cfg(feature = "websocket-client")]
pub use aws_sdk_apigatewaymanagement;
/// The `aws-sdk-lambda` crate, whose client [`RpcClient::new`] takes.
#[cfg(feature = "rpc-client")]
pub use aws_sdk_lambda;
/// The `lambda_runtime` crate, whose [`Context`](lambda_runtime::Context) handlers receive.
pub use lambda_runtime;
