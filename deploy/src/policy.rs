//! The execution role's inline policy, derived from what the app declares and scoped to the
//! declared resources.
//!
//! Only one statement may name `"Resource": "*"`: X-Ray's `PutTraceSegments` and
//! `PutTelemetryRecords`, which AWS does not allow to be scoped to any resource. It is added only
//! when `[function] tracing = true`, and [`Policy::unscoped`] names it so the CLI can say so.
//!
//! The stream statements need no `*`. For Kinesis, Lambda's poller needs only actions that take
//! a stream ARN (`DescribeStream`, `DescribeStreamSummary`, `GetRecords`, `GetShardIterator`,
//! `ListShards`); `kinesis:ListStreams`, which takes no resource, is not needed and not granted,
//! nor is `SubscribeToShard`, which only enhanced fan-out consumers use. For DynamoDB, all four
//! stream actions, `dynamodb:ListStreams` included, are granted on the table's streams
//! (`table/NAME/stream/*`), as AWS's own example policy for a Lambda reading a stream does.

use serde::Serialize;
use serde_json::{json, Value};

use crate::names::Target;

/// The name of the inline policy on the role.
pub const POLICY_NAME: &str = "aegis";

/// An IAM policy: a list of allow statements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// The statements, in a stable order.
    pub statements: Vec<Statement>,
}

/// One allow statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Its id, saying what it is for.
    pub sid: &'static str,
    /// The actions allowed.
    pub actions: Vec<&'static str>,
    /// The resources they are allowed on.
    pub resources: Vec<String>,
    /// Why the resource is `*`, for the one case where AWS allows nothing narrower.
    pub unscoped_because: Option<&'static str>,
}

/// What the policy is derived from.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// Where ARNs point.
    pub target: &'a Target,
    /// The function's name, for its log group.
    pub function: &'a str,
    /// Queue ARNs the function reads.
    pub queues: &'a [String],
    /// Object ARN patterns (`arn:aws:s3:::bucket/prefix*`) the S3 routes read.
    pub objects: &'a [String],
    /// Function ARNs the app calls over RPC.
    pub callees: &'a [String],
    /// Kinesis stream ARNs the function's mappings read.
    pub kinesis: &'a [String],
    /// DynamoDB stream ARNs or patterns (`…:table/NAME/stream/*`) the function's mappings read.
    pub dynamodb: &'a [String],
    /// Whether X-Ray tracing is on.
    pub tracing: bool,
}

/// The policy for `inputs`.
#[must_use]
pub fn derive(inputs: &Inputs<'_>) -> Policy {
    let group = inputs.target.arn(
        "logs",
        &format!("log-group:/aws/lambda/{}", inputs.function),
    );
    let mut statements = vec![
        Statement {
            sid: "CreateLogGroup",
            actions: vec!["logs:CreateLogGroup"],
            resources: vec![group.clone()],
            unscoped_because: None,
        },
        Statement {
            sid: "WriteLogs",
            actions: vec!["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: vec![format!("{group}:*")],
            unscoped_because: None,
        },
    ];

    if !inputs.queues.is_empty() {
        statements.push(Statement {
            sid: "ConsumeQueues",
            actions: vec![
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            resources: inputs.queues.to_vec(),
            unscoped_because: None,
        });
    }
    if !inputs.kinesis.is_empty() {
        statements.push(Statement {
            sid: "ReadKinesisStreams",
            actions: vec![
                "kinesis:DescribeStream",
                "kinesis:DescribeStreamSummary",
                "kinesis:GetRecords",
                "kinesis:GetShardIterator",
                "kinesis:ListShards",
            ],
            resources: inputs.kinesis.to_vec(),
            unscoped_because: None,
        });
    }
    if !inputs.dynamodb.is_empty() {
        statements.push(Statement {
            sid: "ReadDynamoDbStreams",
            actions: vec![
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            resources: inputs.dynamodb.to_vec(),
            unscoped_because: None,
        });
    }
    if !inputs.objects.is_empty() {
        statements.push(Statement {
            sid: "ReadNotifiedObjects",
            actions: vec!["s3:GetObject"],
            resources: inputs.objects.to_vec(),
            unscoped_because: None,
        });
    }
    if !inputs.callees.is_empty() {
        // A callee may be invoked through any of its aliases or versions, hence `:*` too.
        let resources = inputs
            .callees
            .iter()
            .flat_map(|arn| [arn.clone(), format!("{arn}:*")])
            .collect();
        statements.push(Statement {
            sid: "InvokeCallees",
            actions: vec!["lambda:InvokeFunction"],
            resources,
            unscoped_because: None,
        });
    }
    if inputs.tracing {
        statements.push(Statement {
            sid: "XRayTracing",
            actions: vec!["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            resources: vec!["*".to_owned()],
            unscoped_because: Some(
                "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level \
                 permissions",
            ),
        });
    }
    Policy { statements }
}

impl Policy {
    /// The policy document IAM stores.
    #[must_use]
    pub fn document(&self) -> Value {
        let statements: Vec<Value> = (self.statements.iter())
            .map(|s| {
                json!({
                    "Sid": s.sid,
                    "Effect": "Allow",
                    "Action": s.actions,
                    "Resource": s.resources,
                })
            })
            .collect();
        json!({ "Version": "2012-10-17", "Statement": statements })
    }

    /// `sid: reason` for each statement on `"Resource": "*"`.
    #[must_use]
    pub fn unscoped(&self) -> Vec<String> {
        (self.statements.iter())
            .filter_map(|s| s.unscoped_because.map(|why| format!("{}: {why}", s.sid)))
            .collect()
    }
}

/// The trust policy letting Lambda assume the role.
#[must_use]
pub fn trust_document() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "Service": "lambda.amazonaws.com" },
            "Action": "sts:AssumeRole",
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::{derive, Inputs};
    use crate::names::Target;

    fn target() -> Target {
        Target {
            partition: "aws".into(),
            region: "eu-west-1".into(),
            account: "1".into(),
        }
    }

    #[test]
    fn every_statement_is_scoped_unless_tracing_is_on() {
        let queues = ["arn:aws:sqs:eu-west-1:1:orders".to_owned()];
        let kinesis = ["arn:aws:kinesis:eu-west-1:1:stream/clicks".to_owned()];
        let dynamodb = ["arn:aws:dynamodb:eu-west-1:1:table/orders/stream/*".to_owned()];
        let inputs = Inputs {
            target: &target(),
            function: "f",
            queues: &queues,
            objects: &[],
            callees: &[],
            kinesis: &kinesis,
            dynamodb: &dynamodb,
            tracing: false,
        };
        let policy = derive(&inputs);
        assert!(policy.unscoped().is_empty());
        let text = policy.document().to_string();
        assert!(!text.contains("\"*\""), "{text}");
        assert!(text.contains("log-group:/aws/lambda/f:*"), "{text}");
        let sids: Vec<&str> = policy.statements.iter().map(|s| s.sid).collect();
        assert!(sids.contains(&"ReadKinesisStreams") && sids.contains(&"ReadDynamoDbStreams"));
        assert!(text.contains("table/orders/stream/*") && text.contains("stream/clicks"));

        let traced = derive(&Inputs {
            tracing: true,
            ..inputs
        });
        assert_eq!(traced.unscoped().len(), 1);
        assert!(traced.unscoped()[0].starts_with("XRayTracing"));
    }
}
