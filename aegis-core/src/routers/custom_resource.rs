//! The types of CloudFormation custom resources: the request a handler gets and the result it
//! gives, and the response document CloudFormation reads.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// Which lifecycle step CloudFormation asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RequestType {
    /// The resource is being created.
    Create,
    /// Its properties changed.
    Update,
    /// It is being deleted, or a failed create or update is being rolled back.
    Delete,
}

impl RequestType {
    /// The `RequestType`, as CloudFormation spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Update => "Update",
            Self::Delete => "Delete",
        }
    }

    /// Every request type.
    pub const ALL: [RequestType; 3] = [Self::Create, Self::Update, Self::Delete];

    fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A custom resource request, with its properties decoded into `P`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CustomResourceRequest<P = Value> {
    /// Create, Update or Delete.
    pub request_type: RequestType,
    /// The resource type, such as `Custom::Thing`.
    pub resource_type: String,
    /// The request's id, echoed in the response.
    pub request_id: String,
    /// The stack's ARN.
    pub stack_id: String,
    /// The resource's name in the template.
    pub logical_resource_id: String,
    /// The id the resource was given when created: absent on Create.
    pub physical_resource_id: Option<String>,
    /// The resource's properties in the template.
    pub resource_properties: P,
    /// The properties before an Update.
    pub old_resource_properties: Option<P>,
    /// The ARN that invoked this function.
    pub service_token: Option<String>,
    /// Where the response goes: a presigned S3 URL.
    pub response_url: String,
}

/// What a handler answers with on success: the resource's physical id and the values
/// `Fn::GetAtt` can read.
///
/// ```
/// let done = aegis_core::CustomResourceResponse::new()
///     .physical_id("bucket-cleaner-1")
///     .data("Endpoint", "https://example.invalid");
/// # let _ = done;
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct CustomResourceResponse {
    pub(crate) physical_id: Option<String>,
    pub(crate) data: Map<String, Value>,
    pub(crate) no_echo: bool,
    pub(crate) reason: Option<String>,
}

impl CustomResourceResponse {
    /// A success keeping the resource's current physical id (on Create: the log stream name).
    pub fn new() -> Self {
        Self::default()
    }

    /// Gives the resource this physical id. Changing it on Update replaces the resource:
    /// CloudFormation then deletes the old one.
    pub fn physical_id(mut self, id: impl Into<String>) -> Self {
        self.physical_id = Some(id.into());
        self
    }

    /// A value for `Fn::GetAtt`; one that cannot be encoded as JSON is left out.
    pub fn data(mut self, key: &str, value: impl Serialize) -> Self {
        if let Ok(value) = serde_json::to_value(value) {
            self.data.insert(key.to_owned(), value);
        }
        self
    }

    /// Masks the data in the console and API output.
    pub fn no_echo(mut self) -> Self {
        self.no_echo = true;
        self
    }

    /// A reason to show with the success.
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

/// The request as read before routing: everything optional, so even a strange request gets a
/// `FAILED` answer when it has somewhere to send it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Incoming {
    #[serde(default)]
    pub(crate) request_type: String,
    #[serde(rename = "ResponseURL", default)]
    pub(crate) response_url: Option<String>,
    #[serde(default)]
    pub(crate) request_id: String,
    #[serde(default)]
    pub(crate) stack_id: String,
    #[serde(default)]
    pub(crate) logical_resource_id: String,
    #[serde(default)]
    pub(crate) resource_type: String,
    #[serde(default)]
    pub(crate) physical_resource_id: Option<String>,
    #[serde(default)]
    pub(crate) service_token: Option<String>,
    #[serde(default)]
    pub(crate) resource_properties: Option<Box<RawValue>>,
    #[serde(default)]
    pub(crate) old_resource_properties: Option<Box<RawValue>>,
}

impl Incoming {
    pub(crate) fn kind(&self) -> Option<RequestType> {
        RequestType::parse(&self.request_type)
    }

    /// The typed request, or why it is not one.
    pub(crate) fn typed<P: DeserializeOwned>(self) -> Result<CustomResourceRequest<P>, String> {
        let request_type = self
            .kind()
            .ok_or_else(|| format!("unknown RequestType `{}`", self.request_type))?;
        let decode = |raw: &Option<Box<RawValue>>, what: &str| {
            let json = raw.as_deref().map_or("{}", RawValue::get);
            crate::decode::part::<P>(what, json)
        };
        let resource_properties = decode(&self.resource_properties, "ResourceProperties")?;
        let old_resource_properties = match &self.old_resource_properties {
            Some(_) => Some(decode(
                &self.old_resource_properties,
                "OldResourceProperties",
            )?),
            None => None,
        };
        Ok(CustomResourceRequest {
            request_type,
            resource_type: self.resource_type,
            request_id: self.request_id,
            stack_id: self.stack_id,
            logical_resource_id: self.logical_resource_id,
            physical_resource_id: self.physical_resource_id,
            resource_properties,
            old_resource_properties,
            service_token: self.service_token,
            response_url: self.response_url.unwrap_or_default(),
        })
    }
}

/// The document CloudFormation reads from the response URL.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Document<'a> {
    pub(crate) status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) reason: Option<String>,
    pub(crate) physical_resource_id: String,
    pub(crate) stack_id: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) logical_resource_id: &'a str,
    pub(crate) no_echo: bool,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub(crate) data: Map<String, Value>,
}

/// CloudFormation rejects a response over 4 KiB, so a long reason is cut, on a char boundary.
pub(crate) fn shorten(reason: &str) -> String {
    const MAX: usize = 1_000;
    if reason.len() <= MAX {
        return reason.to_owned();
    }
    let mut end = MAX;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &reason[..end])
}
