use std::sync::{Arc, Mutex};

use aegis_core::{App, Ctx, ErrorKind, S3Filter, S3Record, S3Router};

use crate::support::{fixture, invoke, s3_event};

type Seen = Arc<Mutex<Vec<String>>>;

fn recording_app(seen: &Seen) -> aegis_core::EventDemux {
    let router = S3Router::with_state(Arc::clone(seen))
        .route(
            S3Filter::created()
                .key("photos/*.jpg")
                .name("photo-created"),
            |r: S3Record, ctx: Ctx<Seen>| async move {
                ctx.state()
                    .lock()
                    .unwrap()
                    .push(format!("created {}", r.key));
                Ok::<_, std::io::Error>(())
            },
        )
        .route(
            S3Filter::removed().key("photos/*.jpg"),
            |r: S3Record, ctx: Ctx<Seen>| async move {
                ctx.state()
                    .lock()
                    .unwrap()
                    .push(format!("removed {}", r.key));
                Ok::<_, std::io::Error>(())
            },
        )
        .route(
            S3Filter::created().key("reports/*").bucket("archive"),
            |r: S3Record, ctx: Ctx<Seen>| async move {
                ctx.state()
                    .lock()
                    .unwrap()
                    .push(format!("archived {}", r.key));
                Ok::<_, std::io::Error>(())
            },
        );
    App::new("s3-test").s3(router).build().unwrap()
}

#[tokio::test]
async fn the_shipped_fixture_reaches_its_route_with_the_key_decoded() {
    let seen = Seen::default();
    let demux = App::new("t")
        .s3(S3Router::with_state(Arc::clone(&seen)).route(
            S3Filter::new("ObjectCreated:*").key("Happy Face.jpg"),
            |r: S3Record, ctx: Ctx<Seen>| async move {
                ctx.state()
                    .lock()
                    .unwrap()
                    .push(format!("{}/{}", r.bucket, r.key));
                Ok::<_, std::io::Error>(())
            },
        ))
        .build()
        .unwrap();
    invoke(&demux, fixture("aws_lambda_events/example-s3-event.json"))
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["sourcebucket/Happy Face.jpg"]);
}

#[tokio::test]
async fn routes_sharing_a_key_pattern_are_told_apart_by_event_name() {
    let seen = Seen::default();
    let demux = recording_app(&seen);
    let event = s3_event(
        "photos-bucket",
        &[
            ("ObjectCreated:Put", "photos/a.jpg"),
            ("ObjectRemoved:Delete", "photos/b.jpg"),
        ],
    );
    invoke(&demux, event).await.unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        ["created photos/a.jpg", "removed photos/b.jpg"]
    );
}

#[tokio::test]
async fn url_encoded_keys_are_decoded_before_matching() {
    let seen = Seen::default();
    let demux = recording_app(&seen);
    let event = s3_event("b", &[("ObjectCreated:Put", "photos/my+cat+%281%29.jpg")]);
    invoke(&demux, event).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), ["created photos/my cat (1).jpg"]);
}

#[tokio::test]
async fn a_bucket_filter_excludes_other_buckets() {
    let seen = Seen::default();
    let demux = recording_app(&seen);
    let err = invoke(
        &demux,
        s3_event("elsewhere", &[("ObjectCreated:Put", "reports/q1.csv")]),
    )
    .await
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoRoute);
    invoke(
        &demux,
        s3_event("archive", &[("ObjectCreated:Put", "reports/q1.csv")]),
    )
    .await
    .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["archived reports/q1.csv"]);
}

#[tokio::test]
async fn s3_event_with_unmatched_key_is_an_error_naming_the_key() {
    let demux = recording_app(&Seen::default());
    let err = invoke(
        &demux,
        s3_event("b", &[("ObjectCreated:Put", "videos/a.mp4")]),
    )
    .await
    .unwrap_err();
    assert_eq!(err.error_type(), "NoRoute");
    assert!(
        err.message().contains("key `videos/a.mp4`"),
        "{}",
        err.message()
    );
    assert!(err.message().contains("bucket `b`"), "{}", err.message());
}

#[tokio::test]
async fn a_fallback_takes_what_no_route_matches() {
    let seen = Seen::default();
    let router = S3Router::with_state(Arc::clone(&seen)).fallback(
        |r: S3Record, ctx: Ctx<Seen>| async move {
            ctx.state()
                .lock()
                .unwrap()
                .push(format!("{} via {}", r.key, ctx.route()));
            Ok::<_, std::io::Error>(())
        },
    );
    let demux = App::new("t").s3(router).build().unwrap();
    invoke(&demux, s3_event("b", &[("ObjectCreated:Put", "x.bin")]))
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), ["x.bin via fallback"]);
}

#[tokio::test]
async fn a_failing_record_does_not_stop_the_others_and_fails_the_invocation() {
    let seen = Seen::default();
    let router = S3Router::with_state(Arc::clone(&seen)).route(
        S3Filter::created(),
        |r: S3Record, ctx: Ctx<Seen>| async move {
            if r.key.starts_with("bad") {
                return Err(format!("cannot read {}", r.key));
            }
            ctx.state().lock().unwrap().push(r.key);
            Ok(())
        },
    );
    let demux = App::new("t").s3(router).build().unwrap();
    let event = s3_event(
        "b",
        &[("ObjectCreated:Put", "bad1"), ("ObjectCreated:Put", "good")],
    );
    let err = invoke(&demux, event).await.unwrap_err();
    assert!(
        err.message().contains("cannot read bad1"),
        "{}",
        err.message()
    );
    assert_eq!(*seen.lock().unwrap(), ["good"]);
}

#[tokio::test]
async fn a_record_without_a_key_is_a_decode_error() {
    let demux = recording_app(&Seen::default());
    let mut event: serde_json::Value =
        serde_json::from_slice(&s3_event("b", &[("ObjectCreated:Put", "k")])).unwrap();
    event["Records"][0]["s3"]["object"]
        .as_object_mut()
        .unwrap()
        .remove("key");
    let err = invoke(&demux, serde_json::to_vec(&event).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.message().contains("s3.object.key"), "{}", err.message());
}

#[test]
fn the_manifest_carries_prefix_and_suffix_for_s3_filters() {
    let demux = recording_app(&Seen::default());
    let s3 = &demux.manifest().s3;
    assert_eq!(s3[0].route, "photo-created");
    assert_eq!(s3[0].events, ["s3:ObjectCreated:*"]);
    assert_eq!(
        (s3[0].prefix.as_str(), s3[0].suffix.as_str()),
        ("photos/", ".jpg")
    );
    assert_eq!(s3[2].bucket.as_deref(), Some("archive"));
}
