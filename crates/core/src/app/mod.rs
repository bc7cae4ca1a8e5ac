//! The desktop app's behaviour, written against a small [`Host`] so it runs (and is tested)
//! without a window: the Tauri commands are one-line adapters over [`DeskApp`].

mod views;

pub use views::*;
