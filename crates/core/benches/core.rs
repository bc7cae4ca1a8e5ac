//! Criterion benchmarks of what the app adds on top of the ZITADEL round trip (the figures of
//! docs/PERFORMANCE.md):
//!
//! - `qr/*`: encode a 180-character registration link and render it as the app does — SVG
//!   for the screen, a 1024 px PNG for save/print, Unicode text for the terminal — through
//!   `passkey_desk_core::qr::Qr` (the `qrcode` crate's encoder, renderings of its own);
//!   `qr/encode_180` is the encoding alone. Side by side: `qr/qrcode_svg_180`, the same code
//!   through `qrcode`'s own SVG renderer. Each code is decoded with `rqrr` before it is
//!   measured.
//! - `parse/search_50_users`: a 50-user `ListUsers` answer, as zitadel-sim sends it, parsed
//!   and converted as `ZitadelClient::list_users` does.
//! - `link/origin_check`: `LinkPolicy::check` on an accepted link.
//!
//! `cargo bench -p passkey-desk-core`; criterion writes
//! `$CARGO_TARGET_DIR/criterion/<group>/<bench>/new/estimates.json`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use passkey_desk_core::bench_support::parse_user_search;
use passkey_desk_core::link::LinkPolicy;
use passkey_desk_core::qr::Qr;
use qrcode::render::svg;
use url::Url;

/// The instance origin of the benchmark link: 52 characters, so that the link is 180.
const ORIGIN: &str = "https://enrollment-desk.passkeys.eu1.example-corp.ch";

/// A Login UI v1 registration link as ZITADEL builds it (zitadel-api.md §3 and §6):
/// 18-digit user, org and code ids, a 12-character code; 180 characters in all.
fn link_180() -> String {
    let link = format!(
        "{ORIGIN}/ui/login/login/passwordless/init?userID=218934567890123456\
         &orgID=218934560000000001&codeID=218999999999999999&code=kFfsO8OizZPS"
    );
    assert_eq!(link.len(), 180, "{link}");
    link
}

fn qr(c: &mut Criterion) {
    let link = link_180();
    check_encoders(&link);
    let mut group = c.benchmark_group("qr");
    group.bench_function("encode_180", |b| {
        b.iter(|| Qr::new(black_box(&link)).unwrap())
    });
    group.bench_function("svg_180", |b| {
        b.iter(|| Qr::new(black_box(&link)).unwrap().svg())
    });
    group.bench_function("png_1024_180", |b| {
        b.iter(|| Qr::new(black_box(&link)).unwrap().png(1024).unwrap())
    });
    group.bench_function("terminal_180", |b| {
        b.iter(|| Qr::new(black_box(&link)).unwrap().terminal())
    });
    group.bench_function("qrcode_svg_180", |b| {
        b.iter(|| qrcode_svg(&qrcode_code(black_box(&link))))
    });
    group.finish();
}

/// `qrcode` with the app's error correction level (M).
fn qrcode_code(link: &str) -> qrcode::QrCode {
    qrcode::QrCode::with_error_correction_level(link.as_bytes(), qrcode::EcLevel::M).unwrap()
}

/// `qrcode`'s own SVG renderer, the prolog and size cut as the webview would need.
fn qrcode_svg(code: &qrcode::QrCode) -> String {
    let image = code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .module_dimensions(1, 1)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    let side = code.width() + 8;
    let start = image.find("<svg").unwrap_or(0);
    image[start..].replacen(
        &format!(r#" width="{side}" height="{side}""#),
        r#" role="img" aria-label="QR code""#,
        1,
    )
}

/// Every encoder measured must hold the link: draw its modules (with a quiet zone) and
/// decode them with `rqrr`. Also prints the size of each SVG, which the webview parses.
fn check_encoders(link: &str) {
    let app = Qr::new(link).unwrap();
    let modules = app.modules();
    assert_eq!(decode(app.width(), |x, y| modules[y][x]), link, "Qr");
    let old = qrcode_code(link);
    let colors = old.to_colors();
    let width = old.width();
    assert_eq!(
        decode(width, |x, y| colors[y * width + x] == qrcode::Color::Dark),
        link,
        "qrcode"
    );
    eprintln!(
        "SVG of the 180-character link: Qr::svg {} bytes, qrcode's renderer {} bytes; \
         {} modules a side",
        app.svg().len(),
        qrcode_svg(&old).len(),
        app.width()
    );
}

/// What `rqrr` reads from a `width`-module code (`dark(x, y)`), 8 px a module, quiet zone 4.
fn decode(width: usize, dark: impl Fn(usize, usize) -> bool) -> String {
    let (scale, quiet) = (8, 4);
    let pixels = ((width + 2 * quiet) * scale) as u32;
    let image = image::GrayImage::from_fn(pixels, pixels, |x, y| {
        let (mx, my) = (x as usize / scale, y as usize / scale);
        let inner = quiet..quiet + width;
        let is_dark = inner.contains(&mx) && inner.contains(&my) && dark(mx - quiet, my - quiet);
        image::Luma([if is_dark { 0 } else { 255 }])
    });
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("the code decodes").1
}

fn parse(c: &mut Criterion) {
    let body = search_answer_50();
    let page = parse_user_search(&body).expect("the simulator's answer parses");
    assert_eq!(page.users.len(), 50);
    assert!(page.total > 50, "the answer is one page of more");
    let mut group = c.benchmark_group("parse");
    group.throughput(criterion::Throughput::Bytes(body.len() as u64));
    group.bench_function("search_50_users", |b| {
        b.iter(|| parse_user_search(black_box(&body)).unwrap())
    });
    group.finish();
}

/// The bytes of a 50-user `ListUsers` answer exactly as zitadel-sim sends them: a simulator
/// with 500 generated users in ACME, asked the app's search-as-you-type query (humans whose
/// user name, email or display name contain "a", 50 per page, by display name).
fn search_answer_50() -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sim = zitadel_sim::Sim::start(zitadel_sim::SimConfig {
            extra_users: Some((zitadel_sim::seed::ACME_ORG_ID.to_owned(), 500)),
            ..zitadel_sim::SimConfig::default()
        })
        .await
        .expect("the simulator starts");
        let admin = sim.demo().admin(zitadel_sim::seed::ADMIN_IAM_OWNER);
        let contains = |query: &str, field: &str| {
            serde_json::json!({ query: { field: "a", "method": "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE" } })
        };
        let body = serde_json::json!({
            "query": {"offset": "0", "limit": 50, "asc": true},
            "sortingColumn": "USER_FIELD_NAME_DISPLAY_NAME",
            "queries": [
                {"typeQuery": {"type": "TYPE_HUMAN"}},
                {"orQuery": {"queries": [
                    contains("userNameQuery", "userName"),
                    contains("emailQuery", "emailAddress"),
                    contains("displayNameQuery", "displayName"),
                ]}},
            ],
        });
        let response = reqwest::Client::new()
            .post(format!("{}/management/v1/users/_search", sim.url()))
            .bearer_auth(&admin.pat)
            .header("x-zitadel-orgid", zitadel_sim::seed::ACME_ORG_ID)
            .json(&body)
            .send()
            .await
            .expect("the simulator answers");
        assert!(response.status().is_success(), "{}", response.status());
        let bytes = response.bytes().await.expect("a body").to_vec();
        sim.shutdown().await;
        bytes
    })
}

fn link(c: &mut Criterion) {
    let link = link_180();
    let policy = LinkPolicy::new(&Url::parse(ORIGIN).unwrap(), None);
    policy
        .check(&link)
        .expect("the link points to the instance");
    let mut group = c.benchmark_group("link");
    group.bench_function("origin_check", |b| {
        b.iter(|| policy.check(black_box(&link)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, qr, parse, link);
criterion_main!(benches);
