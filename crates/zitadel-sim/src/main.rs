//! `zitadel-sim`: runs the simulator until Ctrl-C and prints the demo admins' credentials.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;
use zitadel_sim::{seed, Sim, SimConfig};

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
    /// Origin for registration links and the OIDC issuer, e.g. behind a proxy.
    #[arg(long)]
    public_origin: Option<String>,
    /// Lifetime of access tokens from the token endpoint in seconds.
    #[arg(long, default_value_t = 12 * 3600)]
    access_token_lifetime_secs: u64,
    /// Writes desk-bot's JWT-profile key file (JSON, as ZITADEL hands it out) to this path.
    #[arg(long)]
    service_key_file: Option<PathBuf>,
    /// Adds this many generated users to the org of --users-org (searches at scale).
    #[arg(long, default_value_t = 0)]
    users: usize,
    /// The org id --users adds to (default: ACME AG).
    #[arg(long, default_value = seed::ACME_ORG_ID)]
    users_org: String,
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
        access_token_lifetime: Duration::from_secs(args.access_token_lifetime_secs),
        extra_users: (args.users > 0).then(|| (args.users_org.clone(), args.users)),
        ..SimConfig::default()
    };
    let sim = Sim::start_on(SocketAddr::new(args.host, args.port), config).await?;

    // Demo credentials, printed on purpose so a person can sign in with them.
    println!("{}", sim.url());
    let demo = sim.demo();
    for admin in &demo.admins {
        println!("{:<17} {:<32} {}", admin.role, admin.login_name, admin.pat);
    }
    println!(
        "{:<17} {:<32} {}",
        "ORG_OWNER (bot)",
        format!("{}@{}", seed::SERVICE_USER, "acme.example.com"),
        demo.service_pat
    );
    println!("OIDC client id    {}", seed::NATIVE_CLIENT_ID);
    if let Some(path) = &args.service_key_file {
        std::fs::write(path, &demo.service_key_json)?;
        println!("desk-bot key file {}", path.display());
    }

    tokio::signal::ctrl_c().await?;
    sim.shutdown().await;
    Ok(())
}
