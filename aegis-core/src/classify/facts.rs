//! What one scan of a payload records: which telling keys are present, and the few string
//! values the rules compare.
//!
//! Only three objects are ever looked into: the top level, its `requestContext`, and the first
//! element of its `Records`. Every other value, bodies and messages included, is skipped
//! unread, which is what keeps a body that holds another event from changing the answer.

use super::scan::{Scan, Scanner, Text};

/// The top-level members that decide a trigger.
#[derive(Debug, Default)]
pub(crate) struct Facts<'a> {
    pub(crate) aegis_rpc: bool,
    /// `None` without a `Records` member; `Some(None)` when it is empty or not an array.
    pub(crate) records: Option<Option<Record<'a>>>,
    /// `None` without a `requestContext` object.
    pub(crate) context: Option<Context<'a>>,

    pub(crate) kind: Option<Text<'a>>,
    pub(crate) version: Option<Text<'a>>,
    pub(crate) authorization_token: bool,
    pub(crate) method_arn: bool,
    pub(crate) route_arn: bool,
    pub(crate) route_key: bool,

    pub(crate) http_method: bool,
    pub(crate) resource: bool,
    pub(crate) method: bool,
    pub(crate) raw_path_snake: bool,

    pub(crate) source: Option<Text<'a>>,
    pub(crate) detail_type: Option<Text<'a>>,
    pub(crate) detail: bool,

    pub(crate) trigger_source: bool,
    pub(crate) user_pool_id: bool,
    pub(crate) request_type: bool,
    pub(crate) response_url: bool,
    pub(crate) stack_id: bool,
    pub(crate) awslogs: bool,
    pub(crate) invocation_id: bool,
    pub(crate) delivery_stream_arn: bool,
    pub(crate) lower_records: bool,
}

/// The members of `requestContext` that tell the HTTP-shaped events apart.
#[derive(Debug, Default)]
pub(crate) struct Context<'a> {
    pub(crate) elb: bool,
    pub(crate) http: bool,
    pub(crate) connection_id: bool,
    pub(crate) event_type: bool,
    pub(crate) service_network_arn: bool,
    pub(crate) target_group_arn: bool,
    pub(crate) domain_name: Option<Text<'a>>,
}

/// The members of the first record of a `Records` batch that name its source.
#[derive(Debug, Default)]
pub(crate) struct Record<'a> {
    /// `eventSource`, or `EventSource` as SNS spells it.
    pub(crate) event_source: Option<Text<'a>>,
    pub(crate) s3: bool,
    pub(crate) sns: bool,
    pub(crate) dynamodb: bool,
    pub(crate) kinesis: bool,
    pub(crate) ses: bool,
}

impl<'a> Facts<'a> {
    /// Scans a whole payload; any malformation anywhere in it is an error.
    pub(crate) fn scan(payload: &'a [u8]) -> Scan<Self> {
        let mut scanner = Scanner::new(payload);
        let mut facts = Facts::default();

        scanner.object(|s, key| {
            let flag = match &*key {
                b"Records" => {
                    facts.records = Some(if s.peek() == Some(b'[') {
                        s.first_element(Record::scan)?.flatten()
                    } else {
                        s.skip_value()?;
                        None
                    });
                    return Ok(());
                }
                b"requestContext" => {
                    facts.context = Context::scan(s)?;
                    return Ok(());
                }
                b"type" => return s.string_or_skip().map(|v| facts.kind = v),
                b"version" => return s.string_or_skip().map(|v| facts.version = v),
                b"source" => return s.string_or_skip().map(|v| facts.source = v),
                b"detail-type" => return s.string_or_skip().map(|v| facts.detail_type = v),

                b"aegis_rpc" => &mut facts.aegis_rpc,
                b"authorizationToken" => &mut facts.authorization_token,
                b"methodArn" => &mut facts.method_arn,
                b"routeArn" => &mut facts.route_arn,
                b"routeKey" => &mut facts.route_key,
                b"httpMethod" => &mut facts.http_method,
                b"resource" => &mut facts.resource,
                b"method" => &mut facts.method,
                b"raw_path" => &mut facts.raw_path_snake,
                b"detail" => &mut facts.detail,
                b"triggerSource" => &mut facts.trigger_source,
                b"userPoolId" => &mut facts.user_pool_id,
                b"RequestType" => &mut facts.request_type,
                b"ResponseURL" => &mut facts.response_url,
                b"StackId" => &mut facts.stack_id,
                b"awslogs" => &mut facts.awslogs,
                b"invocationId" => &mut facts.invocation_id,
                b"deliveryStreamArn" => &mut facts.delivery_stream_arn,
                b"records" => &mut facts.lower_records,
                _ => return s.skip_value(),
            };
            *flag = true;
            s.skip_value()
        })?;

        scanner.finish()?;
        Ok(facts)
    }
}

impl<'a> Context<'a> {
    /// Reads `requestContext` if it is an object; any other value counts as absent.
    fn scan(s: &mut Scanner<'a>) -> Scan<Option<Self>> {
        if s.peek() != Some(b'{') {
            return s.skip_value().map(|()| None);
        }

        let mut context = Context::default();
        s.object(|s, key| {
            let flag = match &*key {
                b"domainName" => return s.string_or_skip().map(|v| context.domain_name = v),
                b"elb" => &mut context.elb,
                b"http" => &mut context.http,
                b"connectionId" => &mut context.connection_id,
                b"eventType" => &mut context.event_type,
                b"serviceNetworkArn" => &mut context.service_network_arn,
                b"targetGroupArn" => &mut context.target_group_arn,
                _ => return s.skip_value(),
            };
            *flag = true;
            s.skip_value()
        })?;
        Ok(Some(context))
    }
}

impl<'a> Record<'a> {
    /// Reads the first record if it is an object; any other value says nothing.
    fn scan(s: &mut Scanner<'a>) -> Scan<Option<Self>> {
        if s.peek() != Some(b'{') {
            return s.skip_value().map(|()| None);
        }

        let mut record = Record::default();
        s.object(|s, key| {
            let flag = match &*key {
                b"eventSource" | b"EventSource" => {
                    return s.string_or_skip().map(|v| record.event_source = v);
                }
                b"s3" => &mut record.s3,
                b"Sns" => &mut record.sns,
                b"dynamodb" => &mut record.dynamodb,
                b"kinesis" => &mut record.kinesis,
                b"ses" => &mut record.ses,
                _ => return s.skip_value(),
            };
            *flag = true;
            s.skip_value()
        })?;
        Ok(Some(record))
    }
}
