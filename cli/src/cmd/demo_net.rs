//! The demo's devices on a real network: each person's home runs its node
//! of the community's blocklace over libp2p on loopback, in this process
//! (one task per device, the same `ledger::net::Peer` that
//! `grassroots serve` runs). The founders are the first participants;
//! every member admitted later becomes one at the next epoch, which each
//! node enters by itself when the admission is final. Until then a
//! member's device syncs and submits its statements to a participant;
//! ballots go from a fresh network identity each.

use super::demo::Person;
use anyhow::Context;
use community::Record;
use ledger::net::{Multiaddr, NetConfig, NetEvent};
use ledger::{CommunityId, Statement};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The running nodes.
pub struct Network {
    rt: tokio::runtime::Runtime,
    stop: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<()>>>,
    /// Every node's listening address, in the order of `people`.
    addrs: Vec<Multiaddr>,
    /// Whether each node participates in its current epoch.
    participating: Vec<Arc<AtomicBool>>,
    /// Each node's current epoch.
    epochs: Vec<Arc<AtomicU64>>,
}

impl Network {
    /// Start every person's node; each dials the nodes started before it.
    pub fn start(people: &[Person], community: &CommunityId) -> anyhow::Result<Network> {
        let rt = super::serve::runtime()?;
        let (stop, watch) = tokio::sync::watch::channel(false);
        let mut tasks = Vec::new();
        let mut participants = Vec::new();
        let (mut participating, mut epochs) = (Vec::new(), Vec::new());
        for p in people {
            let store = p.home.store()?;
            let config = NetConfig {
                listen: vec!["/ip4/127.0.0.1/tcp/0".parse()?],
                peers: participants.clone(),
                mdns: false,
                ..NetConfig::default()
            };
            let seed = p.key.seed();
            let (tx, rx) = std::sync::mpsc::channel();
            let mut watch = watch.clone();
            let community = *community;
            let (part, epoch) = (
                Arc::new(AtomicBool::new(false)),
                Arc::new(AtomicU64::new(0)),
            );
            participating.push(part.clone());
            epochs.push(epoch.clone());
            tasks.push(rt.spawn(async move {
                let mut peer = super::serve::start_peer(store, community, &seed, config)?;
                part.store(peer.is_participant(), Ordering::SeqCst);
                epoch.store(peer.epoch(), Ordering::SeqCst);
                let stop = async move {
                    let _ = watch.wait_for(|s| *s).await;
                };
                peer.run(stop, |e| match e {
                    NetEvent::Listening(a) => {
                        let _ = tx.send(a);
                    }
                    NetEvent::EpochChanged {
                        epoch: e,
                        participant,
                        ..
                    } => {
                        part.store(participant, Ordering::SeqCst);
                        epoch.store(e, Ordering::SeqCst);
                    }
                    _ => {}
                })
                .await?;
                Ok(())
            }));
            let addr = rx
                .recv_timeout(Duration::from_secs(20))
                .context("a demo node did not start listening")?;
            // every later node dials it: members who become participants
            // in a later epoch are connected already
            participants.push(addr);
        }
        Ok(Network {
            rt,
            stop,
            participating,
            epochs,
            tasks,
            addrs: participants,
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

    /// Each node's current epoch and whether it participates in it.
    fn epochs(&self) -> Vec<(u64, bool)> {
        self.epochs
            .iter()
            .zip(&self.participating)
            .map(|(e, p)| (e.load(Ordering::SeqCst), p.load(Ordering::SeqCst)))
            .collect()
    }

    /// Wait until every node follows the same epoch and exactly
    /// `expected` of them participate in it; returns the epoch and which
    /// nodes (by index) participate.
    pub fn settle_epoch(&self, expected: usize) -> anyhow::Result<(u64, Vec<usize>)> {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let now = self.epochs();
            let same = now.iter().all(|(e, _)| *e == now[0].0);
            let who: Vec<usize> = (0..now.len()).filter(|&i| now[i].1).collect();
            if same && who.len() == expected {
                return Ok((now[0].0, who));
            }
            if Instant::now() > until {
                anyhow::bail!(
                    "the nodes did not reach the same epoch with {expected} participants \
                     within 30 s (epoch, participating): {now:?}"
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Hand `ballot` to participant `to` (by index among the nodes that
    /// participate now) from a fresh network identity.
    pub fn submit_ballot(
        &self,
        community: &CommunityId,
        to: usize,
        ballot: &Statement,
    ) -> anyhow::Result<()> {
        let now: Vec<&Multiaddr> = self
            .addrs
            .iter()
            .zip(&self.participating)
            .filter(|(_, p)| p.load(Ordering::SeqCst))
            .map(|(a, _)| a)
            .collect();
        let addr = now[to % now.len().max(1)].clone();
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
