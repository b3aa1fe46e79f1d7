//! `Connections::from_env` follows the standard configuration chain: the region and the
//! credentials it signs with come from the environment.
//!
//! The only test of its binary, because it sets process-wide environment variables.
#![allow(clippy::unwrap_used, missing_docs)]

#[path = "websocket_connections/stand_in.rs"]
mod stand_in;

use std::time::Duration;

use aegis_core::Connections;

#[test]
fn connections_from_the_environment_sign_with_its_region_and_credentials() {
    // One thread only, so the variables below are set while nothing else can read them.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (name, value) in [
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENV"),
        ("AWS_SECRET_ACCESS_KEY", "secret"),
        ("AWS_REGION", "ap-southeast-2"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_CONFIG_FILE", "/nonexistent"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"),
    ] {
        std::env::set_var(name, value);
    }
    let (addr, seen) = stand_in::stand_in();

    rt.block_on(async {
        let connections = Connections::from_env().await;
        let endpoint = connections
            .endpoint(&format!("http://{addr}/prod"))
            .unwrap();
        let post = endpoint.post("abc=", "hello");
        tokio::time::timeout(Duration::from_secs(30), post)
            .await
            .unwrap()
            .unwrap();
    });

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/prod/@connections/abc%3D");
    assert_eq!(seen[0].body, b"hello");
    assert!(
        seen[0].authorization.contains("Credential=AKIDFROMENV/")
            && seen[0]
                .authorization
                .contains("/ap-southeast-2/execute-api/aws4_request"),
        "{}",
        seen[0].authorization
    );
}
