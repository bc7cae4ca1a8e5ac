//! The JWT-profile grant of service users (RFC 7523): a key file's signed assertion for tokens.

use super::*;

impl World {
    pub(super) fn jwt_bearer(&mut self, params: &Params) -> Result<Issued, OAuthError> {
        let assertion = required(params, "assertion")?;
        let header = jsonwebtoken::decode_header(assertion)
            .map_err(|_| OAuthError::invalid_grant("The assertion is not a JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(OAuthError::invalid_grant(
                "The assertion must be signed with RS256",
            ));
        }
        let kid = header
            .kid
            .ok_or_else(|| OAuthError::invalid_grant("The assertion has no kid in its header"))?;
        let key = self
            .oidc
            .service_keys
            .iter()
            .find(|k| k.id == kid)
            .ok_or_else(|| OAuthError::invalid_grant(format!("The key id {kid} is unknown")))?;
        if key.expires <= Utc::now() {
            return Err(OAuthError::invalid_grant(format!(
                "The key {kid} has expired"
            )));
        }
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims = jsonwebtoken::decode::<Value>(assertion, &key.public, &validation)
            .map_err(|error| match error.kind() {
                ErrorKind::InvalidSignature => OAuthError::invalid_grant(format!(
                    "The assertion's signature does not verify with the key {kid}"
                )),
                _ => OAuthError::invalid_grant("The assertion's claims are malformed"),
            })?
            .claims;

        let user_id = key.user_id.clone();
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        if text("iss") != Some(&user_id) || text("sub") != Some(&user_id) {
            return Err(OAuthError::invalid_grant(
                "iss and sub of the assertion must be the user id of the key",
            ));
        }
        let issuer = &self.oidc.issuer;
        let audience_ok = |aud: &str| aud.trim_end_matches('/') == issuer;
        let aud_matches = match claims.get("aud") {
            Some(Value::String(aud)) => audience_ok(aud),
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(audience_ok),
            _ => false,
        };
        if !aud_matches {
            return Err(OAuthError::invalid_grant(format!(
                "The assertion's aud must contain the issuer {issuer}"
            )));
        }
        let now = Utc::now().timestamp();
        let number = |name: &str| claims.get(name).and_then(Value::as_i64);
        match number("exp") {
            None => return Err(OAuthError::invalid_grant("The assertion has no exp")),
            Some(exp) if exp <= now => {
                return Err(OAuthError::invalid_grant("The assertion has expired (exp)"))
            }
            Some(_) => {}
        }
        match number("iat") {
            None => return Err(OAuthError::invalid_grant("The assertion has no iat")),
            Some(iat) if iat > now + CLOCK_SKEW => {
                return Err(OAuthError::invalid_grant(
                    "The assertion was issued in the future (iat)",
                ))
            }
            Some(iat) if now - iat > ASSERTION_MAX_AGE => {
                return Err(OAuthError::invalid_grant(
                    "The assertion was issued more than 1 h ago (iat)",
                ))
            }
            Some(_) => {}
        }
        if self.active_user(&user_id).is_none() {
            return Err(invalid_grant_user());
        }
        let scopes = granted_scopes(param(params, "scope").unwrap_or(""), false);
        // For the JWT profile the service user is its own client, as in ZITADEL.
        let grant_id = self.start_grant(&user_id, &user_id, scopes, Utc::now(), &[], false);
        Ok(self.issue_for_grant(&grant_id, None, None))
    }
}
