//! The participant set follows the record: in-process nodes over the real
//! libp2p protocol on loopback, with the community's own participant rule
//! (`community::participation`).
//!
//! Three founders start the lace; two newcomers, observers at first,
//! author sureties with members and submit them. Once an admission is
//! final every device closes the epoch at the same cut and moves to the
//! next, in which the newcomers participate; a newcomer's note is then
//! proposed by its own node and becomes final everywhere. A device
//! stopped and restarted resumes in its epoch; a device holding only the
//! genesis syncs through every closed epoch. All end with the same record,
//! the same cuts and the same state root.

use community::participation::ConstitutionalParticipants;
use community::{CommunityState, Record};
use governance::Constitution;
use identity::Keypair;
use ledger::blocklace::{founding_participants, Durable, Limits, NodeConfig};
use ledger::net::{Multiaddr, NetConfig, NetEvent, Peer};
use ledger::{Note, Payload, Statement, Store};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::surety;

type Log = Arc<Mutex<Vec<(Instant, NetEvent)>>>;

fn node_config() -> NodeConfig {
    NodeConfig {
        quiesce: true,
        leader_timeout_ms: 500,
        sync_interval_ms: 1_000,
        ..NodeConfig::default()
    }
}

/// One device: its store file, key, and (while running) its node's task.
struct Device {
    db: PathBuf,
    key: Keypair,
    log: Log,
    addr: Option<Multiaddr>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    task: Option<tokio::task::JoinHandle<Peer>>,
}

impl Device {
    fn new(dir: &Path, i: usize, key: Keypair, genesis: &Statement) -> Device {
        let db = dir.join(format!("d{i}.db"));
        Store::open(&db).unwrap().insert(genesis).unwrap();
        Device {
            db,
            key,
            log: Arc::new(Mutex::new(Vec::new())),
            addr: None,
            stop: None,
            task: None,
        }
    }

    fn peer(&self, genesis: &Statement, peers: Vec<Multiaddr>) -> Peer {
        let store = Store::open(&self.db).unwrap();
        let community = genesis.id();
        let founders = founding_participants(&store, &community).unwrap();
        let config = NetConfig {
            listen: vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()],
            peers,
            mdns: false,
            ..NetConfig::default()
        };
        Peer::start_with_rule(
            Durable::new(store, community, 0, Limits::default()),
            &self.key.seed(),
            founders,
            node_config(),
            config,
            Some(Box::new(ConstitutionalParticipants::new(genesis.clone()))),
        )
        .unwrap()
    }

    /// Start serving; returns once it listens.
    fn start(&mut self, rt: &tokio::runtime::Runtime, genesis: &Statement, peers: Vec<Multiaddr>) {
        let mut peer = {
            let _guard = rt.enter();
            self.peer(genesis, peers)
        };
        let (stop, mut watch) = tokio::sync::watch::channel(false);
        let log = self.log.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        self.task = Some(rt.spawn(async move {
            let stopped = async move {
                let _ = watch.wait_for(|s| *s).await;
            };
            peer.run(stopped, |e| {
                if let NetEvent::Listening(a) = &e {
                    let _ = tx.send(a.clone());
                }
                log.lock().unwrap().push((Instant::now(), e));
            })
            .await
            .unwrap();
            peer
        }));
        self.addr = Some(rx.recv_timeout(Duration::from_secs(20)).unwrap());
        self.stop = Some(stop);
    }

    fn halt(&mut self, rt: &tokio::runtime::Runtime) {
        let _ = self.stop.take().unwrap().send(true);
        drop(rt.block_on(self.task.take().unwrap()).unwrap());
    }

    /// Add a statement to the device's store, as the command line does
    /// while `serve` runs.
    fn say(&self, genesis: &Statement, author: &Keypair, payload: Payload, time: u64) -> Statement {
        let mut store = Store::open(&self.db).unwrap();
        let held = store.statements(&genesis.id()).unwrap();
        let s = ledger::dag::say(author, &genesis.id(), &held, payload, time).unwrap();
        store.insert(&s).unwrap();
        s
    }

    fn record(&self, genesis: &Statement) -> Record {
        Record::load(&Store::open(&self.db).unwrap(), &genesis.id()).unwrap()
    }

    fn epochs(&self, genesis: &Statement) -> Vec<ledger::store::ClosedEpoch> {
        Store::open(&self.db)
            .unwrap()
            .closed_epochs(&genesis.id())
            .unwrap()
    }

    /// The epoch this device's node last entered, when, and whether it
    /// participates in it.
    fn last_epoch(&self) -> Option<(u64, Instant, bool)> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find_map(|(t, e)| match e {
                NetEvent::EpochChanged {
                    epoch, participant, ..
                } => Some((*epoch, *t, *participant)),
                _ => None,
            })
    }

    /// When a statement was reported final here.
    fn final_at(&self, id: &ledger::StatementId) -> Option<Instant> {
        self.log.lock().unwrap().iter().find_map(|(t, e)| match e {
            NetEvent::Final { statements, .. } if statements.contains(id) => Some(*t),
            _ => None,
        })
    }

    /// When the first block of `epoch` was reported final here.
    fn first_final_of(&self, epoch: u64) -> Option<Instant> {
        self.log.lock().unwrap().iter().find_map(|(t, e)| match e {
            NetEvent::Final { epoch: e, .. } if *e == epoch => Some(*t),
            _ => None,
        })
    }
}

fn wait(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < until, "{what}: not within {secs} s");
        std::thread::sleep(Duration::from_millis(25));
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn admissions_move_every_device_to_an_epoch_the_newcomers_run() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<Keypair> = (0..5).map(|_| Keypair::generate()).collect();
    let co: Vec<_> = keys[1..3].iter().map(|k| k.public()).collect();
    let genesis = ledger::dag::found(&keys[0], Constitution::default(), &co, 1).unwrap();
    let mut devices: Vec<Device> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Device::new(dir.path(), i, Keypair::from_seed(&k.seed()), &genesis))
        .collect();
    let mut addrs = Vec::new();
    for d in devices.iter_mut() {
        d.start(&rt, &genesis, addrs.clone());
        addrs.push(d.addr.clone().unwrap());
    }

    // The newcomers start the vouching: dee with ana and ben, eve with
    // ben and cam. Each surety is held only by its author's device, an
    // observer, which submits it to a participant.
    let mut last = Vec::new();
    for (n, m, t) in [(3, 0, 10), (3, 1, 11), (4, 1, 12), (4, 2, 13)] {
        let s = devices[n].say(
            &genesis,
            &keys[n],
            surety(&genesis, &keys[n], &keys[m], t),
            t,
        );
        last.push(s.id());
    }
    wait("all five participate, on every device", 60, || {
        devices.iter().all(|d| {
            d.last_epoch().is_some_and(|(e, _, p)| {
                p && {
                    let r = d.record(&genesis);
                    let st = CommunityState::from_record(&r).unwrap();
                    st.members.len() == 5 && e == devices[0].last_epoch().unwrap().0
                }
            })
        })
    });
    let epoch = devices[0].last_epoch().unwrap().0;
    assert!(epoch >= 1);
    // Every device closed the same epochs at the same cuts, naming the
    // same participants.
    let cuts = devices[0].epochs(&genesis);
    assert_eq!(cuts.len() as u64, epoch);
    assert_eq!(cuts.last().unwrap().next.len(), 5);
    for d in &devices[1..] {
        assert_eq!(d.epochs(&genesis), cuts);
    }
    // How long the last change took: from its admission final on the
    // first device to every device in the epoch, and to the epoch's
    // first block final on every device.
    let admitted = last
        .iter()
        .filter_map(|id| devices.iter().filter_map(|d| d.final_at(id)).min())
        .max()
        .unwrap();
    let entered = devices
        .iter()
        .map(|d| d.last_epoch().unwrap().1)
        .max()
        .unwrap();
    wait("the new epoch orders blocks everywhere", 30, || {
        devices.iter().all(|d| d.first_final_of(epoch).is_some())
    });
    let running = devices
        .iter()
        .map(|d| d.first_final_of(epoch).unwrap())
        .max()
        .unwrap();
    eprintln!(
        "epoch change: every device entered epoch {epoch} {:?} after the admission was final; \
         its first block final everywhere after {:?}",
        entered.saturating_duration_since(admitted),
        running.saturating_duration_since(admitted)
    );

    // dee, a participant now, posts a note: its own node proposes it.
    let note = devices[3].say(
        &genesis,
        &keys[3],
        Payload::Note(Note::new("I can prune").unwrap()),
        20,
    );
    wait("a new participant's note final everywhere", 30, || {
        devices.iter().all(|d| d.final_at(&note.id()).is_some())
    });
    assert!(devices[3]
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|(_, e)| matches!(e, NetEvent::Proposed(id) if *id == note.id())));

    // ben's device stops; eve posts while it is down; ben restarts from
    // its store in the epoch it had reached and catches up.
    devices[1].halt(&rt);
    let eve = devices[4].say(
        &genesis,
        &keys[4],
        Payload::Note(Note::new("ladder").unwrap()),
        21,
    );
    wait("eve's note final on the running devices", 30, || {
        [0, 2, 3, 4]
            .iter()
            .all(|&i| devices[i].final_at(&eve.id()).is_some())
    });
    {
        let _guard = rt.enter();
        let resumed = devices[1].peer(&genesis, Vec::new());
        assert_eq!(
            resumed.epoch(),
            epoch,
            "a restarted device resumes in its epoch"
        );
        assert!(resumed.is_participant());
    }
    let others: Vec<Multiaddr> = [0, 2, 3, 4]
        .iter()
        .map(|&i| devices[i].addr.clone().unwrap())
        .collect();
    devices[1].start(&rt, &genesis, others);
    wait("the restarted device catches up", 30, || {
        devices[1].final_at(&eve.id()).is_some()
    });

    // A device that holds only the genesis syncs through every epoch.
    let late = Device::new(dir.path(), 9, Keypair::generate(), &genesis);
    let report = rt.block_on(async {
        let mut p = late.peer(&genesis, Vec::new());
        let r = p
            .sync_with(
                devices[2].addr.clone().unwrap(),
                Duration::from_secs(30),
                |_| {},
            )
            .await
            .unwrap();
        assert_eq!(
            p.epoch(),
            epoch,
            "the late device reached the current epoch"
        );
        r
    });
    assert!(report.blocks > 0);
    assert_eq!(late.epochs(&genesis), cuts);

    // Everyone holds the same final record and state root.
    wait("same root everywhere", 30, || {
        let roots: Vec<[u8; 32]> = devices.iter().map(|d| d.record(&genesis).root()).collect();
        roots.iter().all(|r| *r == roots[0])
    });
    let root = devices[0].record(&genesis).root();
    let late_record = late.record(&genesis);
    assert!(late_record.is_final(&eve.id()));
    assert_eq!(late_record.root(), root);
    for d in devices.iter_mut() {
        d.halt(&rt);
    }
}
