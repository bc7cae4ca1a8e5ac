//! The identity check an organisation asks for before anyone gets a link: a short list of
//! ways a person can be verified ("Photo ID seen", "Called back on the number on record"),
//! set per org in the settings. Where an org has a list, no link is created and none is sent
//! until the admin ticked at least one of its items; the ticked items go into the audit entry.
//! Only items of the list are accepted — never free text, which could hold personal data.

use std::collections::BTreeMap;

use crate::error::{sanitize, Error, Result};

/// At most this many items per org (a checklist, not a form).
pub const MAX_CHECKS: usize = 8;
/// The longest item, in characters.
pub const MAX_CHECK_LEN: usize = 80;

/// The checklists of every org that has one, by org id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityChecks {
    by_org: BTreeMap<String, Vec<String>>,
}

impl IdentityChecks {
    /// The lists as the config file holds them, checked ([`IdentityChecks::validate`]).
    pub fn new(by_org: BTreeMap<String, Vec<String>>) -> Result<IdentityChecks> {
        let mut checked = BTreeMap::new();
        for (org, items) in by_org {
            let items = Self::validate(&items)?;
            if !items.is_empty() {
                checked.insert(org.trim().to_string(), items);
            }
        }
        Ok(IdentityChecks { by_org: checked })
    }

    /// One org's list as it is stored: trimmed, no blank or repeated item, each short and
    /// printable, at most [`MAX_CHECKS`].
    pub fn validate(items: &[String]) -> Result<Vec<String>> {
        let mut list: Vec<String> = Vec::new();
        for item in items {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if item.chars().count() > MAX_CHECK_LEN || sanitize(item, MAX_CHECK_LEN) != item {
                return Err(Error::Config(format!(
                    "identity check '{}' is too long or holds control characters: at most {MAX_CHECK_LEN} printable characters",
                    sanitize(item, 40)
                )));
            }
            if !list.iter().any(|known| known.eq_ignore_ascii_case(item)) {
                list.push(item.to_string());
            }
        }
        if list.len() > MAX_CHECKS {
            return Err(Error::Config(format!(
                "at most {MAX_CHECKS} identity checks per organisation"
            )));
        }
        Ok(list)
    }

    /// The list of `org` (empty: no check asked for).
    pub fn of(&self, org: &str) -> &[String] {
        self.by_org.get(org).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every org's list, for the config file.
    pub fn all(&self) -> &BTreeMap<String, Vec<String>> {
        &self.by_org
    }

    /// Sets (or with an empty list, clears) the list of `org`.
    pub fn set(&mut self, org: &str, items: &[String]) -> Result<()> {
        let items = Self::validate(items)?;
        if items.is_empty() {
            self.by_org.remove(org);
        } else {
            self.by_org.insert(org.to_string(), items);
        }
        Ok(())
    }

    /// The gate: what the admin `ticked` for a person of `org`, as the audit log records it
    /// (the org's own wording, in the list's order). Refused when the org has a list and
    /// nothing of it was ticked, and for an item that is not on the list.
    pub fn verify(&self, org: &str, ticked: &[String]) -> Result<Vec<String>> {
        let list = self.of(org);
        for item in ticked {
            let item = item.trim();
            if !item.is_empty() && !list.iter().any(|known| known.eq_ignore_ascii_case(item)) {
                // Not echoed: free text is where personal data would go.
                return Err(Error::InvalidInput(if list.is_empty() {
                    format!("organisation {org} asks for no identity check: tick nothing")
                } else {
                    format!(
                        "only the identity checks of organisation {org} can be ticked, not free text: use one of {}",
                        list.join(" / ")
                    )
                }));
            }
        }
        let verified: Vec<String> = list
            .iter()
            .filter(|known| ticked.iter().any(|t| known.eq_ignore_ascii_case(t.trim())))
            .cloned()
            .collect();
        if !list.is_empty() && verified.is_empty() {
            return Err(Error::IdentityCheckRequired {
                org: org.to_string(),
                checks: list.to_vec(),
            });
        }
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn s(items: &[&str]) -> Vec<String> {
        items.iter().map(|i| i.to_string()).collect()
    }

    fn acme() -> IdentityChecks {
        IdentityChecks::new(BTreeMap::from([
            (
                "100".to_string(),
                s(&["Photo ID seen", "Called back on the number on record"]),
            ),
            ("200".to_string(), Vec::new()),
        ]))
        .unwrap()
    }

    #[test]
    fn an_org_with_a_list_needs_one_of_its_items() {
        let checks = acme();
        let refused = checks.verify("100", &[]).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::IdentityCheckRequired);
        assert!(refused.to_string().contains("Photo ID seen"), "{refused}");
        assert!(refused.to_string().contains("--verified"), "{refused}");
        assert_eq!(
            checks.verify("100", &s(&[" photo id SEEN "])).unwrap(),
            s(&["Photo ID seen"]),
            "the org's own wording is recorded"
        );
        assert_eq!(
            checks
                .verify(
                    "100",
                    &s(&["Called back on the number on record", "Photo ID seen"])
                )
                .unwrap(),
            s(&["Photo ID seen", "Called back on the number on record"]),
            "in the list's order"
        );
    }

    #[test]
    fn free_text_is_never_recorded() {
        let checks = acme();
        let e = checks
            .verify("100", &s(&["Photo ID seen", "passport no. 123"]))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput);
        assert!(e.to_string().contains("use one of Photo ID seen"), "{e}");
        assert_eq!(
            checks
                .verify("200", &s(&["Photo ID seen"]))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidInput,
            "an org without a list takes no item either"
        );
    }

    #[test]
    fn an_org_without_a_list_asks_nothing() {
        assert_eq!(acme().verify("200", &[]).unwrap(), Vec::<String>::new());
        assert_eq!(acme().verify("300", &[]).unwrap(), Vec::<String>::new());
        assert!(acme().of("200").is_empty(), "an empty list is no list");
    }

    #[test]
    fn lists_are_checked_when_set() {
        let mut checks = IdentityChecks::default();
        checks
            .set(
                "1",
                &s(&[" Photo ID seen ", "", "photo id seen", "Manager approved"]),
            )
            .unwrap();
        assert_eq!(checks.of("1"), s(&["Photo ID seen", "Manager approved"]));
        assert_eq!(
            checks.set("1", &s(&["a\u{202E}b"])).unwrap_err().code(),
            ErrorCode::Config
        );
        assert_eq!(
            checks.set("1", &["x".repeat(81)]).unwrap_err().code(),
            ErrorCode::Config
        );
        let nine: Vec<String> = (0..9).map(|n| format!("check {n}")).collect();
        assert_eq!(
            checks.set("1", &nine).unwrap_err().code(),
            ErrorCode::Config
        );
        checks.set("1", &[]).unwrap();
        assert!(checks.all().is_empty(), "cleared");
    }
}
