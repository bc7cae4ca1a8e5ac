//! QR codes for registration links: SVG for screens, PNG for files and printing, Unicode
//! half blocks for terminals. Always with the four-module quiet zone scanners need.
//!
//! Encoded with `qrcode` (about 1.6 ms for a 180-character link — far below a frame at 60 Hz,
//! so no person notices: `cargo bench -p passkey-desk-core`, group `qr`); the three renderings
//! are drawn here from the module matrix, so they always show the same code.

use std::io::Cursor;

use image::{GrayImage, ImageFormat};
use qrcode::{Color, EcLevel, QrCode};

use crate::error::{Error, Result};

/// Modules of quiet zone on each side, as the QR standard asks.
const QUIET_ZONE: usize = 4;

/// A QR code of one text. Encode once, render as often as needed.
pub struct Qr {
    /// Modules per side, without the quiet zone.
    width: usize,
    /// `width * width` modules row by row, `true` = dark.
    dark: Vec<bool>,
}

/// Error-correction level. `M` (15 %) is the default: small enough for long links, robust
/// enough for a phone camera pointed at a monitor.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ecc {
    L,
    #[default]
    M,
    Q,
    H,
}

impl Qr {
    pub fn new(text: &str) -> Result<Qr> {
        Qr::with_ecc(text, Ecc::default())
    }

    pub fn with_ecc(text: &str, ecc: Ecc) -> Result<Qr> {
        let level = match ecc {
            Ecc::L => EcLevel::L,
            Ecc::M => EcLevel::M,
            Ecc::Q => EcLevel::Q,
            Ecc::H => EcLevel::H,
        };
        let code = QrCode::with_error_correction_level(text.as_bytes(), level)
            .map_err(|e| Error::InvalidInput(format!("cannot encode a QR code: {e}")))?;
        let width = code.width();
        let dark = code
            .to_colors()
            .into_iter()
            .map(|c| c == Color::Dark)
            .collect();
        Ok(Qr { width, dark })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Modules per side with the quiet zone.
    fn side(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at `(x, y)` is dark, counted with the quiet zone (which is light).
    fn is_dark(&self, x: usize, y: usize) -> bool {
        let inner = QUIET_ZONE..QUIET_ZONE + self.width;
        inner.contains(&x)
            && inner.contains(&y)
            && self.dark[(y - QUIET_ZONE) * self.width + (x - QUIET_ZONE)]
    }

    /// A scalable SVG (a `viewBox` in modules, no fixed size, crisp edges), black on white:
    /// one path with a rectangle per horizontal run of dark modules. No XML prolog (it is
    /// inlined into HTML) and no fixed pixel size, so the code fills whatever box the screen
    /// gives it.
    pub fn svg(&self) -> String {
        use std::fmt::Write;
        let side = self.side();
        let mut svg = String::with_capacity(256 + 12 * self.width * self.width / 4);
        let _ = write!(
            svg,
            r##"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="0 0 {side} {side}" shape-rendering="crispEdges" role="img" aria-label="QR code"><path fill="#ffffff" d="M0 0h{side}v{side}H0z"/><path fill="#000000" d=""##
        );
        for (row, modules) in self.dark.chunks_exact(self.width).enumerate() {
            let y = row + QUIET_ZONE;
            let mut x = 0;
            while x < self.width {
                if !modules[x] {
                    x += 1;
                    continue;
                }
                let run = modules[x..].iter().take_while(|&&d| d).count();
                // M{x} {y}h{run}v1h-{run}z, without the formatting machinery (about 700
                // runs in a 180-character link).
                svg.push('M');
                push_number(&mut svg, x + QUIET_ZONE);
                svg.push(' ');
                push_number(&mut svg, y);
                svg.push('h');
                push_number(&mut svg, run);
                svg.push_str("v1h-");
                push_number(&mut svg, run);
                svg.push('z');
                x += run;
            }
        }
        svg.push_str(r#""/></svg>"#);
        svg
    }

    /// A PNG of exactly `size` × `size` pixels, the code centred, each module a whole number
    /// of pixels (no blurry scaling). `size` must leave at least one pixel per module.
    pub fn png(&self, size: u32) -> Result<Vec<u8>> {
        let side = self.side() as u32;
        if size < side {
            return Err(Error::InvalidInput(format!(
                "a PNG of this QR code needs at least {side} px, not {size}"
            )));
        }
        let module = (size / side) as usize;
        let offset = (size as usize - module * side as usize) / 2;
        let size_px = size as usize;
        let mut pixels = vec![255u8; size_px * size_px];
        let mut row = vec![255u8; size_px];
        for y in 0..self.side() {
            // One pixel row of this module row, copied `module` times.
            row.fill(255);
            for x in 0..self.side() {
                if self.is_dark(x, y) {
                    let start = offset + x * module;
                    row[start..start + module].fill(0);
                }
            }
            let top = offset + y * module;
            for line in pixels[top * size_px..(top + module) * size_px].chunks_exact_mut(size_px) {
                line.copy_from_slice(&row);
            }
        }
        let canvas = GrayImage::from_raw(size, size, pixels).expect("size × size pixels");
        let mut png = Vec::new();
        canvas
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| Error::io("write the PNG", e))?;
        Ok(png)
    }

    /// Unicode half blocks, two modules per character cell, for a terminal with a dark
    /// background: light modules are drawn, dark ones left as the background.
    pub fn terminal(&self) -> String {
        const CELLS: [char; 4] = [' ', '\u{2584}', '\u{2580}', '\u{2588}'];
        let side = self.side();
        let mut text = String::with_capacity(side.div_ceil(2) * (side * 3 + 1));
        for top in (0..side).step_by(2) {
            if top > 0 {
                text.push('\n');
            }
            for x in 0..side {
                let upper = !self.is_dark(x, top);
                // An odd last row has no lower half: left as the background.
                let lower = top + 1 < side && !self.is_dark(x, top + 1);
                text.push(CELLS[usize::from(upper) * 2 + usize::from(lower)]);
            }
        }
        text
    }

    /// The modules as rows of booleans (`true` = dark), without the quiet zone.
    pub fn modules(&self) -> Vec<Vec<bool>> {
        self.dark
            .chunks_exact(self.width)
            .map(<[bool]>::to_vec)
            .collect()
    }
}

/// Appends `n` in decimal.
fn push_number(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LINK: &str = "http://127.0.0.1:8080/ui/login/login/passwordless/init?userID=320000000000000001&orgID=300000000000000001&codeID=340000000000000001&code=AbCdEfGh1234";

    /// A Login UI v1 link of 180 characters, the size the benchmarks use.
    const LINK_180: &str = "https://enrollment-desk.passkeys.eu1.example-corp.ch/ui/login/login/passwordless/init?userID=218934567890123456&orgID=218934560000000001&codeID=218999999999999999&code=kFfsO8OizZPS";

    /// What a scanner reads from these modules (with the quiet zone, `scale` px a module).
    fn decode(modules: &[Vec<bool>], scale: u32) -> String {
        let side = modules.len() as u32;
        let image = image::GrayImage::from_fn(side * scale, side * scale, |x, y| {
            let dark = modules[(y / scale) as usize][(x / scale) as usize];
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code");
        grids[0].decode().expect("the code decodes").1
    }

    /// The modules with the quiet zone around them.
    fn with_quiet_zone(qr: &Qr) -> Vec<Vec<bool>> {
        let side = qr.width() + 2 * QUIET_ZONE;
        let mut out = vec![vec![false; side]; side];
        for (y, row) in qr.modules().into_iter().enumerate() {
            out[y + QUIET_ZONE][QUIET_ZONE..QUIET_ZONE + row.len()].copy_from_slice(&row);
        }
        out
    }

    /// The dark modules the SVG's black path paints (`M{x} {y}h{w}v1h-{w}z` runs), on a
    /// grid as large as its viewBox.
    fn svg_modules(svg: &str) -> Vec<Vec<bool>> {
        let view_box = svg.split(r#"viewBox="0 0 "#).nth(1).unwrap();
        let side: usize = view_box.split(' ').next().unwrap().parse().unwrap();
        let mut grid = vec![vec![false; side]; side];
        let path = svg
            .split(r##"<path fill="#000000" d=""##)
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for run in path.split('M').filter(|r| !r.is_empty()) {
            let run = run.strip_suffix('z').unwrap();
            let (xy, rest) = run.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let (w, back) = rest.split_once("v1h-").unwrap();
            assert_eq!(w, back, "{run}");
            for cell in &mut grid[y][x..x + w.parse::<usize>().unwrap()] {
                assert!(!*cell, "painted twice");
                *cell = true;
            }
        }
        grid
    }

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 10, 53, 177, 185, 1000, usize::MAX] {
            let mut out = String::from("x");
            push_number(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn svg_decodes_to_exactly_the_link() {
        for link in [LINK, LINK_180] {
            let qr = Qr::new(link).unwrap();
            let painted = svg_modules(&qr.svg());
            assert_eq!(painted, with_quiet_zone(&qr));
            assert_eq!(decode(&painted, 4), link);
        }
    }

    #[test]
    fn every_level_holds_the_180_character_link() {
        assert_eq!(LINK_180.len(), 180);
        for ecc in [Ecc::L, Ecc::M, Ecc::Q, Ecc::H] {
            let qr = Qr::with_ecc(LINK_180, ecc).unwrap();
            assert_eq!(decode(&with_quiet_zone(&qr), 4), LINK_180, "{ecc:?}");
        }
        // Level M: version 9, 53 modules a side.
        assert_eq!(Qr::new(LINK_180).unwrap().width(), 53);
    }

    #[test]
    fn a_text_too_long_for_any_qr_code_is_an_input_error() {
        let e = Qr::new(&"x".repeat(3000)).err().unwrap();
        assert_eq!(e.code(), "invalid_input");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever the text (links, other ASCII, any Unicode, empty), a scanner reads
        /// exactly that text back.
        #[test]
        fn any_text_decodes_back(text in prop_oneof![
            "https://[a-z]{3,20}\\.example\\.com/ui/login/login/passwordless/init\\?userID=[0-9]{18}&orgID=[0-9]{18}&codeID=[0-9]{18}&code=[A-Za-z0-9]{12}",
            "[ -~]{0,200}",
            "\\PC{0,60}",
            "[0-9]{1,300}",
            "[0-9A-Z $%*+./:-]{1,300}",
        ]) {
            let qr = Qr::new(&text).unwrap();
            prop_assert_eq!(decode(&svg_modules(&qr.svg()), 3), text);
        }
    }

    #[test]
    fn png_decodes_to_exactly_the_link() {
        let qr = Qr::new(LINK).unwrap();
        for size in [256, 512, 1024] {
            let png = qr.png(size).unwrap();
            let img = image::load_from_memory(&png).unwrap().to_luma8();
            assert_eq!((img.width(), img.height()), (size, size));
            let mut prepared = rqrr::PreparedImage::prepare(img);
            let grids = prepared.detect_grids();
            assert_eq!(grids.len(), 1, "size {size}");
            let (_, content) = grids[0].decode().unwrap();
            assert_eq!(content, LINK);
        }
    }

    #[test]
    fn png_refuses_a_size_too_small_for_the_modules() {
        let qr = Qr::new(LINK).unwrap();
        assert_eq!(qr.png(20).unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn svg_scales_and_has_a_quiet_zone() {
        let qr = Qr::new(LINK).unwrap();
        let svg = qr.svg();
        let side = qr.width() + 8;
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        let open_tag = &svg[..svg.find('>').unwrap()];
        assert!(
            !open_tag.contains("width="),
            "a fixed size would stop it from scaling: {open_tag}"
        );
        assert!(svg.contains(r#"shape-rendering="crispEdges""#));
    }

    #[test]
    fn terminal_text_holds_the_same_modules() {
        let qr = Qr::new(LINK).unwrap();
        let text = qr.terminal();
        let side = qr.width() + 8;
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        assert_eq!(lines.len(), side.div_ceil(2));
        // Decode the half blocks back into dark/light modules (dark = not drawn).
        let mut modules = vec![vec![false; side]; side];
        for (row, line) in lines.iter().enumerate() {
            assert_eq!(line.len(), side);
            for (x, ch) in line.iter().enumerate() {
                let (upper_light, lower_light) = match ch {
                    '█' => (true, true),
                    '▀' => (true, false),
                    '▄' => (false, true),
                    ' ' => (false, false),
                    other => panic!("unexpected character {other:?}"),
                };
                modules[2 * row][x] = !upper_light;
                if 2 * row + 1 < side {
                    modules[2 * row + 1][x] = !lower_light;
                }
            }
        }
        let inner: Vec<Vec<bool>> = modules[4..side - 4]
            .iter()
            .map(|r| r[4..side - 4].to_vec())
            .collect();
        assert_eq!(inner, qr.modules());
        assert!(modules[0].iter().all(|dark| !dark), "quiet zone");
    }
}
