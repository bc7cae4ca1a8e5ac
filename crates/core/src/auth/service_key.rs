//! A ZITADEL service user's JWT-profile key file (zitadel-api.md §7): `{"type":"serviceaccount",
//! "keyId","key","userId"}`, exchanged for an access token with a signed assertion.

use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::secret::Secret;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    key_id: String,
    key: Secret<String>,
    user_id: String,
}

/// A parsed key file. The private key stays in a [`Secret`].
pub struct ServiceKey {
    key_id: String,
    user_id: String,
    encoding_key: EncodingKey,
    /// The file as given, to put into the keyring unchanged.
    raw: Secret<String>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
}

impl ServiceKey {
    /// Parses a key file. The error never quotes the file: it holds a private key.
    pub fn parse(json: &str) -> Result<ServiceKey> {
        let bad = |why: &str| {
            Error::InvalidInput(format!("not a ZITADEL key file ({why}): download the JSON key of the service user in the Console"))
        };
        let file: KeyFile = serde_json::from_str(json)
            .map_err(|_| bad("expected JSON with keyId, key and userId"))?;
        if file.kind.as_deref().is_some_and(|k| k != "serviceaccount") {
            return Err(bad("its type is not \"serviceaccount\""));
        }
        if file.key_id.is_empty() || file.user_id.is_empty() {
            return Err(bad("keyId or userId is empty"));
        }
        let encoding_key = EncodingKey::from_rsa_pem(file.key.expose().as_bytes())
            .map_err(|_| bad("the key is not an RSA private key in PEM"))?;
        Ok(ServiceKey {
            key_id: file.key_id,
            user_id: file.user_id,
            encoding_key,
            raw: Secret::new(json.to_string()),
        })
    }

    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    pub(crate) fn raw(&self) -> &Secret<String> {
        &self.raw
    }

    /// A fresh RS256 assertion for `audience` (the issuer), valid for five minutes.
    pub fn assertion(&self, audience: &str) -> Result<Secret<String>> {
        let now = Utc::now().timestamp();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.key_id.clone());
        let claims = Claims {
            iss: &self.user_id,
            sub: &self.user_id,
            aud: audience,
            iat: now,
            exp: now + 300,
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding_key)
            .map(Secret::new)
            .map_err(|e| Error::InvalidInput(format!("cannot sign with the key file: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_is_not_a_key_file_without_quoting_it() {
        for text in [
            "",
            "{}",
            "{\"keyId\":\"1\",\"userId\":\"2\",\"key\":\"not a pem SECRET\"}",
            "{\"type\":\"application\",\"keyId\":\"1\",\"userId\":\"2\",\"key\":\"x\"}",
        ] {
            let e = ServiceKey::parse(text).err().expect(text);
            assert_eq!(e.code(), "invalid_input");
            assert!(!e.to_string().contains("SECRET"), "{e}");
        }
    }
}
