//! Who the admin is and where they may act: the signed-in user, their memberships and
//! permissions, and the organisations (v2 `ListOrganizations`, v1 as the fallback).

use reqwest::Method;
use serde_json::json;

use super::http::Effect;
use super::*;

impl ZitadelClient {
    /// `GetMyUser`: the signed-in admin.
    pub async fn my_user(&self) -> Result<Me> {
        let answer: wire::GetMyUserResponse = self
            .http
            .call(
                Effect::Read,
                Method::GET,
                &["auth", "v1", "users", "me"],
                None,
                None,
                permission::NONE,
            )
            .await?;
        convert::me(answer.user.ok_or_else(|| missing("user"))?)
    }

    /// `ListMyMemberships`: where the admin holds roles.
    pub async fn my_memberships(&self) -> Result<Vec<Membership>> {
        let body = json!({"query": {"offset": "0", "limit": 1000, "asc": true}});
        let answer: wire::ListResponse<wire::Membership> = self
            .http
            .call(
                Effect::Read,
                Method::POST,
                &["auth", "v1", "memberships", "me", "_search"],
                None,
                Some(body),
                permission::NONE,
            )
            .await?;
        Ok(convert::memberships(answer))
    }

    /// `ListMyZitadelPermissions` in `org`.
    pub async fn my_permissions(&self, org: &OrgId) -> Result<Permissions> {
        let answer: wire::ListResponse<String> = self
            .http
            .call(
                Effect::Read,
                Method::POST,
                &["auth", "v1", "permissions", "zitadel", "me", "_search"],
                Some(org),
                None,
                permission::NONE,
            )
            .await?;
        Ok(answer.result.unwrap_or_default().into_iter().collect())
    }

    /// v2 `ListOrganizations`, optionally filtered by name (contains, ignoring case).
    /// Reads at most `max` organisations, a page of 100 at a time.
    pub async fn search_orgs(&self, name: Option<&str>, max: usize) -> Result<Vec<Org>> {
        const PAGE: u32 = 100;
        let queries = name
            .map(|n| vec![json!({"nameQuery": {"name": n, "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE"}})])
            .unwrap_or_default();
        let mut orgs = Vec::new();
        // ZITADEL pages first and then drops the orgs the admin may not read: a page may hold
        // fewer than asked, and `totalResult` counts before that filter. So the offset moves
        // by the page asked for, and the end is `offset >= totalResult`.
        let mut offset: u64 = 0;
        loop {
            let request = wire::ListOrgsRequest {
                query: wire::ListQuery {
                    offset: offset.to_string(),
                    limit: PAGE,
                    asc: true,
                },
                queries: queries.clone(),
            };
            let answer: wire::ListResponse<wire::Organization> = self
                .http
                .call(
                    Effect::Read,
                    Method::POST,
                    &["v2", "organizations", "_search"],
                    None,
                    Some(serde_json::to_value(request).expect("a plain struct serialises")),
                    permission::ORG_READ,
                )
                .await
                .map_err(|e| match e {
                    // The gateway's own 404 (no ZITADEL id): the v2 organization service is
                    // newer than this server (v2.60).
                    Error::Server {
                        status: 404,
                        id: None,
                        ..
                    } => Error::UnsupportedVersion {
                        call: "the organization search (POST /v2/organizations/_search)".into(),
                        since: MINIMUM_VERSION.into(),
                    },
                    e => e,
                })?;
            let total = answer.details.and_then(|d| d.total_result).unwrap_or(0);
            for o in answer.result.unwrap_or_default() {
                orgs.push(convert::org(o, Vec::new())?);
            }
            offset += u64::from(PAGE);
            if offset >= total || orgs.len() >= max {
                orgs.truncate(max);
                return Ok(orgs);
            }
        }
    }

    /// The organisations the admin may act in, with the roles that apply there: the orgs of
    /// their memberships; with an instance membership, every org of the instance.
    /// (`ListMyProjectOrgs` is deliberately not used: zitadel-api.md §5.)
    pub async fn orgs_i_may_act_in(&self) -> Result<Vec<Org>> {
        let memberships = self.my_memberships().await?;
        let instance_roles: Vec<String> = memberships
            .iter()
            .filter_map(|m| match m {
                Membership::Instance { roles } => Some(roles.clone()),
                Membership::Org { .. } => None,
            })
            .flatten()
            .collect();
        let mut orgs: BTreeMap<OrgId, Org> = BTreeMap::new();
        if !instance_roles.is_empty() {
            for org in self.search_orgs(None, 1000).await? {
                orgs.insert(
                    org.id.clone(),
                    Org {
                        roles: instance_roles.clone(),
                        ..org
                    },
                );
            }
        }
        for m in memberships {
            if let Membership::Org {
                org_id,
                name,
                roles,
            } = m
            {
                let entry = orgs.entry(org_id.clone()).or_insert_with(|| Org {
                    name: name.clone().unwrap_or_else(|| org_id.to_string()),
                    id: org_id,
                    primary_domain: None,
                    roles: instance_roles.clone(),
                });
                entry.roles.extend(roles);
            }
        }
        let mut list: Vec<Org> = orgs.into_values().collect();
        for org in &mut list {
            org.roles.sort();
            org.roles.dedup();
        }
        list.sort_by_key(|o| o.name.to_lowercase());
        Ok(list)
    }
}
