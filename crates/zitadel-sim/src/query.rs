//! Evaluation of the list calls' queries: ListUsers (zitadel-api.md §3), the v2
//! organization search, and paging shared by every list.

use std::cmp::Ordering;

use memchr::memmem;

use crate::errors::SimError;
use crate::wire::{
    ListOrgsRequest, ListQuery, ListUsersRequest, OrgSearchQuery, TextMethod, UserField,
    UserSearchQuery,
};
use crate::world::{Org, User, UserKind, UserState, World, ORG_READ};

/// The page a query asks for: (offset, limit). As in ZITADEL's v1/v2 `ListQuery`
/// (`internal/query/search_query.go`), a limit of 0 means no limit, and there is no maximum
/// (the 100/1000 defaults belong to the newer `PaginationRequest`, not to these calls).
fn window(query: &ListQuery) -> (usize, usize) {
    let limit = match query.limit {
        0 => usize::MAX,
        n => usize::try_from(n).unwrap_or(usize::MAX),
    };
    let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
    (offset, limit)
}

/// One page of `items`; `totalResult` is the length before paging.
pub fn page<T>(items: Vec<T>, query: &ListQuery) -> Vec<T> {
    let (offset, limit) = window(query);
    items.into_iter().skip(offset).take(limit).collect()
}

/// One page of `items` in the order `compare` gives, without sorting all of them: the
/// `offset + limit` first are selected (linear time), and only those sorted. `compare` must
/// be a total order (ties broken, e.g. by id) so that the page equals a slice of the fully
/// sorted list.
fn sorted_page<T>(
    mut items: Vec<T>,
    query: &ListQuery,
    compare: impl Fn(&T, &T) -> Ordering,
) -> Vec<T> {
    let (offset, limit) = window(query);
    if offset >= items.len() {
        return Vec::new();
    }
    let end = offset.saturating_add(limit).min(items.len());
    if end < items.len() {
        items.select_nth_unstable_by(end, &compare);
        items.truncate(end);
    }
    items.sort_unstable_by(&compare);
    items.drain(..offset);
    items
}

/// `asc: false` (also when absent) sorts descending, as ZITADEL does.
fn directed(ordering: Ordering, asc: bool) -> Ordering {
    if asc {
        ordering
    } else {
        ordering.reverse()
    }
}

impl TextMethod {
    fn ignores_case(self) -> bool {
        use TextMethod::*;
        matches!(
            self,
            EqualsIgnoreCase | StartsWithIgnoreCase | ContainsIgnoreCase | EndsWithIgnoreCase
        )
    }
}

fn text_matches(method: TextMethod, value: &str, wanted: &str) -> bool {
    if method.ignores_case() {
        text_matches_exactly(method, &value.to_lowercase(), &wanted.to_lowercase())
    } else {
        text_matches_exactly(method, value, wanted)
    }
}

/// The comparison of `method` on texts already lowercased when it ignores case.
fn text_matches_exactly(method: TextMethod, value: &str, wanted: &str) -> bool {
    use TextMethod::*;
    match method {
        Equals | EqualsIgnoreCase => value == wanted,
        StartsWith | StartsWithIgnoreCase => value.starts_with(wanted),
        Contains | ContainsIgnoreCase => value.contains(wanted),
        EndsWith | EndsWithIgnoreCase => value.ends_with(wanted),
    }
}

fn invalid_query(what: &str) -> SimError {
    SimError::invalid_argument("SIM-BADQUERY", &format!("Invalid search query: {what}"))
}

// ---------------------------------------------------------------------------------------------
// Users

#[derive(Clone, Copy)]
enum TextField {
    UserName,
    FirstName,
    LastName,
    NickName,
    DisplayName,
    Email,
    LoginName,
}

impl TextField {
    const ALL: [TextField; 7] = [
        TextField::UserName,
        TextField::FirstName,
        TextField::LastName,
        TextField::NickName,
        TextField::DisplayName,
        TextField::Email,
        TextField::LoginName,
    ];
}

/// A user's searchable text, lowercased once when the user is added (the sim holds up to
/// 100 000s of users and searches them on every keystroke of a search-as-you-type box), and
/// the login name, which needs the org's domain.
pub struct SearchKeys {
    login_name: String,
    /// The fields of [`TextField::ALL`] lowercased, one after the other in one allocation
    /// (a search reads them for every user of the org: one place in memory, not seven);
    /// field `i` ends at `ends[i]`.
    lower: String,
    ends: [usize; 7],
    /// Whether the user is a human (the `typeQuery` of every search), without reading the
    /// user.
    human: bool,
}

impl SearchKeys {
    pub fn new(user: &User, domain: &str) -> SearchKeys {
        let login_name = format!("{}@{domain}", user.user_name);
        let mut lower = String::new();
        let ends = TextField::ALL.map(|f| {
            lower.push_str(&text_of(user, f, &login_name).to_lowercase());
            lower.len()
        });
        lower.shrink_to_fit();
        SearchKeys {
            login_name,
            lower,
            ends,
            human: user.person().is_some(),
        }
    }

    fn lower(&self, field: TextField) -> &str {
        let i = field as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.lower[start..self.ends[i]]
    }
}

/// A text query, ready to be run on many users.
struct TextFilter {
    field: TextField,
    method: TextMethod,
    /// The text to compare with: lowercased when the method ignores case.
    wanted: String,
    /// For the `CONTAINS` methods: a substring searcher built once for all users.
    finder: Option<memmem::Finder<'static>>,
}

impl TextFilter {
    fn new(field: TextField, value: &str, method: TextMethod) -> TextFilter {
        let wanted = if method.ignores_case() {
            value.to_lowercase()
        } else {
            value.to_owned()
        };
        let finder = matches!(
            method,
            TextMethod::Contains | TextMethod::ContainsIgnoreCase
        )
        .then(|| memmem::Finder::new(wanted.as_bytes()).into_owned());
        TextFilter {
            field,
            method,
            wanted,
            finder,
        }
    }

    fn matches(&self, user: &User, keys: &SearchKeys) -> bool {
        // Ignoring case, both sides are lowercased: what `text_matches` would compare.
        let value = if self.method.ignores_case() {
            keys.lower(self.field)
        } else {
            text_of(user, self.field, &keys.login_name)
        };
        match &self.finder {
            Some(finder) => finder.find(value.as_bytes()).is_some(),
            None => text_matches_exactly(self.method, value, &self.wanted),
        }
    }
}

/// A validated user query.
enum Filter {
    Text(Box<TextFilter>),
    Human(bool),
    Any,
    State(UserState),
    InIds(Vec<String>),
    InEmails(Vec<String>),
    Or(Vec<Filter>),
    And(Vec<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    /// Each query is a protobuf oneof: exactly one kind must be set.
    fn compile(query: &UserSearchQuery) -> Result<Filter, SimError> {
        let mut found = Vec::new();
        let mut text = |field, value: &str, method| {
            found.push(Filter::Text(Box::new(TextFilter::new(
                field, value, method,
            ))));
        };
        if let Some(q) = &query.user_name_query {
            text(TextField::UserName, &q.user_name, q.method);
        }
        if let Some(q) = &query.first_name_query {
            text(TextField::FirstName, &q.first_name, q.method);
        }
        if let Some(q) = &query.last_name_query {
            text(TextField::LastName, &q.last_name, q.method);
        }
        if let Some(q) = &query.nick_name_query {
            text(TextField::NickName, &q.nick_name, q.method);
        }
        if let Some(q) = &query.display_name_query {
            text(TextField::DisplayName, &q.display_name, q.method);
        }
        if let Some(q) = &query.email_query {
            text(TextField::Email, &q.email_address, q.method);
        }
        if let Some(q) = &query.login_name_query {
            text(TextField::LoginName, &q.login_name, q.method);
        }
        if let Some(q) = &query.type_query {
            found.push(match q.kind.as_str() {
                "TYPE_HUMAN" => Filter::Human(true),
                "TYPE_MACHINE" => Filter::Human(false),
                "" | "TYPE_UNSPECIFIED" => Filter::Any,
                other => return Err(invalid_query(&format!("unknown type {other}"))),
            });
        }
        if let Some(q) = &query.state_query {
            let state = UserState::from_name(&q.state)
                .ok_or_else(|| invalid_query(&format!("unknown state {}", q.state)))?;
            found.push(Filter::State(state));
        }
        if let Some(q) = &query.in_user_ids_query {
            found.push(Filter::InIds(q.user_ids.clone()));
        }
        if let Some(q) = &query.in_user_emails_query {
            found.push(Filter::InEmails(q.user_emails.clone()));
        }
        if let Some(q) = &query.or_query {
            found.push(Filter::Or(compile_all(&q.queries)?));
        }
        if let Some(q) = &query.and_query {
            found.push(Filter::And(compile_all(&q.queries)?));
        }
        if let Some(q) = &query.not_query {
            let inner = q
                .query
                .as_deref()
                .ok_or_else(|| invalid_query("notQuery without query"))?;
            found.push(Filter::Not(Box::new(Filter::compile(inner)?)));
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(invalid_query("no known query kind")),
            _ => Err(invalid_query("more than one query kind in one element")),
        }
    }

    fn matches(&self, user: &User, keys: &SearchKeys) -> bool {
        match self {
            Filter::Text(text) => text.matches(user, keys),
            Filter::Human(human) => keys.human == *human,
            Filter::Any => true,
            Filter::State(state) => user.state == *state,
            Filter::InIds(ids) => ids.contains(&user.id),
            Filter::InEmails(emails) => user.person().is_some_and(|p| emails.contains(&p.email)),
            Filter::Or(filters) => filters.iter().any(|f| f.matches(user, keys)),
            Filter::And(filters) => filters.iter().all(|f| f.matches(user, keys)),
            Filter::Not(filter) => !filter.matches(user, keys),
        }
    }
}

fn compile_all(queries: &[UserSearchQuery]) -> Result<Vec<Filter>, SimError> {
    queries.iter().map(Filter::compile).collect()
}

/// A user's value for a text field; human-only fields are empty for machines, as in
/// ZITADEL's user view.
fn text_of<'u>(user: &'u User, field: TextField, login_name: &'u str) -> &'u str {
    let person = user.person();
    let human = |get: fn(&crate::world::Person) -> &str| person.map_or("", get);
    match field {
        TextField::UserName => &user.user_name,
        TextField::LoginName => login_name,
        TextField::FirstName => human(|p| &p.first_name),
        TextField::LastName => human(|p| &p.last_name),
        TextField::NickName => human(|p| &p.nick_name),
        TextField::DisplayName => human(|p| &p.display_name),
        TextField::Email => human(|p| &p.email),
    }
}

/// ZITADEL's order of users by a column, ties broken by id. Text columns compare lowercased.
fn compare_users(a: Hit<'_>, b: Hit<'_>, field: UserField) -> Ordering {
    let ((a, a_keys), (b, b_keys)) = (a, b);
    let by_text = |f: TextField| a_keys.lower(f).cmp(b_keys.lower(f));
    let primary = match field {
        UserField::Unspecified | UserField::UserName => by_text(TextField::UserName),
        UserField::FirstName => by_text(TextField::FirstName),
        UserField::LastName => by_text(TextField::LastName),
        UserField::NickName => by_text(TextField::NickName),
        UserField::DisplayName => by_text(TextField::DisplayName),
        UserField::Email => by_text(TextField::Email),
        UserField::State => a.state.cmp(&b.state),
        UserField::Type => is_machine(a).cmp(&is_machine(b)),
        UserField::CreationDate => a.record.created.cmp(&b.record.created),
    };
    primary.then_with(|| a.id.cmp(&b.id))
}

fn is_machine(user: &User) -> bool {
    matches!(user.kind, UserKind::Machine { .. })
}

/// A user with its search keys.
type Hit<'w> = (&'w User, &'w SearchKeys);

/// ListUsers in one org: the page of the sorted matches, and how many matched. Goes once
/// through the org's users without copying any, and sorts only the page's worth.
pub fn list_users<'w>(
    world: &'w World,
    org_id: &str,
    request: &ListUsersRequest,
) -> Result<(u64, Vec<&'w User>), SimError> {
    list_users_in(world, &[org_id], request)
}

/// [`list_users`] over several orgs at once (v2 ListUsers without an org query).
pub fn list_users_in<'w, O: AsRef<str>>(
    world: &'w World,
    org_ids: &[O],
    request: &ListUsersRequest,
) -> Result<(u64, Vec<&'w User>), SimError> {
    let filters = compile_all(&request.queries)?;
    let hits: Vec<Hit<'w>> = org_ids
        .iter()
        .flat_map(|org| world.users_in_org(org.as_ref()))
        .filter(|(user, keys)| filters.iter().all(|f| f.matches(user, keys)))
        .collect();
    let total = hits.len() as u64;
    let field = request.sorting_column.unwrap_or(UserField::UserName);
    let asc = request.query.asc;
    let page = sorted_page(hits, &request.query, |a, b| {
        directed(compare_users(*a, *b, field), asc)
    });
    Ok((total, page.into_iter().map(|(user, _)| user).collect()))
}

// ---------------------------------------------------------------------------------------------
// Organizations

fn org_matches(org: &Org, query: &OrgSearchQuery) -> Result<bool, SimError> {
    let mut results = Vec::new();
    if let Some(q) = &query.name_query {
        results.push(text_matches(q.method, &org.name, &q.name));
    }
    if let Some(q) = &query.domain_query {
        results.push(text_matches(q.method, &org.primary_domain, &q.domain));
    }
    if let Some(q) = &query.id_query {
        results.push(org.id == q.id);
    }
    if let Some(q) = &query.state_query {
        results.push(match q.state.as_str() {
            "ORGANIZATION_STATE_ACTIVE" => true,
            "ORGANIZATION_STATE_UNSPECIFIED"
            | "ORGANIZATION_STATE_INACTIVE"
            | "ORGANIZATION_STATE_REMOVED" => false,
            other => return Err(invalid_query(&format!("unknown state {other}"))),
        });
    }
    match results.as_slice() {
        [result] => Ok(*result),
        [] => Err(invalid_query("no known query kind")),
        _ => Err(invalid_query("more than one query kind in one element")),
    }
}

/// The orgs the caller may read (`org.read`), filtered (queries are ANDed) and sorted by name.
pub fn list_orgs<'w>(
    world: &'w World,
    caller_id: &str,
    request: &ListOrgsRequest,
) -> Result<(u64, Vec<&'w Org>), SimError> {
    // As ZITADEL's ListOrganizations (without PermissionCheckV2, `internal/query/org.go`):
    // the query, order and LIMIT/OFFSET first, then the orgs without `org.read` dropped from
    // the page; `totalResult` counts before that filter.
    let mut orgs = Vec::new();
    for org in &world.orgs {
        let mut keep = true;
        for query in &request.queries {
            keep &= org_matches(org, query)?;
        }
        if keep {
            orgs.push(org);
        }
    }
    orgs.sort_by(|a, b| {
        directed(
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.id.cmp(&b.id)),
            request.query.asc,
        )
    });
    let total = orgs.len() as u64;
    let readable = page(orgs, &request.query)
        .into_iter()
        .filter(|org| world.permissions(caller_id, &org.id).contains(&ORG_READ))
        .collect();
    Ok((total, readable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_methods() {
        use TextMethod::*;
        assert!(text_matches(Equals, "Zoë", "Zoë"));
        assert!(!text_matches(Equals, "Zoë", "zoë"));
        assert!(text_matches(EqualsIgnoreCase, "ZOË", "zoë"));
        assert!(text_matches(StartsWith, "max.muster", "max"));
        assert!(!text_matches(StartsWith, "max.muster", "Max"));
        assert!(text_matches(StartsWithIgnoreCase, "max.muster", "MAX"));
        assert!(text_matches(Contains, "Max Muster", "x M"));
        assert!(text_matches(ContainsIgnoreCase, "Max Muster", "X m"));
        assert!(text_matches(EndsWith, "a@acme.example.com", ".com"));
        assert!(!text_matches(EndsWith, "a@acme.example.com", ".COM"));
        assert!(text_matches(
            EndsWithIgnoreCase,
            "a@acme.example.com",
            ".COM"
        ));
    }

    #[test]
    fn a_sorted_page_is_a_slice_of_the_full_sort() {
        // Many ties on the first key, broken by the second: a total order, as compare_users.
        let items: Vec<(u32, u32)> = (0..2000u32).map(|i| ((i * 7919) % 13, i)).collect();
        let mut sorted = items.clone();
        sorted.sort();
        for (offset, limit, asc) in [
            (0, 50, true),
            (0, 50, false),
            (50, 50, true),
            (1990, 50, true),
            (0, 0, true),
            (0, 5000, true),
            (1999, 1, false),
            (2000, 10, true),
            (u64::MAX, 10, true),
        ] {
            let query = ListQuery { offset, limit, asc };
            let expected: Vec<(u32, u32)> = if asc {
                page(sorted.clone(), &query)
            } else {
                page(sorted.iter().rev().copied().collect(), &query)
            };
            let got = sorted_page(items.clone(), &query, |a, b| directed(a.cmp(b), asc));
            assert_eq!(got, expected, "offset {offset} limit {limit} asc {asc}");
        }
    }

    #[test]
    fn search_keys_hold_each_field_lowercased() {
        use crate::world::{Person, Record};
        let user = User {
            id: "1".into(),
            org_id: "2".into(),
            user_name: "Zoe.Mueller".into(),
            state: UserState::Active,
            kind: UserKind::Human(Person {
                first_name: "Zoë".into(),
                last_name: "MÜLLER".into(),
                nick_name: String::new(),
                display_name: "Zoë MÜLLER".into(),
                language: "de".into(),
                gender: None,
                email: "Zoe@ACME.example.com".into(),
                email_verified: true,
                phone: None,
            }),
            record: Record::new(1, chrono::Utc::now()),
        };
        let keys = SearchKeys::new(&user, "acme.example.com");
        let got: Vec<&str> = TextField::ALL.iter().map(|f| keys.lower(*f)).collect();
        assert_eq!(
            got,
            [
                "zoe.mueller",
                "zoë",
                "müller",
                "",
                "zoë müller",
                "zoe@acme.example.com",
                "zoe.mueller@acme.example.com"
            ]
        );
        assert!(keys.human);
        assert_eq!(keys.login_name, "Zoe.Mueller@acme.example.com");
    }

    #[test]
    fn limit_zero_is_all_and_there_is_no_cap() {
        // search_query.go: 0 means no LIMIT; v1/v2 ListQuery has no maximum.
        let items: Vec<u32> = (0..1500).collect();
        assert_eq!(page(items.clone(), &ListQuery::default()).len(), 1500);
        let many = ListQuery {
            limit: 5000,
            ..ListQuery::default()
        };
        assert_eq!(page(items.clone(), &many).len(), 1500);
        let some = ListQuery {
            limit: 7,
            ..ListQuery::default()
        };
        assert_eq!(page(items.clone(), &some).len(), 7);
        let tail = ListQuery {
            offset: 1498,
            limit: 10,
            asc: true,
        };
        assert_eq!(page(items, &tail), vec![1498, 1499]);
    }
}
