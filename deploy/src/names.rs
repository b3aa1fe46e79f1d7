//! Resolving the logical names the code uses to physical names and ARNs through `[names]`.
//!
//! Every bucket, queue, topic, stream, table and called function the code names must be mapped in
//! `aegis.toml`, unless the code already gives an ARN: a name the code invents is never taken
//! to be a resource in the account by accident. All unmapped names are reported at once, with
//! the lines to add.

use std::collections::BTreeMap;

use anyhow::bail;

/// Where ARNs point: a partition, region and account, concrete or as CloudFormation
/// `${AWS::…}` pseudo parameters for a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `aws`, `aws-cn`, `aws-us-gov`, or `${AWS::Partition}`.
    pub partition: String,
    /// The region, or `${AWS::Region}`.
    pub region: String,
    /// The account id, or `${AWS::AccountId}`.
    pub account: String,
}

impl Target {
    /// The pseudo parameters CloudFormation fills in, for templates.
    #[must_use]
    pub fn pseudo() -> Self {
        Self {
            partition: "${AWS::Partition}".into(),
            region: "${AWS::Region}".into(),
            account: "${AWS::AccountId}".into(),
        }
    }

    /// `arn:{partition}:{service}:{region}:{account}:{rest}`.
    #[must_use]
    pub fn arn(&self, service: &str, rest: &str) -> String {
        format!(
            "arn:{}:{service}:{}:{}:{rest}",
            self.partition, self.region, self.account
        )
    }
}

/// The kinds of resource a logical name stands for, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An S3 bucket.
    Bucket,
    /// An SQS queue.
    Queue,
    /// An SNS topic.
    Topic,
    /// A Lambda function called over RPC.
    Function,
    /// A Kinesis data stream.
    Stream,
    /// A DynamoDB table whose stream is read.
    Table,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Bucket => "bucket",
            Self::Queue => "queue",
            Self::Topic => "topic",
            Self::Function => "function",
            Self::Stream => "Kinesis stream",
            Self::Table => "DynamoDB table",
        }
    }
}

/// Looks names up in `[names]`, collecting the ones it lacks.
#[derive(Debug)]
pub struct Resolver<'a> {
    names: &'a BTreeMap<String, String>,
    missing: Vec<(Kind, String)>,
}

impl<'a> Resolver<'a> {
    /// A resolver over `names` (the `[names]` table).
    #[must_use]
    pub fn new(names: &'a BTreeMap<String, String>) -> Self {
        Self {
            names,
            missing: Vec::new(),
        }
    }

    /// The physical name or ARN for `logical`; an ARN in code stands for itself.
    ///
    /// A missing name is remembered for [`Resolver::finish`] and answered with itself, so one
    /// pass finds every missing name.
    pub fn resolve(&mut self, kind: Kind, logical: &str) -> String {
        if logical.starts_with("arn:") {
            return logical.to_owned();
        }
        if let Some(physical) = self.names.get(logical) {
            return physical.clone();
        }
        if !self.missing.iter().any(|(_, name)| name == logical) {
            self.missing.push((kind, logical.to_owned()));
        }
        logical.to_owned()
    }

    /// Fails naming every unmapped name, with the `[names]` lines that would map them.
    ///
    /// # Errors
    ///
    /// When any name looked up was not in `[names]`.
    pub fn finish(self) -> anyhow::Result<()> {
        if self.missing.is_empty() {
            return Ok(());
        }
        let listed: Vec<String> = self
            .missing
            .iter()
            .map(|(kind, name)| format!("{} `{name}`", kind.as_str()))
            .collect();
        let lines: Vec<String> = self
            .missing
            .iter()
            .map(|(_, name)| format!("{name:?} = \"<physical name or ARN>\""))
            .collect();
        bail!(
            "the code names {} that aegis.toml does not map; add under [names]:\n  {}",
            listed.join(", "),
            lines.join("\n  ")
        )
    }
}

/// The ARN of a queue, topic, function, Kinesis stream or DynamoDB table given by name or ARN.
#[must_use]
pub fn arn_of(target: &Target, service: &str, name_or_arn: &str) -> String {
    if name_or_arn.starts_with("arn:") {
        name_or_arn.to_owned()
    } else if service == "lambda" {
        target.arn("lambda", &format!("function:{name_or_arn}"))
    } else if service == "kinesis" {
        target.arn("kinesis", &format!("stream/{name_or_arn}"))
    } else if service == "dynamodb" {
        target.arn("dynamodb", &format!("table/{name_or_arn}"))
    } else {
        target.arn(service, name_or_arn)
    }
}

/// The bucket name in a bucket name or `arn:aws:s3:::name`.
#[must_use]
pub fn bucket_name(name_or_arn: &str) -> &str {
    name_or_arn.rsplit(":::").next().unwrap_or(name_or_arn)
}

/// The last `:`-separated part of an ARN: a queue's or topic's name.
#[must_use]
pub fn last_part(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// `text` with every character outside `[A-Za-z0-9_-]` made `-`, cut to `max` characters:
/// the alphabet of statement ids, notification ids and rule names.
#[must_use]
pub fn sanitize(text: &str, max: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    clean.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unmapped_name_is_reported_at_once() {
        let names = BTreeMap::from([("orders".to_owned(), "orders-prod".to_owned())]);
        let mut resolver = Resolver::new(&names);
        assert_eq!(resolver.resolve(Kind::Queue, "orders"), "orders-prod");
        resolver.resolve(Kind::Bucket, "photos");
        resolver.resolve(Kind::Topic, "alerts");
        assert_eq!(
            resolver.resolve(Kind::Queue, "arn:aws:sqs:x:1:q"),
            "arn:aws:sqs:x:1:q"
        );
        let message = resolver.finish().unwrap_err().to_string();
        assert!(
            message.contains("bucket `photos`") && message.contains("topic `alerts`"),
            "{message}"
        );
        assert!(message.contains("\"photos\" = "), "{message}");
    }

    #[test]
    fn names_become_arns_in_the_target_account() {
        let target = Target {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account: "1".into(),
        };
        assert_eq!(
            arn_of(&target, "sqs", "orders"),
            "arn:aws:sqs:eu-west-1:1:orders"
        );
        assert_eq!(
            arn_of(&target, "lambda", "f"),
            "arn:aws:lambda:eu-west-1:1:function:f"
        );
        assert_eq!(
            arn_of(&target, "kinesis", "clicks"),
            "arn:aws:kinesis:eu-west-1:1:stream/clicks"
        );
        assert_eq!(
            arn_of(&target, "dynamodb", "orders"),
            "arn:aws:dynamodb:eu-west-1:1:table/orders"
        );
        assert_eq!(bucket_name("arn:aws:s3:::photos"), "photos");
        assert_eq!(
            sanitize("uploads/* ObjectCreated", 100),
            "uploads---ObjectCreated"
        );
    }
}
