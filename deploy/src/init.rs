//! `aegis init`: a commented `aegis.toml` to start from, with `[names]` filled in from the
//! app's manifest when one is at hand.

use std::fmt::Write as _;

use aegis_core::Manifest;

/// The text of a new `aegis.toml` for the function `name`.
///
/// With a manifest, every bucket, queue, topic, stream, table and callee the code names is
/// listed under `[names]`, mapped to itself, so the file is ready to deploy once the names are
/// checked.
#[must_use]
pub fn text(name: &str, region: &str, manifest: Option<&Manifest>) -> String {
    let mut names = String::new();
    if let Some(m) = manifest {
        let logical = (m.s3.iter().filter_map(|r| r.bucket.clone()))
            .chain(m.sqs.iter().map(|q| q.queue.clone()))
            .chain(m.sns.iter().cloned())
            .chain(m.kinesis.iter().cloned())
            .chain(m.dynamodb.iter().map(|t| t.table.clone()))
            .chain(m.rpc.calls.iter().cloned())
            .filter(|n| !n.starts_with("arn:"));
        for name in logical {
            let _ = writeln!(names, "{name:?} = {name:?}");
        }
    }
    if names.is_empty() {
        names.push_str("# orders = \"orders-prod\"\n# photos = \"my-company-photos\"\n");
    }
    let bucket = match manifest {
        Some(m) if m.s3.iter().any(|r| r.bucket.is_none()) => {
            format!("bucket = \"{name}-uploads\"\n")
        }
        _ => "# bucket = \"my-uploads\"\n".to_owned(),
    };

    format!(
        r#"# aegis.toml: what the code cannot know. The resources themselves (routes, queues,
# schedules, RPC methods) come from the code's manifest; see `aegis plan`.

[function]
# The Lambda function's name, also the base of the role's name.
name = "{name}"
# Omit to use the standard chain (AWS_REGION, the profile).
region = "{region}"
# "x86_64" or "arm64" (Graviton: cheaper per GB-second; needs cargo-lambda to cross-compile).
architecture = "x86_64"
# MB, 128 to 10240; CPU grows with it.
memory = 128
# Seconds, 1 to 900.
timeout = 30
# X-Ray active tracing; adds the one IAM statement that cannot be scoped ("Resource": "*").
tracing = false

[environment]
# Variables set on the function.
RUST_LOG = "info"

[names]
# The logical names the code uses for buckets, queues, topics, Kinesis streams, DynamoDB tables
# and called functions, mapped to physical names or ARNs. Every name the code uses must be here
# (ARNs in code need not be). A DynamoDB table needs a stream turned on (NEW_AND_OLD_IMAGES);
# aegis maps its latest one, or the stream ARN given here.
{names}
[s3]
# The bucket of the S3 routes whose code names none.
{bucket}
[http]
# When the app serves HTTP: "function-url" (default), or "http-api" for an API Gateway HTTP API
# (one $default route to the function, auto-deployed; its URL is printed after `aegis deploy`).
kind = "function-url"
# Who may call the Function URL: "none" (public; the app does its own auth) or "aws-iam".
auth = "none"

[eventbridge]
# The event bus the rule of the EventBridge routes goes on, by name or ARN; the account's
# "default" bus when absent. The bus must exist; aegis makes only its one rule on it.
# bus = "orders-bus"

[overrides]
# role_name = "{name}-role"
# alias = "live"
# sqs_batch_size = 10
# Records per Kinesis or DynamoDB stream batch, 1 to 10000.
# stream_batch_size = 100
# Where a new Kinesis or DynamoDB stream mapping starts: "LATEST" (only new records) or
# "TRIM_HORIZON" (every record the stream still holds). Existing mappings keep their place.
# stream_starting_position = "LATEST"
# tags = {{ team = "payments" }}
"#
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::text;
    use crate::config::Config;

    #[test]
    fn the_written_file_parses_as_it_is() {
        let config =
            Config::parse(&text("shop", "eu-west-1", None), Path::new("aegis.toml")).unwrap();
        assert_eq!(config.function.name, "shop");
        assert_eq!(config.function.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.environment["RUST_LOG"], "info");
    }

    #[test]
    fn the_commented_stream_overrides_parse_once_uncommented() {
        let written = text("shop", "eu-west-1", None)
            .replace("# stream_batch_size", "stream_batch_size")
            .replace("# stream_starting_position", "stream_starting_position");
        let config = Config::parse(&written, Path::new("aegis.toml")).unwrap();
        assert_eq!(config.overrides.stream_batch_size, Some(100));
        assert_eq!(
            config.overrides.stream_starting_position,
            crate::config::StartingPosition::Latest
        );
        let trim = written.replace("= \"LATEST\"", "= \"TRIM_HORIZON\"");
        let config = Config::parse(&trim, Path::new("aegis.toml")).unwrap();
        assert_eq!(
            config.overrides.stream_starting_position.as_str(),
            "TRIM_HORIZON"
        );
    }

    #[test]
    fn the_commented_bus_parses_once_uncommented() {
        let written = text("shop", "eu-west-1", None).replace("# bus = ", "bus = ");
        let config = Config::parse(&written, Path::new("aegis.toml")).unwrap();
        assert_eq!(config.eventbridge.bus.as_deref(), Some("orders-bus"));
    }
}
