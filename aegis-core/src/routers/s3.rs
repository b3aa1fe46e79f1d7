//! The S3 router: each record of an S3 notification goes to the first route whose bucket,
//! event name and key pattern match it.
//!
//! Keys arrive URL-encoded in S3 events (`my+photo%281%29.jpg`); they are decoded before
//! matching, and handlers see the decoded key. A record no route matches is an error naming the
//! bucket, event and key, unless a fallback is set. Records run one after another; when one
//! fails the others still run, and the invocation fails with every failed key named, so S3's
//! retry of the event loses nothing.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::s3::{S3Event, S3EventRecord};

use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::S3Declaration;
use crate::{decode, BoxError, Error, Glob, Invocation, Reply, Trigger};

/// One S3 record, with its bucket, event name and decoded key at hand.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct S3Record {
    /// The bucket's name.
    pub bucket: String,
    /// The object key, URL-decoded.
    pub key: String,
    /// The event name without its `s3:` prefix, such as `ObjectCreated:Put`.
    pub event_name: String,
    /// The whole record, as Lambda delivered it.
    pub record: S3EventRecord,
}

/// What an S3 route matches: an event-name glob, a key glob, and optionally a bucket.
#[derive(Debug, Clone)]
#[must_use]
pub struct S3Filter {
    bucket: Option<String>,
    events: Glob,
    key: Glob,
    name: Option<String>,
}

impl S3Filter {
    /// Records whose event name matches `events` (`ObjectCreated:*`, `s3:ObjectRemoved:*`),
    /// any key, any bucket.
    pub fn new(events: &str) -> Self {
        Self {
            bucket: None,
            events: Glob::new(events.strip_prefix("s3:").unwrap_or(events)),
            key: Glob::new("*"),
            name: None,
        }
    }

    /// Records of any object created (`ObjectCreated:*`).
    pub fn created() -> Self {
        Self::new("ObjectCreated:*")
    }

    /// Records of any object removed (`ObjectRemoved:*`).
    pub fn removed() -> Self {
        Self::new("ObjectRemoved:*")
    }

    /// Only keys matching `key` (`uploads/*.jpg`).
    pub fn key(mut self, key: &str) -> Self {
        self.key = Glob::new(key);
        self
    }

    /// Only this bucket.
    pub fn bucket(mut self, bucket: &str) -> Self {
        self.bucket = Some(bucket.to_owned());
        self
    }

    /// The route's name in logs, spans and metrics; by default the event and key patterns.
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    fn route_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            let bucket = self.bucket.as_deref().unwrap_or("*");
            format!("{} {bucket}/{}", self.events, self.key)
        })
    }

    fn matches(&self, bucket: &str, event: &str, key: &str) -> bool {
        self.bucket
            .as_deref()
            .is_none_or(|b| super::names::physical(b) == bucket)
            && self.events.matches(event)
            && self.key.matches(key)
    }
}

/// A matched route: its name and handler.
type Picked<'a, S> = (&'a Arc<str>, &'a BoxHandler<S3Record, (), S>);

#[derive(Clone)]
struct S3Route<S> {
    filter: S3Filter,
    name: Arc<str>,
    handler: BoxHandler<S3Record, (), S>,
}

/// Routes S3 notifications to handlers by bucket, event name and key.
///
/// ```
/// use aegis_core::{Ctx, S3Filter, S3Record, S3Router};
///
/// async fn thumbnail(record: S3Record, _ctx: Ctx) -> Result<(), std::io::Error> {
///     println!("new photo {}", record.key);
///     Ok(())
/// }
///
/// let router = S3Router::new().route(S3Filter::created().key("photos/*.jpg"), thumbnail);
/// # let _ = router;
/// ```
pub struct S3Router<S = ()> {
    routes: Arc<Vec<S3Route<S>>>,
    fallback: Option<(Arc<str>, BoxHandler<S3Record, (), S>)>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> S3Router<S> {
    /// Adds a route. Routes are tried in the order they were added.
    #[must_use]
    pub fn route<F, Fut, Er>(mut self, filter: S3Filter, handler: F) -> Self
    where
        F: Fn(S3Record, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        let route = S3Route {
            name: filter.route_name().into(),
            filter,
            handler: handler::boxed(handler),
        };
        Arc::make_mut(&mut self.routes).push(route);
        self
    }

    /// Handles the records no route matches.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(S3Record, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(("fallback".into(), handler::boxed(handler)));
        self
    }

    /// What this router declares, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<S3Declaration> {
        self.routes
            .iter()
            .map(|r| S3Declaration {
                route: r.name.to_string(),
                bucket: r.filter.bucket.clone(),
                events: vec![format!("s3:{}", r.filter.events)],
                key: r.filter.key.to_string(),
                prefix: r.filter.key.literal_prefix().to_owned(),
                suffix: r.filter.key.literal_suffix().to_owned(),
            })
            .collect()
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let event: S3Event = decode::event(Trigger::S3, inv.payload())?;
        let mut failures = Vec::new();

        for record in event.records {
            let record = into_record(record)?;
            let Some((name, handler)) = self.pick(&record) else {
                failures.push(Error::no_route(
                    Trigger::S3,
                    format_args!(
                        "bucket `{}`, event `{}`, key `{}`",
                        record.bucket, record.event_name, record.key
                    ),
                ));
                continue;
            };

            inv.record_route(name);
            let key = record.key.clone();
            let ctx = Ctx::new(self.state.clone(), &inv, Arc::clone(name));
            if let Err(error) = handler(record, ctx).await {
                failures.push(Error::with_kind(
                    error.kind(),
                    error.error_type().to_owned(),
                    format!("key `{key}`: {error}"),
                ));
            }
        }

        match failures.len() {
            0 => Ok(Reply::null()),
            1 => Err(failures.remove(0)),
            n => {
                let first = &failures[0];
                let all: Vec<_> = failures.iter().map(Error::message).collect();
                Err(Error::with_kind(
                    first.kind(),
                    first.error_type().to_owned(),
                    format!("{n} records failed: {}", all.join("; ")),
                ))
            }
        }
    }

    fn pick(&self, record: &S3Record) -> Option<Picked<'_, S>> {
        self.routes
            .iter()
            .find(|r| {
                r.filter
                    .matches(&record.bucket, &record.event_name, &record.key)
            })
            .map(|r| (&r.name, &r.handler))
            .or_else(|| self.fallback.as_ref().map(|(n, h)| (n, h)))
    }
}

fn into_record(record: S3EventRecord) -> Result<S3Record, Error> {
    let missing = |what: &str| Error::decode(Trigger::S3, &format!("a record has no {what}"));
    let bucket = record
        .s3
        .bucket
        .name
        .clone()
        .ok_or_else(|| missing("s3.bucket.name"))?;
    let raw_key = record
        .s3
        .object
        .key
        .as_deref()
        .ok_or_else(|| missing("s3.object.key"))?;
    let key = decode_key(raw_key)
        .map_err(|e| Error::decode(Trigger::S3, &format!("key `{raw_key}` {e}")))?;
    let event_name = record
        .event_name
        .as_deref()
        .ok_or_else(|| missing("eventName"))?;
    let event_name = event_name
        .strip_prefix("s3:")
        .unwrap_or(event_name)
        .to_owned();
    Ok(S3Record {
        bucket,
        key,
        event_name,
        record,
    })
}

/// Decodes an S3 event key: form encoding, where `+` is a space and `%XX` a byte of UTF-8.
pub(crate) fn decode_key(raw: &str) -> Result<String, &'static str> {
    let spaced = raw.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8()
        .map(|k| k.into_owned())
        .map_err(|_| "is not UTF-8 once URL-decoded")
}

super::router_service!(S3Router, routes);

impl<S> fmt::Debug for S3Router<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Router")
            .field(
                "routes",
                &self.routes.iter().map(|r| &r.filter).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .field("state", &handler::HandlerName(std::any::type_name::<S>()))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_form_decoded() {
        assert_eq!(
            decode_key("my+photo%281%29.jpg").unwrap(),
            "my photo(1).jpg"
        );
        assert_eq!(decode_key("caf%C3%A9.txt").unwrap(), "café.txt");
        assert_eq!(decode_key("a%2Bb").unwrap(), "a+b");
        assert!(decode_key("bad%FF").is_err());
    }

    #[test]
    fn a_filter_strips_the_s3_prefix_of_event_names() {
        let f = S3Filter::new("s3:ObjectCreated:*").key("in/*.csv");
        assert!(f.matches("b", "ObjectCreated:Put", "in/x.csv"));
        assert!(!f.matches("b", "ObjectRemoved:Delete", "in/x.csv"));
        assert!(!f.matches("b", "ObjectCreated:Put", "out/x.csv"));
    }
}
