//! Sessions: after unlocking, the key stays in the node's memory under a
//! random token that the browser holds in an HttpOnly, SameSite=Strict
//! cookie. Each session has its own token for forms (CSRF).

use axum::http::{header, HeaderMap};
use identity::Keypair;
use rand::RngCore;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "grassroots_session";

struct Session {
    key: Arc<Keypair>,
    csrf: String,
    expires: Instant,
}

/// A request's valid session.
#[derive(Clone)]
pub struct Authed {
    /// The session token (the cookie's value).
    pub token: String,
    /// The unlocked key.
    pub key: Arc<Keypair>,
    /// The session's form token.
    pub csrf: String,
}

impl Authed {
    /// Whether `given` is this session's form token (constant time).
    pub fn csrf_ok(&self, given: &str) -> bool {
        given.len() == self.csrf.len() && bool::from(given.as_bytes().ct_eq(self.csrf.as_bytes()))
    }
}

/// The live sessions.
pub struct Sessions {
    map: Mutex<HashMap<String, Session>>,
    ttl: Duration,
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Sessions {
    /// No sessions; each new one lasts `ttl`.
    pub fn new(ttl: Duration) -> Sessions {
        Sessions {
            map: Mutex::new(HashMap::new()),
            ttl,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Start a session for `key`; the `Set-Cookie` value to send.
    pub fn create(&self, key: Keypair) -> String {
        let token = random_token();
        let session = Session {
            key: Arc::new(key),
            csrf: random_token(),
            expires: Instant::now() + self.ttl,
        };
        self.lock().insert(token.clone(), session);
        format!(
            "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
            self.ttl.as_secs()
        )
    }

    /// The session the request's cookie names, if it is live.
    pub fn get(&self, headers: &HeaderMap) -> Option<Authed> {
        let token = cookie_token(headers)?;
        let mut map = self.lock();
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        map.get(&token).map(|s| Authed {
            token: token.clone(),
            key: s.key.clone(),
            csrf: s.csrf.clone(),
        })
    }

    /// End a session.
    pub fn remove(&self, token: &str) {
        self.lock().remove(token);
    }
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn cookie_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| v.len() == 64 && v.chars().all(|c| c.is_ascii_hexdigit()))
}
