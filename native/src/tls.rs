//! TLS for HTTPS endpoints (rustls, ring provider): a self-signed certificate generated in memory
//! with rcgen, or a PEM certificate chain + private key.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;

use crate::error::{Error, Result};

/// How an HTTPS endpoint gets its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSpec {
    /// A self-signed certificate for `localhost`, `127.0.0.1`, `::1` (plus the endpoint's address),
    /// generated in memory.
    SelfSigned,
    /// PEM files, read when the endpoint is added: certificate chain and private key
    /// (PKCS#8, PKCS#1 or SEC1).
    PemFiles {
        /// Certificate chain (leaf first).
        cert_path: PathBuf,
        /// Private key.
        key_path: PathBuf,
    },
    /// PEM text: certificate chain and private key.
    Pem {
        /// Certificate chain (leaf first).
        cert_pem: String,
        /// Private key.
        key_pem: String,
    },
}

/// A self-signed certificate and its key as PEM text, for `localhost`, `127.0.0.1`, `::1` and
/// `extra_names` (host names or IP literals).
pub fn self_signed_pem(extra_names: &[&str]) -> Result<(String, String)> {
    let mut names: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    for n in extra_names {
        let n = n.trim().trim_start_matches('[').trim_end_matches(']');
        if !n.is_empty() && !names.iter().any(|x| x.eq_ignore_ascii_case(n)) && n != "0.0.0.0" && n != "::" {
            names.push(n.to_string());
        }
    }
    let certified = rcgen::generate_simple_self_signed(names)
        .map_err(|e| Error::tls(format!("self-signed certificate generation failed: {e}")))?;
    Ok((certified.cert.pem(), certified.signing_key.serialize_pem()))
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::tls(format!("cannot read {what} file {}: {e}", path.display())))
}

/// The rustls server configuration for `spec` (`address` is added to self-signed names).
pub(crate) fn server_config(spec: &TlsSpec, address: &str) -> Result<Arc<ServerConfig>> {
    let (cert_pem, key_pem, origin) = match spec {
        TlsSpec::SelfSigned => {
            let (c, k) = self_signed_pem(&[address])?;
            (c.into_bytes(), k.into_bytes(), "self-signed certificate".to_string())
        }
        TlsSpec::PemFiles { cert_path, key_path } => (
            read_file(cert_path, "certificate")?,
            read_file(key_path, "private key")?,
            format!("{} / {}", cert_path.display(), key_path.display()),
        ),
        TlsSpec::Pem { cert_pem, key_pem } => {
            (cert_pem.clone().into_bytes(), key_pem.clone().into_bytes(), "PEM text".to_string())
        }
    };
    let certs: Vec<CertificateDer<'static>> = rustls_pemfile::certs(&mut cert_pem.as_slice())
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::tls(format!("invalid certificate PEM ({origin}): {e}")))?;
    if certs.is_empty() {
        return Err(Error::tls(format!("no certificate found in PEM ({origin})")));
    }
    let key: PrivateKeyDer<'static> = rustls_pemfile::private_key(&mut key_pem.as_slice())
        .map_err(|e| Error::tls(format!("invalid private key PEM ({origin}): {e}")))?
        .ok_or_else(|| Error::tls(format!("no private key found in PEM ({origin})")))?;
    let config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::tls(format!("TLS configuration failed: {e}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| Error::tls(format!("certificate and key do not form a valid TLS identity ({origin}): {e}")))?;
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_config() {
        server_config(&TlsSpec::SelfSigned, "192.168.1.2").unwrap();
    }

    #[test]
    fn pem_errors() {
        let e = server_config(&TlsSpec::Pem { cert_pem: "nope".into(), key_pem: "nope".into() }, "x").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Tls);
        let (cert, _) = self_signed_pem(&[]).unwrap();
        let (_, other_key) = self_signed_pem(&[]).unwrap();
        let e = server_config(&TlsSpec::Pem { cert_pem: cert, key_pem: other_key }, "x").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Tls);
        let e = server_config(
            &TlsSpec::PemFiles { cert_path: "/nonexistent/c.pem".into(), key_path: "/nonexistent/k.pem".into() },
            "x",
        )
        .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Tls);
        assert!(e.message().contains("/nonexistent/c.pem"));
    }
}
