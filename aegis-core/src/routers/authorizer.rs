//! The API Gateway authorizer router: one handler per authorizer payload, each answering with
//! the typed response API Gateway expects.
//!
//! REST API `TOKEN` authorizers go to [`token`](AuthorizerRouter::token), REST and WebSocket
//! `REQUEST` authorizers (and HTTP API authorizers on payload 1.0) to
//! [`request`](AuthorizerRouter::request); both answer with an IAM policy. HTTP API authorizers
//! on payload 2.0 go to [`http_simple`](AuthorizerRouter::http_simple) or
//! [`http_iam`](AuthorizerRouter::http_iam), as the authorizer is configured. A payload whose
//! kind has no handler is an error naming the kind. A handler that fails with [`Unauthorized`]
//! makes API Gateway answer 401; any other error answers 500.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerPolicy, ApiGatewayCustomAuthorizerRequest,
    ApiGatewayCustomAuthorizerRequestTypeRequest, ApiGatewayCustomAuthorizerResponse,
    ApiGatewayV2CustomAuthorizerIamPolicyResponse, ApiGatewayV2CustomAuthorizerSimpleResponse,
    ApiGatewayV2CustomAuthorizerV2Request,
};
use aws_lambda_events::iam::{IamPolicyEffect, IamPolicyStatement};
use bytes::Bytes;
use futures_util::future::FutureExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, ErrorKind, Invocation, Reply, Trigger};

/// The error that makes API Gateway answer `401 Unauthorized`: it reads the function error's
/// message, and this is the one it looks for. (Not `#[non_exhaustive]`: handlers build it.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unauthorized;

impl fmt::Display for Unauthorized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Unauthorized")
    }
}

impl std::error::Error for Unauthorized {}

/// A REST authorizer's answer: `effect` on `resource` (usually the request's `methodArn`) for
/// `principal_id`.
///
/// ```
/// use aegis_core::aws_lambda_events::iam::IamPolicyEffect;
///
/// let allow = aegis_core::policy_response("user-7", IamPolicyEffect::Allow, "arn:aws:execute-api:*");
/// assert_eq!(allow.policy_document.statement[0].action, ["execute-api:Invoke"]);
/// ```
#[must_use]
pub fn policy_response(
    principal_id: &str,
    effect: IamPolicyEffect,
    resource: &str,
) -> ApiGatewayCustomAuthorizerResponse {
    let mut statement = IamPolicyStatement::default();
    statement.action = vec!["execute-api:Invoke".to_owned()];
    statement.effect = effect;
    statement.resource = vec![resource.to_owned()];
    let mut policy = ApiGatewayCustomAuthorizerPolicy::default();
    policy.version = Some("2012-10-17".to_owned());
    policy.statement = vec![statement];
    let mut response = ApiGatewayCustomAuthorizerResponse::default();
    response.principal_id = Some(principal_id.to_owned());
    response.policy_document = policy;
    response
}

/// An HTTP API simple answer: authorized or not, with an empty context.
#[must_use]
pub fn simple_response(authorized: bool) -> ApiGatewayV2CustomAuthorizerSimpleResponse {
    let mut response = ApiGatewayV2CustomAuthorizerSimpleResponse::default();
    response.is_authorized = authorized;
    response
}

/// The fields that tell the payloads apart.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    version: Option<String>,
}

type RawHandler<S> = BoxHandler<Bytes, Reply, S>;

/// Routes API Gateway authorizer calls to typed handlers by payload kind.
///
/// ```
/// use aegis_core::aws_lambda_events::apigw::ApiGatewayCustomAuthorizerRequest;
/// use aegis_core::aws_lambda_events::iam::IamPolicyEffect;
/// use aegis_core::{policy_response, AuthorizerRouter, Ctx, Unauthorized};
///
/// let router = AuthorizerRouter::new().token(|req: ApiGatewayCustomAuthorizerRequest, _ctx: Ctx| async move {
///     match req.authorization_token.as_deref() {
///         Some("Bearer good") => Ok(policy_response("user", IamPolicyEffect::Allow, req.method_arn.as_deref().unwrap_or("*"))),
///         _ => Err(Unauthorized),
///     }
/// });
/// # let _ = router;
/// ```
pub struct AuthorizerRouter<S = ()> {
    token: Option<RawHandler<S>>,
    request: Option<RawHandler<S>>,
    http: Option<RawHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> AuthorizerRouter<S> {
    /// A router whose handlers receive `state` through their [`Ctx`].
    #[must_use]
    pub fn with_state(state: S) -> Self {
        Self {
            token: None,
            request: None,
            http: None,
            state,
        }
    }

    /// Handles REST API `TOKEN` authorizer calls.
    #[must_use]
    pub fn token<C, F, Fut, Er>(mut self, handler: F) -> Self
    where
        C: Serialize + DeserializeOwned + Send + 'static,
        F: Fn(ApiGatewayCustomAuthorizerRequest, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ApiGatewayCustomAuthorizerResponse<C>, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.token = Some(raw("token", handler::boxed(handler)));
        self
    }

    /// Handles `REQUEST` authorizer calls of REST and WebSocket APIs, and of HTTP APIs on
    /// payload 1.0.
    #[must_use]
    pub fn request<C, F, Fut, Er>(mut self, handler: F) -> Self
    where
        C: Serialize + DeserializeOwned + Send + 'static,
        F: Fn(ApiGatewayCustomAuthorizerRequestTypeRequest, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ApiGatewayCustomAuthorizerResponse<C>, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.request = Some(raw("request", handler::boxed(handler)));
        self
    }

    /// Handles HTTP API authorizer calls on payload 2.0 with simple responses.
    #[must_use]
    pub fn http_simple<C, F, Fut, Er>(mut self, handler: F) -> Self
    where
        C: Serialize + DeserializeOwned + Send + 'static,
        F: Fn(ApiGatewayV2CustomAuthorizerV2Request, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ApiGatewayV2CustomAuthorizerSimpleResponse<C>, Er>>
            + Send
            + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.http = Some(raw("http", handler::boxed(handler)));
        self
    }

    /// Handles HTTP API authorizer calls on payload 2.0 with IAM policy responses.
    #[must_use]
    pub fn http_iam<C, F, Fut, Er>(mut self, handler: F) -> Self
    where
        C: Serialize + DeserializeOwned + Send + 'static,
        F: Fn(ApiGatewayV2CustomAuthorizerV2Request, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ApiGatewayV2CustomAuthorizerIamPolicyResponse<C>, Er>>
            + Send
            + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.http = Some(raw("http", handler::boxed(handler)));
        self
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let head: Head = decode::event(Trigger::ApigwAuthorizer, inv.payload())?;
        let kind = match (head.kind.as_deref(), head.version.as_deref()) {
            (Some("TOKEN"), _) => "token",
            (Some("REQUEST"), Some("2.0")) => "http",
            (Some("REQUEST"), _) => "request",
            (other, _) => {
                return Err(Error::decode(
                    Trigger::ApigwAuthorizer,
                    &format!("`type` is {other:?}, not TOKEN or REQUEST"),
                ))
            }
        };
        let handler = match kind {
            "token" => &self.token,
            "request" => &self.request,
            _ => &self.http,
        };
        let Some(handler) = handler.clone() else {
            return Err(Error::no_route(
                Trigger::ApigwAuthorizer,
                format_args!(
                    "a `{kind}` payload (this router serves: {})",
                    self.kinds().join(", ")
                ),
            ));
        };

        inv.record_route(kind);
        let ctx = Ctx::new(self.state.clone(), &inv, Arc::from(kind));
        handler(inv.payload().clone(), ctx).await
    }
}

impl<S> AuthorizerRouter<S> {
    /// The payload kinds this router serves (`token`, `request`, `http`), for the manifest.
    #[must_use]
    pub fn kinds(&self) -> Vec<String> {
        [
            ("token", &self.token),
            ("request", &self.request),
            ("http", &self.http),
        ]
        .into_iter()
        .filter(|(_, h)| h.is_some())
        .map(|(kind, _)| kind.to_owned())
        .collect()
    }
}

/// Wraps a typed handler so it takes the raw payload and answers with encoded JSON.
fn raw<E, T, S>(kind: &'static str, inner: BoxHandler<E, T, S>) -> RawHandler<S>
where
    E: DeserializeOwned + Send + 'static,
    T: Serialize + Send + 'static,
    S: Send + 'static,
{
    Arc::new(move |payload: Bytes, ctx: Ctx<S>| {
        let text = String::from_utf8_lossy(&payload);
        match decode::part::<E>(&format!("the `{kind}` authorizer payload"), &text) {
            Ok(event) => inner(event, ctx)
                .map(|result| result.and_then(|response| Reply::json(&response)))
                .boxed(),
            Err(reason) => {
                let error = Error::with_kind(ErrorKind::Decode, "DecodeError", reason);
                futures_util::future::ready(Err(error)).boxed()
            }
        }
    })
}

super::router_service!(AuthorizerRouter);

impl<S: Clone> Clone for AuthorizerRouter<S> {
    fn clone(&self) -> Self {
        Self {
            token: self.token.clone(),
            request: self.request.clone(),
            http: self.http.clone(),
            state: self.state.clone(),
        }
    }
}

impl<S> fmt::Debug for AuthorizerRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizerRouter")
            .field("kinds", &self.kinds())
            .finish_non_exhaustive()
    }
}
