//! The EventBridge router: events go to the first route whose `source` and `detail-type` globs,
//! and detail pattern if it has one, match them; the handler gets the detail typed.
//!
//! Detail patterns use EventBridge's own syntax ([`EventPattern`]); an invalid one is reported
//! by [`App::build`](crate::App::build), naming the route. The manifest carries each route as
//! an EventBridge pattern, so deploy can create the rules. An event no route matches is an error
//! naming its source and detail type, unless a fallback is set; a detail that does not decode
//! into the handler's type is an error naming the route.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use bytes::Bytes;
use futures_util::future::FutureExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::pattern::{EventPattern, InvalidPattern};
use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::EventBridgeDeclaration;
use crate::{decode, BoxError, Error, ErrorKind, Glob, Invocation, Reply, Trigger};

/// What routing reads of an event; the route's handler then decodes the whole event once,
/// with its detail typed.
#[derive(Deserialize)]
struct Envelope {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    #[serde(default)]
    detail: Option<Box<RawValue>>,
}

type RawHandler<S> = BoxHandler<Bytes, (), S>;

/// What an EventBridge route matches: `source` and `detail-type` globs and an optional
/// pattern on `detail`.
#[derive(Debug, Clone)]
#[must_use]
pub struct EventRule {
    source: Glob,
    detail_type: Glob,
    detail: Option<Result<EventPattern, InvalidPattern>>,
    name: Option<String>,
}

impl EventRule {
    /// Events whose `source` matches `source` and whose `detail-type` matches `detail_type`.
    pub fn new(source: &str, detail_type: &str) -> Self {
        Self {
            source: Glob::new(source),
            detail_type: Glob::new(detail_type),
            detail: None,
            name: None,
        }
    }

    /// Every event from `source`, whatever its detail type.
    pub fn source(source: &str) -> Self {
        Self::new(source, "*")
    }

    /// Only events whose `detail` matches `pattern`, in EventBridge's pattern syntax. It is
    /// checked when the app is built.
    pub fn detail(mut self, pattern: Value) -> Self {
        self.detail = Some(EventPattern::parse(&pattern));
        self
    }

    /// The route's name in logs, spans and metrics; by default the source and detail type.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    fn route_name(&self) -> String {
        self.name
            .clone()
            .unwrap_or_else(|| format!("{} {}", self.source, self.detail_type))
    }

    /// The rule as an EventBridge event pattern, for deploy. A glob EventBridge cannot express
    /// exactly (one with `?`) becomes the broader prefix; the router checks the rest.
    fn to_pattern(&self) -> Value {
        let mut pattern = serde_json::Map::new();
        for (key, glob) in [("source", &self.source), ("detail-type", &self.detail_type)] {
            if let Some(entry) = glob_pattern(glob) {
                pattern.insert(key.to_owned(), entry);
            }
        }
        if let Some(Ok(detail)) = &self.detail {
            pattern.insert("detail".to_owned(), detail.as_json().clone());
        }
        Value::Object(pattern)
    }
}

fn glob_pattern(glob: &Glob) -> Option<Value> {
    let text = glob.as_str();
    let prefix = glob.literal_prefix();
    if glob.is_match_all() || (text.contains('?') && prefix.is_empty()) {
        None
    } else if prefix == text {
        Some(json!([text]))
    } else if text.contains('?') || &text[prefix.len()..] == "*" {
        Some(json!([{ "prefix": prefix }]))
    } else {
        Some(json!([{ "wildcard": text }]))
    }
}

#[derive(Clone)]
struct EventRoute<S> {
    rule: EventRule,
    name: Arc<str>,
    handler: RawHandler<S>,
}

/// Routes EventBridge events to typed handlers by source, detail type and detail pattern.
///
/// ```
/// use aegis_core::aws_lambda_events::eventbridge::EventBridgeEvent;
/// use aegis_core::{Ctx, EventBridgeRouter, EventRule};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct OrderPlaced { id: String, total: f64 }
///
/// async fn bill(event: EventBridgeEvent<OrderPlaced>, _ctx: Ctx) -> Result<(), String> {
///     println!("billing {} for {}", event.detail.id, event.detail.total);
///     Ok(())
/// }
///
/// let rule = EventRule::new("com.shop.orders", "Order Placed")
///     .detail(serde_json::json!({"total": [{"numeric": [">", 0]}]}));
/// let router = EventBridgeRouter::new().route(rule, bill);
/// assert!(router.errors().is_empty());
/// ```
pub struct EventBridgeRouter<S = ()> {
    routes: Arc<Vec<EventRoute<S>>>,
    fallback: Option<RawHandler<S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> EventBridgeRouter<S> {
    /// Adds a route whose handler gets the event with its `detail` decoded into `T`. Routes are
    /// tried in the order they were added.
    #[must_use]
    pub fn route<T, F, Fut, Er>(mut self, rule: EventRule, handler: F) -> Self
    where
        T: DeserializeOwned + Serialize + Send + 'static,
        F: Fn(EventBridgeEvent<T>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        let name: Arc<str> = rule.route_name().into();
        let route = EventRoute {
            handler: typed(Arc::clone(&name), handler::boxed(handler)),
            name,
            rule,
        };
        Arc::make_mut(&mut self.routes).push(route);
        self
    }

    /// Handles the events no route matches, with the detail as JSON.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(EventBridgeEvent<Value>, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(typed("fallback".into(), handler::boxed(handler)));
        self
    }

    /// The invalid detail patterns among the routes, each naming its route.
    #[must_use]
    pub fn errors(&self) -> Vec<String> {
        self.routes
            .iter()
            .filter_map(|r| match &r.rule.detail {
                Some(Err(e)) => Some(format!(
                    "eventbridge route `{}`: invalid detail pattern at `detail.{}`: {}",
                    r.name, e.path, e.reason
                )),
                _ => None,
            })
            .collect()
    }

    /// The routes as EventBridge patterns, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<EventBridgeDeclaration> {
        self.routes
            .iter()
            .map(|r| EventBridgeDeclaration {
                route: r.name.to_string(),
                source: r.rule.source.to_string(),
                detail_type: r.rule.detail_type.to_string(),
                detail: match &r.rule.detail {
                    Some(Ok(p)) => Some(p.as_json().clone()),
                    _ => None,
                },
                pattern: r.rule.to_pattern(),
            })
            .collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: Envelope = decode::event(Trigger::EventBridge, inv.payload())?;

        // The detail is parsed into a generic value only when a route needs to look inside it.
        let mut detail: Option<Value> = None;
        let mut picked = None;
        for route in self.routes.iter() {
            let rule = &route.rule;
            if !rule.source.matches(&event.source) || !rule.detail_type.matches(&event.detail_type)
            {
                continue;
            }
            if let Some(Ok(pattern)) = &rule.detail {
                let value = detail.get_or_insert_with(|| {
                    let raw = event.detail.as_deref().map_or("null", RawValue::get);
                    serde_json::from_str(raw).unwrap_or(Value::Null)
                });
                if !pattern.matches(value) {
                    continue;
                }
            }
            picked = Some((Arc::clone(&route.name), Arc::clone(&route.handler)));
            break;
        }

        let fallback = || self.fallback.clone().map(|h| (Arc::from("fallback"), h));
        let Some((name, handler)) = picked.or_else(fallback) else {
            return Err(Error::no_route(
                Trigger::EventBridge,
                format_args!(
                    "source `{}`, detail-type `{}`",
                    event.source, event.detail_type
                ),
            ));
        };

        inv.record_route(&name);
        let ctx = Ctx::new(self.state.clone(), &inv, name);
        handler(inv.payload().clone(), ctx)
            .await
            .map(|()| Reply::null())
    }
}

/// Wraps a typed handler so it takes the raw payload, decoding the event with its detail typed
/// on the way in.
fn typed<T, S>(route: Arc<str>, inner: BoxHandler<EventBridgeEvent<T>, (), S>) -> RawHandler<S>
where
    T: DeserializeOwned + Serialize + Send + 'static,
    S: Send + 'static,
{
    Arc::new(move |payload: Bytes, ctx: Ctx<S>| {
        let what = format!("the event for route `{route}`");
        let text = String::from_utf8_lossy(&payload);
        match decode::part::<EventBridgeEvent<T>>(&what, &text) {
            Ok(event) => inner(event, ctx),
            Err(reason) => {
                let error = Error::with_kind(ErrorKind::Decode, "InvalidDetail", reason);
                futures_util::future::ready(Err(error)).boxed()
            }
        }
    })
}

super::router_service!(EventBridgeRouter, routes);

impl<S> fmt::Debug for EventBridgeRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventBridgeRouter")
            .field(
                "routes",
                &self.routes.iter().map(|r| &r.rule).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_become_the_narrowest_eventbridge_pattern_that_covers_them() {
        let p = |g: &str| glob_pattern(&Glob::new(g));
        assert_eq!(p("*"), None);
        assert_eq!(p("com.shop"), Some(json!(["com.shop"])));
        assert_eq!(p("com.shop.*"), Some(json!([{"prefix": "com.shop."}])));
        assert_eq!(
            p("com.*.orders"),
            Some(json!([{"wildcard": "com.*.orders"}]))
        );
        assert_eq!(p("com.sho?"), Some(json!([{"prefix": "com.sho"}])));
    }
}
