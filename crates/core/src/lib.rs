//! Passkey Desk core: every decision of the app lives here, with no GUI and no terminal.
//! The desktop shell and the CLI only translate between a person and this crate.

pub mod app;
pub mod audit;
pub mod auth;
#[doc(hidden)]
pub mod bench_support;
pub mod checks;
pub mod client;
pub mod clock;
pub mod config;
pub mod coverage;
pub mod day;
pub mod desk;
pub mod duration;
pub mod error;
pub mod files;
#[doc(hidden)]
pub mod fuzzing;
pub mod kiosk;
pub mod link;
pub mod links;
pub mod model;
pub mod qr;
pub mod queue;
pub mod roster;
pub mod secret;

pub use client::{ClientOptions, ZitadelClient};
pub use desk::Desk;
pub use error::{Error, ErrorCode, ErrorReport, Result};
pub use model::*;
pub use secret::Secret;
