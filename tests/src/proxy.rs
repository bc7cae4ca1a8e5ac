//! A recording proxy on loopback, between the app (CLI or desktop core) and zitadel-sim: every
//! exchange is forwarded unchanged and kept as the bytes went over the wire, for the judge in
//! `tests/conformance/judge.mjs` (ZITADEL's published protos). Neither side knows it is there.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode};
use axum::response::Response;
use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;

/// One request and its answer.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Exchange {
    pub method: String,
    pub path: String,
    pub query: String,
    pub request_body: String,
    /// 0: no answer (the upstream failed).
    pub status: u16,
    pub response_body: String,
}

#[derive(Clone)]
struct Forward {
    upstream: String,
    client: reqwest::Client,
    log: Arc<Mutex<Vec<Exchange>>>,
}

/// A running proxy; dropping it stops it.
pub struct Recorder {
    url: String,
    log: Arc<Mutex<Vec<Exchange>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A loopback port for the proxy, bound before the upstream starts (the simulator's public
/// origin must be the proxy's, so that its links and its issuer name the proxy).
pub async fn bind() -> (TcpListener, String) {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .expect("a loopback port for the proxy");
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

impl Recorder {
    /// Forwards everything that reaches `listener` to `upstream` (an `http://host:port`).
    pub fn start(listener: TcpListener, upstream: &str) -> Recorder {
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let forward = Forward {
            upstream: upstream.trim_end_matches('/').to_string(),
            // Redirects (the sign-in's) and everything else go back to the client as they are.
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("an HTTP client"),
            log: log.clone(),
        };
        let app = Router::new().fallback(proxy).with_state(forward);
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Recorder { url, log, task }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// What went through so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }

    /// The exchanges as JSON lines (the judge's input).
    pub fn write_jsonl(&self, path: &std::path::Path) {
        let text: String = self
            .exchanges()
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        std::fs::write(path, text).expect("write the recording");
    }
}

/// Headers that belong to one connection, not to the message.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection" | "keep-alive" | "transfer-encoding" | "upgrade" | "content-length" | "host"
    )
}

async fn proxy(State(forward): State<Forward>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let target = match parts.uri.query() {
        Some(q) => format!("{}{path}?{q}", forward.upstream),
        None => format!("{}{path}", forward.upstream),
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &parts.headers {
        if !hop_by_hop(name) {
            headers.append(name.clone(), value.clone());
        }
    }
    let sent = forward
        .client
        .request(parts.method.clone(), &target)
        .headers(headers)
        .body(body.clone())
        .send()
        .await;
    let mut exchange = Exchange {
        method: parts.method.to_string(),
        path,
        query,
        request_body: String::from_utf8_lossy(&body).into_owned(),
        status: 0,
        response_body: String::new(),
    };
    let response = match sent {
        Ok(answer) => {
            let status = answer.status();
            let answer_headers = answer.headers().clone();
            let bytes: Bytes = answer.bytes().await.unwrap_or_default();
            exchange.status = status.as_u16();
            exchange.response_body = String::from_utf8_lossy(&bytes).into_owned();
            let mut response = Response::builder().status(status);
            for (name, value) in &answer_headers {
                if !hop_by_hop(name) {
                    response = response.header(name, value);
                }
            }
            response.body(Body::from(bytes)).unwrap()
        }
        Err(_) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::empty())
            .unwrap(),
    };
    forward.log.lock().unwrap().push(exchange);
    response
}
