//! Every fixture under `tests/data` classifies as the trigger this table names for it.
//!
//! The table must name every file: one that is neither expected nor excluded fails the test,
//! so a fixture added later cannot go unchecked. All mismatches are reported at once.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use aegis_core::{classify, describe_unknown, Trigger};

/// Each fixture, as `folder/file`, with the name of the trigger it must classify as.
const EXPECTED: &[(&str, &str)] = &[
    // aegis's own fixtures.
    ("aegis/apigw-http-authorizer-v2-request.json", "apigw_authorizer"),
    ("aegis/apigw-rest-request-with-s3-event-body.json", "apigw_rest"),
    ("aegis/cloudformation-request-without-response-url.json", "cloudformation"),
    ("aegis/eventbridge-scheduler-invocation.json", "schedule"),
    ("aegis/function-url-request-iam-post.json", "function_url"),
    ("aegis/rpc-envelope.json", "rpc"),
    ("aegis/sqs-fifo-batch.json", "sqs"),
    ("aegis/sqs-record-with-rpc-envelope-body.json", "sqs"),
    // aws_lambda_events: HTTP shapes.
    ("aws_lambda_events/example-alb-lambda-target-request-headers-only.json", "alb"),
    ("aws_lambda_events/example-alb-lambda-target-request-multivalue-headers.json", "alb"),
    ("aws_lambda_events/example-apigw-console-request.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-console-test-request.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-request-catch-all.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-request-multi-value-parameters.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-request.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-restapi-openapi-request.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-sam-rest-request.json", "apigw_rest"),
    ("aws_lambda_events/example-apigw-sam-http-request.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-v2-request-iam.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-v2-request-jwt-authorizer.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-v2-request-lambda-authorizer.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-v2-request-multi-value-parameters.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-v2-request-no-authorizer.json", "apigw_http"),
    ("aws_lambda_events/example-apigw-websocket-request-disconnect-route.json", "apigw_websocket"),
    ("aws_lambda_events/example-apigw-websocket-request-without-method.json", "apigw_websocket"),
    ("aws_lambda_events/example-apigw-websocket-request.json", "apigw_websocket"),
    ("aws_lambda_events/example-vpc-lattice-v1-request.json", "vpc_lattice"),
    ("aws_lambda_events/example-vpc-lattice-v2-request-base64.json", "vpc_lattice"),
    ("aws_lambda_events/example-vpc-lattice-v2-request-roles-anywhere.json", "vpc_lattice"),
    ("aws_lambda_events/example-vpc-lattice-v2-request.json", "vpc_lattice"),
    // aws_lambda_events: authorizers.
    ("aws_lambda_events/example-apigw-custom-auth-request-type-request.json", "apigw_authorizer"),
    ("aws_lambda_events/example-apigw-custom-auth-request.json", "apigw_authorizer"),
    ("aws_lambda_events/example-apigw-v2-custom-authorizer-v1-request.json", "apigw_authorizer"),
    (
        "aws_lambda_events/example-apigw-v2-custom-authorizer-v2-request-null-maps.json",
        "apigw_authorizer",
    ),
    (
        "aws_lambda_events/example-apigw-v2-custom-authorizer-v2-request-without-cookies.json",
        "apigw_authorizer",
    ),
    (
        "aws_lambda_events/example-apigw-v2-custom-authorizer-v2-request-without-identity-source.json",
        "apigw_authorizer",
    ),
    ("aws_lambda_events/example-apigw-v2-custom-authorizer-v2-request.json", "apigw_authorizer"),
    (
        "aws_lambda_events/example-apigw-v2-custom-authorizer-websocket-request.json",
        "apigw_authorizer",
    ),
    // aws_lambda_events: batches of records.
    ("aws_lambda_events/example-s3-event-with-decoded.json", "s3"),
    ("aws_lambda_events/example-s3-event.json", "s3"),
    ("aws_lambda_events/example-sns-event-obj.json", "sns"),
    ("aws_lambda_events/example-sns-event-pascal-case.json", "sns"),
    ("aws_lambda_events/example-sns-event.json", "sns"),
    ("aws_lambda_events/example-cloudwatch-alarm-sns-payload-multiple-metrics.json", "sns"),
    ("aws_lambda_events/example-cloudwatch-alarm-sns-payload-single-metric.json", "sns"),
    ("aws_lambda_events/example-sqs-event-obj.json", "sqs"),
    ("aws_lambda_events/example-sqs-event.json", "sqs"),
    ("aws_lambda_events/example-dynamodb-event-null-items.json", "dynamodb"),
    ("aws_lambda_events/example-dynamodb-event.json", "dynamodb"),
    ("aws_lambda_events/example-kinesis-event-encrypted.json", "kinesis"),
    ("aws_lambda_events/example-kinesis-event.json", "kinesis"),
    ("aws_lambda_events/example-ses-bcc-event.json", "ses"),
    ("aws_lambda_events/example-ses-event.json", "ses"),
    ("aws_lambda_events/example-ses-lambda-event.json", "ses"),
    ("aws_lambda_events/example-ses-s3-event.json", "ses"),
    ("aws_lambda_events/example-ses-sns-event.json", "ses"),
    ("aws_lambda_events/example-code_commit-event.json", "unknown"),
    // aws_lambda_events: EventBridge.
    ("aws_lambda_events/example-eventbridge-schedule.json", "schedule"),
    ("aws_lambda_events/example-eventbridge-event-obj.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-launch-successful.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-launch-unsuccessful.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-lifecycle-action.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-terminate-action.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-terminate-successful.json", "eventbridge"),
    ("aws_lambda_events/example-autoscaling-event-terminate-unsuccessful.json", "eventbridge"),
    ("aws_lambda_events/example-codebuild-phase-change.json", "eventbridge"),
    ("aws_lambda_events/example-codebuild-state-change.json", "eventbridge"),
    ("aws_lambda_events/example-codedeploy-deployment-event.json", "eventbridge"),
    ("aws_lambda_events/example-codedeploy-instance-event.json", "eventbridge"),
    (
        "aws_lambda_events/example-codepipeline-action-execution-stage-change-event.json",
        "eventbridge",
    ),
    ("aws_lambda_events/example-codepipeline-execution-stage-change-event.json", "eventbridge"),
    ("aws_lambda_events/example-codepipeline-execution-state-change-event.json", "eventbridge"),
    ("aws_lambda_events/example-ecr-image-scan-event-with-missing-severities.json", "eventbridge"),
    ("aws_lambda_events/example-ecr-image-scan-event.json", "eventbridge"),
    // aws_lambda_events: the rest of the trigger table.
    ("aws_lambda_events/example-cloudformation-custom-resource-create-request.json", "cloudformation"),
    ("aws_lambda_events/example-cloudformation-custom-resource-delete-request.json", "cloudformation"),
    ("aws_lambda_events/example-cloudformation-custom-resource-update-request.json", "cloudformation"),
    (
        "aws_lambda_events/example-cloudformation-custom-resource-provider-create-request.json",
        "cloudformation",
    ),
    (
        "aws_lambda_events/example-cloudformation-custom-resource-provider-delete-request.json",
        "cloudformation",
    ),
    (
        "aws_lambda_events/example-cloudformation-custom-resource-provider-update-request.json",
        "cloudformation",
    ),
    ("aws_lambda_events/example-cloudwatch_logs-event.json", "cloudwatch_logs"),
    ("aws_lambda_events/example-firehose-event.json", "firehose"),
    ("aws_lambda_events/example-kinesis-firehose-event.json", "firehose"),
    (
        "aws_lambda_events/example-cognito-event-userpools-create-auth-challenge-user-not-found.json",
        "cognito",
    ),
    ("aws_lambda_events/example-cognito-event-userpools-create-auth-challenge.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-custommessage.json", "cognito"),
    (
        "aws_lambda_events/example-cognito-event-userpools-define-auth-challenge-optional-response-fields.json",
        "cognito",
    ),
    (
        "aws_lambda_events/example-cognito-event-userpools-define-auth-challenge-user-not-found.json",
        "cognito",
    ),
    ("aws_lambda_events/example-cognito-event-userpools-define-auth-challenge.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-migrateuser-null-fields.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-migrateuser.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-postauthentication.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-postconfirmation.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-preauthentication.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-presignup.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-pretokengen-incoming.json", "cognito"),
    (
        "aws_lambda_events/example-cognito-event-userpools-pretokengen-null-group-configuration.json",
        "cognito",
    ),
    ("aws_lambda_events/example-cognito-event-userpools-pretokengen-v2-incoming.json", "cognito"),
    (
        "aws_lambda_events/example-cognito-event-userpools-pretokengen-v2-null-group-configuration.json",
        "cognito",
    ),
    ("aws_lambda_events/example-cognito-event-userpools-pretokengen-v2.json", "cognito"),
    ("aws_lambda_events/example-cognito-event-userpools-pretokengen.json", "cognito"),
    (
        "aws_lambda_events/example-cognito-event-userpools-verify-auth-challenge-null-answer-correct.json",
        "cognito",
    ),
    (
        "aws_lambda_events/example-cognito-event-userpools-verify-auth-challenge-optional-answer-correct.json",
        "cognito",
    ),
    (
        "aws_lambda_events/example-cognito-event-userpools-verify-auth-challenge-user-not-found.json",
        "cognito",
    ),
    ("aws_lambda_events/example-cognito-event-userpools-verify-auth-challenge.json", "cognito"),
    // aws_lambda_events: services with no trigger of their own.
    ("aws_lambda_events/example-activemq-event-null-properties.json", "unknown"),
    ("aws_lambda_events/example-activemq-event.json", "unknown"),
    ("aws_lambda_events/example-appsync-batchinvoke.json", "unknown"),
    ("aws_lambda_events/example-appsync-direct-resolver.json", "unknown"),
    ("aws_lambda_events/example-appsync-invoke.json", "unknown"),
    ("aws_lambda_events/example-appsync-lambda-auth-request.json", "unknown"),
    ("aws_lambda_events/example-bedrock-agent-runtime-event-without-parameters.json", "unknown"),
    ("aws_lambda_events/example-bedrock-agent-runtime-event-without-request-body.json", "unknown"),
    ("aws_lambda_events/example-bedrock-agent-runtime-event.json", "unknown"),
    ("aws_lambda_events/example-clientvpn-connectionhandler-request.json", "unknown"),
    // CloudWatch alarm actions invoke Lambda directly, not through EventBridge: no `detail`.
    ("aws_lambda_events/example-cloudwatch-alarm-composite-with-suppressor-alarm.json", "unknown"),
    ("aws_lambda_events/example-cloudwatch-alarm-composite.json", "unknown"),
    ("aws_lambda_events/example-cloudwatch-alarm-metric.json", "unknown"),
    ("aws_lambda_events/example-codedeploy-lifecycle-event.json", "unknown"),
    ("aws_lambda_events/example-codepipeline_job-event.json", "unknown"),
    // Cognito Sync, not a user pool trigger.
    ("aws_lambda_events/example-cognito-event.json", "unknown"),
    ("aws_lambda_events/example-config-event.json", "unknown"),
    ("aws_lambda_events/example-connect-event-without-queue.json", "unknown"),
    ("aws_lambda_events/example-connect-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-delete-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-drop-database-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-drop-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-insert-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-invalidate-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-rename-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-replace-event.json", "unknown"),
    ("aws_lambda_events/example-documentdb-update-event.json", "unknown"),
    ("aws_lambda_events/example-iot-custom-auth-request-x509.json", "unknown"),
    ("aws_lambda_events/example-iot-custom-auth-request.json", "unknown"),
    ("aws_lambda_events/example-iot_1_click-event.json", "unknown"),
    ("aws_lambda_events/example-iot_button-event.json", "unknown"),
    ("aws_lambda_events/example-kafka-event.json", "unknown"),
    ("aws_lambda_events/example-lex-event.json", "unknown"),
    ("aws_lambda_events/example-rabbitmq-event.json", "unknown"),
    ("aws_lambda_events/example-s3-object-lambda-event-get-object-assumed-role.json", "unknown"),
    ("aws_lambda_events/example-s3-object-lambda-event-get-object-iam.json", "unknown"),
    ("aws_lambda_events/example-s3-object-lambda-event-head-object-iam.json", "unknown"),
    ("aws_lambda_events/example-s3-object-lambda-event-list-objects-iam.json", "unknown"),
    ("aws_lambda_events/example-s3-object-lambda-event-list-objects-v2-iam.json", "unknown"),
    ("aws_lambda_events/example-secretsmanager-secret-rotation-event.json", "unknown"),
    // lambda_http.
    ("lambda_http/alb_health_check.json", "alb"),
    ("lambda_http/alb_multi_value_request.json", "alb"),
    ("lambda_http/alb_multi_value_request_encoded_query_parameters.json", "alb"),
    ("lambda_http/alb_no_host.json", "alb"),
    ("lambda_http/alb_request.json", "alb"),
    ("lambda_http/alb_request_encoded_query_parameters.json", "alb"),
    ("lambda_http/apigw_multi_value_proxy_request.json", "apigw_rest"),
    ("lambda_http/apigw_no_host.json", "apigw_rest"),
    ("lambda_http/apigw_proxy_request.json", "apigw_rest"),
    ("lambda_http/apigw_request_path_with_space.json", "apigw_http"),
    ("lambda_http/apigw_v2_proxy_request.json", "apigw_http"),
    ("lambda_http/apigw_v2_proxy_request_minimal.json", "apigw_http"),
    ("lambda_http/apigw_v2_proxy_request_with_stage_in_path.json", "apigw_http"),
    ("lambda_http/apigw_v2_sam_local.json", "apigw_http"),
    ("lambda_http/lambda_function_url_request.json", "function_url"),
    ("lambda_http/vpc_lattice_v2_request.json", "vpc_lattice"),
    ("lambda_http/vpc_lattice_v2_request_base64.json", "vpc_lattice"),
    ("lambda_http/vpc_lattice_v2_request_encoded_query.json", "vpc_lattice"),
];

const RESPONSE: &str = "a response a handler returns, not an invocation payload";
const CLOUDTRAIL: &str = "a CloudTrail record: the `detail` of an EventBridge event, not a payload";

/// Fixtures that are not invocation payloads, with the reason.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "aws_lambda_events/example-alb-lambda-target-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-apigw-custom-auth-response-with-condition.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-apigw-custom-auth-response-with-single-value-action.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-apigw-custom-auth-response-with-single-value-resource.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-apigw-custom-auth-response.json",
        RESPONSE,
    ),
    ("aws_lambda_events/example-apigw-response.json", RESPONSE),
    (
        "aws_lambda_events/example-appsync-lambda-auth-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-cloudformation-custom-resource-provider-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-cloudformation-custom-resource-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-iot-custom-auth-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-kinesis-firehose-response.json",
        RESPONSE,
    ),
    ("aws_lambda_events/example-lex-response.json", RESPONSE),
    (
        "aws_lambda_events/example-sqs-batch-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-vpc-lattice-response.json",
        RESPONSE,
    ),
    (
        "aws_lambda_events/example-appsync-identity-cognito.json",
        "the `identity` member of an AppSync event, not a payload",
    ),
    (
        "aws_lambda_events/example-appsync-identity-iam.json",
        "the `identity` member of an AppSync event, not a payload",
    ),
    (
        "aws_lambda_events/example-dynamodb-event-record-with-optional-fields.json",
        "one record of a DynamoDB Streams batch, not the batch",
    ),
    (
        "aws_lambda_events/example-sqs-api-event-obj.json",
        "an SQS ReceiveMessage API response, which Lambda never delivers",
    ),
    (
        "aws_lambda_events/example-sns-subscription-confirmation.json",
        "a message SNS posts to HTTP endpoints, never to Lambda",
    ),
    (
        "aws_lambda_events/example-sns-unsubscribe-confirmation.json",
        "a message SNS posts to HTTP endpoints, never to Lambda",
    ),
    (
        "aws_lambda_events/example-cloudwatch-cloudtrail-assumed-role.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-cloudwatch-cloudtrail-unknown-federate.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-cloudwatch-cloudtrail-unknown-user-auth.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-create-managed-account.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-deregister-organizational-unit.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-disable-baseline.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-disable-guardrail.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-enable-baseline.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-enable-guardrail.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-precheck-organizational-unit.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-register-organizational-unit.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-reset-enabled-baseline.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-setup-landing-zone.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-update-enabled-baseline.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-update-landing-zone.json",
        CLOUDTRAIL,
    ),
    (
        "aws_lambda_events/example-controltower-update-managed-account.json",
        CLOUDTRAIL,
    ),
];

const FOLDERS: [&str; 3] = ["aegis", "aws_lambda_events", "lambda_http"];

/// Every `*.json` file in the fixture folders, as `folder/file`.
fn fixture_files(data: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for folder in FOLDERS {
        let entries = fs::read_dir(data.join(folder))
            .unwrap_or_else(|err| panic!("cannot list tests/data/{folder}: {err}"));
        for entry in entries {
            let name = entry.expect("a readable directory entry").file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".json") {
                files.insert(format!("{folder}/{name}"));
            }
        }
    }
    files
}

#[test]
fn every_fixture_classifies_as_its_table_says() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut unlisted = fixture_files(&data);
    let mut problems = Vec::new();

    for &(file, reason) in EXCLUDED {
        if !unlisted.remove(file) {
            problems.push(format!("{file}: excluded ({reason}) but not found"));
        }
    }

    for &(file, name) in EXPECTED {
        let expected: Trigger = name
            .parse()
            .unwrap_or_else(|err| panic!("table entry for {file}: {err}"));
        if !unlisted.remove(file) {
            problems.push(format!(
                "{file}: in the table but not found (or listed twice)"
            ));
            continue;
        }

        let payload = fs::read(data.join(file)).expect("a listed fixture is readable");
        let got = classify(&payload);
        if got != expected {
            let why = if got == Trigger::Unknown {
                format!(" ({})", describe_unknown(&payload))
            } else {
                String::new()
            };
            problems.push(format!("{file}: expected {expected}, got {got}{why}"));
        }
    }

    for file in unlisted {
        problems.push(format!(
            "{file}: neither expected nor excluded; add it to the table"
        ));
    }

    assert!(
        problems.is_empty(),
        "{} fixture problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn every_trigger_but_unknown_has_a_fixture() {
    let covered: BTreeSet<&str> = EXPECTED.iter().map(|&(_, name)| name).collect();
    let missing: Vec<&str> = Trigger::ALL
        .iter()
        .map(|t| t.as_str())
        .filter(|name| !covered.contains(name))
        .collect();
    assert!(missing.is_empty(), "no fixture for {missing:?}");
}
