//! The Cognito user pool trigger router: each event goes to the first route whose glob matches
//! its `triggerSource`, and the handler's answer, the whole event with its `response` filled
//! in, is what Cognito reads.
//!
//! A handler works on the typed event of its trigger (`CognitoEventUserPoolsPreSignup` and the
//! other `aws_lambda_events::cognito` types) or on a `serde_json::Value`, which keeps every
//! field as sent. An event whose trigger source no route matches is an error naming it, unless
//! a fallback is set; a handler error makes Cognito refuse the operation with that message.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::FutureExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::handler::{self, BoxHandler, Ctx};
use crate::{decode, BoxError, Error, ErrorKind, Glob, Invocation, Reply, Trigger};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Head {
    trigger_source: String,
}

/// Each route: the glob it matches, its name, its handler.
type Routes<S> = Vec<(Glob, Arc<str>, RawHandler<S>)>;

type RawHandler<S> = BoxHandler<Bytes, Reply, S>;

/// Routes Cognito user pool trigger events by trigger source.
///
/// ```
/// use aegis_core::aws_lambda_events::cognito::CognitoEventUserPoolsPreSignup;
/// use aegis_core::{CognitoRouter, Ctx};
///
/// async fn auto_confirm(
///     mut event: CognitoEventUserPoolsPreSignup,
///     _ctx: Ctx,
/// ) -> Result<CognitoEventUserPoolsPreSignup, String> {
///     event.response.auto_confirm_user = true;
///     Ok(event)
/// }
///
/// let router = CognitoRouter::new().trigger("PreSignUp_*", auto_confirm);
/// # let _ = router;
/// ```
pub struct CognitoRouter<S = ()> {
    routes: Arc<Routes<S>>,
    fallback: Option<RawHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> CognitoRouter<S> {
    /// Handles the events whose `triggerSource` matches `source` (`PreSignUp_SignUp`,
    /// `PreSignUp_*`), decoded into `E`. Routes are tried in the order they were added.
    #[must_use]
    pub fn trigger<E, F, Fut, Er>(mut self, source: &str, handler: F) -> Self
    where
        E: DeserializeOwned + Serialize + Send + 'static,
        F: Fn(E, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<E, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        Arc::make_mut(&mut self.routes).push((
            Glob::new(source),
            source.into(),
            raw(handler::boxed(handler)),
        ));
        self
    }

    /// Handles events of trigger sources no route matches, as JSON.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(Value, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(raw(handler::boxed(handler)));
        self
    }

    /// The trigger-source globs this router declares, for the manifest.
    #[must_use]
    pub fn sources(&self) -> Vec<String> {
        self.routes
            .iter()
            .map(|(glob, _, _)| glob.to_string())
            .collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let head: Head = decode::event(Trigger::Cognito, inv.payload())?;
        let source = head.trigger_source;
        let picked = self
            .routes
            .iter()
            .find(|(glob, _, _)| glob.matches(&source))
            .map(|(_, name, h)| (Arc::clone(name), Arc::clone(h)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)));
        let Some((name, handler)) = picked else {
            return Err(Error::no_route(
                Trigger::Cognito,
                format_args!("trigger source `{source}`"),
            ));
        };

        inv.record_route(&name);
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        handler(inv.payload().clone(), ctx).await
    }
}

/// Wraps a typed handler so it takes the raw payload and answers with the encoded event.
fn raw<E, S>(inner: BoxHandler<E, E, S>) -> RawHandler<S>
where
    E: DeserializeOwned + Serialize + Send + 'static,
    S: Send + 'static,
{
    Arc::new(move |payload: Bytes, ctx: Ctx<S>| {
        let text = String::from_utf8_lossy(&payload);
        match decode::part::<E>("the Cognito event", &text) {
            Ok(event) => inner(event, ctx)
                .map(|result| result.and_then(|event| Reply::json(&event)))
                .boxed(),
            Err(reason) => {
                let error = Error::with_kind(ErrorKind::Decode, "DecodeError", reason);
                futures_util::future::ready(Err(error)).boxed()
            }
        }
    })
}

super::router_service!(CognitoRouter, routes);

impl<S> fmt::Debug for CognitoRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CognitoRouter")
            .field(
                "triggers",
                &self.routes.iter().map(|(g, _, _)| g).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}
