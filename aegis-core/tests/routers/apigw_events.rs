//! The API Gateway WebSocket and authorizer routers.

use aegis_core::aws_lambda_events::apigw::{
    ApiGatewayCustomAuthorizerRequest, ApiGatewayCustomAuthorizerRequestTypeRequest,
    ApiGatewayV2CustomAuthorizerV2Request, ApiGatewayWebsocketProxyRequest,
};
use aegis_core::aws_lambda_events::iam::IamPolicyEffect;
use aegis_core::{
    policy_response, simple_response, App, AuthorizerRouter, Ctx, ErrorKind, EventDemux,
    Unauthorized, WebSocketResponse, WebSocketRouter,
};
use serde_json::{json, Value};

use crate::support::{fixture, invoke};

fn sockets() -> EventDemux {
    let router = WebSocketRouter::new()
        .route(
            "$connect",
            |e: ApiGatewayWebsocketProxyRequest, _ctx: Ctx| async move {
                let id = e.request_context.connection_id.unwrap_or_default();
                Ok::<_, String>(WebSocketResponse::ok().body(format!("welcome {id}")))
            },
        )
        .route(
            "$disconnect",
            |_e: ApiGatewayWebsocketProxyRequest, _ctx: Ctx| async { Ok::<_, String>(()) },
        );
    App::new("ws").websocket(router).build().unwrap()
}

#[tokio::test]
async fn a_websocket_event_goes_to_its_route_key_and_answers_with_status_and_body() {
    let reply = invoke(
        &sockets(),
        fixture("aws_lambda_events/example-apigw-websocket-request.json"),
    )
    .await
    .unwrap();
    let reply: Value = reply.decode().unwrap();
    assert_eq!(reply["statusCode"], 200);
    assert!(
        reply["body"].as_str().unwrap().starts_with("welcome "),
        "{reply}"
    );

    let bye = invoke(
        &sockets(),
        fixture("aws_lambda_events/example-apigw-websocket-request-disconnect-route.json"),
    )
    .await
    .unwrap();
    assert_eq!(bye.as_str(), r#"{"statusCode":200}"#);
}

#[tokio::test]
async fn a_route_key_no_route_names_is_an_error_listing_the_routes() {
    let mut event: Value = serde_json::from_slice(&fixture(
        "aws_lambda_events/example-apigw-websocket-request.json",
    ))
    .unwrap();
    event["requestContext"]["routeKey"] = "sendMessage".into();
    let err = invoke(&sockets(), serde_json::to_vec(&event).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("`sendMessage`"), "{}", err.message());
    assert!(err.message().contains("$connect"), "{}", err.message());
    assert_eq!(sockets().manifest().websocket, ["$connect", "$disconnect"]);
}

fn authorizers() -> EventDemux {
    let router = AuthorizerRouter::new()
        .token(
            |req: ApiGatewayCustomAuthorizerRequest, _ctx: Ctx| async move {
                match req.authorization_token.as_deref() {
                    Some("allow") => Ok(policy_response(
                        "user-1",
                        IamPolicyEffect::Allow,
                        req.method_arn.as_deref().unwrap_or_default(),
                    )),
                    _ => Err(Unauthorized),
                }
            },
        )
        .request(
            |req: ApiGatewayCustomAuthorizerRequestTypeRequest, _ctx: Ctx| async move {
                let arn = req.method_arn.unwrap_or_default();
                Ok::<_, String>(policy_response("anyone", IamPolicyEffect::Deny, &arn))
            },
        )
        .http_simple(
            |_req: ApiGatewayV2CustomAuthorizerV2Request, _ctx: Ctx| async {
                Ok::<_, String>(simple_response(true))
            },
        );
    App::new("auth").authorizers(router).build().unwrap()
}

#[tokio::test]
async fn a_token_authorizer_answers_with_an_iam_policy() {
    let reply = invoke(
        &authorizers(),
        fixture("aws_lambda_events/example-apigw-custom-auth-request.json"),
    )
    .await
    .unwrap();
    let reply: Value = reply.decode().unwrap();
    assert_eq!(reply["principalId"], "user-1");
    assert_eq!(
        reply["policyDocument"]["Statement"][0],
        json!({
            "Action": ["execute-api:Invoke"],
            "Effect": "Allow",
            "Resource": ["arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"]
        })
    );
}

#[tokio::test]
async fn a_refused_token_is_the_unauthorized_error_api_gateway_turns_into_401() {
    let mut event: Value = serde_json::from_slice(&fixture(
        "aws_lambda_events/example-apigw-custom-auth-request.json",
    ))
    .unwrap();
    event["authorizationToken"] = "deny".into();
    let err = invoke(&authorizers(), serde_json::to_vec(&event).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.message(), "Unauthorized");
}

#[tokio::test]
async fn request_and_http_authorizers_get_their_own_typed_payloads() {
    let rest = invoke(
        &authorizers(),
        fixture("aws_lambda_events/example-apigw-custom-auth-request-type-request.json"),
    )
    .await
    .unwrap();
    let rest: Value = rest.decode().unwrap();
    assert_eq!(rest["policyDocument"]["Statement"][0]["Effect"], "Deny");

    let http = invoke(
        &authorizers(),
        fixture("aws_lambda_events/example-apigw-v2-custom-authorizer-v2-request.json"),
    )
    .await
    .unwrap();
    assert_eq!(http.decode::<Value>().unwrap()["isAuthorized"], true);
    assert_eq!(
        authorizers().manifest().authorizers,
        ["token", "request", "http"]
    );
}

#[tokio::test]
async fn a_payload_kind_without_a_handler_is_an_error_naming_the_kind() {
    let router = AuthorizerRouter::new().http_simple(
        |_req: ApiGatewayV2CustomAuthorizerV2Request, _ctx: Ctx| async {
            Ok::<_, String>(simple_response(false))
        },
    );
    let demux = App::new("auth").authorizers(router).build().unwrap();
    let err = invoke(
        &demux,
        fixture("aws_lambda_events/example-apigw-custom-auth-request.json"),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    assert!(err.message().contains("`token`"), "{}", err.message());
}
