//! The demo's devices on a real network: each person's home runs its node
//! of the community's blocklace over libp2p on loopback, in this process
//! (one task per device, the same `ledger::net::Peer` that
//! `grassroots serve` runs). The founders are the participants; the other
//! members' devices sync and submit their statements to a participant;
//! ballots go from a fresh network identity each.

use super::demo::Person;
use anyhow::Context;
use community::Record;
use ledger::blocklace::{founding_participants, Durable, Limits};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{CommunityId, Statement};
use std::time::{Duration, Instant};

/// The running nodes.
pub struct Network {
    rt: tokio::runtime::Runtime,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// The participants' listening addresses, in the order of `people`.
    participants: Vec<Multiaddr>,
}

impl Network {
    /// Start every person's node; each dials the participants started
    /// before it.
    pub fn start(people: &[Person], community: &CommunityId) -> anyhow::Result<Network> {
        let rt = super::serve::runtime()?;
        let (stop, watch) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        let mut participants = Vec::new();
        for p in people {
            let store = p.home.store()?;
            let set = founding_participants(&store, community)?;
            let config = NetConfig {
                listen: vec!["/ip4/127.0.0.1/tcp/0".parse()?],
                peers: participants.clone(),
                mdns: false,
                ..NetConfig::default()
            };
            let durable = Durable::new(store, *community, 0, Limits::default());
            let seed = p.key.seed();
            let (tx, rx) = std::sync::mpsc::channel();
            let mut watch = watch.clone();
            let node = super::serve::node_config();
            let is_participant = set.index_of(p.key.public().as_bytes()).is_some();
            tasks.push(rt.spawn(async move {
                let mut peer = Peer::start(durable, &seed, set, node, config)?;
                let stop = async move {
                    let _ = watch.wait_for(|s| *s).await;
                };
                peer.run(stop, |e| {
                    if let NetEvent::Listening(a) = e {
                        let _ = tx.send(a);
                    }
                })
                .await?;
                Ok(())
            }));
            let addr = rx
                .recv_timeout(Duration::from_secs(20))
                .context("a demo node did not start listening")?;
            if is_participant {
                participants.push(addr);
            }
        }
        Ok(Network {
            rt,
            stop,
            tasks,
            participants,
        })
    }

    /// Wait until every device holds only final statements, at least
    /// `at_least` of them, and all report the same state root; returns
    /// the root and the number of final statements.
    pub fn settle(
        &self,
        people: &[Person],
        community: &CommunityId,
        at_least: usize,
    ) -> anyhow::Result<([u8; 32], usize)> {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let records = people
                .iter()
                .map(|p| Ok(Record::load(&p.home.store()?, community)?))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let done = records.iter().all(|r| {
                r.final_len() == r.statements().len()
                    && r.final_len() >= at_least
                    && r.root() == records[0].root()
            });
            if done {
                return Ok((records[0].root(), records[0].final_len()));
            }
            if Instant::now() > until {
                anyhow::bail!(
                    "the devices did not agree within 60 s (final/held: {:?})",
                    records
                        .iter()
                        .map(|r| (r.final_len(), r.statements().len()))
                        .collect::<Vec<_>>()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Hand `ballot` to participant `to` (by index among the participants)
    /// from a fresh network identity.
    pub fn submit_ballot(
        &self,
        community: &CommunityId,
        to: usize,
        ballot: &Statement,
    ) -> anyhow::Result<()> {
        let addr = self.participants[to % self.participants.len()].clone();
        let report = self.rt.block_on(ledger::net::submit::submit_once(
            community,
            addr,
            std::slice::from_ref(ballot),
            Duration::from_secs(30),
        ))?;
        if report.accepted != 1 {
            anyhow::bail!("a participant refused a ballot: {:?}", report.refused);
        }
        Ok(())
    }

    /// Stop every node and wait for them.
    pub fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        for t in self.tasks {
            self.rt.block_on(t)??;
        }
        Ok(())
    }
}
