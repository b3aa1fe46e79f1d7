//! The regions AWS runs Lambda in, so a typo in `aegis.toml` fails before any call.

use anyhow::bail;

/// Every commercial, China and GovCloud region with Lambda, as of this release.
#[rustfmt::skip]
const REGIONS: &[&str] = &[
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-south-1", "eu-south-2", "eu-north-1",
    "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
    "cn-north-1", "cn-northwest-1",
    "us-gov-east-1", "us-gov-west-1",
];

/// The variable that lets a region newer than this list through.
pub const ALLOW_ANY_REGION: &str = "AEGIS_ALLOW_ANY_REGION";

/// Fails with the list of regions when `region` is not one of them.
///
/// # Errors
///
/// When `region` is unknown and `AEGIS_ALLOW_ANY_REGION=1` is not set.
pub fn check(region: &str) -> anyhow::Result<()> {
    if REGIONS.contains(&region) || std::env::var(ALLOW_ANY_REGION).is_ok_and(|v| v == "1") {
        return Ok(());
    }
    bail!(
        "unknown AWS region `{region}`: set `region` under [function] in aegis.toml to one of \
         {} (or set {ALLOW_ANY_REGION}=1 for a region newer than this release)",
        REGIONS.join(", ")
    )
}

/// The ARN partition of `region`.
#[must_use]
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::{check, partition};

    #[test]
    fn a_misspelt_region_is_refused_with_the_list() {
        let message = check("eu-wst-1").unwrap_err().to_string();
        assert!(
            message.contains("`eu-wst-1`") && message.contains("eu-west-1"),
            "{message}"
        );
        assert!(check("eu-west-1").is_ok());
    }

    #[test]
    fn china_and_govcloud_have_their_own_partitions() {
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("eu-west-1"), "aws");
    }
}
