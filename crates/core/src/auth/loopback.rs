//! The loopback redirect listener of a native app (RFC 8252 §7.3): `http://127.0.0.1:{port}/callback`
//! on a port the OS picks, answering the browser with a friendly page and handing the
//! authorization response to the waiting sign-in exactly once.
//!
//! Any local process or web page can reach a loopback port, so the listener trusts nothing
//! but the `state` it waits for: a request without it, or with another, gets a 400 and the
//! sign-in keeps waiting for the right one. A client that does not finish its request headers
//! within [`Timeouts::header`] is dropped, and once the callback has arrived (or the sign-in
//! is gone) the port closes and open connections get [`Timeouts::grace`] to finish, then they
//! are cut — whatever a slow client does.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Notify};
use tokio::task::JoinSet;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// What the identity provider sent back to the redirect URI with this sign-in's `state`.
#[derive(Debug)]
pub enum Callback {
    Code(Secret<String>),
    Refused { error: String },
}

/// How long the listener waits on clients.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    /// For a connection's request headers.
    pub header: Duration,
    /// For open connections after the callback arrived or the sign-in was dropped.
    pub grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            header: Duration::from_secs(5),
            grace: Duration::from_secs(2),
        }
    }
}

struct Waiting {
    sender: Mutex<Option<oneshot::Sender<Callback>>>,
    state: Secret<String>,
    /// Notified once the callback has been handed over: the server stops accepting.
    done: Notify,
}

/// A listening redirect endpoint. Dropping it closes the port; open connections get the
/// grace to finish (the browser's "Signed in" page), then they are cut.
pub struct Listener {
    port: u16,
    received: oneshot::Receiver<Callback>,
    waiting: Arc<Waiting>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.waiting.done.notify_one();
    }
}

impl Listener {
    /// Binds `127.0.0.1:0` (never all interfaces) and serves `/callback` for the sign-in
    /// whose `state` is given.
    pub async fn bind(state: Secret<String>) -> Result<Listener> {
        Listener::bind_with(state, Timeouts::default()).await
    }

    pub async fn bind_with(state: Secret<String>, timeouts: Timeouts) -> Result<Listener> {
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
        let waiting = Arc::new(Waiting {
            sender: Mutex::new(Some(tx)),
            state,
            done: Notify::new(),
        });
        tokio::spawn(serve(socket, waiting.clone(), timeouts));
        Ok(Listener {
            port,
            received,
            waiting,
        })
    }

    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/callback", self.port)
    }

    /// Waits for the browser to arrive at the redirect URI with this sign-in's `state`.
    pub async fn wait(mut self) -> Result<Callback> {
        (&mut self.received).await.map_err(|_| Error::SignInFailed {
            detail: "the redirect listener stopped".into(),
        })
    }
}

/// Accepts connections until the callback arrived, then gives the open ones `grace` and cuts
/// the rest (dropping the JoinSet aborts them).
async fn serve(socket: TcpListener, waiting: Arc<Waiting>, timeouts: Timeouts) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = waiting.done.notified() => break,
            accepted = socket.accept() => {
                let Ok((stream, _)) = accepted else {
                    // A transient accept error (e.g. out of file descriptors): try again shortly.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let waiting = waiting.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| {
                        let waiting = waiting.clone();
                        async move { Ok::<_, Infallible>(answer(&waiting, &request)) }
                    });
                    let served = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(timeouts.header)
                        .keep_alive(false)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                    if let Err(error) = served {
                        tracing::debug!(%error, "a loopback redirect connection ended with an error");
                    }
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(socket);
    let _ = tokio::time::timeout(timeouts.grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

fn answer(waiting: &Waiting, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    if request.method() != Method::GET || request.uri().path() != "/callback" {
        return page(StatusCode::NOT_FOUND, PAGE_STRAY);
    }
    let params: HashMap<String, String> =
        url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let mut sender = waiting.sender.lock().unwrap_or_else(|p| p.into_inner());
    if sender.is_none() {
        return page(StatusCode::OK, PAGE_USED);
    }
    if params.get("state").map(String::as_str) != Some(waiting.state.expose().as_str()) {
        // Not this sign-in's redirect (stale, forged or a probe): refused, still waiting.
        tracing::info!("a loopback redirect without this sign-in's state was refused");
        return page(StatusCode::BAD_REQUEST, PAGE_STRAY);
    }
    let callback = match (params.get("code"), params.get("error")) {
        (Some(code), None) => Callback::Code(Secret::new(code.clone())),
        (_, error) => Callback::Refused {
            error: error
                .cloned()
                .unwrap_or_else(|| "no code in the answer".into()),
        },
    };
    let done = matches!(callback, Callback::Code(_));
    if let Some(sender) = sender.take() {
        // The sign-in may have been cancelled meanwhile; then nobody listens, which is fine.
        let _ = sender.send(callback);
    }
    waiting.done.notify_one();
    if done {
        page(StatusCode::OK, PAGE_DONE)
    } else {
        page(StatusCode::OK, PAGE_REFUSED)
    }
}

fn page(status: StatusCode, html: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(html.as_bytes())));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // The page's own URL holds the authorization code: no Referer to anywhere.
    headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    response
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
const PAGE_STRAY: &str = "<!doctype html><meta charset=utf-8><title>Passkey Desk</title>\
<body style=\"font:16px system-ui;margin:3em\"><h1>Not this sign-in</h1>\
<p>Passkey Desk is waiting for another answer. Finish the sign-in in the tab Passkey Desk opened.</p>";

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    const STATE: &str = "s-3f9a";

    async fn listener(timeouts: Timeouts) -> (Listener, u16) {
        let listener = Listener::bind_with(Secret::new(STATE.into()), timeouts)
            .await
            .unwrap();
        let port = listener.port;
        (listener, port)
    }

    /// One raw HTTP/1.1 request; the status code of the answer.
    async fn get(port: u16, target: &str) -> u16 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream
            .write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP answer: {answer:?}"))
    }

    /// Whether nothing accepts connections on `port` any more, within `within`.
    async fn port_closes_within(port: u16, within: Duration) -> bool {
        tokio::time::timeout(within, async {
            while TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .is_ok()
    }

    /// Whether the server closes `stream` (EOF or reset) before `within`.
    async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
        let mut buf = [0u8; 256];
        matches!(
            tokio::time::timeout(within, stream.read(&mut buf)).await,
            Ok(Ok(0) | Err(_))
        )
    }

    #[tokio::test]
    async fn a_stray_request_is_refused_and_the_sign_in_keeps_waiting() {
        let (listener, port) = listener(Timeouts::default()).await;
        assert_eq!(get(port, "/callback?code=evil").await, 400, "no state");
        assert_eq!(get(port, "/callback?code=evil&state=other").await, 400);
        assert_eq!(get(port, "/callback?error=access_denied").await, 400);
        assert_eq!(get(port, "/favicon.ico").await, 404);
        assert_eq!(
            get(port, &format!("/callback?code=the-code&state={STATE}")).await,
            200
        );
        match listener.wait().await.unwrap() {
            Callback::Code(code) => assert_eq!(code.expose(), "the-code"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_refusal_with_this_state_ends_the_wait() {
        let (listener, port) = listener(Timeouts::default()).await;
        let target = format!("/callback?error=access_denied&state={STATE}");
        assert_eq!(get(port, &target).await, 200);
        assert!(matches!(
            listener.wait().await.unwrap(),
            Callback::Refused { error } if error == "access_denied"
        ));
    }

    #[tokio::test]
    async fn a_client_that_never_finishes_its_headers_is_dropped() {
        let (_listener, port) = listener(Timeouts {
            header: Duration::from_millis(300),
            grace: Duration::from_secs(2),
        })
        .await;
        let mut slow = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        slow.write_all(b"GET /callback?state=").await.unwrap();
        assert!(
            closed_within(&mut slow, Duration::from_secs(10)).await,
            "the header-read timeout closes it"
        );
    }

    #[tokio::test]
    async fn after_the_callback_the_port_closes_whatever_a_slow_client_does() {
        let (listener, port) = listener(Timeouts {
            header: Duration::from_secs(600),
            grace: Duration::from_millis(200),
        })
        .await;
        let mut slow = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        slow.write_all(b"GET /callback?state=").await.unwrap();
        assert_eq!(
            get(port, &format!("/callback?code=c&state={STATE}")).await,
            200
        );
        assert!(matches!(listener.wait().await.unwrap(), Callback::Code(_)));
        assert!(
            closed_within(&mut slow, Duration::from_secs(10)).await,
            "the slow connection is cut after the grace"
        );
        assert!(
            port_closes_within(port, Duration::from_secs(10)).await,
            "nothing listens any more"
        );
    }

    #[tokio::test]
    async fn dropping_the_listener_closes_the_port() {
        let (listener, port) = listener(Timeouts::default()).await;
        let mut open = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        drop(listener);
        assert!(closed_within(&mut open, Duration::from_secs(10)).await);
        assert!(port_closes_within(port, Duration::from_secs(10)).await);
    }
}
