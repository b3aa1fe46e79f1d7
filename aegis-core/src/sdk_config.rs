//! The AWS configuration the SDK clients of `aegis-core` load by default.

/// The standard configuration chain (region, credentials, `AWS_ENDPOINT_URL*`) with an HTTP
/// client of rustls with ring, so no client pulls in aws-lc.
pub(crate) async fn from_env() -> aws_config::SdkConfig {
    use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(https)
        .load()
        .await
}
