//! What the deploy tests need beyond the SDK clients aegis itself uses: moto's JSON protocol,
//! to create the Kinesis stream and DynamoDB tables the CLI only reads (their SDK crates would
//! cost minutes of compiling), the example's manifest with more declared, and cfn-lint.

use std::process::Command;

use serde_json::{json, Value};

use super::Moto;

/// The Kinesis stream, and the tables with and without a stream, the stream tests map.
pub const STREAM: &str = "clicks";
pub const TABLE: &str = "orders-table";
pub const PLAIN_TABLE: &str = "plain-table";

/// One call of an AWS JSON protocol to moto, which takes the service from the credential
/// scope of the `Authorization` header and checks no signature.
pub fn moto_json(moto: &Moto, service: &str, target: &str, body: &Value) -> Value {
    let version = if service == "kinesis" { "1.1" } else { "1.0" };
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20240101/eu-west-1/{service}/aws4_request, \
         SignedHeaders=host, Signature=0"
    );
    let mut response = ureq::post(&moto.endpoint)
        .header("Authorization", &auth)
        .header("X-Amz-Target", target)
        .header("Content-Type", &format!("application/x-amz-json-{version}"))
        .send(body.to_string())
        .unwrap_or_else(|e| panic!("{target}: {e}"));
    let text = response.body_mut().read_to_string().unwrap();
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// The Kinesis stream [`STREAM`].
pub fn create_stream(moto: &Moto) {
    let body = json!({ "StreamName": STREAM, "ShardCount": 1 });
    moto_json(moto, "kinesis", "Kinesis_20131202.CreateStream", &body);
}

/// A DynamoDB table, with a `NEW_AND_OLD_IMAGES` stream when `stream`; its description.
pub fn create_table(moto: &Moto, name: &str, stream: bool) -> Value {
    let mut body = json!({
        "TableName": name,
        "AttributeDefinitions": [{ "AttributeName": "id", "AttributeType": "S" }],
        "KeySchema": [{ "AttributeName": "id", "KeyType": "HASH" }],
        "BillingMode": "PAY_PER_REQUEST",
    });
    if stream {
        body["StreamSpecification"] =
            json!({ "StreamEnabled": true, "StreamViewType": "NEW_AND_OLD_IMAGES" });
    }
    moto_json(moto, "dynamodb", "DynamoDB_20120810.CreateTable", &body)["TableDescription"].clone()
}

/// The example's own manifest, also declaring HTTP, the Kinesis stream `clicks` and the
/// DynamoDB table `order-changes`, as logical names for `[names]` to map.
pub fn manifest_with_streams_and_http() -> Value {
    let mut manifest = super::example_manifest();
    manifest["http"] = json!(true);
    manifest["triggers"].as_array_mut().unwrap().extend([
        json!("apigw_http"),
        json!("kinesis"),
        json!("dynamodb"),
    ]);
    manifest["kinesis"] = json!(["clicks"]);
    manifest["dynamodb"] = json!([{ "table": "order-changes", "events": ["INSERT", "MODIFY"] }]);
    manifest
}

/// The tests' `aegis.toml` with `[names]` for the stream `clicks` and the table
/// `order-changes` (mapped to `table`), and `[http] kind = KIND`.
pub fn config_with_streams(table: &str, kind: &str) -> String {
    let names = format!("[names]\nclicks = \"{STREAM}\"\norder-changes = \"{table}\"\n");
    let config = super::config(128).replace("[names]\n", &names);
    format!("{config}\n[http]\nkind = \"{kind}\"\n")
}

/// `cfn-lint` from PATH, else `python3 -m cfnlint`, installing it once when neither runs.
pub fn cfn_lint() -> Option<Command> {
    let works = |mut c: Command| {
        c.arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if works(Command::new("cfn-lint")) {
        return Some(Command::new("cfn-lint"));
    }
    let module = || {
        let mut c = Command::new("python3");
        c.args(["-m", "cfnlint"]);
        c
    };
    if !works(module()) {
        let _ = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "cfn-lint"])
            .status();
    }
    works(module()).then(module)
}

/// Lints the template at `path`, failing the test on any finding; says so when cfn-lint cannot
/// be had.
pub fn lint(path: &std::path::Path) {
    match cfn_lint() {
        None => eprintln!(
            "SKIPPED the cfn-lint check: cfn-lint is not installed and `pip install cfn-lint` \
             failed"
        ),
        Some(mut lint) => {
            let output = lint.arg(path).output().unwrap();
            assert!(
                output.status.success(),
                "cfn-lint:\n{}",
                String::from_utf8_lossy(&output.stdout)
            );
        }
    }
}
