//! The Authorization Code grant with PKCE: the authorization request, the demo login page
//! and its browser session, the code and its exchange at the token endpoint.

use super::*;

impl World {
    /// `GET /oauth/v2/authorize`. Errors go to the redirect URI only once the client and the
    /// redirect URI are known to belong together; before that, an error page.
    pub fn authorize(&mut self, params: &Params) -> AuthorizeOutcome {
        self.prune();
        let Some(client) = param(params, "client_id").and_then(|id| self.oidc.client(id)) else {
            return AuthorizeOutcome::ErrorPage(
                "The client_id is missing or not an application of this instance.".into(),
            );
        };
        let Some(redirect_uri) = param(params, "redirect_uri") else {
            return AuthorizeOutcome::ErrorPage("The redirect_uri is missing.".into());
        };
        if !client
            .redirect_uris
            .iter()
            .any(|r| redirect_matches(r, redirect_uri))
        {
            return AuthorizeOutcome::ErrorPage(format!(
                "The redirect_uri {redirect_uri} is not registered for the application {}.",
                client.name
            ));
        }
        let client_id = client.id.clone();
        let may_code = client.grant_types.contains(&GrantType::AuthorizationCode);
        let may_refresh = client.grant_types.contains(&GrantType::RefreshToken);
        let state = param(params, "state");
        let fail = |error: &str, description: &str| {
            AuthorizeOutcome::Redirect(error_redirect(redirect_uri, error, description, state))
        };
        if !may_code {
            return fail(
                "unauthorized_client",
                "The application may not use the authorization code flow",
            );
        }
        match param(params, "response_type") {
            Some("code") => {}
            None => return fail("invalid_request", "response_type is missing"),
            Some(_) => {
                return fail(
                    "unsupported_response_type",
                    "Only the response_type code is supported",
                )
            }
        }
        let scopes = granted_scopes(param(params, "scope").unwrap_or(""), may_refresh);
        if !has(&scopes, "openid") {
            return fail("invalid_scope", "The scope openid is missing");
        }
        let Some(challenge) = param(params, "code_challenge") else {
            return fail(
                "invalid_request",
                "code_challenge is required: this application uses PKCE",
            );
        };
        match param(params, "code_challenge_method") {
            Some("S256") => {}
            None | Some("plain") => {
                return fail(
                    "invalid_request",
                    "code_challenge_method must be S256; plain is not allowed",
                )
            }
            Some(_) => return fail("invalid_request", "Unsupported code_challenge_method"),
        }
        if !valid_challenge(challenge) {
            return fail(
                "invalid_request",
                "code_challenge must be a base64url SHA-256 (43 characters)",
            );
        }
        let prompts: Vec<&str> = param(params, "prompt")
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let silent = prompts.contains(&"none");
        if silent && prompts.len() > 1 {
            return fail(
                "invalid_request",
                "prompt=none cannot be combined with other prompts",
            );
        }
        let request = AuthRequest {
            id: random_token(),
            client_id,
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: state.map(str::to_owned),
            nonce: param(params, "nonce").map(str::to_owned),
            code_challenge: challenge.to_owned(),
            login_hint: param(params, "login_hint").map(str::to_owned),
            expires: Instant::now() + AUTH_REQUEST_LIFETIME,
        };

        if let Some(user_id) = self.oidc.auto_login.clone() {
            return self.sign_in_directly(request, &user_id, Utc::now());
        }
        if silent {
            let session = self
                .oidc
                .browser_session
                .as_ref()
                .map(|s| (s.user_id.clone(), s.auth_time));
            return match session {
                Some((user_id, auth_time)) => self.sign_in_directly(request, &user_id, auth_time),
                None => AuthorizeOutcome::Redirect(error_redirect(
                    &request.redirect_uri,
                    "login_required",
                    "Nobody is signed in",
                    request.state.as_deref(),
                )),
            };
        }
        let page = self.login_page(&request, None);
        self.oidc.auth_requests.push(request);
        AuthorizeOutcome::Login(page)
    }

    /// Auto-login and `prompt=none`: a code for this user without a page, unless the user
    /// may not sign in (any more) for this request.
    pub(super) fn sign_in_directly(
        &mut self,
        request: AuthRequest,
        user_id: &str,
        auth_time: DateTime<Utc>,
    ) -> AuthorizeOutcome {
        let allowed = self
            .active_user(user_id)
            .is_some_and(|u| Self::org_scopes_allow(u, &request.scopes));
        if !allowed {
            return AuthorizeOutcome::Redirect(error_redirect(
                &request.redirect_uri,
                "access_denied",
                "The user may not sign in to this application",
                request.state.as_deref(),
            ));
        }
        AuthorizeOutcome::Redirect(self.code_redirect(request, user_id, auth_time))
    }

    /// Issues a code for a finished sign-in and returns the redirect that carries it.
    pub(super) fn code_redirect(
        &mut self,
        request: AuthRequest,
        user_id: &str,
        auth_time: DateTime<Utc>,
    ) -> String {
        let code = new_secret();
        let redirect = with_params(
            &request.redirect_uri,
            &[("code", Some(&code)), ("state", request.state.as_deref())],
        );
        self.oidc.browser_session = Some(BrowserSession {
            user_id: user_id.to_owned(),
            auth_time,
        });
        self.oidc.codes.push(AuthCode {
            code,
            client_id: request.client_id,
            redirect_uri: request.redirect_uri,
            user_id: user_id.to_owned(),
            scopes: request.scopes,
            nonce: request.nonce,
            code_challenge: request.code_challenge,
            auth_time,
            expires: Instant::now() + CODE_LIFETIME,
            grant_id: None,
        });
        redirect
    }

    /// The humans with a membership, to pick from on the login page.
    pub fn login_choices(&self) -> Vec<LoginChoice> {
        let mut choices: Vec<LoginChoice> = Vec::new();
        for membership in &self.memberships {
            let Some(user) = self.user(&membership.user_id) else {
                continue;
            };
            let Some(person) = user.person() else {
                continue;
            };
            let login_name = self.login_name(user);
            if user.state == UserState::Active
                && !choices.iter().any(|c| c.login_name == login_name)
            {
                choices.push(LoginChoice {
                    login_name,
                    display_name: person.display_name.clone(),
                    role: membership.roles.join(", "),
                });
            }
        }
        choices
    }

    pub(super) fn login_page(&self, request: &AuthRequest, error: Option<String>) -> LoginPage {
        let mut choices = self.login_choices();
        let hinted = request
            .login_hint
            .as_deref()
            .and_then(|hint| self.sign_in_user(hint).ok());
        let session = self
            .oidc
            .browser_session
            .as_ref()
            .and_then(|s| self.active_user(&s.user_id));
        let selected = hinted.or(session).map(|user| self.login_name(user));
        if let (Some(user), Some(login_name)) = (hinted, &selected) {
            if !choices.iter().any(|c| &c.login_name == login_name) {
                choices.insert(
                    0,
                    LoginChoice {
                        login_name: login_name.clone(),
                        display_name: user
                            .person()
                            .map(|p| p.display_name.clone())
                            .unwrap_or_default(),
                        role: String::new(),
                    },
                );
            }
        }
        LoginPage {
            request_id: request.id.clone(),
            client_name: self
                .oidc
                .client(&request.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            scopes: request.scopes.clone(),
            choices,
            selected,
            error,
        }
    }

    /// `POST /oauth/v2/authorize/login`: "Sign in" as `user_name`, or "Cancel".
    pub fn finish_login(
        &mut self,
        request_id: &str,
        user_name: Option<&str>,
        cancel: bool,
    ) -> AuthorizeOutcome {
        self.prune();
        let Some(index) = self
            .oidc
            .auth_requests
            .iter()
            .position(|r| r.id == request_id)
        else {
            return AuthorizeOutcome::ErrorPage(
                "This sign-in request is unknown, finished or expired. Start the sign-in again \
                 from the application."
                    .into(),
            );
        };
        if cancel {
            let request = self.oidc.auth_requests.remove(index);
            return AuthorizeOutcome::Redirect(error_redirect(
                &request.redirect_uri,
                "access_denied",
                "The user cancelled the sign-in",
                request.state.as_deref(),
            ));
        }
        let request = &self.oidc.auth_requests[index];
        let user = match user_name.map(|name| self.sign_in_user(name)) {
            None => Err("Choose a user to sign in as.".to_owned()),
            Some(Err(error)) => Err(format!("{} ({})", error.message, error.id)),
            Some(Ok(user)) if !Self::org_scopes_allow(user, &request.scopes) => {
                Err("This user may not sign in to this application (organisation).".to_owned())
            }
            Some(Ok(user)) => Ok(user.id.clone()),
        };
        match user {
            Ok(user_id) => {
                let request = self.oidc.auth_requests.remove(index);
                AuthorizeOutcome::Redirect(self.code_redirect(request, &user_id, Utc::now()))
            }
            Err(message) => AuthorizeOutcome::Login(self.login_page(request, Some(message))),
        }
    }

    pub(super) fn exchange_code(
        &mut self,
        client_id: &str,
        params: &Params,
    ) -> Result<Issued, OAuthError> {
        let code = required(params, "code")?;
        let index = self
            .oidc
            .codes
            .iter()
            .position(|c| c.code == code)
            .ok_or_else(|| OAuthError::invalid_grant("The code is unknown"))?;
        let entry = &self.oidc.codes[index];
        if let Some(grant_id) = entry.grant_id.clone() {
            // RFC 6749 §4.1.2: a reused code revokes what was issued for it.
            self.end_grant(&grant_id);
            return Err(OAuthError::invalid_grant(
                "The code was already used; the tokens issued for it are revoked",
            ));
        }
        if Instant::now() >= entry.expires {
            return Err(OAuthError::invalid_grant("The code has expired"));
        }
        if entry.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "The code was issued to another client",
            ));
        }
        if param(params, "redirect_uri") != Some(entry.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "The redirect_uri differs from the one of the authorization request",
            ));
        }
        let verifier = param(params, "code_verifier")
            .ok_or_else(|| OAuthError::invalid_grant("code_verifier is missing (PKCE)"))?;
        remember_secret(verifier.to_owned());
        if s256(verifier) != entry.code_challenge {
            return Err(OAuthError::invalid_grant(
                "The code_verifier does not match the code_challenge",
            ));
        }
        if self.active_user(&entry.user_id).is_none() {
            return Err(invalid_grant_user());
        }
        let (user_id, scopes, auth_time) =
            (entry.user_id.clone(), entry.scopes.clone(), entry.auth_time);
        let nonce = entry.nonce.clone();
        let grant_id = self.start_grant(&user_id, client_id, scopes, auth_time, &["pwd"], true);
        self.oidc.codes[index].grant_id = Some(grant_id.clone());
        Ok(self.issue_for_grant(&grant_id, nonce, None))
    }
}
