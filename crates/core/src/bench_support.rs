//! Entry points for the benchmarks (`benches/core.rs`) into code that is not public: each
//! runs exactly what the app runs, so that the figures are the app's. Not part of the API.

use crate::client::{user_page, wire};
use crate::error::{Error, Result};
use crate::model::UserPage;

/// A `ListUsers` answer (`POST /management/v1/users/_search`, the body of a 200) parsed into
/// the wire types and converted into the app's users, as [`crate::ZitadelClient::list_users`]
/// does after reading the body.
pub fn parse_user_search(body: &[u8]) -> Result<UserPage> {
    let answer: wire::ListResponse<wire::User> =
        serde_json::from_slice(body).map_err(|e| Error::BadResponse {
            detail: format!("not a ListUsers answer at line {}", e.line()),
        })?;
    user_page(answer)
}
