//! Sign-in in the system browser: Authorization Code + PKCE (S256) with a loopback redirect.

use std::time::Duration;

use openidconnect::core::CoreAuthenticationFlow;
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
};
use url::Url;

use super::loopback::{Callback, Listener};
use super::provider::{
    sign_in_refused, tokens_of, verify_id_token, LoginOptions, OidcClient, Provider, TokenHttp,
    Tokens, SCOPES,
};
use crate::error::{sanitize, Error, Result};
use crate::secret::Secret;

impl Provider {
    /// Starts Authorization Code + PKCE (S256): binds the loopback redirect and builds the
    /// authorization URL to open in the system browser.
    pub async fn start_browser_login(&self, options: &LoginOptions) -> Result<BrowserLogin> {
        let state = CsrfToken::new_random();
        let listener = Listener::bind(Secret::new(state.secret().clone())).await?;
        let redirect =
            RedirectUrl::new(listener.redirect_uri()).map_err(|e| Error::SignInFailed {
                detail: e.to_string(),
            })?;
        let client = self.client(&options.client_id).set_redirect_uri(redirect);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || state,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in SCOPES.iter().skip(1) {
            // `openid` is added by the library.
            request = request.add_scope(Scope::new(scope.to_string()));
        }
        if options.prompt_consent {
            request = request.add_extra_param("prompt", "consent");
        }
        if let Some(hint) = &options.login_hint {
            request = request.add_extra_param("login_hint", hint.clone());
        }
        let (url, _, nonce) = request.url();
        Ok(BrowserLogin {
            url,
            listener,
            nonce,
            verifier,
            client,
            provider: self.clone(),
        })
    }
}

/// A browser sign-in in progress: open [`BrowserLogin::url`], then await [`BrowserLogin::finish`].
/// Dropping it cancels the sign-in and closes the loopback port.
pub struct BrowserLogin {
    url: Url,
    listener: Listener,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
    client: OidcClient,
    provider: Provider,
}

impl BrowserLogin {
    /// The authorization URL for the system browser (also shown for copy-paste).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Waits for the browser to come back (at most `timeout`; the listener checked `state`), exchanges the
    /// code with the PKCE verifier and validates the ID token.
    pub async fn finish(self, timeout: Duration) -> Result<Tokens> {
        let callback = tokio::time::timeout(timeout, self.listener.wait())
            .await
            .map_err(|_| Error::SignInExpired {
                detail: format!(
                    "no answer from the browser within {} min",
                    timeout.as_secs().div_ceil(60)
                ),
            })??;
        let code = match callback {
            Callback::Code(code) => code,
            Callback::Refused { error } => return Err(sign_in_refused(&error)),
        };
        let provider = &self.provider;
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code.into_inner()))
            .map_err(|e| Error::SignInFailed {
                detail: e.to_string(),
            })?
            .set_pkce_verifier(self.verifier)
            .request_async(&TokenHttp(provider))
            .await
            .map_err(|e| {
                provider.token_error(e, |answer| Error::SignInFailed {
                    detail: format!(
                        "the code was refused ({})",
                        sanitize(answer.error().as_ref(), 60)
                    ),
                })
            })?;
        let identity = verify_id_token(&self.client, &answer, Some(&self.nonce))?;
        Ok(tokens_of(&answer, Some(identity)))
    }
}
