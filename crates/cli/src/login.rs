//! `login` and `logout`: prompts and output around core's sign-in.

use std::io::{IsTerminal, Read};

use passkey_desk_core::auth::{Auth, LoginOptions, Method};
use passkey_desk_core::config::Settings;
use passkey_desk_core::{Error, Result, Secret};

use crate::cli::LoginKind;
use crate::output;

pub async fn login(auth: &Auth, settings: &Settings, how: LoginKind, json: bool) -> Result<()> {
    let session = match how {
        LoginKind::Browser {
            open_browser,
            prompt_consent,
        } => {
            let client_id = settings.require_client_id()?.to_string();
            let options = LoginOptions {
                client_id,
                prompt_consent,
                login_hint: None,
            };
            let instance = settings.instance.as_str().trim_end_matches('/').to_string();
            let show = |url: String| async move {
                eprintln!("Sign in to {instance} in your browser.");
                eprintln!("If no browser opens, visit this URL on this computer:\n  {url}");
                if open_browser {
                    if let Err(e) = open::that_detached(&url) {
                        // Not `e` itself: the opener's error text holds the URL.
                        eprintln!("({})", Error::opener_failed("open a browser", &e));
                    }
                }
                Ok(())
            };
            // Ctrl-C cancels cleanly (the loopback port closes when the sign-in is dropped).
            let ctrl_c = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            auth.browser_sign_in(&options, show, ctrl_c).await?
        }
        LoginKind::Device => {
            let client_id = settings.require_client_id()?.to_string();
            let pending = auth.start_device_login(&client_id).await?;
            eprintln!(
                "Sign in with your phone: scan the code below, or open {} and enter",
                pending.verification_uri()
            );
            eprintln!("\n    {}\n", pending.user_code());
            eprint!("{}", pending.qr()?.terminal());
            eprintln!(
                "The code expires in {} min. Waiting for approval…",
                pending.expires_in().as_secs().div_ceil(60)
            );
            let tokens = cancellable(pending.finish()).await?;
            auth.complete(Method::Device, &client_id, tokens).await?
        }
        LoginKind::Pat => auth.login_with_pat(read_pat()?).await?,
        LoginKind::KeyFile(path) => {
            let json_text = std::fs::read_to_string(&path)
                .map_err(|e| Error::io(format!("read the key file {}", path.display()), e))?;
            auth.login_with_key_file(&json_text).await?
        }
    };
    output::signed_in(&session.info().await, json);
    Ok(())
}

pub async fn logout(auth: &Auth, env_token_set: bool, json: bool) -> Result<()> {
    // Without restoring the session: the keyring entry goes first, the revocation is best
    // effort, so logging out works offline.
    let outcome = auth.sign_out_stored().await?;
    let outcome = outcome.had_session.then_some(outcome);
    let instance = auth.instance().as_str().trim_end_matches('/').to_string();
    output::signed_out(&instance, outcome.as_ref(), json);
    if env_token_set {
        eprintln!("note: PASSKEY_DESK_TOKEN is set in this shell and is still used; unset it to sign out completely");
    }
    Ok(())
}

/// Ctrl-C cancels a sign-in cleanly (the loopback port closes when the future is dropped).
async fn cancellable<T>(work: impl std::future::Future<Output = Result<T>>) -> Result<T> {
    tokio::select! {
        result = work => result,
        _ = tokio::signal::ctrl_c() => Err(Error::SignInCancelled),
    }
}

/// The PAT from stdin: without echo on a terminal, else the whole of stdin.
fn read_pat() -> Result<Secret<String>> {
    let stdin = std::io::stdin();
    let text = if stdin.is_terminal() {
        rpassword::prompt_password("Personal access token (input hidden): ")
            .map_err(|e| Error::io("read the token", e))?
    } else {
        let mut text = String::new();
        stdin
            .lock()
            .take(64 * 1024)
            .read_to_string(&mut text)
            .map_err(|e| Error::io("read the token from stdin", e))?;
        text
    };
    let token = text.trim().to_string();
    if token.is_empty() {
        return Err(Error::InvalidInput(
            "no token on stdin: pipe the personal access token into 'login --pat'".into(),
        ));
    }
    Ok(Secret::new(token))
}
