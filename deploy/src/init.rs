//! `aegis init`: a commented `aegis.toml` to start from, with `[names]` filled in from the
//! app's manifest when one is at hand.

use std::fmt::Write as _;

use aegis_core::Manifest;

/// The text of a new `aegis.toml` for the function `name`.
///
/// With a manifest, every bucket, queue, topic and callee the code names is listed under
/// `[names]`, mapped to itself, so the file is ready to deploy once the names are checked.
#[must_use]
pub fn text(name: &str, region: &str, manifest: Option<&Manifest>) -> String {
    let mut names = String::new();
    if let Some(m) = manifest {
        let logical = (m.s3.iter().filter_map(|r| r.bucket.clone()))
            .chain(m.sqs.iter().map(|q| q.queue.clone()))
            .chain(m.sns.iter().cloned())
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
# The logical names the code uses for buckets, queues, topics and called functions, mapped to
# physical names or ARNs. Every name the code uses must be here (ARNs in code need not be).
{names}
[s3]
# The bucket of the S3 routes whose code names none.
{bucket}
[http]
# When the app serves HTTP: "function-url" (default) or "http-api".
kind = "function-url"
# Who may call the Function URL: "none" (public; the app does its own auth) or "aws-iam".
auth = "none"

[overrides]
# role_name = "{name}-role"
# alias = "live"
# sqs_batch_size = 10
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
}
