//! Sign-in on another device (the admin's phone): the Device Authorization Grant (RFC 8628).

use std::time::Duration;

use openidconnect::core::{CoreDeviceAuthorizationResponse, CoreTokenResponse};
use openidconnect::Scope;

use super::provider::{
    foreign_endpoint, sign_in_refused, tokens_of, verify_id_token, Provider, TokenHttp, Tokens,
    SCOPES,
};
use crate::error::{Error, Result};
use crate::qr::Qr;

impl Provider {
    /// Starts the Device Authorization Grant (RFC 8628).
    pub async fn start_device_login(&self, client_id: &str) -> Result<DeviceLogin> {
        let endpoint = self
            .metadata
            .additional_metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or_else(|| Error::SignInFailed {
                detail: "the instance offers no device sign-in (no device_authorization_endpoint)"
                    .into(),
            })?;
        let client = self
            .client(client_id)
            .set_device_authorization_url(endpoint);
        let mut request = client.exchange_device_code();
        for scope in SCOPES {
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        let details: CoreDeviceAuthorizationResponse = request
            .request_async(&TokenHttp(self))
            .await
            .map_err(|e| self.token_error(e, |answer| sign_in_refused(answer.error().as_ref())))?;
        // The page the admin's phone opens, and the QR made of it: the instance's, or nothing.
        self.origins
            .check(details.verification_uri())
            .map_err(|e| foreign_endpoint("device verification page", e))?;
        if let Some(complete) = details.verification_uri_complete() {
            self.origins
                .check(complete.secret())
                .map_err(|e| foreign_endpoint("device verification page", e))?;
        }
        Ok(DeviceLogin {
            details,
            provider: self.clone(),
            client_id: client_id.to_string(),
        })
    }
}

/// A device sign-in in progress: show the code and QR, then await [`DeviceLogin::finish`].
pub struct DeviceLogin {
    details: CoreDeviceAuthorizationResponse,
    provider: Provider,
    client_id: String,
}

impl DeviceLogin {
    /// The code the admin confirms on the phone, e.g. `FWRK-JGWK`.
    pub fn user_code(&self) -> &str {
        self.details.user_code().secret()
    }

    pub fn verification_uri(&self) -> &str {
        self.details.verification_uri()
    }

    /// The verification URL with the code in it, for the QR code.
    pub fn verification_uri_complete(&self) -> Option<&str> {
        self.details
            .verification_uri_complete()
            .map(|u| u.secret().as_str())
    }

    pub fn expires_in(&self) -> Duration {
        self.details.expires_in()
    }

    /// A QR of the complete verification URL (or the plain one), to scan with a phone.
    pub fn qr(&self) -> Result<Qr> {
        Qr::new(
            self.verification_uri_complete()
                .unwrap_or(self.verification_uri()),
        )
    }

    /// Polls the token endpoint at the announced interval (longer after `slow_down`) until the
    /// admin approves, denies, or the code expires.
    pub async fn finish(self) -> Result<Tokens> {
        let provider = &self.provider;
        let endpoint = provider
            .metadata
            .additional_metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or_else(|| Error::SignInFailed {
                detail: "no device endpoint".into(),
            })?;
        let client = provider
            .client(&self.client_id)
            .set_device_authorization_url(endpoint);
        let answer: CoreTokenResponse = client
            .exchange_device_access_token(&self.details)
            .map_err(|e| Error::SignInFailed {
                detail: e.to_string(),
            })?
            .request_async(&TokenHttp(provider), tokio::time::sleep, None)
            .await
            .map_err(|e| {
                provider.token_error(e, |answer| sign_in_refused(answer.error().as_ref()))
            })?;
        let plain = provider.client(&self.client_id);
        let identity = verify_id_token(&plain, &answer, None)?;
        Ok(tokens_of(&answer, Some(identity)))
    }
}
