//! `aegis.toml`: what the code cannot know — the function's name, region, size and
//! environment, and the physical names behind the logical ones the code uses.
//!
//! A file that does not parse, or holds an unknown key or a value of the wrong type, is a
//! [`ConfigError`] naming the file, line, column and key.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The whole of `aegis.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The function itself.
    pub function: FunctionConfig,
    /// Environment variables of the function.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Logical names used in code (buckets, queues, topics, called functions) to physical
    /// names or ARNs.
    #[serde(default)]
    pub names: BTreeMap<String, String>,
    /// S3 settings.
    #[serde(default)]
    pub s3: S3Config,
    /// How HTTP reaches the function when the app serves it.
    #[serde(default)]
    pub http: HttpConfig,
    /// EventBridge settings.
    #[serde(default)]
    pub eventbridge: EventBridgeConfig,
    /// Settings most apps leave alone.
    #[serde(default)]
    pub overrides: Overrides,
}

/// `[function]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// The Lambda function's name.
    pub name: String,
    /// The region; the standard chain (`AWS_REGION`, the profile) when absent.
    pub region: Option<String>,
    /// `x86_64` or `arm64`.
    #[serde(default)]
    pub architecture: Architecture,
    /// Memory in MB, 128 to 10240.
    #[serde(default = "default_memory")]
    pub memory: i32,
    /// Timeout in seconds, 1 to 900.
    #[serde(default = "default_timeout")]
    pub timeout: i32,
    /// X-Ray active tracing.
    #[serde(default)]
    pub tracing: bool,
}

impl Default for FunctionConfig {
    fn default() -> Self {
        Self {
            name: String::new(),
            region: None,
            architecture: Architecture::default(),
            memory: default_memory(),
            timeout: default_timeout(),
            tracing: false,
        }
    }
}

fn default_memory() -> i32 {
    128
}

fn default_timeout() -> i32 {
    30
}

/// The instruction set the function runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Intel and AMD.
    #[default]
    X86_64,
    /// Graviton.
    Arm64,
}

impl Architecture {
    /// Lambda's name for it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Arm64 => "arm64",
        }
    }

    /// The Rust target triple of a binary for it.
    #[must_use]
    pub fn target(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64-unknown-linux-gnu",
            Self::Arm64 => "aarch64-unknown-linux-gnu",
        }
    }
}

/// `[eventbridge]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBridgeConfig {
    /// The event bus the rule of the EventBridge routes goes on, by name or ARN; the account's
    /// `default` bus when absent.
    pub bus: Option<String>,
}

/// `[s3]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct S3Config {
    /// The bucket of the S3 routes whose code names none.
    pub bucket: Option<String>,
}

/// `[http]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    /// A Function URL (the default) or an API Gateway HTTP API.
    #[serde(default)]
    pub kind: HttpKind,
    /// Who may call the Function URL.
    #[serde(default)]
    pub auth: UrlAuth,
}

/// What fronts the function for HTTP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HttpKind {
    /// A Lambda Function URL on the alias.
    #[default]
    FunctionUrl,
    /// An API Gateway HTTP API.
    HttpApi,
}

/// The auth type of a Function URL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrlAuth {
    /// Anyone may call it; the app does its own auth.
    #[default]
    None,
    /// Callers sign requests with SigV4.
    AwsIam,
}

/// `[overrides]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// The IAM role to create; `{function}-role` when absent.
    pub role_name: Option<String>,
    /// The alias triggers point at; `live` when absent.
    pub alias: Option<String>,
    /// Records per SQS batch; 10 when absent.
    pub sqs_batch_size: Option<i32>,
    /// Records per Kinesis or DynamoDB stream batch; 100 when absent.
    pub stream_batch_size: Option<i32>,
    /// Where a new Kinesis or DynamoDB stream mapping starts reading; `LATEST` when absent.
    /// An existing mapping keeps its place in the stream when this changes.
    #[serde(default)]
    pub stream_starting_position: StartingPosition,
    /// More tags for everything aegis creates.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// Where a new stream mapping starts reading.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartingPosition {
    /// Only the records written after the mapping is created.
    #[default]
    Latest,
    /// Every record the stream still holds.
    TrimHorizon,
}

impl StartingPosition {
    /// Lambda's name for it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Latest => "LATEST",
            Self::TrimHorizon => "TRIM_HORIZON",
        }
    }
}

/// `aegis.toml` could not be read or does not say what aegis needs.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line and column of the bad spot, when known.
    pub position: Option<(usize, usize)>,
    /// The dotted key at fault (`function.memory`), when known.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, is not TOML, has unknown keys or wrong types, or has
    /// values out of Lambda's ranges.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_owned(),
            position: None,
            key: None,
            message: format!("cannot read it ({e}); run `aegis init` to write one"),
        })?;
        Self::parse(&text, path)
    }

    /// Parses `text` as the contents of `path`.
    ///
    /// # Errors
    ///
    /// As [`Config::load`].
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let fail = |span: Option<std::ops::Range<usize>>, key: Option<String>, message: String| {
            ConfigError {
                path: path.to_owned(),
                position: span.map(|span| crate::config_span::line_column(text, span.start)),
                key,
                message,
            }
        };

        let deserializer = toml::Deserializer::parse(text)
            .map_err(|e| fail(e.span(), None, e.message().trim().to_owned()))?;
        let config: Self = serde_path_to_error::deserialize(deserializer).map_err(|e| {
            let key = e.path().to_string();
            let inner = e.inner();
            let key = (key != ".").then_some(key);
            fail(inner.span(), key, inner.message().trim().to_owned())
        })?;

        config.check().map_err(|(key, message)| {
            let span = crate::config_span::find(text, &key);
            fail(span, Some(key), message)
        })?;
        Ok(config)
    }

    /// The ranges Lambda accepts, checked here so they fail before any AWS call.
    fn check(&self) -> Result<(), (String, String)> {
        let f = &self.function;
        if f.name.is_empty() || f.name.len() > 64 {
            return Err(("function.name".into(), "must be 1 to 64 characters".into()));
        }
        if !f
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err((
                "function.name".into(),
                format!("`{}` may hold only letters, digits, `-` and `_`", f.name),
            ));
        }
        if !(128..=10240).contains(&f.memory) {
            return Err((
                "function.memory".into(),
                format!("{} is not in 128..=10240 MB", f.memory),
            ));
        }
        if !(1..=900).contains(&f.timeout) {
            return Err((
                "function.timeout".into(),
                format!("{} is not in 1..=900 s", f.timeout),
            ));
        }
        if let Some(bus) = &self.eventbridge.bus {
            crate::eventbridge::check_bus(bus)
                .map_err(|why| ("eventbridge.bus".to_owned(), why))?;
        }
        let batches = [
            ("overrides.sqs_batch_size", self.overrides.sqs_batch_size),
            (
                "overrides.stream_batch_size",
                self.overrides.stream_batch_size,
            ),
        ];
        for (key, size) in batches {
            if let Some(size) = size.filter(|size| !(1..=10000).contains(size)) {
                return Err((key.into(), format!("{size} is not in 1..=10000")));
            }
        }
        Ok(())
    }

    /// The role's name.
    #[must_use]
    pub fn role_name(&self) -> String {
        (self.overrides.role_name.clone()).unwrap_or_else(|| format!("{}-role", self.function.name))
    }

    /// The alias triggers point at.
    #[must_use]
    pub fn alias(&self) -> &str {
        self.overrides.alias.as_deref().unwrap_or("live")
    }
}
