//! Bad input fails with a message saying what to do, before any change is made.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use support::{config, runtime, sdk, Moto, Project};

fn failure(project: &Project, moto: &Moto, args: &[&str]) -> String {
    let output = project.run_raw(moto, args);
    assert!(!output.status.success(), "aegis {args:?} succeeded");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The failure message of deploying the example's binary with the manifest at `path`.
fn deploy_failure(project: &Project, moto: &Moto, path: &std::path::Path) -> String {
    let binary = support::example_binary();
    let args = ["deploy", "--binary", binary.to_str().unwrap(), "--manifest"];
    failure(
        project,
        moto,
        &[&args[..], &[path.to_str().unwrap()]].concat(),
    )
}

fn nothing_created(moto: &Moto) {
    let rt = runtime();
    let sdk = rt.block_on(sdk(moto));
    let functions = rt
        .block_on(aws_sdk_lambda::Client::new(&sdk).list_functions().send())
        .unwrap();
    assert!(functions.functions().is_empty(), "a function was created");
    let roles = rt
        .block_on(aws_sdk_iam::Client::new(&sdk).list_roles().send())
        .unwrap();
    assert!(
        roles
            .roles()
            .iter()
            .all(|r| !r.role_name().starts_with("multi-trigger")),
        "a role was created"
    );
}

#[test]
fn an_invalid_config_names_file_line_column_and_key() {
    let moto = Moto::start();
    let project = Project::new(
        "bad-toml",
        "[function]\nname = \"multi-trigger\"\nmemory = \"lots\"\n",
    );
    let message = failure(&project, &moto, &["deploy"]);
    assert!(
        message.contains("aegis.toml:3:10: key `function.memory`"),
        "{message}"
    );

    project.write(
        "aegis.toml",
        "[function]\nname = \"multi-trigger\"\nmemroy = 256\n",
    );
    let message = failure(&project, &moto, &["deploy"]);
    assert!(
        message.contains("aegis.toml:3:1") && message.contains("memroy"),
        "{message}"
    );
    nothing_created(&moto);
}

#[test]
fn an_unmapped_bucket_queue_or_an_unknown_region_fails_before_any_change() {
    let moto = Moto::start();
    let project = Project::new(
        "unmapped",
        "[function]\nname = \"multi-trigger\"\nregion = \"eu-west-1\"\n",
    );
    let message = failure(&project, &moto, &["deploy"]);
    assert!(message.contains("[s3]"), "{message}");

    project.write(
        "aegis.toml",
        "[function]\nname = \"multi-trigger\"\nregion = \"eu-west-1\"\n[s3]\nbucket = \"photos\"\n",
    );
    let message = failure(&project, &moto, &["deploy"]);
    assert!(
        message.contains("queue `orders`") && message.contains("[names]"),
        "{message}"
    );

    project.write("aegis.toml", &config(128).replace("eu-west-1", "eu-wst-1"));
    let message = failure(&project, &moto, &["deploy"]);
    assert!(
        message.contains("unknown AWS region `eu-wst-1`"),
        "{message}"
    );

    // The bucket and queue are mapped but do not exist.
    project.write("aegis.toml", &config(128));
    let message = failure(&project, &moto, &["deploy"]);
    assert!(message.contains("does not exist"), "{message}");
    nothing_created(&moto);
}

#[test]
fn an_invalid_schedule_expression_is_refused() {
    let moto = Moto::start();
    let project = Project::new("schedule", &config(128));
    let manifest = support::example_manifest()
        .to_string()
        .replace("cron(0 3 * * ? *)", "rate(5 minute)");
    let path = project.write("manifest.json", &manifest);
    let message = deploy_failure(&project, &moto, &path);
    assert!(message.contains("task `nightly-report`"), "{message}");
    nothing_created(&moto);
}

#[test]
fn missing_credentials_are_reported_with_what_to_set() {
    let moto = Moto::start();
    let project = Project::new("creds", &config(128));
    let binary = support::example_binary();
    let output = project
        .command(&moto, &["plan", "--binary", binary.to_str().unwrap()])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(message.contains("AWS_ACCESS_KEY_ID"), "{message}");
}

#[test]
fn a_table_without_a_stream_or_a_missing_kinesis_stream_is_refused_before_any_change() {
    use support::tools::{self, PLAIN_TABLE, STREAM, TABLE};

    let moto = Moto::start();
    let rt = runtime();
    rt.block_on(support::create_bucket_and_queue(&rt.block_on(sdk(&moto))));
    tools::create_stream(&moto);
    tools::create_table(&moto, PLAIN_TABLE, false);
    let config = tools::config_with_streams(PLAIN_TABLE, "http-api");
    let project = Project::new("streamless", &config);
    let manifest = tools::manifest_with_streams_and_http().to_string();
    let manifest = project.write("manifest.json", &manifest);
    let message = deploy_failure(&project, &moto, &manifest);
    assert!(
        message.contains(&format!("table `{PLAIN_TABLE}` has no enabled stream"))
            && message.contains("NEW_AND_OLD_IMAGES"),
        "{message}"
    );
    nothing_created(&moto);

    tools::create_table(&moto, TABLE, true);
    let config = tools::config_with_streams(TABLE, "http-api").replace(
        &format!("clicks = \"{STREAM}\""),
        "clicks = \"no-such-stream\"",
    );
    let project = Project::new("streamgone", &config);
    let manifest = project.write(
        "manifest.json",
        &tools::manifest_with_streams_and_http().to_string(),
    );
    let message = deploy_failure(&project, &moto, &manifest);
    assert!(
        message.contains("Kinesis stream `no-such-stream` does not exist"),
        "{message}"
    );
    nothing_created(&moto);
}
