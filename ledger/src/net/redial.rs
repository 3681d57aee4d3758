//! Keeping the configured peers (`--peer`) dialed.
//!
//! A connection to a named peer can end: the peer's process dies and
//! restarts, or a partition outlives the connection. Nothing else brings
//! it back when mDNS is off, and a device whose only links were to that
//! peer would be cut off for good. So every [`REDIAL`] the driver dials
//! each configured address that has no live connection and no dial in
//! flight; a dial still unanswered after [`STALE`] (a SYN lost in a
//! partition, retried by TCP on its own slow schedule) counts as none.
//! Addresses reached are remembered with the peer id they answered with,
//! so a live connection — in either direction — is not dialed twice.

use libp2p::swarm::dial_opts::DialOpts;
use libp2p::swarm::{ConnectionId, DialError, NetworkBehaviour};
use libp2p::{Multiaddr, PeerId, Swarm};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often configured peers without a connection are dialed again.
pub const REDIAL: Duration = Duration::from_secs(2);

/// How long a dial may stay unanswered before it is tried again.
pub const STALE: Duration = Duration::from_secs(10);

/// The configured addresses, the dials in flight and who answered where.
#[derive(Debug, Default)]
pub(crate) struct Redial {
    addrs: Vec<Multiaddr>,
    pending: HashMap<ConnectionId, (Multiaddr, Instant)>,
    reached: HashMap<Multiaddr, PeerId>,
}

impl Redial {
    /// Keep `addrs` dialed.
    pub fn new(addrs: Vec<Multiaddr>) -> Self {
        Redial {
            addrs,
            ..Default::default()
        }
    }

    /// Dial every configured address with neither a live connection nor
    /// a recent dial in flight. Stops at the first address the swarm
    /// refuses to dial (a malformed one), naming it.
    pub fn dial_missing<B: NetworkBehaviour>(
        &mut self,
        swarm: &mut Swarm<B>,
        now: Instant,
    ) -> Result<(), (Multiaddr, DialError)> {
        self.pending
            .retain(|_, (_, since)| now.duration_since(*since) < STALE);
        for addr in &self.addrs {
            let live = self
                .reached
                .get(addr)
                .is_some_and(|p| swarm.is_connected(p));
            let dialing = self.pending.values().any(|(a, _)| a == addr);
            if live || dialing {
                continue;
            }
            let opts = DialOpts::unknown_peer_id().address(addr.clone()).build();
            let conn = opts.connection_id();
            swarm.dial(opts).map_err(|e| (addr.clone(), e))?;
            self.pending.insert(conn, (addr.clone(), now));
        }
        Ok(())
    }

    /// A connection came up: if it was one of our dials, its address now
    /// reaches `peer`.
    pub fn established(&mut self, conn: ConnectionId, peer: PeerId) {
        if let Some((addr, _)) = self.pending.remove(&conn) {
            self.reached.insert(addr, peer);
        }
    }

    /// A dial failed: the address may be dialed again at the next round.
    pub fn failed(&mut self, conn: ConnectionId) {
        self.pending.remove(&conn);
    }
}
