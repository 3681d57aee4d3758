//! `grassroots web`: the members' app (the `web` crate) served by this
//! device, in a browser on this machine by default.

use crate::cmd::serve::runtime;
use crate::ctx::Ctx;
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

/// Serve the members' app: pages to unlock your key, read your community,
/// vote in the booth and find your ballot on the public list.
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (a loopback address unless --public).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    #[command(flatten)]
    options: WebOptions,
    /// Community id or unique prefix; the only one if omitted.
    #[arg(long)]
    community: Option<String>,
    /// Stop after this many seconds (default: run until interrupted).
    #[arg(long)]
    seconds: Option<u64>,
}

/// Options shared by `grassroots web` and `grassroots serve --web`.
#[derive(clap::Args)]
pub struct WebOptions {
    /// Allow an address other machines can reach (prints what it exposes).
    #[arg(long)]
    public: bool,
    /// Minutes a session lasts after unlocking.
    #[arg(long, default_value_t = 30)]
    session_minutes: u64,
}

/// Bind the members' app on `addr` and say where it is.
pub(crate) async fn start(
    ctx: &Ctx,
    addr: SocketAddr,
    options: &WebOptions,
    community: Option<String>,
) -> anyhow::Result<web::Server> {
    let config = web::Config {
        community,
        public: options.public,
        session_ttl: Duration::from_secs(options.session_minutes.max(1) * 60),
        ..web::Config::new(ctx.home.clone(), addr)
    };
    let server = web::Server::bind(config).await?;
    if !server.addr().ip().is_loopback() {
        ctx.note(&web::exposure(server.addr()));
    }
    let url = format!("http://{}/", server.addr());
    ctx.emit(&json!({ "web": url }), || {
        format!("The members' app: {url} (unlock with your passphrase)")
    })?;
    Ok(server)
}

pub fn run(args: Args, ctx: &Ctx) -> anyhow::Result<()> {
    runtime()?.block_on(async move {
        let server = start(ctx, args.addr, &args.options, args.community).await?;
        let stop = async move {
            match args.seconds {
                Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        };
        tokio::select! {
            served = server.run() => served?,
            () = stop => {}
        }
        Ok(())
    })
}
