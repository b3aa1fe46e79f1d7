//! One WebSocket API stage's connections: the Management API's three calls on them.

use std::fmt;
use std::sync::Arc;

use aws_sdk_apigatewaymanagement::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_apigatewaymanagement::primitives::{Blob, DateTime};
use aws_sdk_apigatewaymanagement::Client;
use chrono::Utc;
use serde::Serialize;

use super::ConnectionError;

/// The connections of one WebSocket API stage, from [`Connections`](crate::Connections).
/// Cheap to clone.
#[derive(Clone)]
pub struct WebSocketEndpoint {
    client: Client,
    url: Arc<str>,
}

impl WebSocketEndpoint {
    pub(super) fn new(client: Client, url: &str) -> Self {
        Self {
            client,
            url: Arc::from(url),
        }
    }

    /// The endpoint's URL (`https://{domainName}/{stage}` for an event's), without a trailing
    /// `/`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The SDK client aimed at this endpoint, for what this type does not cover.
    #[must_use]
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends `data` to the client of `connection_id` as one message (text or binary as the
    /// client reads it). Fails with [`ConnectionError::Gone`] once the client has left.
    pub async fn post(
        &self,
        connection_id: &str,
        data: impl Into<Vec<u8>>,
    ) -> Result<(), ConnectionError> {
        let data = data.into();
        tracing::debug!(endpoint = %self.url, connection_id, bytes = data.len(), "websocket post");
        let sent = self
            .client
            .post_to_connection()
            .connection_id(connection_id)
            .data(Blob::new(data))
            .send()
            .await;
        self.check(ConnectionOperation::Post, connection_id, sent.map(drop))
    }

    /// Sends `message` encoded as JSON, as one text message.
    pub async fn post_json<T: Serialize + ?Sized>(
        &self,
        connection_id: &str,
        message: &T,
    ) -> Result<(), ConnectionError> {
        let data = serde_json::to_vec(message).map_err(|source| ConnectionError::Encode {
            connection_id: connection_id.to_owned(),
            source,
        })?;
        self.post(connection_id, data).await
    }

    /// Closes the connection `connection_id`; its `$disconnect` route runs next.
    pub async fn delete(&self, connection_id: &str) -> Result<(), ConnectionError> {
        tracing::debug!(endpoint = %self.url, connection_id, "websocket disconnect");
        let sent = self
            .client
            .delete_connection()
            .connection_id(connection_id)
            .send()
            .await;
        self.check(ConnectionOperation::Delete, connection_id, sent.map(drop))
    }

    /// What API Gateway knows of the connection `connection_id`.
    pub async fn get(&self, connection_id: &str) -> Result<ConnectionInfo, ConnectionError> {
        tracing::debug!(endpoint = %self.url, connection_id, "websocket get connection");
        let sent = self
            .client
            .get_connection()
            .connection_id(connection_id)
            .send()
            .await;
        let info = self.check(ConnectionOperation::Get, connection_id, sent)?;
        let identity = info.identity();
        Ok(ConnectionInfo {
            connected_at: info.connected_at().and_then(utc),
            last_active_at: info.last_active_at().and_then(utc),
            source_ip: identity.and_then(|i| i.source_ip()).map(str::to_owned),
            user_agent: identity.and_then(|i| i.user_agent()).map(str::to_owned),
        })
    }

    /// `sent` with its SDK error told apart, logged at debug: failing is the caller's to judge.
    fn check<T, E>(
        &self,
        operation: ConnectionOperation,
        connection_id: &str,
        sent: Result<T, SdkError<E>>,
    ) -> Result<T, ConnectionError>
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        sent.map_err(|error| {
            let error = ConnectionError::from_sdk(operation, &self.url, connection_id, error);
            tracing::debug!(error = %error, "websocket management call failed");
            error
        })
    }
}

fn utc(time: &DateTime) -> Option<chrono::DateTime<Utc>> {
    chrono::DateTime::from_timestamp(time.secs(), time.subsec_nanos())
}

impl fmt::Debug for WebSocketEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocketEndpoint")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A connection as [`WebSocketEndpoint::get`] reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// When the client connected.
    pub connected_at: Option<chrono::DateTime<Utc>>,
    /// When the connection last carried a message.
    pub last_active_at: Option<chrono::DateTime<Utc>>,
    /// The client's IP address.
    pub source_ip: Option<String>,
    /// The client's `User-Agent`.
    pub user_agent: Option<String>,
}

/// What was asked of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionOperation {
    /// `POST @connections/{id}`: send a message.
    Post,
    /// `DELETE @connections/{id}`: disconnect.
    Delete,
    /// `GET @connections/{id}`: look the connection up.
    Get,
}

impl fmt::Display for ConnectionOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Post => "posting to",
            Self::Delete => "disconnecting",
            Self::Get => "looking up",
        })
    }
}
