//! The embedded demo RSA keys (`keys/`, generated once with `openssl genrsa -traditional
//! 2048`): the sim's ID token signing key and the JWT-profile key of the service user
//! `desk-bot`. Keys are never generated at run time; the public parts are derived at start.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use serde_json::{json, Value};

/// The sim's signing key (PKCS#1 PEM). Demo material, public on purpose.
pub const SIGNING_KEY_PEM: &str = include_str!("../keys/sim-signing.pem");
/// `desk-bot`'s JWT-profile private key (PKCS#1 PEM). Demo material, public on purpose.
pub const SERVICE_KEY_PEM: &str = include_str!("../keys/desk-bot.pem");

/// An RSA key pair with its key id, ready to sign and verify RS256.
pub struct KeyPair {
    pub kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// Modulus and exponent, base64url without padding (as in a JWK).
    n: String,
    e: String,
}

impl KeyPair {
    /// Panics if the PEM is not an RSA private key: the keys are embedded at build time, so
    /// a bad one is a defect of the build, not input.
    pub fn from_pem(kid: &str, pem: &str) -> KeyPair {
        let encoding =
            EncodingKey::from_rsa_pem(pem.as_bytes()).expect("an embedded RSA private key");
        let jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
            .expect("public components of an embedded RSA key");
        let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            panic!("embedded key {kid} is not RSA")
        };
        let decoding = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)
            .expect("a public key from its own components");
        KeyPair {
            kid: kid.to_owned(),
            encoding,
            decoding,
            n: rsa.n,
            e: rsa.e,
        }
    }

    /// A compact RS256 JWS with this key's `kid` in the header.
    pub fn sign<T: Serialize>(&self, claims: &T) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).expect("RS256 signing of JSON claims")
    }

    /// The public key, for verifying.
    pub fn public(&self) -> &DecodingKey {
        &self.decoding
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "use": "sig",
            "kty": "RSA",
            "kid": self.kid,
            "alg": "RS256",
            "n": self.n,
            "e": self.e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::Validation;

    #[test]
    fn embedded_keys_sign_and_verify() {
        let pair = KeyPair::from_pem("k1", SIGNING_KEY_PEM);
        let token = pair.sign(&json!({"sub": "me", "exp": 4_000_000_000u64}));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(
            (header.alg, header.kid.as_deref()),
            (Algorithm::RS256, Some("k1"))
        );
        let data = jsonwebtoken::decode::<Value>(
            &token,
            pair.public(),
            &Validation::new(Algorithm::RS256),
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "me");
        let jwk = pair.jwk();
        assert_eq!(jwk["e"], "AQAB");
        assert!(jwk["n"].as_str().unwrap().len() > 300);

        let other = KeyPair::from_pem("k2", SERVICE_KEY_PEM);
        assert_ne!(other.jwk()["n"], jwk["n"]);
        assert!(jsonwebtoken::decode::<Value>(
            &token,
            other.public(),
            &Validation::new(Algorithm::RS256)
        )
        .is_err());
    }
}
