//! The function's resource policy: one statement per trigger source, each scoped by the
//! source's ARN, with statement ids unique within the policy.
//!
//! The one statement without a source ARN is the public Function URL's: a URL has no caller
//! ARN to scope by, so `lambda:InvokeFunctionUrl` is granted to `*` with
//! `FunctionUrlAuthType = NONE`, which limits it to calls through the URL.
//!
//! The HTTP API's statement is scoped to the API's `$default` route in any stage
//! (`arn:…:execute-api:REGION:ACCOUNT:API_ID/*/$default`). The API's id is known only once the
//! API exists, so the ARN holds [`HTTP_API_ID`] until then.

use std::collections::BTreeSet;

use crate::config::{HttpKind, UrlAuth};
use crate::desired::{unique, Desired, Permission};
use crate::names::{last_part, sanitize, Target};

/// The prefix of every statement id aegis adds, so it never removes another tool's.
pub const SID_PREFIX: &str = "aegis-";

/// Stands for the HTTP API's id in a source ARN until the API exists. It is written as
/// CloudFormation's `Fn::Sub` reference to the template's API resource, whose logical id it
/// names, so a template fills it in by itself; `aegis deploy` puts in the id of the API it
/// found or created (see [`crate::resources::http_api::resolve`]).
pub const HTTP_API_ID: &str = "${HttpApi}";

/// The statements `desired` needs.
#[must_use]
pub fn derive(desired: &Desired, target: &Target) -> Vec<Permission> {
    let mut taken = BTreeSet::new();
    let mut sid = |kind: &str, name: &str| {
        unique(
            &mut taken,
            format!("{SID_PREFIX}{kind}-{}", sanitize(name, 80)),
            100,
        )
    };
    let mut permissions = Vec::new();

    for bucket in desired.notifications.keys() {
        permissions.push(Permission {
            sid: sid("s3", bucket),
            principal: "s3.amazonaws.com".into(),
            action: "lambda:InvokeFunction".into(),
            source_arn: Some(format!("arn:{}:s3:::{bucket}", target.partition)),
            // Bucket ARNs carry no account, so without this another account's bucket of the
            // same name could invoke the function.
            source_account: Some(target.account.clone()),
        });
    }
    let schedules = desired.rules.iter().map(|r| (&r.name, &r.arn));
    let patterns = desired.pattern_rules.iter().map(|r| (&r.name, &r.arn));
    for (name, arn) in schedules.chain(patterns) {
        permissions.push(Permission {
            sid: sid("events", name),
            principal: "events.amazonaws.com".into(),
            action: "lambda:InvokeFunction".into(),
            source_arn: Some(arn.clone()),
            source_account: None,
        });
    }
    for topic in &desired.topics {
        permissions.push(Permission {
            sid: sid("sns", last_part(topic)),
            principal: "sns.amazonaws.com".into(),
            action: "lambda:InvokeFunction".into(),
            source_arn: Some(topic.clone()),
            source_account: None,
        });
    }
    if let Some(http) = &desired.http {
        if http.kind == HttpKind::HttpApi {
            permissions.push(Permission {
                sid: sid("apigateway", "http-api"),
                principal: "apigateway.amazonaws.com".into(),
                action: "lambda:InvokeFunction".into(),
                source_arn: Some(target.arn("execute-api", &format!("{HTTP_API_ID}/*/$default"))),
                source_account: None,
            });
        }
        if http.kind == HttpKind::FunctionUrl && http.auth == UrlAuth::None {
            permissions.push(Permission {
                sid: sid("url", "public"),
                principal: "*".into(),
                action: "lambda:InvokeFunctionUrl".into(),
                source_arn: None,
                source_account: None,
            });
        }
    }
    permissions
}
