//! Which language the app speaks. The admin's window follows the `language` setting: a fixed
//! language, or `auto` — the system's, read from the POSIX locale variables the way gettext
//! reads them. The public screen speaks the *person's* language (their `preferredLanguage`).

use serde::{Deserialize, Serialize};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// A language the app has texts in (the admin's window, the public screen).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    De,
}

impl Language {
    /// The language of a language tag or locale name (`de`, `de-CH`, `DE_at`,
    /// `de_DE.UTF-8`, `de_CH@euro`), if the app has texts in it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.trim().split(['-', '_', '.', '@']).next()?;
        match primary.to_ascii_lowercase().as_str() {
            "de" => Some(Language::De),
            "en" => Some(Language::En),
            _ => None,
        }
    }

    /// The language for a user's `preferredLanguage`; English when the app has no texts in it.
    pub fn for_user(preferred: Option<&str>) -> Language {
        preferred.and_then(Language::from_tag).unwrap_or_default()
    }
}

/// The `language` setting of the admin's window: the system's language, or a fixed one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum LanguageSetting {
    /// Follow the system (its locale).
    #[default]
    Auto,
    En,
    De,
}

impl LanguageSetting {
    /// The language the admin's window shows, given the system's.
    pub fn resolve(self, system: Language) -> Language {
        match self {
            LanguageSetting::Auto => system,
            LanguageSetting::En => Language::En,
            LanguageSetting::De => Language::De,
        }
    }
}

/// The system's language for messages, from the environment as gettext reads it: the locale is
/// the first non-empty of `LC_ALL`, `LC_MESSAGES`, `LANG`; unset, `C` or `POSIX` is English.
/// Otherwise `LANGUAGE` (a list such as `de_CH:de:en`), when set, decides: its first entry the
/// app has texts in, else English. Without it the locale decides; English when the app has no
/// texts in it.
pub fn system_language(env: impl Fn(&str) -> Option<String>) -> Language {
    system_language_from(env, std::iter::empty)
}

/// The language of the system this runs on: the locale environment where it is set (Linux
/// and other Unix desktops, a terminal anywhere), else the OS's own preference list read with
/// `sys-locale` — a macOS or Windows desktop app gets no `LANG`.
pub fn os_language() -> Language {
    system_language_from(|name| std::env::var(name).ok(), sys_locale::get_locales)
}

/// [`system_language`] with `os` asked when the environment names no locale.
fn system_language_from<I: Iterator<Item = String>>(
    env: impl Fn(&str) -> Option<String>,
    os: impl FnOnce() -> I,
) -> Language {
    let var = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let Some(locale) = var("LC_ALL")
        .or_else(|| var("LC_MESSAGES"))
        .or_else(|| var("LANG"))
    else {
        return os()
            .find_map(|tag| Language::from_tag(&tag))
            .unwrap_or_default();
    };
    let base = locale.trim().split(['.', '@']).next().unwrap_or_default();
    if base == "C" || base == "POSIX" {
        return Language::En;
    }
    if let Some(list) = var("LANGUAGE") {
        return list
            .split(':')
            .find_map(Language::from_tag)
            .unwrap_or_default();
    }
    Language::from_tag(&locale).unwrap_or_default()
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
    fn the_language_follows_the_users_preference_where_the_app_has_texts() {
        for (preferred, language) in [
            (Some("de"), Language::De),
            (Some("de-CH"), Language::De),
            (Some("DE_at"), Language::De),
            (Some("de_DE.UTF-8"), Language::De),
            (Some("en-GB"), Language::En),
            (Some("fr"), Language::En),
            (Some("deu"), Language::En),
            (Some(""), Language::En),
            (None, Language::En),
        ] {
            assert_eq!(Language::for_user(preferred), language, "{preferred:?}");
        }
    }

    #[test]
    fn a_locale_name_gives_its_language() {
        for (tag, language) in [
            ("de", Some(Language::De)),
            ("de-CH", Some(Language::De)),
            ("de_DE.UTF-8", Some(Language::De)),
            ("de_CH.utf8", Some(Language::De)),
            ("de_AT@euro", Some(Language::De)),
            ("de.UTF-8", Some(Language::De)),
            (" DE ", Some(Language::De)),
            ("en_US.UTF-8", Some(Language::En)),
            ("en", Some(Language::En)),
            ("fr_CH.UTF-8", None),
            ("C.UTF-8", None),
            ("", None),
        ] {
            assert_eq!(Language::from_tag(tag), language, "{tag:?}");
        }
    }

    #[test]
    fn the_system_language_comes_from_the_locale_variables() {
        for (vars, language) in [
            (vec![], Language::En),
            (vec![("LANG", "de_DE.UTF-8")], Language::De),
            (vec![("LANG", "de_CH.UTF-8")], Language::De),
            (vec![("LANG", "de")], Language::De),
            (vec![("LANG", "en_US.UTF-8")], Language::En),
            (vec![("LANG", "fr_FR.UTF-8")], Language::En),
            (vec![("LANG", "C")], Language::En),
            (vec![("LANG", "C.UTF-8")], Language::En),
            (vec![("LANG", "POSIX")], Language::En),
            (vec![("LANG", "")], Language::En),
            // LC_ALL wins over LC_MESSAGES, which wins over LANG; empty ones do not count.
            (
                vec![("LC_ALL", "en_GB.UTF-8"), ("LANG", "de_DE.UTF-8")],
                Language::En,
            ),
            (
                vec![("LC_MESSAGES", "de_AT.UTF-8"), ("LANG", "en_US.UTF-8")],
                Language::De,
            ),
            (
                vec![("LC_ALL", ""), ("LC_MESSAGES", "de_CH.UTF-8")],
                Language::De,
            ),
            (vec![("LC_ALL", "C"), ("LANG", "de_DE.UTF-8")], Language::En),
            // A German desktop whose messages are kept English (LC_MESSAGES) stays English.
            (
                vec![("LANG", "de_CH.UTF-8"), ("LC_MESSAGES", "en_US.UTF-8")],
                Language::En,
            ),
        ] {
            assert_eq!(system_language(env(&vars)), language, "{vars:?}");
        }
    }

    #[test]
    fn without_a_locale_in_the_environment_the_os_list_decides() {
        // A macOS or Windows desktop app: no LANG, the OS's preferences (sys-locale).
        let os = || vec!["fr-CH".to_string(), "de-CH".to_string()].into_iter();
        assert_eq!(system_language_from(env(&[]), os), Language::De);
        let english_only = || vec!["fr-FR".to_string()].into_iter();
        assert_eq!(system_language_from(env(&[]), english_only), Language::En);
        // A locale in the environment wins; the OS is not asked.
        let never = || -> std::vec::IntoIter<String> { panic!("the OS was asked") };
        assert_eq!(
            system_language_from(env(&[("LANG", "en_US.UTF-8")]), never),
            Language::En
        );
    }

    #[test]
    fn language_lists_decide_like_gettext() {
        for (vars, language) in [
            (
                vec![("LANG", "de_CH.UTF-8"), ("LANGUAGE", "de_CH:de:en")],
                Language::De,
            ),
            (
                vec![("LANG", "en_US.UTF-8"), ("LANGUAGE", "fr:de:en")],
                Language::De,
            ),
            (
                vec![("LANG", "de_DE.UTF-8"), ("LANGUAGE", "en_GB:en")],
                Language::En,
            ),
            (
                vec![("LANG", "de_DE.UTF-8"), ("LANGUAGE", "fr:it")],
                Language::En,
            ),
            (
                vec![("LANG", "de_DE.UTF-8"), ("LANGUAGE", "")],
                Language::De,
            ),
            // Under the C locale gettext ignores LANGUAGE: so do we.
            (vec![("LANG", "C"), ("LANGUAGE", "de")], Language::En),
            (vec![("LANGUAGE", "de")], Language::En),
        ] {
            assert_eq!(system_language(env(&vars)), language, "{vars:?}");
        }
    }

    #[test]
    fn the_setting_fixes_the_language_or_follows_the_system() {
        for system in [Language::En, Language::De] {
            assert_eq!(LanguageSetting::Auto.resolve(system), system);
            assert_eq!(LanguageSetting::En.resolve(system), Language::En);
            assert_eq!(LanguageSetting::De.resolve(system), Language::De);
        }
        assert_eq!(LanguageSetting::default(), LanguageSetting::Auto);
        assert_eq!(
            serde_json::to_value([
                LanguageSetting::Auto,
                LanguageSetting::En,
                LanguageSetting::De
            ])
            .unwrap(),
            serde_json::json!(["auto", "en", "de"])
        );
    }
}
