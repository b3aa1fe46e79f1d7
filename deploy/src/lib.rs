//! The `aegis` CLI: build an aegis app for Lambda, and plan, deploy and destroy the resources
//! its code declares.
//!
//! The resources come from the app's [manifest](aegis_core::Manifest), read from the built
//! binary; `aegis.toml` ([`config::Config`]) holds only what the code cannot know. From the two,
//! [`desired::Desired`] derives every resource with its name, ARN and IAM scope before any AWS
//! call; [`deploy::plan`] compares it with what exists, and [`deploy::apply`] makes the
//! difference. Everything aegis creates is tagged `aegis:app = <app>`, and only what carries the
//! tag (or aegis's id prefix, inside shared S3 notification configurations) is ever changed or
//! removed.
//!
//! # Failures
//!
//! Bad input fails before any change: an invalid `aegis.toml` names file, line, column and key;
//! an unmapped bucket, queue or topic, an invalid schedule expression, an unknown region and
//! missing credentials each say what to set. An AWS error names the operation and AWS's answer;
//! the steps before it stay done, and the next run converges.
//!
//! This crate is the CLI's implementation; it uses `anyhow` for its errors, as a binary does.

pub mod aws;
pub mod build;
pub mod config;
pub mod config_span;
pub mod deploy;
pub mod desired;
pub mod error;
pub mod event_pattern;
pub mod eventbridge;
pub mod glibc;
pub mod init;
pub mod invoke;
pub mod log_line;
pub mod logs;
pub mod manifest;
pub mod names;
pub mod output;
pub mod permissions_for;
pub mod placeholders;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod regions;
pub mod resources;
pub mod sam_parts;
pub mod samples;
pub mod streams;
pub mod template;
pub mod yaml;
