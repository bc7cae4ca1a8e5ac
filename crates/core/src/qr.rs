//! QR codes for registration links: SVG for screens, PNG for files and printing, Unicode
//! half blocks for terminals. Always with the four-module quiet zone scanners need.

use std::io::Cursor;

use image::{ImageFormat, Luma};
use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};

use crate::error::{Error, Result};

/// Modules of quiet zone on each side, as the QR standard asks.
const QUIET_ZONE: u32 = 4;

/// A QR code of one text. Encode once, render as often as needed.
pub struct Qr {
    code: QrCode,
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
            .map_err(|e| Error::Input(format!("cannot encode a QR code: {e}")))?;
        Ok(Qr { code })
    }

    /// Modules per side, without the quiet zone.
    pub fn width(&self) -> usize {
        self.code.width()
    }

    /// A scalable SVG (a `viewBox` in modules, no fixed size, crisp edges), black on white.
    pub fn svg(&self) -> String {
        let image = self
            .code
            .render::<svg::Color<'_>>()
            .quiet_zone(true)
            .module_dimensions(1, 1)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build();
        // Drop the XML prolog (the SVG is inlined into HTML) and the fixed pixel size, so the
        // code fills whatever box the screen gives it.
        let side = self.width() as u32 + 2 * QUIET_ZONE;
        let start = image.find("<svg").unwrap_or(0);
        image[start..].replacen(
            &format!(r#" width="{side}" height="{side}""#),
            r#" role="img" aria-label="QR code""#,
            1,
        )
    }

    /// A PNG of exactly `size` × `size` pixels, the code centred, each module a whole number
    /// of pixels (no blurry scaling). `size` must leave at least one pixel per module.
    pub fn png(&self, size: u32) -> Result<Vec<u8>> {
        let side = self.width() as u32 + 2 * QUIET_ZONE;
        if size < side {
            return Err(Error::Input(format!(
                "a PNG of this QR code needs at least {side} px, not {size}"
            )));
        }
        let module = size / side;
        let code = self
            .code
            .render::<Luma<u8>>()
            .quiet_zone(true)
            .module_dimensions(module, module)
            .build();
        let mut canvas = image::GrayImage::from_pixel(size, size, Luma([255]));
        let offset = i64::from((size - code.width()) / 2);
        image::imageops::overlay(&mut canvas, &code, offset, offset);
        let mut png = Vec::new();
        canvas
            .write_to(&mut Cursor::new(&mut png), ImageFormat::Png)
            .map_err(|e| Error::Input(format!("cannot write the PNG: {e}")))?;
        Ok(png)
    }

    /// Unicode half blocks, two modules per character cell, for a terminal with a dark
    /// background: light modules are drawn, dark ones left as the background.
    pub fn terminal(&self) -> String {
        self.code
            .render::<unicode::Dense1x2>()
            .quiet_zone(true)
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .build()
    }

    /// The modules as rows of booleans (`true` = dark), without the quiet zone.
    pub fn modules(&self) -> Vec<Vec<bool>> {
        let w = self.width();
        self.code
            .to_colors()
            .chunks(w)
            .map(|row| row.iter().map(|c| *c == qrcode::Color::Dark).collect())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINK: &str = "http://127.0.0.1:8080/ui/login/login/passwordless/init?userID=320000000000000001&orgID=300000000000000001&codeID=340000000000000001&code=AbCdEfGh1234";

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
        assert_eq!(qr.png(20).unwrap_err().code(), "input");
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
