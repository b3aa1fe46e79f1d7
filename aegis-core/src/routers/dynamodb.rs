//! The DynamoDB Streams router: each change record goes to the first route whose table and
//! change kind match it, and the router answers with the records to retry.
//!
//! The table is read from the record's `eventSourceARN`
//! (`arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL`) and named in code by its name or
//! table ARN. Streams are ordered, so the first failed record fails itself and every record
//! after it, each reported by `dynamodb.SequenceNumber` (see the [streams](super::streams)
//! rules). A record of no route fails the whole invocation before any handler runs, naming the
//! table and change, unless a fallback is set: a stream delivers every change of its table, so
//! a router that wants only some should say what to do with the rest.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use aws_lambda_events::dynamodb::EventRecord;
use serde::Deserialize;

use super::streams::{self, Routed};
use crate::handler::{self, BoxHandler, Ctx};
use crate::manifest::TableDeclaration;
use crate::{BoxError, Error, Invocation, Reply, Trigger};

/// The kind of change a DynamoDB stream record describes, its `eventName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ChangeKind {
    /// `INSERT`: a new item was added.
    Insert,
    /// `MODIFY`: attributes of an existing item changed.
    Modify,
    /// `REMOVE`: an item was deleted.
    Remove,
}

impl ChangeKind {
    /// Every kind, in the order DynamoDB documents them.
    pub const ALL: [ChangeKind; 3] = [Self::Insert, Self::Modify, Self::Remove];

    /// The `eventName` of this kind, as DynamoDB spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Insert => "INSERT",
            Self::Modify => "MODIFY",
            Self::Remove => "REMOVE",
        }
    }
}

impl fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The fields read to route and report a record before it is decoded whole.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "eventSourceARN", default)]
    arn: Option<String>,
    #[serde(rename = "eventName", default)]
    event_name: Option<String>,
    #[serde(default)]
    dynamodb: Option<HeadChange>,
}

#[derive(Deserialize)]
struct HeadChange {
    #[serde(rename = "SequenceNumber", default)]
    sequence_number: Option<String>,
}

#[derive(Clone)]
struct TableRoute<S> {
    table: Arc<str>,
    kind: Option<ChangeKind>,
    name: Arc<str>,
    handler: BoxHandler<EventRecord, (), S>,
}

/// Routes DynamoDB stream records to handlers by table and change kind.
///
/// ```
/// use aegis_core::aws_lambda_events::dynamodb::EventRecord;
/// use aegis_core::{ChangeKind, Ctx, DynamoDbRouter};
///
/// async fn audit(record: EventRecord, _ctx: Ctx) -> Result<(), std::io::Error> {
///     println!("{} on {:?}", record.event_name, record.change.keys);
///     Ok(())
/// }
///
/// let router = DynamoDbRouter::new()
///     .change("orders", ChangeKind::Remove, audit)
///     .table("orders", |_record: EventRecord, _ctx: Ctx| async { Ok::<_, String>(()) });
/// # let _ = router;
/// ```
pub struct DynamoDbRouter<S = ()> {
    routes: Arc<Vec<TableRoute<S>>>,
    fallback: Option<BoxHandler<EventRecord, (), S>>,
    state: S,
}

impl<S: Clone + Send + Sync + 'static> DynamoDbRouter<S> {
    /// Handles every change of `table`, a table name or table ARN. Routes are tried in the
    /// order they were added.
    #[must_use]
    pub fn table<F, Fut, Er>(self, table: &str, handler: F) -> Self
    where
        F: Fn(EventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.push(table, None, handler::boxed(handler))
    }

    /// Handles the changes of one kind in `table`.
    #[must_use]
    pub fn change<F, Fut, Er>(self, table: &str, kind: ChangeKind, handler: F) -> Self
    where
        F: Fn(EventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.push(table, Some(kind), handler::boxed(handler))
    }

    /// Handles the records no route matches.
    #[must_use]
    pub fn fallback<F, Fut, Er>(mut self, handler: F) -> Self
    where
        F: Fn(EventRecord, Ctx<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Er>> + Send + 'static,
        Er: Into<BoxError> + 'static,
    {
        self.fallback = Some(handler::boxed(handler));
        self
    }

    fn push(
        mut self,
        table: &str,
        kind: Option<ChangeKind>,
        handler: BoxHandler<EventRecord, (), S>,
    ) -> Self {
        let name = match kind {
            Some(kind) => format!("{table} {kind}"),
            None => table.to_owned(),
        };
        Arc::make_mut(&mut self.routes).push(TableRoute {
            table: table.into(),
            kind,
            name: name.into(),
            handler,
        });
        self
    }

    /// The tables this router declares and the changes it takes from each, for the manifest.
    #[must_use]
    pub fn declarations(&self) -> Vec<TableDeclaration> {
        let mut tables: BTreeMap<&str, Vec<&'static str>> = BTreeMap::new();
        for route in self.routes.iter() {
            let events = tables.entry(&route.table).or_default();
            let kinds = route.kind.map_or(ChangeKind::ALL.to_vec(), |k| vec![k]);
            for kind in kinds {
                if !events.contains(&kind.as_str()) {
                    events.push(kind.as_str());
                }
            }
        }
        tables
            .into_iter()
            .map(|(table, events)| TableDeclaration {
                table: table.to_owned(),
                events: events.into_iter().map(str::to_owned).collect(),
            })
            .collect()
    }

    fn pick(
        &self,
        arn: &str,
        event_name: &str,
    ) -> Option<(Arc<str>, BoxHandler<EventRecord, (), S>)> {
        self.routes
            .iter()
            .find(|r| names_table(&r.table, arn) && r.kind.is_none_or(|k| k.as_str() == event_name))
            .map(|r| (Arc::clone(&r.name), Arc::clone(&r.handler)))
            .or_else(|| self.fallback.clone().map(|h| (Arc::from("fallback"), h)))
    }

    async fn serve(self, inv: Invocation) -> Result<Reply, Error> {
        let records = streams::records(Trigger::DynamoDb, &inv)?;

        // Route and check every record before running any, so a batch that cannot be handled
        // or reported fails whole and untouched.
        let mut work = Vec::with_capacity(records.len());
        for (index, raw) in records.into_iter().enumerate() {
            let head: Head = streams::head(Trigger::DynamoDb, index, &raw)?;
            let Some(sequence) = head.dynamodb.and_then(|d| d.sequence_number) else {
                return Err(streams::unreportable(
                    Trigger::DynamoDb,
                    index,
                    "dynamodb.SequenceNumber",
                ));
            };
            let arn = head.arn.unwrap_or_default();
            let event_name = head.event_name.unwrap_or_default();
            let Some((route, handler)) = self.pick(&arn, &event_name) else {
                return Err(Error::no_route(
                    Trigger::DynamoDb,
                    format_args!("table `{}`, event `{event_name}`", table_of(&arn)),
                ));
            };
            work.push(Routed {
                sequence,
                route,
                handler,
                raw,
            });
        }

        streams::run(Trigger::DynamoDb, work, &self.state, &inv).await
    }
}

/// The table name in a stream ARN (`…:table/NAME/stream/LABEL`), or the ARN when it has none.
fn table_of(arn: &str) -> &str {
    arn.split_once(":table/")
        .map_or(arn, |(_, rest)| rest.split('/').next().unwrap_or(rest))
}

/// Whether `declared` (a table name or table ARN) names the table of the stream `arn`.
fn names_table(declared: &str, arn: &str) -> bool {
    if declared.starts_with("arn:") {
        arn.strip_prefix(declared)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("/stream/"))
    } else {
        table_of(arn) == declared
    }
}

super::router_service!(DynamoDbRouter, routes);

impl<S> fmt::Debug for DynamoDbRouter<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbRouter")
            .field(
                "routes",
                &self.routes.iter().map(|r| &*r.name).collect::<Vec<_>>(),
            )
            .field("fallback", &self.fallback.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000";

    #[test]
    fn the_table_is_read_from_the_stream_arn() {
        assert_eq!(table_of(ARN), "orders");
        assert_eq!(table_of("not-an-arn"), "not-an-arn");
    }

    #[test]
    fn a_table_is_named_by_name_or_by_table_arn() {
        assert!(names_table("orders", ARN));
        assert!(names_table(
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            ARN
        ));
        assert!(!names_table(
            "arn:aws:dynamodb:us-east-1:123456789012:table/order",
            ARN
        ));
        assert!(!names_table("order", ARN));
    }
}
