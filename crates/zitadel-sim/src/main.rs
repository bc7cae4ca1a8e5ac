//! `zitadel-sim`: runs the simulator until Ctrl-C and prints the demo admins' credentials.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use zitadel_sim::{Sim, SimConfig};

/// A ZITADEL-compatible server with seeded demo data (for Passkey Desk).
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Lifetime of registration codes in seconds.
    #[arg(long, default_value_t = 3600)]
    code_lifetime_secs: u64,
    /// Origin for registration links, e.g. when the sim runs behind a proxy.
    #[arg(long)]
    public_origin: Option<String>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // Logs go to stderr so stdout carries only the URL and the credentials.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    let config = SimConfig {
        code_lifetime: Duration::from_secs(args.code_lifetime_secs),
        public_origin: args.public_origin,
    };
    let sim = Sim::start_on(SocketAddr::new(args.host, args.port), config).await?;

    // Demo credentials, printed on purpose so a person can sign in with them.
    println!("{}", sim.url());
    for admin in &sim.demo().admins {
        println!("{:<17} {:<32} {}", admin.role, admin.login_name, admin.pat);
    }

    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
