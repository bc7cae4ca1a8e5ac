//! The seeded demo world: three orgs, five admins with different roles, and enough varied
//! users (non-ASCII names, locked, inactive, a machine, one with a passkey) to exercise a
//! client. Ids are fixed so tests can name them; PATs are random per start.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde::Serialize;

use crate::keys::{KeyPair, SERVICE_KEY_PEM};
use crate::world::{
    Client, GrantType, Membership, Org, Passkey, Person, Record, Scope, ServiceKey, User, UserKind,
    UserState, World,
};

pub const INSTANCE_ID: &str = "290000000000000001";
pub const INSTANCE_NAME: &str = "Passkey Desk Demo";

pub const ACME_ORG_ID: &str = "300000000000000001";
pub const GLOBEX_ORG_ID: &str = "300000000000000002";
pub const INITECH_ORG_ID: &str = "300000000000000003";

pub const ADMIN_IAM_OWNER: &str = "desk.admin";
pub const ADMIN_ORG_OWNER: &str = "globex.owner";
pub const ADMIN_USER_MANAGER: &str = "helpdesk";
pub const ADMIN_IAM_USER_MANAGER: &str = "iam.usermanager";
pub const ADMIN_VIEWER: &str = "auditor";

pub const MAX_ACME_ID: &str = "320000000000000001";
pub const MAX_GLOBEX_ID: &str = "320000000000000002";
pub const ZOE_ID: &str = "320000000000000003";
pub const JOSE_ID: &str = "320000000000000004";
pub const LOCKED_ID: &str = "320000000000000005";
pub const INACTIVE_ID: &str = "320000000000000006";
pub const MACHINE_ID: &str = "330000000000000001";

/// The Passkey Desk app: a Native application with PKCE and no secret. Redirect URIs
/// `http://127.0.0.1/callback` (any port at run time, RFC 8252 §7.3) and
/// `http://localhost/callback`; grants authorization_code, refresh_token, device_code;
/// post-logout redirect `http://127.0.0.1/logout` (any port).
pub const NATIVE_CLIENT_ID: &str = "290000000000000100@passkey-desk";
pub const NATIVE_CLIENT_NAME: &str = "Passkey Desk";
/// The ZITADEL project: in the ID token's `aud` next to the client id when the audience
/// scope was granted.
pub const ZITADEL_PROJECT_ID: &str = "290000000000000002";
/// A machine user in ACME, ORG_OWNER of ACME, with one JWT-profile key and a PAT.
pub const SERVICE_USER: &str = "desk-bot";
pub const SERVICE_USER_ID: &str = "330000000000000002";
/// The `keyId` of desk-bot's JWT-profile key (`Demo::service_key_json`).
pub const SERVICE_KEY_ID: &str = "340000000000000001";

/// Zoë's passkey, READY from the start.
pub const ZOE_PASSKEY_ID: &str = "350000000000000001";
pub const ZOE_PASSKEY_NAME: &str = "MacBook Touch ID";

/// Ids, names and PATs of the seeded data, for tests and the demo.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Demo {
    pub admins: Vec<DemoAdmin>,
    pub orgs: Vec<DemoOrg>,
    pub users: Vec<DemoUser>,
    /// desk-bot's key file exactly as ZITADEL hands it out:
    /// `{"type":"serviceaccount","keyId":"…","key":"-----BEGIN RSA PRIVATE KEY-----\n…","userId":"…"}`.
    pub service_key_json: String,
    /// A PAT of desk-bot (with the ZITADEL audience).
    pub service_pat: String,
}

/// A JWT-profile key file as ZITADEL's console downloads it (field order included).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct KeyFile<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    key_id: &'a str,
    key: &'a str,
    user_id: &'a str,
}

impl Demo {
    /// The admin with this user name; panics with a clear message if there is none.
    pub fn admin(&self, user_name: &str) -> &DemoAdmin {
        self.admins
            .iter()
            .find(|a| a.user_name == user_name)
            .unwrap_or_else(|| {
                let known: Vec<&str> = self.admins.iter().map(|a| a.user_name.as_str()).collect();
                panic!("no demo admin named {user_name:?}; there are {known:?}")
            })
    }
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoAdmin {
    pub user_id: String,
    pub user_name: String,
    pub login_name: String,
    /// e.g. `"IAM_OWNER"`.
    pub role: String,
    /// The admin's home org.
    pub org_id: String,
    /// A personal access token with the ZITADEL audience.
    pub pat: String,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoOrg {
    pub id: String,
    pub name: String,
    pub primary_domain: String,
}

/// Every seeded user, admins included.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoUser {
    pub user_id: String,
    pub user_name: String,
    pub login_name: String,
    pub display_name: String,
    pub org_id: String,
    pub human: bool,
}

const ORGS: &[(&str, &str, &str)] = &[
    (ACME_ORG_ID, "ACME AG", "acme.example.com"),
    (GLOBEX_ORG_ID, "Globex GmbH", "globex.example.com"),
    (INITECH_ORG_ID, "Initech SA", "initech.example.com"),
];

/// A seeded human. `email` is the local part, or a full address when it contains `@`.
struct H {
    id: &'static str,
    org: &'static str,
    user_name: &'static str,
    first: &'static str,
    last: &'static str,
    nick: &'static str,
    lang: &'static str,
    gender: Option<&'static str>,
    email: &'static str,
    verified: bool,
    phone: Option<&'static str>,
    state: UserState,
}

const fn h(
    id: &'static str,
    org: &'static str,
    user_name: &'static str,
    first: &'static str,
    last: &'static str,
    lang: &'static str,
    email: &'static str,
) -> H {
    H {
        id,
        org,
        user_name,
        first,
        last,
        nick: "",
        lang,
        gender: None,
        email,
        verified: true,
        phone: None,
        state: UserState::Active,
    }
}

const FEMALE: Option<&str> = Some("GENDER_FEMALE");
const MALE: Option<&str> = Some("GENDER_MALE");
const DIVERSE: Option<&str> = Some("GENDER_DIVERSE");

#[rustfmt::skip]
fn humans() -> Vec<H> {
    use UserState::*;
    vec![
        // Admins.
        h("310000000000000001", ACME_ORG_ID, ADMIN_IAM_OWNER, "Dana", "Keller", "de", "dana.keller"),
        H { gender: FEMALE, ..h("310000000000000002", GLOBEX_ORG_ID, ADMIN_ORG_OWNER, "Greta", "Olsen", "en", "greta.olsen") },
        H { nick: "Hannes", ..h("310000000000000003", ACME_ORG_ID, ADMIN_USER_MANAGER, "Johannes", "Berger", "de", "johannes.berger") },
        h("310000000000000004", ACME_ORG_ID, ADMIN_IAM_USER_MANAGER, "Irene", "Moser", "it", "irene.moser"),
        H { gender: FEMALE, ..h("310000000000000005", ACME_ORG_ID, ADMIN_VIEWER, "Aurélie", "Dubois", "fr", "aurelie.dubois") },
        // The users the spec names.
        H { gender: MALE, phone: Some("+41791234567"), ..h(MAX_ACME_ID, ACME_ORG_ID, "max.muster", "Max", "Muster", "de", "max.muster") },
        h(MAX_GLOBEX_ID, GLOBEX_ORG_ID, "max.muster", "Maximilian", "Muster", "de", "max@globex.example.com"),
        H { gender: FEMALE, ..h(ZOE_ID, ACME_ORG_ID, "zoe.mueller", "Zoë", "Müller", "de", "zoe.mueller") },
        H { verified: false, ..h(JOSE_ID, ACME_ORG_ID, "jose.nunez", "José", "Núñez", "es", "jose.nunez") },
        H { state: Locked, ..h(LOCKED_ID, ACME_ORG_ID, "lena.locked", "Lena", "Locked", "de", "lena.locked") },
        H { state: Inactive, verified: false, ..h(INACTIVE_ID, ACME_ORG_ID, "ivan.inactive", "Ivan", "Inactive", "en", "ivan.inactive") },
        // More of ACME.
        h("320000000000000007", ACME_ORG_ID, "anna.schmidt", "Anna", "Schmidt", "de", "anna.schmidt"),
        h("320000000000000008", ACME_ORG_ID, "bjoern.lindqvist", "Björn", "Lindqvist", "sv", "bjoern.lindqvist"),
        H { gender: FEMALE, ..h("320000000000000009", ACME_ORG_ID, "chloe.martin", "Chloé", "Martin", "fr", "chloe.martin") },
        H { nick: "Dima", ..h("320000000000000010", ACME_ORG_ID, "dmitri.ivanov", "Dmitri", "Ivanov", "en", "dmitri.ivanov") },
        h("320000000000000011", ACME_ORG_ID, "emine.yilmaz", "Emine", "Yılmaz", "tr", "emine.yilmaz"),
        H { phone: Some("+33612345678"), ..h("320000000000000012", ACME_ORG_ID, "francois.lefevre", "François", "Lefèvre", "fr", "francois.lefevre") },
        h("320000000000000013", ACME_ORG_ID, "sanne.devries", "Sanne", "de Vries", "nl", "sanne.devries"),
        h("320000000000000014", ACME_ORG_ID, "siobhan.oconnor", "Siobhán", "O'Connor", "en", "siobhan.oconnor"),
        H { gender: DIVERSE, ..h("320000000000000015", ACME_ORG_ID, "mei.chen", "Mei", "Chen", "zh", "mei.chen") },
        H { nick: "Luke", ..h("320000000000000016", ACME_ORG_ID, "lukasz.wrobel", "Łukasz", "Wróbel", "pl", "lukasz.wrobel") },
        // More of Globex.
        h("320000000000000017", GLOBEX_ORG_ID, "ingrid.bauer", "Ingrid", "Bauer", "de", "ingrid.bauer"),
        H { gender: MALE, ..h("320000000000000018", GLOBEX_ORG_ID, "kwame.mensah", "Kwame", "Mensah", "en", "kwame.mensah") },
        h("320000000000000019", GLOBEX_ORG_ID, "soeren.madsen", "Søren", "Madsen", "da", "soeren.madsen") ,
        h("320000000000000020", GLOBEX_ORG_ID, "ana.costa", "Ana Lúcia", "Costa", "pt", "ana.costa"),
        // Initech.
        H { nick: "Pete", ..h("320000000000000021", INITECH_ORG_ID, "peter.gibbons", "Peter", "Gibbons", "en", "peter.gibbons") },
        h("320000000000000022", INITECH_ORG_ID, "samir.nagheenanajar", "Samir", "Nagheenanajar", "en", "samir.nagheenanajar"),
        H { verified: false, ..h("320000000000000023", INITECH_ORG_ID, "joanna.mueller", "Joanna", "Müller-Lüdenscheidt", "de", "joanna.mueller") },
        h("320000000000000024", INITECH_ORG_ID, "milos.novak", "Miloš", "Novák", "cs", "milos.novak"),
        h("320000000000000025", INITECH_ORG_ID, "aiko.tanaka", "Aiko", "Tanaka", "ja", "aiko.tanaka"),
    ]
}

/// (user name, role, membership scope) of the five admins.
const ADMIN_ROLES: &[(&str, &str, Option<&str>)] = &[
    (ADMIN_IAM_OWNER, "IAM_OWNER", None),
    (ADMIN_ORG_OWNER, "ORG_OWNER", Some(GLOBEX_ORG_ID)),
    (ADMIN_USER_MANAGER, "ORG_USER_MANAGER", Some(ACME_ORG_ID)),
    (ADMIN_IAM_USER_MANAGER, "IAM_USER_MANAGER", None),
    (ADMIN_VIEWER, "ORG_OWNER_VIEWER", Some(ACME_ORG_ID)),
];

/// Fixed, varied creation dates (with microseconds) so answers are stable between runs.
fn created(index: usize) -> DateTime<Utc> {
    let base = Utc.with_ymd_and_hms(2025, 2, 3, 8, 0, 0).unwrap();
    let index = index as i64;
    base + chrono::Duration::minutes(index * 1_577)
        + chrono::Duration::microseconds(index * 123_457 % 1_000_000)
}

/// Fills an empty world and returns what tests need to know about it.
pub(crate) fn populate(world: &mut World) -> Demo {
    world.instance_id = INSTANCE_ID.to_owned();
    world.instance_name = INSTANCE_NAME.to_owned();
    for (i, (id, name, domain)) in ORGS.iter().enumerate() {
        world.orgs.push(Org {
            id: (*id).to_owned(),
            name: (*name).to_owned(),
            primary_domain: (*domain).to_owned(),
            record: Record::new(4 + i as u64, created(i)),
        });
    }

    for (i, human) in humans().into_iter().enumerate() {
        let domain = domain_of(human.org);
        let email = if human.email.contains('@') {
            human.email.to_owned()
        } else {
            format!("{}@{domain}", human.email)
        };
        world.add_user(User {
            id: human.id.to_owned(),
            org_id: human.org.to_owned(),
            user_name: human.user_name.to_owned(),
            state: human.state,
            kind: UserKind::Human(Person {
                first_name: human.first.to_owned(),
                last_name: human.last.to_owned(),
                nick_name: human.nick.to_owned(),
                display_name: format!("{} {}", human.first, human.last),
                language: human.lang.to_owned(),
                gender: human.gender,
                email,
                email_verified: human.verified,
                phone: human.phone.map(str::to_owned),
            }),
            record: Record::new(3 + (i as u64 * 7) % 11, created(i + 3)),
        });
    }
    world.add_user(User {
        id: MACHINE_ID.to_owned(),
        org_id: ACME_ORG_ID.to_owned(),
        user_name: "ci-bot".to_owned(),
        state: UserState::Active,
        kind: UserKind::Machine {
            name: "CI Bot".to_owned(),
            description: "Deploys ACME's services".to_owned(),
        },
        record: Record::new(2, created(40)),
    });

    world.add_user(User {
        id: SERVICE_USER_ID.to_owned(),
        org_id: ACME_ORG_ID.to_owned(),
        user_name: SERVICE_USER.to_owned(),
        state: UserState::Active,
        kind: UserKind::Machine {
            name: "Passkey Desk Bot".to_owned(),
            description: "Creates passkey registration links for scripts".to_owned(),
        },
        record: Record::new(3, created(41)),
    });

    world.passkeys.push(Passkey {
        id: ZOE_PASSKEY_ID.to_owned(),
        user_id: ZOE_ID.to_owned(),
        name: ZOE_PASSKEY_NAME.to_owned(),
    });

    let mut admins = Vec::new();
    for (i, (user_name, role, org)) in ADMIN_ROLES.iter().enumerate() {
        let user = world
            .users()
            .iter()
            .find(|u| u.user_name == *user_name)
            .expect("every admin is a seeded user");
        let (user_id, home_org) = (user.id.clone(), user.org_id.clone());
        world.memberships.push(Membership {
            user_id: user_id.clone(),
            scope: match org {
                Some(org) => Scope::Org((*org).to_owned()),
                None => Scope::Instance,
            },
            roles: vec![role],
            record: Record::new(1, created(45 + i)),
        });
        let pat = world
            .issue_token(&user_id, true, Duration::from_secs(10 * 365 * 24 * 3600))
            .expect("admins exist");
        admins.push(DemoAdmin {
            login_name: format!("{user_name}@{}", domain_of(&home_org)),
            user_id,
            user_name: (*user_name).to_owned(),
            role: (*role).to_owned(),
            org_id: home_org,
            pat,
        });
    }

    world.memberships.push(Membership {
        user_id: SERVICE_USER_ID.to_owned(),
        scope: Scope::Org(ACME_ORG_ID.to_owned()),
        roles: vec!["ORG_OWNER"],
        record: Record::new(1, created(45 + ADMIN_ROLES.len())),
    });
    let service_pat = world
        .issue_token(
            SERVICE_USER_ID,
            true,
            Duration::from_secs(10 * 365 * 24 * 3600),
        )
        .expect("the service user exists");
    let service_key_json = seed_oidc(world);

    world.position = world.orgs.iter().map(|o| o.record.sequence).sum::<u64>()
        + world.users().iter().map(|u| u.record.sequence).sum::<u64>()
        + world.memberships.len() as u64;

    Demo {
        admins,
        orgs: ORGS
            .iter()
            .map(|(id, name, domain)| DemoOrg {
                id: (*id).to_owned(),
                name: (*name).to_owned(),
                primary_domain: (*domain).to_owned(),
            })
            .collect(),
        users: world
            .users()
            .iter()
            .map(|u| DemoUser {
                user_id: u.id.clone(),
                user_name: u.user_name.clone(),
                login_name: format!("{}@{}", u.user_name, domain_of(&u.org_id)),
                display_name: match &u.kind {
                    UserKind::Human(p) => p.display_name.clone(),
                    UserKind::Machine { name, .. } => name.clone(),
                },
                org_id: u.org_id.clone(),
                human: u.person().is_some(),
            })
            .collect(),
        service_key_json,
        service_pat,
    }
}

/// At most this many users are generated by one call of [`add_generated_users`].
pub const MAX_GENERATED_USERS: usize = 1_000_000;

/// First names of generated users: (display form, user name form). Some non-ASCII, so that
/// case-insensitive search works on more than ASCII at scale too.
#[rustfmt::skip]
const GEN_FIRST: &[(&str, &str)] = &[
    ("Anna", "anna"), ("Ben", "ben"), ("Chloé", "chloe"), ("David", "david"), ("Elif", "elif"),
    ("Felix", "felix"), ("Greta", "greta"), ("Hannah", "hannah"), ("Ivan", "ivan"),
    ("Jonas", "jonas"), ("Katarzyna", "katarzyna"), ("Leon", "leon"), ("Maria", "maria"),
    ("Marco", "marco"), ("Noah", "noah"), ("Olivia", "olivia"), ("Paul", "paul"),
    ("Quentin", "quentin"), ("Rosa", "rosa"), ("Søren", "soeren"), ("Tobias", "tobias"),
    ("Ursula", "ursula"), ("Valentina", "valentina"), ("Wei", "wei"), ("Xavier", "xavier"),
    ("Yusuf", "yusuf"), ("Zoë", "zoe"), ("Émile", "emile"), ("Łucja", "lucja"), ("Aiko", "aiko"),
    ("Björn", "bjoern"),
];

/// Last names of generated users: (display form, user name form).
#[rustfmt::skip]
const GEN_LAST: &[(&str, &str)] = &[
    ("Schmidt", "schmidt"), ("Müller", "mueller"), ("Martin", "martin"), ("Rossi", "rossi"),
    ("Nowak", "nowak"), ("García", "garcia"), ("Jensen", "jensen"), ("Dubois", "dubois"),
    ("Keller", "keller"), ("Yılmaz", "yilmaz"), ("Tanaka", "tanaka"), ("Chen", "chen"),
    ("O'Brien", "obrien"), ("de Vries", "devries"), ("Novák", "novak"), ("Ivanova", "ivanova"),
    ("Costa", "costa"), ("Lindqvist", "lindqvist"), ("Mensah", "mensah"), ("Weber", "weber"),
    ("Fischer", "fischer"), ("Wagner", "wagner"), ("Becker", "becker"), ("Hoffmann", "hoffmann"),
    ("Schulz", "schulz"), ("Koch", "koch"), ("Richter", "richter"), ("Wolf", "wolf"),
    ("Schröder", "schroeder"), ("Neumann", "neumann"), ("Zimmermann", "zimmermann"),
    ("Braun", "braun"), ("Krüger", "krueger"), ("Hofmann", "hofmann"), ("Hartmann", "hartmann"),
    ("Lange", "lange"), ("Schmitt", "schmitt"), ("Werner", "werner"), ("Krause", "krause"),
    ("Meier", "meier"), ("Lehmann", "lehmann"),
];

/// Adds `count` generated users to `org_id`, for searches at scale (`SimConfig::extra_users`,
/// `POST /__sim/seed/users`, `zitadel-sim --users N`). They are deterministic for a given
/// sequence of calls: the n-th generated user (counted over the sim's lifetime) has the id
/// `37` followed by n in 16 digits, the user name `first.last.n`, the display name
/// "First Last", the email `first.last.n@<org domain>`; every 100th is a machine user, every
/// 97th human is locked and every 89th inactive, the rest active humans. They are not in
/// [`Demo::users`]. Returns how many users the org has now.
pub fn add_generated_users(
    world: &mut World,
    org_id: &str,
    count: usize,
) -> Result<usize, crate::SimError> {
    let domain = world
        .org(org_id)
        .map(|o| o.primary_domain.clone())
        .ok_or_else(crate::SimError::org_not_found)?;
    if count > MAX_GENERATED_USERS {
        return Err(crate::SimError::invalid_argument(
            "SIM-TOOMANY",
            &format!("At most {MAX_GENERATED_USERS} users per call"),
        ));
    }
    let base = Utc.with_ymd_and_hms(2024, 1, 8, 7, 30, 0).unwrap();
    for _ in 0..count {
        let n = world.generated_users;
        world.generated_users += 1;
        let (first, first_name) = GEN_FIRST[(n % GEN_FIRST.len() as u64) as usize];
        let (last, last_name) =
            GEN_LAST[((n / GEN_FIRST.len() as u64 + n * 7) % GEN_LAST.len() as u64) as usize];
        let user_name = format!("{first_name}.{last_name}.{n}");
        let created = base
            + chrono::Duration::seconds(n as i64 * 37)
            + chrono::Duration::microseconds(n as i64 * 123_457 % 1_000_000);
        let (kind, state) = if n % 100 == 99 {
            let kind = UserKind::Machine {
                name: format!("Service {n}"),
                description: "A generated machine user".to_owned(),
            };
            (kind, UserState::Active)
        } else {
            let state = match n {
                n if n % 97 == 96 => UserState::Locked,
                n if n % 89 == 88 => UserState::Inactive,
                _ => UserState::Active,
            };
            let person = Person {
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                nick_name: String::new(),
                display_name: format!("{first} {last}"),
                language: ["de", "en", "fr", "it"][(n % 4) as usize].to_owned(),
                gender: None,
                email: format!("{user_name}@{domain}"),
                email_verified: !n.is_multiple_of(5),
                phone: None,
            };
            (UserKind::Human(person), state)
        };
        world.add_user(User {
            id: format!("37{n:016}"),
            org_id: org_id.to_owned(),
            user_name,
            state,
            kind,
            record: Record::new(1 + n % 3, created),
        });
        world.position += 1;
    }
    Ok(world.org_user_count(org_id))
}

/// The native app and desk-bot's key; returns the key file.
fn seed_oidc(world: &mut World) -> String {
    world.oidc.zitadel_project_id = ZITADEL_PROJECT_ID.to_owned();
    world.oidc.clients.push(Client {
        id: NATIVE_CLIENT_ID.to_owned(),
        name: NATIVE_CLIENT_NAME.to_owned(),
        redirect_uris: vec![
            "http://127.0.0.1/callback".to_owned(),
            "http://localhost/callback".to_owned(),
        ],
        post_logout_redirect_uris: vec!["http://127.0.0.1/logout".to_owned()],
        grant_types: vec![
            GrantType::AuthorizationCode,
            GrantType::RefreshToken,
            GrantType::DeviceCode,
        ],
    });
    let pair = KeyPair::from_pem(SERVICE_KEY_ID, SERVICE_KEY_PEM);
    world.oidc.service_keys.push(ServiceKey {
        id: SERVICE_KEY_ID.to_owned(),
        user_id: SERVICE_USER_ID.to_owned(),
        expires: Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap(),
        public: pair.public().clone(),
    });
    serde_json::to_string(&KeyFile {
        kind: "serviceaccount",
        key_id: SERVICE_KEY_ID,
        key: SERVICE_KEY_PEM,
        user_id: SERVICE_USER_ID,
    })
    .expect("a key file is JSON")
}

fn domain_of(org_id: &str) -> &'static str {
    ORGS.iter()
        .find(|(id, _, _)| *id == org_id)
        .map_or("", |(_, _, domain)| domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded() -> (World, Demo) {
        let mut world = World::new(&crate::SimConfig::default(), "http://sim.test".into());
        let demo = populate(&mut world);
        (world, demo)
    }

    #[test]
    fn enough_varied_humans() {
        let (world, _) = seeded();
        let humans: Vec<&User> = world
            .users()
            .iter()
            .filter(|u| u.person().is_some())
            .collect();
        assert!(humans.len() >= 24, "{} humans", humans.len());
        assert!(humans.iter().filter(|u| u.org_id == ACME_ORG_ID).count() >= 12);
        assert!(humans
            .iter()
            .any(|u| !u.person().unwrap().display_name.is_ascii()));
        let mut ids: Vec<&str> = world.users().iter().map(|u| u.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), world.users().len(), "user ids are unique");
        assert!(ids
            .iter()
            .all(|id| id.len() == 18 && id.bytes().all(|b| b.is_ascii_digit())));
    }

    #[test]
    fn admins_have_their_roles_and_pats() {
        let (world, demo) = seeded();
        let owner = demo.admin(ADMIN_IAM_OWNER);
        assert_eq!(owner.role, "IAM_OWNER");
        assert_eq!(owner.login_name, "desk.admin@acme.example.com");
        assert!(owner.pat.len() >= 40);
        assert_eq!(world.caller(Some(&owner.pat)).unwrap().id, owner.user_id);
        let globex = demo.admin(ADMIN_ORG_OWNER);
        assert_eq!(globex.org_id, GLOBEX_ORG_ID);
        assert!(world.permissions(&globex.user_id, ACME_ORG_ID).is_empty());
        let helpdesk = demo.admin(ADMIN_USER_MANAGER);
        assert_eq!(
            world.permissions(&helpdesk.user_id, ACME_ORG_ID),
            ["org.read", "user.read", "user.write"]
        );
    }

    #[test]
    fn service_user_and_key_file() {
        let (world, demo) = seeded();
        let bot = world.user(SERVICE_USER_ID).unwrap();
        assert_eq!(
            (bot.user_name.as_str(), bot.person().is_none()),
            (SERVICE_USER, true)
        );
        assert_eq!(
            world.permissions(SERVICE_USER_ID, ACME_ORG_ID),
            world.permissions(&demo.admin(ADMIN_IAM_OWNER).user_id, ACME_ORG_ID)
        );
        assert_eq!(
            world.caller(Some(&demo.service_pat)).unwrap().id,
            SERVICE_USER_ID
        );
        assert!(demo.service_key_json.starts_with(r#"{"type":"serviceaccount","keyId":"340000000000000001","key":"-----BEGIN RSA PRIVATE KEY-----\n"#));
        let file: serde_json::Value = serde_json::from_str(&demo.service_key_json).unwrap();
        assert_eq!(file["userId"], SERVICE_USER_ID);
        assert_eq!(file.as_object().unwrap().len(), 4);
        // ACME keeps exactly one machine user named ci-bot.
        assert_eq!(
            world
                .users()
                .iter()
                .filter(|u| u.user_name == "ci-bot")
                .count(),
            1
        );
    }

    #[test]
    #[should_panic(expected = "no demo admin named \"nobody\"")]
    fn unknown_admin_panics_clearly() {
        seeded().1.admin("nobody");
    }
}
