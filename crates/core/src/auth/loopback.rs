//! The loopback redirect listener of a native app (RFC 8252 §7.3): `http://127.0.0.1:{port}/callback`
//! on a port the OS picks, answering the browser with a friendly page and handing the
//! authorization response to the waiting sign-in exactly once.

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// What the identity provider sent back to the redirect URI.
#[derive(Debug)]
pub enum Callback {
    Code(Secret<String>),
    Refused {
        error: String,
    },
    /// The `state` was not this sign-in's: a stale or forged redirect.
    WrongState,
}

#[derive(Deserialize)]
struct Params {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

struct Waiting {
    sender: Option<oneshot::Sender<Callback>>,
    state: Secret<String>,
}

type Slot = Arc<Mutex<Waiting>>;

/// A listening redirect endpoint. Dropping it stops the server.
pub struct Listener {
    port: u16,
    received: oneshot::Receiver<Callback>,
    _stop: oneshot::Sender<()>,
}

impl Listener {
    /// Binds `127.0.0.1:0` (never all interfaces) and serves `/callback` for the sign-in
    /// whose `state` is given.
    pub async fn bind(state: Secret<String>) -> Result<Listener> {
        let socket =
            TcpListener::bind(("127.0.0.1", 0))
                .await
                .map_err(|e| Error::SignInFailed {
                    detail: format!("cannot open the loopback redirect port: {e}"),
                })?;
        let port = socket
            .local_addr()
            .map_err(|e| Error::SignInFailed {
                detail: format!("loopback port: {e}"),
            })?
            .port();
        let (tx, received) = oneshot::channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let slot: Slot = Arc::new(Mutex::new(Waiting {
            sender: Some(tx),
            state,
        }));
        let app = Router::new()
            .route("/callback", get(callback))
            .with_state(slot);
        tokio::spawn(async move {
            let server = axum::serve(socket, app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                tracing::warn!(%error, "loopback redirect listener stopped");
            }
        });
        Ok(Listener {
            port,
            received,
            _stop: stop,
        })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Waits for the browser to arrive at the redirect URI.
    pub async fn wait(self) -> Result<Callback> {
        self.received.await.map_err(|_| Error::SignInFailed {
            detail: "the redirect listener stopped".into(),
        })
    }
}

async fn callback(State(slot): State<Slot>, Query(params): Query<Params>) -> impl IntoResponse {
    let mut waiting = slot.lock().unwrap_or_else(|p| p.into_inner());
    let Some(sender) = waiting.sender.take() else {
        return Html(PAGE_USED);
    };
    let callback = if params.state.as_deref() != Some(waiting.state.expose().as_str()) {
        Callback::WrongState
    } else {
        match (params.code, params.error) {
            (Some(code), None) => Callback::Code(Secret::new(code)),
            (_, error) => Callback::Refused {
                error: error.unwrap_or_else(|| "no code in the answer".into()),
            },
        }
    };
    let page = if matches!(callback, Callback::Code(_)) {
        PAGE_DONE
    } else {
        PAGE_REFUSED
    };
    // The sign-in may have been cancelled meanwhile; then nobody listens, which is fine.
    let _ = sender.send(callback);
    Html(page)
}

const PAGE_DONE: &str = "<!doctype html><meta charset=utf-8><title>Passkey Desk</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Signed in</h1>\
<p>You can close this tab and return to Passkey Desk.</p>";
const PAGE_REFUSED: &str = "<!doctype html><meta charset=utf-8><title>Passkey Desk</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Sign-in did not complete</h1>\
<p>Return to Passkey Desk: it says what happened and what to do.</p>";
const PAGE_USED: &str = "<!doctype html><meta charset=utf-8><title>Passkey Desk</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Already handled</h1>\
<p>This sign-in is already finished. You can close this tab.</p>";
