//! TLS against a local rustls server with certificates generated in the test: a self-signed
//! (unknown CA) server is refused with a message naming the fix, the extra CA file makes it
//! work, and a certificate for another name is refused.

use std::sync::Arc;

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
async fn an_unknown_ca_is_refused_with_the_fix_named_and_the_extra_ca_makes_it_work() {
    let (ca_pem, cert, key) = certificates("localhost");
    let port = serve(cert, key).await;
    let url = format!("https://localhost:{port}");

    let e = client(&url, None).my_user().await.unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e}");
    let message = e.to_string();
    assert!(
        message.contains("ca_file") || message.contains("--ca-file"),
        "names the fix: {message}"
    );
    assert!(message.contains("localhost"), "{message}");

    let me = client(&url, Some(&ca_pem)).my_user().await.unwrap();
    assert_eq!(me.user_name, "desk.admin");
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused() {
    let (ca_pem, cert, key) = certificates("auth.example.com");
    let port = serve(cert, key).await;
    let e = client(&format!("https://localhost:{port}"), Some(&ca_pem))
        .my_user()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Tls { .. }), "{e}");
    assert!(
        e.to_string().to_lowercase().contains("name") || e.to_string().contains("NotValidForName"),
        "{e}"
    );
}

#[tokio::test]
async fn a_ca_file_that_is_not_pem_is_a_configuration_error() {
    let options = ClientOptions {
        extra_ca_pem: Some(b"not a certificate".to_vec()),
        ..ClientOptions::default()
    };
    let e = ZitadelClient::new("https://localhost:1", Secret::new("t".into()), options)
        .err()
        .unwrap();
    assert_eq!(e.code(), "config", "{e}");
}
