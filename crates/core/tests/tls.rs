//! TLS against a local rustls server with certificates generated in the test: a self-signed
//! (unknown CA) server is refused with a message naming the fix, the extra CA file makes it
//! work, and a certificate for another name is refused.

use std::sync::Arc;

// The reliability case recorder of the e2e tests (the figures in docs/RELIABILITY.md).
#[path = "../../../tests/src/report.rs"]
mod report;
use report::Cases;

use passkey_desk_core::{ClientOptions, Error, Secret, ZitadelClient};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{self, ServerConfig};
use tokio_rustls::TlsAcceptor;

const ME: &str = r#"{"user":{"id":"310000000000000001","details":{"resourceOwner":"300000000000000001"},"state":"USER_STATE_ACTIVE","userName":"desk.admin","preferredLoginName":"desk.admin@acme.example.com","human":{"profile":{"displayName":"Dana Keller"}}}}"#;

/// A CA and a server certificate it signed for `name`; returns (CA PEM, server cert, key).
fn certificates(name: &str) -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Passkey Desk test CA");
    let ca_key = KeyPair::generate().unwrap();
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec![name.to_string()])
        .unwrap()
        .signed_by(&server_key, &ca, &ca_key)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    (ca.pem(), server.der().clone(), key)
}

/// Serves `ME` over TLS on 127.0.0.1 (HTTP/1.1, one answer per connection); returns the port.
async fn serve(cert: CertificateDer<'static>, key: PrivateKeyDer<'static>) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A refused handshake simply ends this connection.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{ME}",
                    ME.len()
                );
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn client(url: &str, ca_pem: Option<&str>) -> ZitadelClient {
    let options = ClientOptions {
        extra_ca_pem: ca_pem.map(|p| p.as_bytes().to_vec()),
        ..ClientOptions::default()
    };
    ZitadelClient::new(url, Secret::new("token".into()), options).unwrap()
}

#[tokio::test]
async fn tls_failures_are_refused_with_the_fix_named() {
    let mut cases = Cases::new("tls", "tls_failures_are_refused_with_the_fix_named");

    let (ca_pem, cert, key) = certificates("localhost");
    let port = serve(cert, key).await;
    let url = format!("https://localhost:{port}");
    let (u, ca) = (url.clone(), ca_pem.clone());
    cases
        .run(
            "a self-signed (unknown CA) server is refused, naming the fix",
            async move {
                let e = client(&u, None).my_user().await.unwrap_err();
                assert!(matches!(e, Error::Tls { .. }), "{e}");
                let message = e.to_string();
                assert!(
                    message.contains("ca_file") || message.contains("--ca-file"),
                    "names the fix: {message}"
                );
                assert!(message.contains("localhost"), "{message}");
            },
        )
        .await;
    cases
        .run("an extra CA file makes it work", async move {
            let me = client(&url, Some(&ca)).my_user().await.unwrap();
            assert_eq!(me.user_name, "desk.admin");
        })
        .await;

    let (ca_pem, cert, key) = certificates("auth.example.com");
    let port = serve(cert, key).await;
    cases
        .run("a certificate for another name is refused", async move {
            let e = client(&format!("https://localhost:{port}"), Some(&ca_pem))
                .my_user()
                .await
                .unwrap_err();
            assert!(matches!(e, Error::Tls { .. }), "{e}");
            assert!(
                e.to_string().to_lowercase().contains("name")
                    || e.to_string().contains("NotValidForName"),
                "{e}"
            );
        })
        .await;

    cases.check("a CA file that is not PEM is a configuration error", || {
        let options = ClientOptions {
            extra_ca_pem: Some(b"not a certificate".to_vec()),
            ..ClientOptions::default()
        };
        let e = ZitadelClient::new("https://localhost:1", Secret::new("t".into()), options)
            .err()
            .unwrap();
        assert_eq!(e.code(), "config", "{e}");
    });
    cases.check(
        "plain http to a host that is not loopback is refused",
        || {
            let e = ZitadelClient::new(
                "http://auth.example.com",
                Secret::new("t".into()),
                ClientOptions::default(),
            )
            .err()
            .unwrap();
            assert_eq!(e.code(), "config", "{e}");
            assert!(e.to_string().contains("https://"), "{e}");
        },
    );
    cases.finish();
}
