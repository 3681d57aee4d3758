//! Submissions: how a member who is not a participant gets its statements
//! into the record.
//!
//! Only participants make blocks, so a newcomer's surety, a member's note
//! or proposal, and every ballot reach the final order through a
//! participant. A submission is one request on its own protocol,
//! `/grassroots/submit/1/<community>`, carrying a statement batch in the
//! block-payload encoding ([`crate::blocklace::statements`]):
//!
//! ```text
//! request  = count:u16 | (len:u32 | statement bytes) × count
//! response = the lace protocol's response (status, reason), no messages
//! ```
//!
//! A participant takes a submission through its [`Intake`], which, before
//! anything is stored: decodes every statement (decoding *is* signature
//! verification: one bad statement refuses the whole batch, naming it);
//! checks that each belongs to this community; charges its author a token
//! from a per-author bucket ([`SubmitLimits`]) on top of the per-peer
//! limits every request passes; and stores, in one transaction, each
//! statement whose predecessors it holds (the submitter sends
//! predecessors first). The rest are refused with the missing
//! predecessor named. What is stored is then proposed in the
//! participant's next block, like its own statements.
//!
//! What the participant that receives a ballot can still learn is
//! written down in `docs/ledger.md` §12: at least the network address it
//! came from; not the voter's key, since ballots are signed by one-time
//! keys and submitted under a fresh network identity each time
//! ([`submit_once`]).

use super::frame::{self, Response, Status};
use super::limit::Bucket;
use crate::blocklace::statements;
use crate::statement::{CommunityId, Statement, StatementId};
use crate::store::{Store, StoreError};
use std::collections::HashMap;
use std::time::Instant;

/// Limits a participant applies to each statement author's submissions.
#[derive(Debug, Clone, Copy)]
pub struct SubmitLimits {
    /// Statements per second per author, sustained.
    pub per_author_per_sec: f64,
    /// Statements per author allowed in a burst.
    pub per_author_burst: f64,
    /// Most authors tracked at once (the oldest buckets are dropped).
    pub max_authors: usize,
}

impl Default for SubmitLimits {
    fn default() -> Self {
        SubmitLimits {
            per_author_per_sec: 500.0,
            per_author_burst: 2_000.0,
            max_authors: 100_000,
        }
    }
}

/// What became of a submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taken {
    /// Statements stored (or already held): they will be proposed.
    pub accepted: Vec<StatementId>,
    /// Statements refused, with the reason.
    pub refused: Vec<(Option<StatementId>, String)>,
}

impl Taken {
    /// The response to send back.
    pub fn response(&self) -> Response {
        let status = match (self.accepted.is_empty(), self.refused.is_empty()) {
            (_, true) => Status::Accepted,
            (false, false) => Status::Partial,
            (true, false) => Status::Refused,
        };
        let reason = if self.refused.is_empty() {
            String::new()
        } else {
            let details = self
                .refused
                .iter()
                .take(8)
                .map(|(id, why)| match id {
                    Some(id) => format!("statement {}: {why}", id.short()),
                    None => why.clone(),
                })
                .collect::<Vec<_>>()
                .join("; ");
            format!("{} refused: {details}", self.refused.len())
        };
        Response {
            status,
            reason,
            messages: Vec::new(),
        }
    }
}

/// A participant's intake of submitted statements.
pub struct Intake {
    community: CommunityId,
    limits: SubmitLimits,
    authors: HashMap<[u8; 32], Bucket>,
}

impl Intake {
    /// An intake for `community`.
    pub fn new(community: CommunityId, limits: SubmitLimits) -> Self {
        Intake {
            community,
            limits,
            authors: HashMap::new(),
        }
    }

    /// Check a submission and store what passes; see the module docs.
    pub fn take(
        &mut self,
        store: &mut Store,
        request: &[u8],
        now: Instant,
    ) -> Result<Taken, StoreError> {
        let mut taken = Taken::default();
        let batch = match statements::decode(request) {
            Ok(b) => b,
            Err(e) => {
                taken
                    .refused
                    .push((None, format!("submission refused: {e}")));
                return Ok(taken);
            }
        };
        let mut ready: Vec<Statement> = Vec::with_capacity(batch.len());
        for s in batch {
            if s.community() != self.community {
                taken.refused.push((
                    Some(s.id()),
                    format!(
                        "belongs to community {}, not {}",
                        s.community(),
                        self.community
                    ),
                ));
                continue;
            }
            if !self.charge(s.author().as_bytes(), now) {
                taken.refused.push((
                    Some(s.id()),
                    format!(
                        "rate limit for author {} exceeded; submit again later",
                        s.author().fingerprint()
                    ),
                ));
                continue;
            }
            ready.push(s);
        }
        let (stored, skipped) = store.insert_relayed(&ready)?;
        taken.accepted = stored;
        for (id, e) in skipped {
            taken.refused.push((Some(id), e.to_string()));
        }
        Ok(taken)
    }

    fn charge(&mut self, author: &[u8; 32], now: Instant) -> bool {
        if !self.authors.contains_key(author) && self.authors.len() >= self.limits.max_authors {
            self.authors.clear(); // forget everyone rather than grow without bound
        }
        let l = self.limits;
        self.authors
            .entry(*author)
            .or_insert_with(|| Bucket::new(l.per_author_per_sec, l.per_author_burst, now))
            .take(1.0, now)
    }
}

/// Split `statements` into request bodies within the frame and batch limits.
pub fn requests(statements: &[Statement]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut cur: Vec<Statement> = Vec::new();
    let mut size = 2;
    for s in statements {
        let len = 4 + s.bytes().len();
        if !cur.is_empty()
            && (cur.len() == statements::MAX_STATEMENTS || size + len > frame::MAX_FRAME / 2)
        {
            out.push(statements::encode(&cur));
            cur.clear();
            size = 2;
        }
        size += len;
        cur.push(s.clone());
    }
    if !cur.is_empty() {
        out.push(statements::encode(&cur));
    }
    out
}

/// The submission protocol of `community`.
pub fn protocol(community: &CommunityId) -> Result<libp2p::StreamProtocol, super::NetError> {
    libp2p::StreamProtocol::try_from_owned(format!("/grassroots/submit/1/{community}"))
        .map_err(|e| super::NetError::Setup(e.to_string()))
}

/// What a one-shot submission achieved.
#[derive(Debug, Clone, Default)]
pub struct SubmitReport {
    /// Requests sent.
    pub requests: usize,
    /// Statements the participant took.
    pub accepted: usize,
    /// What it refused, with the reasons it gave.
    pub refused: Vec<String>,
}

/// Submit `statements` of `community` to the participant at `addr` from a
/// **fresh network identity** (a random key used for this submission
/// only, then dropped), and wait for its answers. This is how a ballot
/// leaves the voter's device: nothing at the network layer ties it to the
/// voter's key or to the voter's other connections (the participant still
/// sees the network address; `docs/ledger.md` §12).
pub async fn submit_once(
    community: &CommunityId,
    addr: libp2p::Multiaddr,
    statements: &[Statement],
    deadline: std::time::Duration,
) -> Result<SubmitReport, super::NetError> {
    use super::NetError;
    use libp2p::futures::StreamExt;
    use libp2p::request_response::{self, ProtocolSupport};
    use libp2p::swarm::SwarmEvent;
    let setup = |e: &dyn std::fmt::Display| NetError::Setup(e.to_string());
    let proto = protocol(community)?;
    let mut swarm = libp2p::SwarmBuilder::with_new_identity()
        .with_tokio()
        .with_tcp(
            libp2p::tcp::Config::default().nodelay(true),
            libp2p::noise::Config::new,
            libp2p::yamux::Config::default,
        )
        .map_err(|e| setup(&e))?
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                super::LaceCodec::default(),
                [(proto, ProtocolSupport::Outbound)],
                request_response::Config::default().with_request_timeout(deadline),
            )
        })
        .map_err(|e| setup(&e))?
        .build();
    swarm.dial(addr.clone()).map_err(|e| NetError::Dial {
        addr: addr.clone(),
        reason: e.to_string(),
    })?;
    let bodies = requests(statements);
    let mut report = SubmitReport::default();
    let mut waiting: HashMap<request_response::OutboundRequestId, usize> = HashMap::new();
    let limits = crate::blocklace::Limits::default();
    let until = tokio::time::Instant::now() + deadline;
    loop {
        if report.requests == bodies.len() && waiting.is_empty() {
            return Ok(report);
        }
        let ev = tokio::select! {
            _ = tokio::time::sleep_until(until) => return Err(NetError::SyncTimeout(addr)),
            ev = swarm.select_next_some() => ev,
        };
        match ev {
            SwarmEvent::ConnectionEstablished { peer_id, .. } if report.requests == 0 => {
                for body in &bodies {
                    let n = statements::decode(body).map(|b| b.len()).unwrap_or(0);
                    let id = swarm.behaviour_mut().send_request(&peer_id, body.clone());
                    waiting.insert(id, n);
                    report.requests += 1;
                }
            }
            SwarmEvent::OutgoingConnectionError { error, .. } => {
                return Err(NetError::Dial {
                    addr,
                    reason: error.to_string(),
                })
            }
            SwarmEvent::Behaviour(request_response::Event::Message {
                message:
                    request_response::Message::Response {
                        request_id,
                        response,
                    },
                ..
            }) => {
                let n = waiting.remove(&request_id).unwrap_or(0);
                match frame::decode_response(&response, &limits) {
                    Ok(r) => {
                        let refused = match r.status {
                            Status::Accepted => 0,
                            Status::Partial => refused_count(&r.reason).min(n),
                            Status::Refused => n,
                        };
                        report.accepted += n - refused;
                        if !r.reason.is_empty() {
                            report.refused.push(r.reason);
                        }
                    }
                    Err(e) => report.refused.push(format!("response: {e}")),
                }
            }
            SwarmEvent::Behaviour(request_response::Event::OutboundFailure {
                request_id,
                error,
                ..
            }) => {
                waiting.remove(&request_id);
                report.refused.push(format!("submission failed: {error}"));
            }
            _ => {}
        }
    }
}

/// The count a refusal reason starts with ("3 refused: …").
fn refused_count(reason: &str) -> usize {
    reason
        .split_once(" refused")
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or(1)
}
