//! The Device Authorization Grant (RFC 8628): the device request, the user code the admin
//! confirms on another device, and the polling of the token endpoint.

use super::*;

impl World {
    /// `POST /oauth/v2/device_authorization`.
    pub fn start_device(&mut self, params: &Params) -> Result<DeviceStart, OAuthError> {
        self.prune();
        let client_id = self.public_client(params, GrantType::DeviceCode)?;
        let may_refresh = self
            .oidc
            .client(&client_id)
            .is_some_and(|c| c.grant_types.contains(&GrantType::RefreshToken));
        let scopes = granted_scopes(param(params, "scope").unwrap_or(""), may_refresh);
        let device_code = new_secret();
        let user_code = self.new_user_code();
        let lifetime = self.oidc.device_code_lifetime;
        let interval = self.oidc.device_interval;
        self.oidc.devices.push(DeviceRequest {
            device_code: device_code.clone(),
            user_code: user_code.clone(),
            client_id,
            scopes,
            expires: Instant::now() + lifetime,
            interval,
            last_poll: None,
            state: DeviceState::Pending,
        });
        Ok(DeviceStart {
            device_code,
            user_code,
            expires_in: ceil_secs(lifetime),
            interval: ceil_secs(interval),
        })
    }

    pub(super) fn new_user_code(&self) -> String {
        let mut rng = rand::rng();
        loop {
            let letters: String = (0..8)
                .map(|_| {
                    char::from(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())])
                })
                .collect();
            let code = format!("{}-{}", &letters[..4], &letters[4..]);
            if !self.oidc.devices.iter().any(|d| d.user_code == code) {
                return code;
            }
        }
    }

    pub(super) fn poll_device(
        &mut self,
        client_id: &str,
        params: &Params,
    ) -> Result<Issued, OAuthError> {
        let device_code = required(params, "device_code")?;
        let index = self
            .oidc
            .devices
            .iter()
            .position(|d| d.device_code == device_code)
            .ok_or_else(|| OAuthError::invalid_grant("The device_code is unknown"))?;
        let now = Instant::now();
        let device = &mut self.oidc.devices[index];
        if device.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "The device_code was issued to another client",
            ));
        }
        if matches!(device.state, DeviceState::Used) {
            return Err(OAuthError::invalid_grant(
                "The device_code was already used",
            ));
        }
        if now >= device.expires {
            return Err(OAuthError::new(
                "expired_token",
                "The device_code has expired; start again",
            ));
        }
        let too_soon = device
            .last_poll
            .is_some_and(|last| now < last + device.interval);
        device.last_poll = Some(now);
        if too_soon {
            device.interval += SLOW_DOWN_STEP;
            return Err(OAuthError::new(
                "slow_down",
                format!(
                    "Polled too fast; wait {} s between requests",
                    ceil_secs(device.interval)
                ),
            ));
        }
        let (user_id, auth_time) = match &device.state {
            DeviceState::Pending => {
                return Err(OAuthError::new(
                    "authorization_pending",
                    "The user has not approved the device yet",
                ))
            }
            DeviceState::Denied => {
                return Err(OAuthError::access_denied("The user denied the device"))
            }
            DeviceState::Used => unreachable!("handled above"),
            DeviceState::Approved { user_id, auth_time } => (user_id.clone(), *auth_time),
        };
        device.state = DeviceState::Used;
        let scopes = device.scopes.clone();
        if self.active_user(&user_id).is_none() {
            return Err(invalid_grant_user());
        }
        let grant_id = self.start_grant(&user_id, client_id, scopes, auth_time, &["pwd"], true);
        Ok(self.issue_for_grant(&grant_id, None, None))
    }

    /// The pending, unexpired device request with this user code.
    pub(super) fn pending_device(
        &mut self,
        user_code: &str,
    ) -> Result<&mut DeviceRequest, SimError> {
        let user_code = normalize_user_code(user_code);
        let now = Instant::now();
        let device = self
            .oidc
            .devices
            .iter_mut()
            .find(|d| d.user_code == user_code && now < d.expires)
            .ok_or_else(|| {
                SimError::new(5, "SIM-NODEVICE", "The user code is unknown or expired")
            })?;
        if !matches!(device.state, DeviceState::Pending) {
            return Err(SimError::new(
                9,
                "SIM-DEVICEDONE",
                "The device was already approved or denied",
            ));
        }
        Ok(device)
    }

    /// What the user does on the device page: approve as `user_name`. Returns the login name.
    pub fn approve_device(&mut self, user_code: &str, user_name: &str) -> Result<String, SimError> {
        self.prune();
        let user = self.sign_in_user(user_name)?;
        let (user_id, login_name) = (user.id.clone(), self.login_name(user));
        let scopes = self.pending_device(user_code)?.scopes.clone();
        if !Self::org_scopes_allow(self.user(&user_id).expect("just found"), &scopes) {
            return Err(SimError::new(
                7,
                "SIM-ORGSCOPE",
                "This user may not sign in to this application (organisation)",
            ));
        }
        self.pending_device(user_code)?.state = DeviceState::Approved {
            user_id,
            auth_time: Utc::now(),
        };
        Ok(login_name)
    }

    pub fn deny_device(&mut self, user_code: &str) -> Result<(), SimError> {
        self.prune();
        self.pending_device(user_code)?.state = DeviceState::Denied;
        Ok(())
    }

    /// Client name and scopes of a pending device request, for the approval page.
    pub fn device_info(&self, user_code: &str) -> Option<(String, Vec<String>)> {
        let user_code = normalize_user_code(user_code);
        let now = Instant::now();
        self.oidc
            .devices
            .iter()
            .find(|d| {
                d.user_code == user_code
                    && now < d.expires
                    && matches!(d.state, DeviceState::Pending)
            })
            .map(|d| {
                let name = self
                    .oidc
                    .client(&d.client_id)
                    .map_or_else(|| d.client_id.clone(), |c| c.name.clone());
                (name, d.scopes.clone())
            })
    }
}
