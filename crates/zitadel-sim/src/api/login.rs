//! A stand-in for ZITADEL's Login UI v1 page behind a registration link, so a person can
//! finish the demo in a browser. The real page runs WebAuthn; this one posts to the control
//! API, which adds the passkey.

use std::collections::HashMap;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::errors::SimError;
use crate::features::LoginV2Page;
use crate::AppState;

/// `GET /ui/login/login/passwordless/init?userID&orgID&codeID&code`. Opening the page checks
/// the code (a wrong one counts as a failed check) but does not consume it.
pub async fn passwordless_init(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let param = |name: &str| params.get(name).map_or("", String::as_str);
    let (user_id, code_id, code) = (param("userID"), param("codeID"), param("code"));
    let checked = state
        .world()
        .check_link(user_id, param("orgID"), code_id, code);
    match checked {
        Ok(display_name) => {
            Html(registration_page(&display_name, user_id, code_id, code)).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, Html(error_page(&error))).into_response(),
    }
}

/// `GET /ui/v2/login/passkey/set`: Login UI v2's page behind a registration link, as the
/// simulated release has it ([`crate::features::Version::login_v2_page`]): from v4.6 it reads
/// `userId`, `code`, `codeId`, `organization`; v4.4–v4.5 read the code's id from `id`;
/// v4.0–v4.3 take no code at all (without a session: an error); before v4.0 there is no page.
pub async fn passkey_set_v2(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let param = |name: &str| params.get(name).map_or("", String::as_str);
    let code_id_param = match state.features().version.login_v2_page() {
        LoginV2Page::None => return (StatusCode::NOT_FOUND, "404 page not found").into_response(),
        LoginV2Page::NoCode => {
            let error = SimError::new(3, "unknownContext", "Could not get the context of the user");
            return (StatusCode::BAD_REQUEST, Html(error_page(&error))).into_response();
        }
        LoginV2Page::CodeAndId => "id",
        LoginV2Page::CodeAndCodeId => "codeId",
    };
    let (user_id, code_id, code) = (param("userId"), param(code_id_param), param("code"));
    let checked = state
        .world()
        .check_link(user_id, param("organization"), code_id, code);
    match checked {
        Ok(display_name) => {
            Html(registration_page(&display_name, user_id, code_id, code)).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, Html(error_page(&error))).into_response(),
    }
}

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const HEAD: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Register a passkey</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; }
.note { color: #666; font-size: 0.9rem; }
</style>
</head>
<body>
"#;

const FOOT: &str = r#"<p class="note">Simulated ZITADEL Login UI (zitadel-sim): no real passkey is created.</p>
</body>
</html>
"#;

/// Reads the values from `data-` attributes, so none of them is ever pasted into script.
const SCRIPT: &str = r#"<script>
const form = document.getElementById("register");
const status = document.getElementById("status");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/__sim/registrations", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      userId: form.dataset.userId,
      codeId: form.dataset.codeId,
      code: form.dataset.code,
      deviceName: form.elements.deviceName.value,
    }),
  });
  if (response.ok) {
    form.hidden = true;
    status.textContent = "Passkey registered. You can close this page.";
  } else {
    const body = await response.json().catch(() => ({}));
    status.textContent = "Registration failed: " + (body.message || response.status);
  }
});
</script>
"#;

fn registration_page(display_name: &str, user_id: &str, code_id: &str, code: &str) -> String {
    let body = format!(
        r#"<h1>Register a passkey for {name}</h1>
<form id="register" data-user-id="{user_id}" data-code-id="{code_id}" data-code="{code}">
<label>Device name <input name="deviceName" value="This browser" required maxlength="100"></label>
<button type="submit">Register passkey</button>
</form>
<p id="status" role="status"></p>
"#,
        name = escape(display_name),
        user_id = escape(user_id),
        code_id = escape(code_id),
        code = escape(code),
    );
    [HEAD, &body, SCRIPT, FOOT].concat()
}

fn error_page(error: &SimError) -> String {
    let body = format!(
        "<h1>This registration link is not valid</h1>\n<p>{} ({})</p>\n",
        escape(&error.message),
        escape(&error.id)
    );
    [HEAD, &body, FOOT].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<b>"O'Connor" & co</b>"#),
            "&lt;b&gt;&quot;O&#39;Connor&quot; &amp; co&lt;/b&gt;"
        );
    }
}
