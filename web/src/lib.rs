//! The members' app: web pages served by a member's own node.
//!
//! Server-rendered HTML (maud) over the `device` crate, on the node's tokio
//! runtime (axum). Every asset is embedded; pages load nothing from
//! elsewhere. Safe by default: every page but the unlock page needs a
//! session (an HttpOnly, SameSite=Strict cookie that expires), every form
//! that changes something carries a token bound to the session, the key
//! stays on the node, and the server binds to a loopback address unless
//! told otherwise. See `docs/app.md`.

mod audit;
mod pages;
mod session;
mod views;
mod vouching;

use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// What to serve and where.
#[derive(Clone, Debug)]
pub struct Config {
    /// The member's home (keystore and statement store).
    pub home: PathBuf,
    /// The community (an id or unique prefix); the only one if `None`.
    pub community: Option<String>,
    /// Where to listen.
    pub addr: SocketAddr,
    /// Allow a non-loopback address (anyone who reaches it can try to unlock).
    pub public: bool,
    /// How long a session lasts after unlocking.
    pub session_ttl: Duration,
}

impl Config {
    /// Serve `home` on `addr` (loopback only), sessions of 30 minutes.
    pub fn new(home: PathBuf, addr: SocketAddr) -> Config {
        Config {
            home,
            community: None,
            addr,
            public: false,
            session_ttl: Duration::from_secs(30 * 60),
        }
    }
}

/// Why the app could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A non-loopback address without `public`.
    #[error(
        "{0} is not a loopback address: serving the members' app to other machines needs --public"
    )]
    NotLoopback(SocketAddr),
    /// The address could not be bound.
    #[error("binding {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server failed.
    #[error("serving the members' app")]
    Serve(#[source] std::io::Error),
    /// The home has no key to unlock, or its store cannot be opened.
    #[error(transparent)]
    Home(#[from] device::HomeError),
}

/// What serving on a non-loopback address exposes, for the front end to show.
pub fn exposure(addr: SocketAddr) -> String {
    format!(
        "The members' app listens on {addr}, beyond this machine: anyone who can reach it sees the unlock page and can try passphrases; after unlocking, the pages show this community's members, decisions and ballot list, and can sign proposals and ballots with your key. Traffic is plain HTTP: use it only on a network you trust."
    )
}

/// The app's routes over the home in `config`.
pub fn router(config: &Config) -> Router {
    let state = pages::AppState::new(config);
    pages::routes(Arc::new(state))
}

/// A bound server, not yet serving.
pub struct Server {
    listener: TcpListener,
    app: Router,
    addr: SocketAddr,
}

impl Server {
    /// Check the home and the address, and bind.
    pub async fn bind(config: Config) -> Result<Server, WebError> {
        if !config.addr.ip().is_loopback() && !config.public {
            return Err(WebError::NotLoopback(config.addr));
        }
        let home = device::Home::new(&config.home);
        home.keystore()?;
        home.store()?;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| WebError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr().map_err(WebError::Serve)?;
        Ok(Server {
            listener,
            app: router(&config),
            addr,
        })
    }

    /// The address bound (with the port chosen, if 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve until the task is dropped or the listener fails.
    pub async fn run(self) -> Result<(), WebError> {
        axum::serve(self.listener, self.app)
            .await
            .map_err(WebError::Serve)
    }
}

/// Bind and serve the members' app.
pub async fn serve(config: Config) -> Result<(), WebError> {
    Server::bind(config).await?.run().await
}
