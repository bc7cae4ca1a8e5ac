//! Settings: the config file (never a secret in it), environment variables and flags, and
//! the order in which they win.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::client::{instance_origin, ApiVersion, ClientOptions, LoginUi};
use crate::error::{sanitize, Error, Result};
use crate::model::LanguageSetting;
use crate::secret::Secret;

pub const ENV_CONFIG: &str = "PASSKEY_DESK_CONFIG";
pub const ENV_INSTANCE: &str = "PASSKEY_DESK_INSTANCE";
pub const ENV_ORG: &str = "PASSKEY_DESK_ORG";
pub const ENV_TOKEN: &str = "PASSKEY_DESK_TOKEN";
pub const ENV_CLIENT_ID: &str = "PASSKEY_DESK_CLIENT_ID";
pub const ENV_API: &str = "PASSKEY_DESK_API";

/// The config file (`~/.config/passkey-desk/config.toml` on Linux).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The ZITADEL instance, e.g. `https://auth.example.com`.
    pub instance: Option<String>,
    /// The client id of the Native app used to sign in.
    pub client_id: Option<String>,
    /// The organisation to act in when none is chosen (id or name).
    pub default_org: Option<String>,
    /// A separate login host that registration links may point to.
    pub login_host: Option<String>,
    /// An extra CA certificate (PEM) to trust next to the OS store.
    pub ca_file: Option<PathBuf>,
    /// The desktop app clears a copied link from the clipboard after this many seconds
    /// (default 60; 0: never).
    pub clipboard_clear_secs: Option<u32>,
    /// Presenter and kiosk screens wipe a link nobody touched for this many seconds
    /// (default 120).
    pub idle_timeout_secs: Option<u32>,
    /// The desktop app starts in kiosk mode.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kiosk: bool,
    /// The kiosk PIN as an Argon2id hash (PHC string); the PIN itself is never stored.
    pub kiosk_pin: Option<String>,
    /// Kiosk mode: the unlocked admin side locks itself after this many seconds without an
    /// operator's touch (default 60).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk_relock_secs: Option<u32>,
    /// The desktop app's language: `"auto"` (the system's, the default), `"en"` or `"de"`.
    #[serde(default)]
    pub language: LanguageSetting,
    /// Which ZITADEL API creates links: `"auto"` (default: v1 `_link`, v2 when v1 is not
    /// there or only `user.passkey.write` is granted), `"v1"` or `"v2"`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub api: ApiVersion,
    /// Which Login UI links from v2 codes are for: `"auto"` (Login UI v1, which every
    /// supported release serves), `"v1"` or `"v2"` (the instance serves v4.6 or later).
    #[serde(default, skip_serializing_if = "is_default")]
    pub login_ui: LoginUi,
    /// A URL template for links from v2 codes, with `{userId}`, `{orgId}`, `{codeId}` and
    /// `{code}`; it must point to the instance or the login host.
    pub link_template: Option<String>,
    /// The audit log (`audit.jsonl` in the data dir) rotates at this size (default 5 MB),
    /// keeping 5 rotated files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_max_bytes: Option<u64>,
    /// Per organisation (by id): how a person can be verified before they get a link, e.g.
    /// `"100" = ["Photo ID seen", "Called back on the number on record"]`. An org with a list
    /// gets no link and no send until the admin ticked one of its items.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub identity_checks: std::collections::BTreeMap<String, Vec<String>>,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

impl Config {
    /// `PASSKEY_DESK_CONFIG`, else the platform's config dir.
    pub fn default_path(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
        env(ENV_CONFIG)
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("passkey-desk").join("config.toml")))
    }

    /// Reads the file; a missing file is an empty config.
    pub fn load_from(path: &Path) -> Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| Error::Config(format!("{}: {}", path.display(), e.message()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::Config(format!(
                "cannot read {}: {e}",
                path.display()
            ))),
        }
    }

    /// Writes the settings into the file at `path`, keeping what the admin wrote around them:
    /// comments, blank lines, the order of keys and the comment after a value stay. Atomic and
    /// 0600.
    pub fn save_to(&self, path: &Path) -> Result<()> {
        let fresh: toml_edit::DocumentMut = toml::to_string_pretty(self)
            .map_err(|e| Error::Config(e.to_string()))?
            .parse()
            .map_err(|e: toml_edit::TomlError| Error::Config(e.to_string()))?;
        let mut doc = match std::fs::read_to_string(path) {
            Ok(text) => text.parse::<toml_edit::DocumentMut>().unwrap_or_default(),
            Err(_) => toml_edit::DocumentMut::new(),
        };
        // Every key of a readable file is a setting (deny_unknown_fields): one no longer set
        // goes.
        let stale: Vec<String> = doc
            .iter()
            .map(|(key, _)| key.to_string())
            .filter(|key| !fresh.contains_key(key))
            .collect();
        for key in stale {
            doc.remove(&key);
        }
        for (key, item) in fresh.iter() {
            let mut item = item.clone();
            if let (Some(new), Some(old)) =
                (item.as_value_mut(), doc.get(key).and_then(|i| i.as_value()))
            {
                if new.to_string().trim() == old.to_string().trim() {
                    continue;
                }
                *new.decor_mut() = old.decor().clone();
            }
            doc[key] = item;
        }
        crate::files::write_atomic(path, doc.to_string().as_bytes())
    }
}

/// What the user chose on the command line (or in the UI) for this run.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub instance: Option<String>,
    pub org: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub client_id: Option<String>,
    /// `--api`: wins over `PASSKEY_DESK_API` and the config file.
    pub api: Option<ApiVersion>,
    /// `--login-ui`: wins over the config file.
    pub login_ui: Option<LoginUi>,
}

/// Settings for one run, after flags, environment and config file have been weighed.
#[derive(Debug)]
pub struct Settings {
    pub instance: Url,
    /// Org id or name; `None`: the admin's own org.
    pub org: Option<String>,
    /// The Native app's client id, for interactive sign-in.
    pub client_id: Option<String>,
    pub client: ClientOptions,
}

impl Settings {
    /// Flag, then environment variable, then config file.
    pub fn resolve(
        overrides: &Overrides,
        env: impl Fn(&str) -> Option<String>,
        config: &Config,
    ) -> Result<Settings> {
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let instance = non_empty(overrides.instance.clone())
            .or_else(|| non_empty(env(ENV_INSTANCE)))
            .or_else(|| non_empty(config.instance.clone()))
            .ok_or_else(|| {
                Error::Config(format!(
                    "no ZITADEL instance: pass --instance https://auth.example.com, set {ENV_INSTANCE}, or put 'instance = \"…\"' in the config file"
                ))
            })?;
        let instance = instance_origin(&instance)?;
        let org = non_empty(overrides.org.clone())
            .or_else(|| non_empty(env(ENV_ORG)))
            .or_else(|| non_empty(config.default_org.clone()));
        let client_id = non_empty(overrides.client_id.clone())
            .or_else(|| non_empty(env(ENV_CLIENT_ID)))
            .or_else(|| non_empty(config.client_id.clone()));
        let api = match (overrides.api, non_empty(env(ENV_API))) {
            (Some(api), _) => api,
            (None, Some(text)) => text
                .parse()
                .map_err(|e: Error| Error::Config(format!("{ENV_API}: {e}")))?,
            (None, None) => config.api,
        };
        let mut client = ClientOptions {
            api,
            login_ui: overrides.login_ui.unwrap_or(config.login_ui),
            link_template: non_empty(config.link_template.clone()),
            ..ClientOptions::default()
        };
        if let Some(template) = &client.link_template {
            check_template(template)?;
        }
        if let Some(login_host) = non_empty(config.login_host.clone()) {
            client.login_host = Some(instance_origin(&login_host)?);
        }
        if let Some(ca_file) = overrides.ca_file.clone().or_else(|| config.ca_file.clone()) {
            client.extra_ca_pem = Some(std::fs::read(&ca_file).map_err(|e| {
                Error::Config(format!(
                    "cannot read the CA file {}: {e}",
                    ca_file.display()
                ))
            })?);
        }
        Ok(Settings {
            instance,
            org,
            client_id,
            client,
        })
    }
}

/// A link template must name the code and its id, and keep every placeholder out of the
/// scheme and host (the origin check then sees the real origin before any code exists).
fn check_template(template: &str) -> Result<()> {
    let shown = sanitize(template, 200);
    for needed in ["{code}", "{codeId}"] {
        if !template.contains(needed) {
            return Err(Error::Config(format!(
                "link_template '{shown}' lacks {needed}; placeholders: {{userId}} {{orgId}} {{codeId}} {{code}}"
            )));
        }
    }
    let after_scheme = template.find("://").map(|i| i + 3).unwrap_or(0);
    let authority_end = template[after_scheme..]
        .find(['/', '?', '#'])
        .map(|i| i + after_scheme)
        .unwrap_or(template.len());
    if template[..authority_end].contains('{') || Url::parse(template).is_err() {
        return Err(Error::Config(format!(
            "link_template '{shown}' must be an absolute URL like https://auth.example.com/…?code={{code}}, with placeholders only in its path or query"
        )));
    }
    Ok(())
}

impl Settings {
    /// The client id for interactive sign-in, or an error that says where to set it.
    pub fn require_client_id(&self) -> Result<&str> {
        self.client_id.as_deref().ok_or_else(|| {
            Error::Config(format!(
                "no client id: pass --client-id, set {ENV_CLIENT_ID}, or put 'client_id = \"…\"' in the config file (the client id of the Native app for Passkey Desk in ZITADEL)"
            ))
        })
    }
}

/// The bearer token for scripts (`PASSKEY_DESK_TOKEN`, e.g. a service user's PAT). It wins
/// over any stored session.
pub fn token_from_env(env: impl Fn(&str) -> Option<String>) -> Option<Secret<String>> {
    env(ENV_TOKEN)
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn flag_beats_env_beats_file() {
        let file = Config {
            instance: Some("https://file.example.com".into()),
            default_org: Some("File Org".into()),
            ..Config::default()
        };
        let both = env(&[
            (ENV_INSTANCE, "https://env.example.com"),
            (ENV_ORG, "Env Org"),
        ]);
        let flags = Overrides {
            instance: Some("https://flag.example.com".into()),
            org: Some("Flag Org".into()),
            ..Overrides::default()
        };
        let s = Settings::resolve(&flags, &both, &file).unwrap();
        assert_eq!(
            (s.instance.as_str(), s.org.as_deref()),
            ("https://flag.example.com/", Some("Flag Org"))
        );
        let s = Settings::resolve(&Overrides::default(), &both, &file).unwrap();
        assert_eq!(
            (s.instance.as_str(), s.org.as_deref()),
            ("https://env.example.com/", Some("Env Org"))
        );
        let s = Settings::resolve(&Overrides::default(), env(&[]), &file).unwrap();
        assert_eq!(
            (s.instance.as_str(), s.org.as_deref()),
            ("https://file.example.com/", Some("File Org"))
        );
    }

    #[test]
    fn no_instance_says_how_to_set_one() {
        let e = Settings::resolve(&Overrides::default(), env(&[]), &Config::default()).unwrap_err();
        assert_eq!(e.code(), "config");
        assert!(e.to_string().contains("--instance"), "{e}");
    }

    #[test]
    fn token_comes_only_from_the_environment_and_stays_redacted() {
        let t = token_from_env(env(&[(ENV_TOKEN, " abc ")])).unwrap();
        assert_eq!(t.expose(), "abc");
        assert!(token_from_env(env(&[(ENV_TOKEN, " ")])).is_none());
        assert!(token_from_env(env(&[])).is_none());
    }

    #[test]
    fn config_round_trips_and_refuses_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("pd-config-{}", std::process::id()));
        let path = dir.join("config.toml");
        let c = Config {
            instance: Some("https://a.example".into()),
            default_org: Some("ACME AG".into()),
            ..Config::default()
        };
        c.save_to(&path).unwrap();
        assert_eq!(Config::load_from(&path).unwrap(), c);
        std::fs::write(&path, "token = \"x\"\n").unwrap();
        assert_eq!(Config::load_from(&path).unwrap_err().code(), "config");
        assert_eq!(
            Config::load_from(&dir.join("missing.toml")).unwrap(),
            Config::default()
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn saving_keeps_the_admins_comments_and_is_private() {
        let dir = std::env::temp_dir().join(format!("pd-config-edit-{}", std::process::id()));
        let path = dir.join("sub").join("config.toml");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            "# Passkey Desk at the front desk\n\n# our instance\ninstance = \"https://a.example\" # prod\ndefault_org = \"ACME AG\"\nidle_timeout_secs = 120\n",
        )
        .unwrap();
        let mut c = Config::load_from(&path).unwrap();
        c.default_org = Some("Globex GmbH".into());
        c.idle_timeout_secs = None;
        c.client_id = Some("123@desk".into());
        c.save_to(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# Passkey Desk at the front desk\n\n# our instance\ninstance = \"https://a.example\" # prod\n"), "{text}");
        assert!(text.contains("default_org = \"Globex GmbH\""), "{text}");
        assert!(!text.contains("idle_timeout_secs"), "{text}");
        assert_eq!(Config::load_from(&path).unwrap(), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{mode:o}");
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn the_language_setting_defaults_to_auto_and_refuses_others() {
        let parse = |text: &str| toml::from_str::<Config>(text);
        assert_eq!(parse("").unwrap().language, LanguageSetting::Auto);
        assert_eq!(
            parse("language = \"de\"").unwrap().language,
            LanguageSetting::De
        );
        assert_eq!(
            parse("language = \"en\"").unwrap().language,
            LanguageSetting::En
        );
        assert_eq!(
            parse("language = \"auto\"").unwrap().language,
            LanguageSetting::Auto
        );
        let e = parse("language = \"fr\"").unwrap_err();
        assert!(e.message().contains("auto"), "{e}");
        let c = Config {
            language: LanguageSetting::De,
            ..Config::default()
        };
        let text = toml::to_string_pretty(&c).unwrap();
        assert!(text.contains("language = \"de\""), "{text}");
        assert_eq!(parse(&text).unwrap(), c);
    }

    #[test]
    fn api_login_ui_and_template_settings() {
        let parse = |text: &str| toml::from_str::<Config>(text);
        let c = parse("instance = \"https://a.example\"\napi = \"v2\"\nlogin_ui = \"v1\"\nlink_template = \"https://a.example/p?u={userId}&o={orgId}&i={codeId}&c={code}\"").unwrap();
        assert_eq!((c.api, c.login_ui), (ApiVersion::V2, LoginUi::V1));
        let s = Settings::resolve(&Overrides::default(), env(&[]), &c).unwrap();
        assert_eq!(s.client.api, ApiVersion::V2);
        assert_eq!(s.client.login_ui, LoginUi::V1);
        assert!(s.client.link_template.is_some());
        // Flag beats environment beats file.
        let s = Settings::resolve(&Overrides::default(), env(&[(ENV_API, "v1")]), &c).unwrap();
        assert_eq!(s.client.api, ApiVersion::V1);
        let flags = Overrides {
            api: Some(ApiVersion::Auto),
            login_ui: Some(LoginUi::V2),
            ..Overrides::default()
        };
        let s = Settings::resolve(&flags, env(&[(ENV_API, "v1")]), &c).unwrap();
        assert_eq!(
            (s.client.api, s.client.login_ui),
            (ApiVersion::Auto, LoginUi::V2)
        );
        assert_eq!(
            Settings::resolve(&Overrides::default(), env(&[(ENV_API, "v3")]), &c)
                .unwrap_err()
                .code(),
            "config"
        );
        // Defaults: auto, and not written out.
        assert_eq!(parse("").unwrap().api, ApiVersion::Auto);
        assert!(parse("api = \"v9\"").is_err());
        let text = toml::to_string_pretty(&Config::default()).unwrap();
        assert!(!text.contains("api"), "{text}");
        // A template must name the code and keep placeholders out of the host.
        for bad in [
            "https://a.example/p?u={userId}",
            "https://{orgId}.a.example/p?i={codeId}&c={code}",
            "/relative?i={codeId}&c={code}",
        ] {
            let c = Config {
                instance: Some("https://a.example".into()),
                link_template: Some(bad.into()),
                ..Config::default()
            };
            let e = Settings::resolve(&Overrides::default(), env(&[]), &c).unwrap_err();
            assert_eq!(e.code(), "config", "{bad}");
        }
    }
}
