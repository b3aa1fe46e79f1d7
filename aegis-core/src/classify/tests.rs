#![allow(clippy::unwrap_used)]

use super::*;

const HTTP_API: &[u8] = include_bytes!(
    "../../tests/data/aws_lambda_events/example-apigw-v2-request-no-authorizer.json"
);
const REST: &[u8] = include_bytes!("../../tests/data/aws_lambda_events/example-apigw-request.json");
const S3: &[u8] = include_bytes!("../../tests/data/aws_lambda_events/example-s3-event.json");
const SQS: &[u8] = include_bytes!("../../tests/data/aws_lambda_events/example-sqs-event.json");

/// Sets the top-level `body` of a JSON object, as API Gateway would deliver it.
fn with_body(event: &[u8], body: &str) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(event).unwrap();
    value["body"] = serde_json::Value::String(body.to_owned());
    serde_json::to_vec(&value).unwrap()
}

#[test]
fn an_http_body_holding_an_s3_event_is_still_http() {
    let payload = with_body(HTTP_API, std::str::from_utf8(S3).unwrap());
    assert_eq!(classify(&payload), Trigger::ApigwHttp);
}

#[test]
fn a_rest_body_holding_an_rpc_envelope_is_still_rest() {
    let payload = with_body(REST, r#"{"aegis_rpc":1,"method":"m","args":{}}"#);
    assert_eq!(classify(&payload), Trigger::ApigwRest);
}

#[test]
fn an_sqs_record_whose_body_is_an_rpc_envelope_is_sqs() {
    let payload = br#"{"Records":[{"eventSource":"aws:sqs","body":"{\"aegis_rpc\":1}"}]}"#;
    assert_eq!(classify(payload), Trigger::Sqs);
}

#[test]
fn an_rpc_envelope_is_rpc() {
    let payload = br#"{"aegis_rpc":1,"method":"orders.get","args":{"id":7}}"#;
    assert_eq!(classify(payload), Trigger::Rpc);
}

#[test]
fn rpc_key_nested_below_the_top_level_is_not_rpc() {
    assert_eq!(classify(br#"{"args":{"aegis_rpc":1}}"#), Trigger::Unknown);
    assert_eq!(classify(br#"{"list":[{"aegis_rpc":1}]}"#), Trigger::Unknown);
    assert_eq!(classify(br#"[{"aegis_rpc":1}]"#), Trigger::Unknown);
}

#[test]
fn only_the_first_record_names_the_source_of_a_batch() {
    let payload = br#"{"Records":[{"eventSource":"aws:sqs"},{"eventSource":"aws:s3"}]}"#;
    assert_eq!(classify(payload), Trigger::Sqs);
}

#[test]
fn a_record_without_an_event_source_is_known_by_its_payload_member() {
    assert_eq!(classify(br#"{"Records":[{"s3":{}}]}"#), Trigger::S3);
    assert_eq!(classify(br#"{"Records":[{"Sns":{}}]}"#), Trigger::Sns);
    assert_eq!(
        classify(br#"{"Records":[{"kinesis":{}}]}"#),
        Trigger::Kinesis
    );
}

#[test]
fn empty_records_or_an_unknown_event_source_is_unknown() {
    assert_eq!(classify(br#"{"Records":[]}"#), Trigger::Unknown);
    assert_eq!(classify(br#"{"Records":{}}"#), Trigger::Unknown);
    assert_eq!(classify(br#"{"Records":[1]}"#), Trigger::Unknown);
    let codecommit = br#"{"Records":[{"eventSource":"aws:codecommit","s3":{}}]}"#;
    assert_eq!(classify(codecommit), Trigger::Unknown);
}

#[test]
fn a_rest_authorizer_is_not_a_rest_request() {
    let payload = br#"{"type":"REQUEST","methodArn":"arn:x","resource":"/","httpMethod":"GET",
        "requestContext":{"httpMethod":"GET"}}"#;
    assert_eq!(classify(payload), Trigger::ApigwAuthorizer);
    let token = br#"{"type":"TOKEN","authorizationToken":"t","methodArn":"arn:x"}"#;
    assert_eq!(classify(token), Trigger::ApigwAuthorizer);
}

#[test]
fn a_lambda_url_domain_makes_payload_2_0_a_function_url() {
    let url = br#"{"version":"2.0","routeKey":"$default",
        "requestContext":{"domainName":"abc.lambda-url.eu-west-1.on.aws","http":{}}}"#;
    assert_eq!(classify(url), Trigger::FunctionUrl);
    let api = br#"{"version":"2.0","routeKey":"$default",
        "requestContext":{"domainName":"abc.execute-api.eu-west-1.amazonaws.com","http":{}}}"#;
    assert_eq!(classify(api), Trigger::ApigwHttp);
}

#[test]
fn scheduled_rules_and_scheduler_invocations_are_schedules() {
    let rule = br#"{"detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#;
    assert_eq!(classify(rule), Trigger::Schedule);
    let scheduler = br#"{"detail-type":"Scheduled Event","source":"aws.scheduler","detail":{}}"#;
    assert_eq!(classify(scheduler), Trigger::Schedule);
    let other = br#"{"detail-type":"Object Created","source":"aws.s3","detail":{}}"#;
    assert_eq!(classify(other), Trigger::EventBridge);
}

#[test]
fn a_cloudformation_request_without_a_response_url_is_still_a_request() {
    let payload = br#"{"RequestType":"Create","StackId":"arn:aws:cloudformation:x"}"#;
    assert_eq!(classify(payload), Trigger::CloudFormation);
    let response = br#"{"Status":"SUCCESS","StackId":"arn:x","RequestId":"r"}"#;
    assert_eq!(classify(response), Trigger::Unknown);
}

#[test]
fn escaped_keys_and_values_are_decoded_before_comparison() {
    assert_eq!(classify(br#"{"aegis\u005frpc":1}"#), Trigger::Rpc);
    let s3 = br#"{"Rec\u006frds":[{"eventSource":"aws:s\u0033"}]}"#;
    assert_eq!(classify(s3), Trigger::S3);
    let url = br#"{"version":"2.0","requestContext":{"http":{},
        "domainName":"a\u002elambda-url\u002eus-east-1.on.aws"}}"#;
    assert_eq!(classify(url), Trigger::FunctionUrl);
}

#[test]
fn an_invalid_escape_in_a_key_is_unknown() {
    assert_eq!(classify(br#"{"aegis\qrpc":1}"#), Trigger::Unknown);
    assert_eq!(classify(br#"{"aegis_rpc\u12":1}"#), Trigger::Unknown);
}

#[test]
fn escaped_quotes_and_backslashes_inside_skipped_strings_do_not_end_them() {
    let payload = br#"{"body":"\\\"}]{[\\","x":["\"]\\"],"aegis_rpc":1}"#;
    assert_eq!(classify(payload), Trigger::Rpc);
    assert_eq!(classify(br#"{"body":"\\\"}"#), Trigger::Unknown);
}

#[test]
fn deep_nesting_of_100000_levels_is_unknown_without_overflow() {
    let depth = 100_000;
    let open_array = "[".repeat(depth);
    assert_eq!(classify(open_array.as_bytes()), Trigger::Unknown);

    let unclosed = format!(r#"{{"aegis_rpc":1,"args":{}}}"#, "{\"a\":".repeat(depth));
    assert_eq!(classify(unclosed.as_bytes()), Trigger::Unknown);

    let balanced = format!(
        r#"{{"aegis_rpc":1,"args":{}1{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    assert_eq!(classify(balanced.as_bytes()), Trigger::Rpc);
    assert!(describe_unknown(open_array.as_bytes()).starts_with("payload is not valid JSON"));
}

#[test]
fn truncated_json_is_unknown() {
    for payload in [HTTP_API, REST, S3, SQS] {
        let payload = payload.trim_ascii_end();
        for end in 0..payload.len() {
            assert_eq!(
                classify(&payload[..end]),
                Trigger::Unknown,
                "prefix of {end} bytes: {}",
                String::from_utf8_lossy(&payload[..end])
            );
        }
    }
}

#[test]
fn empty_input_and_json_that_is_not_an_object_are_unknown() {
    for payload in [
        &b""[..],
        b"  \n",
        b"null",
        b"1",
        b"\"s\"",
        b"[]",
        b"true",
        b"{",
        b"}",
    ] {
        assert_eq!(classify(payload), Trigger::Unknown, "{payload:?}");
    }
}

#[test]
fn malformed_objects_are_unknown() {
    let cases: [&[u8]; 8] = [
        br#"{"aegis_rpc":1} x"#,
        br#"{"aegis_rpc":1,}"#,
        br#"{"aegis_rpc" 1}"#,
        br#"{"aegis_rpc":}"#,
        br#"{aegis_rpc:1}"#,
        br#"{"aegis_rpc":1 "x":2}"#,
        br#"{"aegis_rpc":[1}"#,
        b"{\"aegis_rpc\":\"\xff",
    ];
    for payload in cases {
        assert_eq!(classify(payload), Trigger::Unknown, "{payload:?}");
    }
}

#[test]
fn a_6_mb_payload_is_classified() {
    let body = "\\\"quoted\\\" and plain text ".repeat(6 * 1024 * 1024 / 28);
    let payload = with_body(HTTP_API, &body);
    assert!(payload.len() > 6_000_000);
    assert_eq!(classify(&payload), Trigger::ApigwHttp);
}

#[test]
fn mangled_payloads_never_panic() {
    // A small deterministic generator stands in for a fuzzer: flip, drop and duplicate bytes.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for source in [HTTP_API, REST, S3, SQS] {
        for _ in 0..2_000 {
            let mut bytes = source.to_vec();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() as usize) % bytes.len();
                match next() % 3 {
                    0 => bytes[at] = b"\"\\{}[],:x"[(next() % 9) as usize],
                    1 => drop(bytes.remove(at)),
                    _ => bytes.truncate(at),
                }
                if bytes.is_empty() {
                    break;
                }
            }
            let _ = classify(&bytes);
            let _ = describe_unknown(&bytes);
        }
    }
}

#[test]
fn unknown_payloads_are_described_in_one_line() {
    assert_eq!(describe_unknown(b""), "payload is empty");
    assert_eq!(
        describe_unknown(b"[1,2]"),
        "payload is a JSON array, not an object"
    );
    assert_eq!(
        describe_unknown(b"42"),
        "payload is a JSON number, not an object"
    );
    assert_eq!(
        describe_unknown(b"{\n  \"a\": tru}"),
        "payload is not valid JSON: expected ident at byte 12"
    );
    assert_eq!(
        describe_unknown(br#"{"a":"#),
        "payload is not valid JSON: EOF while parsing a value at byte 4"
    );
    assert_eq!(
        describe_unknown(br#"{"b":1,"a":{"aegis_rpc":1}}"#),
        "object with top-level keys [b, a] matches no known event"
    );
    assert_eq!(
        describe_unknown(br#"{"Records":[]}"#),
        "payload has a `Records` member that is empty or not an array"
    );
    assert_eq!(
        describe_unknown(br#"{"Records":[{"eventSource":"aws:codecommit"}]}"#),
        "the first of the `Records` comes from `aws:codecommit`, which is not a known event source"
    );
    assert_eq!(
        describe_unknown(SQS),
        "payload is a `sqs` event, not unknown"
    );
}

#[test]
fn a_description_lists_at_most_twelve_keys_and_cuts_long_ones() {
    let mut object = (0..20).map(|i| format!("\"k{i}\":{i}")).collect::<Vec<_>>();
    object.insert(0, format!("\"{}\":0", "x".repeat(100)));
    let payload = format!("{{{}}}", object.join(","));

    let line = describe_unknown(payload.as_bytes());
    assert!(line.starts_with(&format!(
        "object with top-level keys [{}…, k0, ",
        "x".repeat(40)
    )));
    assert!(
        line.ends_with("k10, and 9 more] matches no known event"),
        "{line}"
    );
}

#[test]
fn describing_deeply_nested_json_does_not_overflow() {
    let deep = format!(r#"{{"a":{}1{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        describe_unknown(deep.as_bytes()),
        "object with top-level keys [a] matches no known event"
    );
}
