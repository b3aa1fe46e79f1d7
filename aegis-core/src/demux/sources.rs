//! The [`App`] methods that register the routers of streams, events, transformations, identity
//! and infrastructure triggers, each recording its declarations in the manifest.

use super::App;
use crate::{
    AuthorizerRouter, CognitoRouter, CustomResourceRouter, DynamoDbRouter, EventBridgeRouter,
    FirehoseRouter, KinesisRouter, LogsRouter, SesRouter, Trigger, WebSocketRouter,
};

impl App {
    /// Serves EventBridge events (other than schedules) with `router`; its detail patterns are
    /// checked by [`build`](Self::build).
    pub fn eventbridge<S: Clone + Send + Sync + 'static>(
        mut self,
        router: EventBridgeRouter<S>,
    ) -> Self {
        self.problems.extend(router.errors());
        self.manifest.eventbridge.extend(router.declarations());
        self.on(Trigger::EventBridge, router)
    }

    /// Serves DynamoDB Streams batches with `router`.
    pub fn dynamodb<S: Clone + Send + Sync + 'static>(mut self, router: DynamoDbRouter<S>) -> Self {
        self.manifest.dynamodb.extend(router.declarations());
        self.on(Trigger::DynamoDb, router)
    }

    /// Serves Kinesis Data Streams batches with `router`.
    pub fn kinesis<S: Clone + Send + Sync + 'static>(mut self, router: KinesisRouter<S>) -> Self {
        self.manifest.kinesis.extend(router.streams());
        self.on(Trigger::Kinesis, router)
    }

    /// Serves CloudFormation custom resource requests with `router`.
    pub fn custom_resources<S: Clone + Send + Sync + 'static>(
        mut self,
        router: CustomResourceRouter<S>,
    ) -> Self {
        self.manifest.custom_resources.extend(router.declarations());
        self.on(Trigger::CloudFormation, router)
    }

    /// Serves Kinesis Data Firehose record transformations with `router`.
    pub fn firehose<S: Clone + Send + Sync + 'static>(mut self, router: FirehoseRouter<S>) -> Self {
        self.manifest.firehose.extend(router.streams());
        self.on(Trigger::Firehose, router)
    }

    /// Serves Cognito user pool triggers with `router`.
    pub fn cognito<S: Clone + Send + Sync + 'static>(mut self, router: CognitoRouter<S>) -> Self {
        self.manifest.cognito.extend(router.sources());
        self.on(Trigger::Cognito, router)
    }

    /// Serves SES inbound mail with `router`.
    pub fn ses<S: Clone + Send + Sync + 'static>(mut self, router: SesRouter<S>) -> Self {
        self.manifest.ses.extend(router.recipients());
        self.on(Trigger::Ses, router)
    }

    /// Serves CloudWatch Logs subscriptions with `router`.
    pub fn logs<S: Clone + Send + Sync + 'static>(mut self, router: LogsRouter<S>) -> Self {
        self.manifest.log_groups.extend(router.log_groups());
        self.on(Trigger::CloudWatchLogs, router)
    }

    /// Serves API Gateway WebSocket events with `router`.
    pub fn websocket<S: Clone + Send + Sync + 'static>(
        mut self,
        router: WebSocketRouter<S>,
    ) -> Self {
        self.manifest.websocket.extend(router.route_keys());
        self.on(Trigger::ApigwWebsocket, router)
    }

    /// Serves API Gateway authorizer calls with `router`.
    pub fn authorizers<S: Clone + Send + Sync + 'static>(
        mut self,
        router: AuthorizerRouter<S>,
    ) -> Self {
        self.manifest.authorizers.extend(router.kinds());
        self.on(Trigger::ApigwAuthorizer, router)
    }
}
