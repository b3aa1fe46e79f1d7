//! The Kinesis streams and DynamoDB tables the app reads: the sources of its stream mappings
//! and the resources of the role's stream statements.
//!
//! A Kinesis stream's ARN follows from its name. A DynamoDB stream's ARN ends in a label
//! DynamoDB picks when the stream is turned on, so the mapping's source is looked up when
//! planning ([`crate::resources::sources`]), and the role is granted the table's streams
//! (`…:table/NAME/stream/*`), which stays right when the stream is turned off and on again.
//! `[names]` may also map a table to one stream's ARN, which is then used as it is.

use std::collections::BTreeSet;

use aegis_core::Manifest;
use anyhow::bail;
use serde::Serialize;

use crate::names::{arn_of, Kind, Resolver, Target};

/// The service a stream belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    /// A Kinesis data stream.
    Kinesis,
    /// A DynamoDB table's stream.
    DynamoDb,
}

/// One stream the function reads through an event source mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stream {
    /// Kinesis or DynamoDB.
    pub kind: StreamKind,
    /// Kinesis: the stream's ARN. DynamoDB: the table's ARN, or the stream's when `[names]`
    /// gives one.
    pub arn: String,
    /// The stream's or table's name, for plans and logical ids.
    pub name: String,
}

impl Stream {
    /// The stream's ARN when it is known without asking AWS: always for Kinesis, for DynamoDB
    /// only when `[names]` gave a stream ARN.
    #[must_use]
    pub fn known_arn(&self) -> Option<&str> {
        match self.kind {
            StreamKind::Kinesis => Some(&self.arn),
            StreamKind::DynamoDb => self.arn.contains("/stream/").then_some(self.arn.as_str()),
        }
    }

    /// What the role may read: the stream, or every stream of the table.
    #[must_use]
    pub fn policy_resource(&self) -> String {
        match self.known_arn() {
            Some(arn) => arn.to_owned(),
            None => format!("{}/stream/*", self.arn),
        }
    }
}

/// Every Kinesis stream and DynamoDB table the manifest declares, resolved through `[names]`,
/// Kinesis first, each once.
///
/// # Errors
///
/// When `[names]` (or the code) gives an ARN that is not a Kinesis stream's or a DynamoDB
/// table's or stream's.
pub fn derive(
    manifest: &Manifest,
    target: &Target,
    resolver: &mut Resolver<'_>,
) -> anyhow::Result<Vec<Stream>> {
    let declared = (manifest
        .kinesis
        .iter()
        .map(|s| (StreamKind::Kinesis, Kind::Stream, s)))
    .chain((manifest.dynamodb.iter()).map(|t| (StreamKind::DynamoDb, Kind::Table, &t.table)));
    let mut seen = BTreeSet::new();
    let mut streams = Vec::new();
    for (kind, name_kind, logical) in declared {
        let physical = resolver.resolve(name_kind, logical);
        let (service, resource, what) = match kind {
            StreamKind::Kinesis => ("kinesis", "stream/", "Kinesis stream"),
            StreamKind::DynamoDb => ("dynamodb", "table/", "DynamoDB table"),
        };
        let arn = arn_of(target, service, &physical);
        // Not split on `:`: a template's `${AWS::Partition}` and a stream label hold colons.
        let name = (arn.contains(&format!(":{service}:")))
            .then(|| arn.split_once(&format!(":{resource}")))
            .flatten()
            .and_then(|(_, rest)| rest.split('/').next())
            .filter(|name| !name.is_empty());
        let Some(name) = name else {
            bail!(
                "`{arn}` is not a {what} ARN \
                 (arn:PARTITION:{service}:REGION:ACCOUNT:{resource}NAME): fix it under [names] \
                 in aegis.toml"
            );
        };
        if seen.insert(arn.clone()) {
            streams.push(Stream {
                kind,
                name: name.to_owned(),
                arn,
            });
        }
    }
    Ok(streams)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn manifest(kinesis: &[&str], tables: &[&str]) -> Manifest {
        let json = serde_json::json!({
            "manifest_version": 1, "app": "a", "aegis_version": "0", "triggers": [],
            "http": false,
            "kinesis": kinesis,
            "dynamodb": tables.iter().map(|t| serde_json::json!({"table": t, "events": []}))
                .collect::<Vec<_>>(),
        });
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn names_become_stream_arns_and_tables_grant_their_streams() {
        let target = Target {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account: "1".into(),
        };
        let names = BTreeMap::from([
            ("clicks".to_owned(), "clicks-prod".to_owned()),
            ("orders".to_owned(), "orders-prod".to_owned()),
        ]);
        let given = "arn:aws:dynamodb:eu-west-1:1:table/audit/stream/2024-01-01T00:00:00.000";
        let mut resolver = Resolver::new(&names);
        let streams = derive(
            &manifest(&["clicks"], &["orders", given]),
            &target,
            &mut resolver,
        )
        .unwrap();
        resolver.finish().unwrap();

        assert_eq!(
            streams[0].arn,
            "arn:aws:kinesis:eu-west-1:1:stream/clicks-prod"
        );
        assert_eq!(streams[0].known_arn(), Some(streams[0].arn.as_str()));
        assert_eq!(streams[1].name, "orders-prod");
        assert_eq!(streams[1].known_arn(), None);
        assert_eq!(
            streams[1].policy_resource(),
            "arn:aws:dynamodb:eu-west-1:1:table/orders-prod/stream/*"
        );
        assert_eq!(streams[2].name, "audit");
        assert_eq!(streams[2].policy_resource(), given);

        let names = BTreeMap::from([("clicks".to_owned(), "arn:aws:sqs:x:1:q".to_owned())]);
        let message = derive(
            &manifest(&["clicks"], &[]),
            &target,
            &mut Resolver::new(&names),
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("not a Kinesis stream ARN"), "{message}");
    }
}
