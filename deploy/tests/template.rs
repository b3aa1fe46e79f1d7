//! `aegis template`: a SAM template that passes cfn-lint and declares what deploy creates.

#![allow(clippy::unwrap_used, clippy::print_stderr, missing_docs)]

mod support;

use std::process::Command;

use serde_json::Value;
use support::state::Deployed;
use support::{config, create_bucket_and_queue, runtime, sdk, Moto, Project, ACCOUNT};

/// `cfn-lint` from PATH, else `python3 -m cfnlint`, installing it once when neither runs.
fn cfn_lint() -> Option<Command> {
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

#[test]
fn the_template_passes_cfn_lint_and_declares_what_deploy_created() {
    let moto = Moto::start();
    let project = Project::new("template", &config(128));
    let binary = support::example_binary();
    let template = |format: &str| {
        let output = project
            .command(
                &moto,
                &[
                    "template",
                    "--binary",
                    binary.to_str().unwrap(),
                    "--format",
                    format,
                ],
            )
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    };

    let yaml = project.write("template.yaml", &template("yaml"));
    match cfn_lint() {
        None => eprintln!("SKIPPED the cfn-lint check: cfn-lint is not installed and `pip install cfn-lint` failed"),
        Some(mut lint) => {
            let output = lint.arg(&yaml).output().unwrap();
            assert!(output.status.success(), "cfn-lint:\n{}", String::from_utf8_lossy(&output.stdout));
        }
    }

    let rt = runtime();
    let sdk = rt.block_on(sdk(&moto));
    rt.block_on(create_bucket_and_queue(&sdk));
    project.run(&moto, &["deploy"]);
    let deployed = rt.block_on(Deployed::read(&sdk));

    let template: Value = serde_json::from_str(&template("json")).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let of_type = |kind: &str| {
        resources
            .values()
            .filter(|r| r["Type"] == kind)
            .collect::<Vec<_>>()
    };
    let concrete = |v: &Value| {
        let text = v
            .get("Fn::Sub")
            .unwrap_or(v)
            .as_str()
            .unwrap_or_default()
            .to_owned();
        text.replace("${AWS::Partition}", "aws")
            .replace("${AWS::Region}", "eu-west-1")
            .replace("${AWS::AccountId}", ACCOUNT)
    };

    assert_eq!(of_type("AWS::IAM::Role").len(), 1);
    let functions = of_type("AWS::Serverless::Function");
    assert_eq!(functions.len(), 1);
    assert_eq!(functions[0]["Properties"]["AutoPublishAlias"], "live");
    assert_eq!(
        functions[0]["Properties"]["MemorySize"],
        deployed.function.as_ref().unwrap().0
    );

    let rules: Vec<String> = of_type("AWS::Events::Rule")
        .iter()
        .map(|r| r["Properties"]["Name"].as_str().unwrap().to_owned())
        .collect();
    let deployed_rules: Vec<String> = deployed.rules.iter().map(|r| r.0.clone()).collect();
    assert_eq!(rules, deployed_rules);

    let queues: Vec<String> = of_type("AWS::Lambda::EventSourceMapping")
        .iter()
        .map(|m| concrete(&m["Properties"]["EventSourceArn"]))
        .collect();
    let deployed_queues: Vec<String> = deployed.mappings.iter().map(|m| m.0.clone()).collect();
    assert_eq!(queues, deployed_queues);

    let mut sources: Vec<String> = of_type("AWS::Lambda::Permission")
        .iter()
        .map(|p| concrete(&p["Properties"]["SourceArn"]))
        .collect();
    let mut deployed_sources: Vec<String> = deployed
        .permissions
        .iter()
        .filter_map(|p| p.2.clone())
        .collect();
    sources.sort();
    deployed_sources.sort();
    assert_eq!(sources, deployed_sources);

    let notifications = &template["Metadata"]["aegis"]["S3Notifications"]["photos"];
    assert_eq!(notifications[0]["id"], deployed.ours()[0].0.as_str());
}
