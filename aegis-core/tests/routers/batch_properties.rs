//! Property tests: for any set of failing records, exactly the right records are reported.

use std::sync::{Arc, Mutex};

use aegis_core::aws_lambda_events::sqs::SqsMessage;
use aegis_core::{App, Ctx, SqsRouter};
use base64::Engine;
use proptest::prelude::*;

use crate::streams::{dynamodb_app, dynamodb_batch, kinesis_app, kinesis_batch, Probe};
use crate::support::{failed_ids, invoke, sqs_batch};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{}", 1000 + i)).collect()
}

/// What an ordered source must report: the first failure and every record after it.
fn from_first_failure(ids: &[String], fails: &[bool]) -> Vec<String> {
    match fails.iter().position(|&f| f) {
        Some(first) => ids[first..].to_vec(),
        None => Vec::new(),
    }
}

fn picked(ids: &[String], fails: &[bool], wanted: bool) -> Vec<String> {
    ids.iter()
        .zip(fails)
        .filter(|(_, &f)| f == wanted)
        .map(|(id, _)| id.clone())
        .collect()
}

fn sqs_failures(queue: &str, fails: &[bool]) -> (Vec<String>, Vec<String>) {
    let ids = ids(fails.len());
    let messages: Vec<(&str, &str)> = ids
        .iter()
        .zip(fails)
        .map(|(id, &f)| (id.as_str(), if f { "fail" } else { "ok" }))
        .collect();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let router = SqsRouter::with_state(Arc::clone(&seen)).queue(
        queue,
        |m: SqsMessage, ctx: Ctx<Arc<Mutex<Vec<String>>>>| async move {
            if m.body.as_deref() == Some("fail") {
                return Err("refused".to_owned());
            }
            ctx.state()
                .lock()
                .unwrap()
                .push(m.message_id.unwrap_or_default());
            Ok(())
        },
    );
    let demux = App::new("p").sqs(router).build().unwrap();
    let arn = format!("arn:aws:sqs:eu-west-1:123456789012:{queue}");
    let reply = block_on(invoke(&demux, sqs_batch(&arn, &messages))).unwrap();
    let handled = seen.lock().unwrap().clone();
    (failed_ids(&reply), handled)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_standard_queue_reports_exactly_the_failed_messages(
        fails in proptest::collection::vec(any::<bool>(), 1..12)
    ) {
        let ids = ids(fails.len());
        let (reported, handled) = sqs_failures("orders", &fails);
        prop_assert_eq!(reported, picked(&ids, &fails, true));
        prop_assert_eq!(handled, picked(&ids, &fails, false));
    }

    #[test]
    fn a_fifo_queue_reports_the_first_failure_and_everything_after(
        fails in proptest::collection::vec(any::<bool>(), 1..12)
    ) {
        let ids = ids(fails.len());
        let (reported, handled) = sqs_failures("orders.fifo", &fails);
        let expected = from_first_failure(&ids, &fails);
        let done = ids.len() - expected.len();
        prop_assert_eq!(reported, expected);
        prop_assert_eq!(handled, ids[..done].to_vec());
    }

    #[test]
    fn a_dynamodb_stream_checkpoints_on_the_first_failure(
        fails in proptest::collection::vec(any::<bool>(), 1..12)
    ) {
        let ids = ids(fails.len());
        let failing = picked(&ids, &fails, true);
        let failing: Vec<&str> = failing.iter().map(String::as_str).collect();
        let probe = Probe::failing(&failing);
        let records: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "MODIFY")).collect();
        let reply = block_on(invoke(&dynamodb_app(&probe), dynamodb_batch(&records))).unwrap();
        let expected = from_first_failure(&ids, &fails);
        let done = ids.len() - expected.len();
        prop_assert_eq!(failed_ids(&reply), expected);
        prop_assert_eq!(probe.seen(), ids[..done].to_vec());
    }

    #[test]
    fn a_kinesis_stream_checkpoints_on_the_first_failure(
        fails in proptest::collection::vec(any::<bool>(), 1..12)
    ) {
        let ids = ids(fails.len());
        let failing = picked(&ids, &fails, true);
        let failing: Vec<&str> = failing.iter().map(String::as_str).collect();
        let probe = Probe::failing(&failing);
        let data = base64::engine::general_purpose::STANDARD.encode("x");
        let records: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), data.as_str())).collect();
        let reply = block_on(invoke(&kinesis_app(&probe), kinesis_batch(&records))).unwrap();
        let expected = from_first_failure(&ids, &fails);
        let done = ids.len() - expected.len();
        prop_assert_eq!(failed_ids(&reply), expected);
        prop_assert_eq!(probe.seen(), ids[..done].to_vec());
    }
}
