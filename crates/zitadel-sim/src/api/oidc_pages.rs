//! The sim's stand-ins for ZITADEL's hosted sign-in pages: the demo login page (pick a
//! seeded admin, no password), the device approval page, "signed out" and error pages.
//! Every value is escaped; no page carries script.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use super::login::escape;
use crate::world::{LoginChoice, LoginPage};

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; padding: 0 1rem; }}
fieldset {{ border: 1px solid #ccc; border-radius: 6px; margin: 1rem 0; }}
label.user {{ display: block; padding: 0.3rem 0; }}
.note {{ color: #666; font-size: 0.9rem; }}
.error {{ color: #b00020; }}
button {{ font-size: 1rem; padding: 0.4rem 1rem; margin-right: 0.5rem; }}
</style>
</head>
<body>
{body}<p class="note">Simulated ZITADEL sign-in (zitadel-sim): demo accounts, no passwords.</p>
</body>
</html>
"#,
        title = escape(title),
    );
    (status, Html(html)).into_response()
}

/// A 4xx page with a message (and never a redirect to an untrusted address).
pub fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<h1>Sign-in error</h1>\n<p class=\"error\" role=\"alert\">{}</p>\n",
        escape(message)
    );
    page(status, "Sign-in error", &body)
}

pub fn signed_out_page(message: &str) -> Response {
    let body = format!("<h1>Signed out</h1>\n<p>{}</p>\n", escape(message));
    page(StatusCode::OK, "Signed out", &body)
}

/// Radio buttons named `userName`, one per choice; `selected` is checked.
fn user_choices(choices: &[LoginChoice], selected: Option<&str>) -> String {
    let mut html = String::from("<fieldset>\n<legend>Sign in as</legend>\n");
    for choice in choices {
        let checked = if selected == Some(choice.login_name.as_str()) {
            " checked"
        } else {
            ""
        };
        let role = if choice.role.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"note\">{}</span>", escape(&choice.role))
        };
        html.push_str(&format!(
            "<label class=\"user\"><input type=\"radio\" name=\"userName\" value=\"{value}\" required{checked}> \
             {name} &lt;{value}&gt;{role}</label>\n",
            value = escape(&choice.login_name),
            name = escape(&choice.display_name),
        ));
    }
    html.push_str("</fieldset>\n");
    html
}

fn scope_list(scopes: &[String]) -> String {
    let items: String = scopes
        .iter()
        .map(|s| format!("<li><code>{}</code></li>", escape(s)))
        .collect();
    format!("<ul>{items}</ul>\n")
}

fn error_line(error: Option<&str>) -> String {
    error.map_or_else(String::new, |e| {
        format!("<p class=\"error\" role=\"alert\">{}</p>\n", escape(e))
    })
}

/// The demo login page: 200, or 400 when it comes back after a failed attempt.
pub fn login_page(login: &LoginPage) -> Response {
    let body = format!(
        r#"<h1>Sign in to {client}</h1>
{error}<form method="post" action="/oauth/v2/authorize/login">
<input type="hidden" name="requestId" value="{request_id}">
{choices}<p>The application asks for:</p>
{scopes}<button type="submit" name="action" value="login">Sign in</button>
<button type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
</form>
"#,
        client = escape(&login.client_name),
        error = error_line(login.error.as_deref()),
        request_id = escape(&login.request_id),
        choices = user_choices(&login.choices, login.selected.as_deref()),
        scopes = scope_list(&login.scopes),
    );
    let status = if login.error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(status, "Sign in", &body)
}

/// The device approval page (RFC 8628 §3.3).
pub fn device_page(
    user_code: &str,
    info: Option<&(String, Vec<String>)>,
    choices: &[LoginChoice],
    error: Option<&str>,
) -> Response {
    let asking = match info {
        Some((client, scopes)) => format!(
            "<p>{} asks to sign in on a device, with:</p>\n{}",
            escape(client),
            scope_list(scopes)
        ),
        None => "<p>Enter the code the device shows.</p>\n".to_owned(),
    };
    let body = format!(
        r#"<h1>Sign in a device</h1>
{error}{asking}<form method="post" action="/device">
<label>Code <input name="user_code" value="{user_code}" required autocomplete="off" placeholder="ABCD-EFGH"></label>
{choices}<button type="submit" name="action" value="approve">Approve</button>
<button type="submit" name="action" value="deny" formnovalidate>Deny</button>
</form>
"#,
        error = error_line(error),
        user_code = escape(user_code),
        choices = user_choices(choices, None),
    );
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    page(status, "Sign in a device", &body)
}

pub fn device_result_page(status: StatusCode, message: &str) -> Response {
    let class = if status.is_success() {
        ""
    } else {
        " class=\"error\" role=\"alert\""
    };
    let body = format!(
        "<h1>Sign in a device</h1>\n<p{class}>{}</p>\n<p><a href=\"/device\">Another code</a></p>\n",
        escape(message)
    );
    page(status, "Sign in a device", &body)
}
