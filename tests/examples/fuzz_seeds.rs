//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/`
//! from the project's own encoders: a community founded and vouched for by
//! the fixed fuzzing keys, a whole decision (keys, trustees, deals,
//! reveals, ballots, tally), blocks, wire messages, vouching messages, QR
//! frames and images, a keystore, and small PrefLib, pabulib, profile,
//! constitution, edge and seed files. Each file is named after a short
//! description; rerunning overwrites them (randomised fields change).
//!
//! Run: `cargo run -p tests --example fuzz_seeds`

use attest::Message as VouchMessage;
use ballot::BallotKind;
use community::decision::DecisionState;
use community::vote::{self, Proposal};
use governance::Constitution;
use identity::keystore::{seal, KdfParams};
use identity::Keypair;
use ledger::blocklace::{
    node::Message as NodeMessage, statements, wire, Block, BlockHash, EpochLink, EquivocationProof,
    Limits,
};
use ledger::net::frame::{self, Response, Status};
use ledger::{CommunityId, Draft, Payload, Statement, StatementId};
use rand::rngs::OsRng;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tests::fuzz_checks::{fuzz_block_key, fuzz_keypair, FUZZ_PASSPHRASE, TARGETS};

const T0: u64 = 1_800_000_000;

struct Out {
    root: PathBuf,
}

impl Out {
    /// Write `bytes` as `fuzz/corpus/<target>/<name>` after checking them.
    fn put(&self, target: &str, name: &str, bytes: &[u8]) {
        let check = TARGETS
            .iter()
            .find(|(t, _)| *t == target)
            .map(|(_, c)| c)
            .expect("known target");
        check(bytes);
        let dir = self.root.join(target);
        std::fs::create_dir_all(&dir).expect("corpus dir");
        std::fs::write(dir.join(name), bytes).expect("write seed");
    }

    fn put_sel(&self, target: &str, sel: u8, name: &str, body: &[u8]) {
        let mut v = vec![sel];
        v.extend_from_slice(body);
        self.put(target, name, &v);
    }
}

/// A fixed per-decision trustee secret, so the seeds are reproducible.
fn fixed_trustee_secret(j: usize) -> vote::TrusteeSecret {
    vote::TrusteeSecret::from_bytes(&[0xa0 + j as u8; 32])
}

struct World {
    members: Vec<Keypair>,
    community: CommunityId,
    all: Vec<Statement>,
}

impl World {
    fn new(n: u8) -> World {
        let members: Vec<Keypair> = (0..n).map(fuzz_keypair).collect();
        let co: Vec<_> = members[1..].iter().map(|k| k.public()).collect();
        let g = ledger::dag::found(&members[0], Constitution::default(), &co, T0).unwrap();
        World {
            community: g.id(),
            members,
            all: vec![g],
        }
    }

    fn push(&mut self, s: Statement) -> Statement {
        self.all.push(s.clone());
        s
    }

    fn state(&self, d: &StatementId) -> DecisionState {
        DecisionState::from_statements(&self.community, &self.all, d, &mut OsRng).unwrap()
    }
}

/// A ballot statement re-signed by the last fuzzing key instead of the
/// one-time key, so the fuzzer can re-sign it after mutation.
fn resign_with_fuzz_key(s: &Statement) -> Statement {
    Statement::sign(
        &fuzz_keypair(tests::fuzz_checks::FUZZ_KEYS - 1),
        Draft {
            community: s.community(),
            time: s.time(),
            preds: s.preds().to_vec(),
            payload: s.payload().clone(),
        },
    )
    .unwrap()
}

/// Certificates signed by the fuzzing participants: one statement, three
/// statements, and an epoch change to a new set.
fn certificate_seeds(out: &Out) {
    use federation::{Certificate, Claim};
    use ledger::blocklace::participants::Participants;
    let keys = tests::fuzz_checks::fuzz_participant_keys();
    let set = Participants::new(keys.iter().map(|k| k.verifying_key()).collect()).unwrap();
    let next = Participants::new(
        (5..8u8)
            .map(|i| ed25519_dalek::SigningKey::from_bytes(&[i; 32]).verifying_key())
            .collect(),
    )
    .unwrap();
    let community = StatementId([0xc1; 32]);
    let claim = |ids: Vec<StatementId>, next: Option<Participants>| Claim {
        community,
        epoch: 0,
        first: 1,
        prev_root: community::record::genesis_root(&community),
        ids,
        next,
    };
    let one = vec![StatementId([1; 32])];
    let three = (1..4u8).map(|i| StatementId([i; 32])).collect();
    for (name, claim, signers) in [
        ("statement", claim(one.clone(), None), 3),
        ("three-statements", claim(three, None), 4),
        ("epoch-change", claim(one, Some(next)), 3),
    ] {
        let cp = claim.checkpoint().unwrap();
        let sigs: Vec<_> = keys[..signers]
            .iter()
            .map(|k| (k.verifying_key(), cp.sign(k)))
            .collect();
        let cert = Certificate::assemble(&claim, &set, &sigs).unwrap();
        out.put("certificate", name, &cert.encode());
    }
}

/// An assembly draw (kind 25), its trustees' key generation, a coin
/// share (kind 26) and a resignation (kind 27).
fn assembly_seeds(w: &mut World, seeds: &mut Vec<(String, Statement)>) {
    let trustees = (w.members.iter().map(|k| k.public()).collect(), 2);
    let draw = vote::open_draw(
        &w.members[0],
        &w.community,
        &w.all,
        "council",
        0,
        trustees,
        T0 + 40,
    )
    .unwrap();
    let d = w.push(draw.clone()).id();
    seeds.push(("assembly-draw".into(), draw));
    // Join, deal, check, reveal, confirm: two confirmations (the quorum)
    // open the key, after which the third trustee has nothing to do.
    for _round in 0..5 {
        for j in 0..3 {
            let st = w.state(&d);
            let s = vote::trustee_step(
                &w.members[j],
                &fixed_trustee_secret(j),
                &w.community,
                &w.all,
                &st,
                T0 + 41,
                &mut OsRng,
            )
            .unwrap();
            if let Some(s) = s {
                w.push(s);
            }
        }
    }
    let st = w.state(&d);
    let name = ballot::coin::CoinName::new(&w.community.0, b"council", 0, [0; 32]).unwrap();
    let share = vote::coin_share(
        &w.members[1],
        &fixed_trustee_secret(1),
        &w.community,
        &w.all,
        &st,
        &name,
        T0 + 42,
        &mut OsRng,
    )
    .unwrap();
    seeds.push(("coin-share".into(), w.push(share)));
    let resign = vote::resign(&w.members[2], &w.community, &w.all, "council", 0, T0 + 43).unwrap();
    seeds.push(("assembly-resignation".into(), w.push(resign)));
    let declared = vote::declare_features(
        &w.members[1],
        &w.community,
        &w.all,
        vec![
            ("age".into(), "18-34".into()),
            ("region".into(), "north".into()),
        ],
        T0 + 44,
    )
    .unwrap();
    seeds.push(("feature-declaration".into(), w.push(declared)));
}

/// A decision under instant-runoff (kind 20), its close, trustee 1's
/// shuffle (kind 28), trustee 2's, and trustee 1's shares of the shuffled
/// list (kind 21).
fn whole_ballot_seeds(w: &mut World, seeds: &mut Vec<(String, Statement)>) {
    let p = Proposal {
        question: "Treasurer?".into(),
        kind: BallotKind::Ranked { candidates: 3 },
        options: vec!["a".into(), "b".into(), "c".into()],
        trustees: w.members.iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let rule = Some(ledger::payload::WholeBallotRule::InstantRunoff);
    let open = vote::open_with_rule(&w.members[0], &w.community, &w.all, p, rule, T0 + 50);
    let open = w.push(open.unwrap());
    let d = open.id();
    seeds.push(("ruled-decision-open".into(), open));
    for _round in 0..5 {
        for j in 0..3 {
            let st = w.state(&d);
            let secret = fixed_trustee_secret(j);
            let s = vote::trustee_step(
                &w.members[j],
                &secret,
                &w.community,
                &w.all,
                &st,
                T0 + 51,
                &mut OsRng,
            );
            if let Some(s) = s.unwrap() {
                w.push(s);
            }
        }
    }
    let st = w.state(&d);
    let secret = vote::voting_secret(&w.members[1], &w.community).unwrap();
    let values = BallotKind::ranked_values(3, &[Some(2), Some(1), None]).unwrap();
    let cast = vote::cast(&secret, &w.community, &w.all, &st, &values, &mut OsRng).unwrap();
    w.push(cast);
    let st = w.state(&d);
    w.push(vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 52).unwrap());
    for j in 0..2 {
        let st = w.state(&d);
        let parts = vote::shuffle(
            &w.members[j],
            &w.community,
            &w.all,
            &st,
            T0 + 53,
            &mut OsRng,
        );
        let part = parts.unwrap().remove(0);
        seeds.push((format!("ballot-shuffle-{j}"), w.push(part)));
    }
    let st = w.state(&d);
    let secret = fixed_trustee_secret(0);
    let shares = vote::ballot_shares(
        &w.members[0],
        &secret,
        &w.community,
        &w.all,
        &st,
        T0 + 54,
        &mut OsRng,
    );
    seeds.push(("ballot-shares".into(), w.push(shares.unwrap().remove(0))));
}

/// A fork of `w`'s community at its genesis (position 0), founded by two
/// of its members: a genesis with a parent citation.
fn fork_genesis(w: &World) -> Statement {
    let parent = ledger::ParentCitation {
        community: w.community,
        position: 0,
        root: community::record::genesis_root(&w.community),
    };
    let co = [w.members[2].public()];
    ledger::dag::found_fork(&w.members[1], Constitution::default(), &co, parent, T0 + 1).unwrap()
}

fn main() {
    let out = Out {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus"),
    };
    certificate_seeds(&out);
    let mut w = World::new(3);
    let mut seeds: Vec<(String, Statement)> = vec![("genesis".into(), w.all[0].clone())];
    seeds.push(("genesis-fork".into(), fork_genesis(&w)));

    // Vouching: offer, accept, confirm (a surety).
    let id = w.community;
    let o = attest::offer(&w.members[0], id, T0 + 10);
    let offer = VouchMessage::Offer(o.clone()).encode();
    let acc = attest::accept(&w.members[1], &id, &offer, 600, T0 + 11).unwrap();
    let accept = VouchMessage::Accept(acc).encode();
    let surety = attest::confirm(&w.members[0], &o, &accept, 600, T0 + 12).unwrap();
    let confirm = VouchMessage::Confirm(surety.clone()).encode();
    w.push(surety.clone());
    seeds.push(("surety".into(), surety));
    out.put_sel("attest", 0, "offer", &offer);
    out.put_sel("attest", 0, "accept", &accept);
    out.put_sel("attest", 0, "confirm", &confirm);
    out.put_sel("attest", 1, "frame-offer", &wrap(&offer));
    out.put_sel("attest", 1, "frame-empty", &wrap(b""));
    let code = attest::qr::encode(b"GR").unwrap();
    let img = attest::qr::to_image(&code);
    let (iw, ih) = (img.width(), img.height());
    let small = image::imageops::resize(
        &img,
        iw / attest::qr::PNG_MODULE_PX * 2,
        ih / attest::qr::PNG_MODULE_PX * 2,
        image::imageops::FilterType::Nearest,
    );
    let mut raw = vec![(small.width() - 1) as u8];
    raw.extend_from_slice(small.as_raw());
    out.put_sel("attest", 2, "gray-qr", &raw);
    out.put_sel("attest", 3, "png-qr", &attest::qr::to_png_bytes(&code));

    let note = ledger::dag::say(
        &w.members[2],
        &w.community,
        &w.all,
        Payload::Note(ledger::Note::new("minutes of the meeting").unwrap()),
        T0 + 13,
    )
    .unwrap();
    seeds.push(("note".into(), w.push(note)));

    // A decision: voting keys, opening, key generation, ballots, tally.
    for i in 0..w.members.len() {
        let s = vote::register(&w.members[i], &w.community, &w.all, T0 + 20, &mut OsRng).unwrap();
        seeds.push((format!("voting-key-{i}"), w.push(s)));
    }
    let p = Proposal {
        question: "Which?".into(),
        kind: BallotKind::Score { options: 2, max: 3 },
        options: vec!["a".into(), "b".into()],
        trustees: w.members.iter().map(|k| k.public()).collect(),
        threshold: 2,
    };
    let open = vote::open(&w.members[0], &w.community, &w.all, p, T0 + 21).unwrap();
    let d = w.push(open.clone()).id();
    seeds.push(("decision-open".into(), open));
    for round in 0..5 {
        for j in 0..3 {
            let st = w.state(&d);
            let s = vote::trustee_step(
                &w.members[j],
                &fixed_trustee_secret(j),
                &w.community,
                &w.all,
                &st,
                T0 + 22,
                &mut OsRng,
            )
            .unwrap();
            if let Some(s) = s {
                seeds.push((format!("trustee-{round}-{j}"), w.push(s)));
            }
        }
    }
    // Public openings (kinds 32 and 33): trustee 2 opens the share
    // trustee 1 dealt it, as a complaint and as a recovery (the decoder's
    // inputs; the record would ignore both, the share being good).
    let st = w.state(&d);
    let dealt = w
        .all
        .iter()
        .find(|s| Some(s.id()) == st.trustees[0].deal)
        .map(|s| s.payload().clone());
    if let Some(Payload::DkgDeal(deal)) = dealt {
        let transport = vote::transport_secret(&fixed_trustee_secret(1), &d).unwrap();
        let opening = ballot::ShareOpening::create(
            &st.decision_id(),
            &deal.shares[1],
            &transport,
            &mut OsRng,
        );
        let openings = ledger::payload::ShareOpenings {
            decision: d,
            openings: vec![opening],
        };
        for (name, payload) in [
            ("key-check-complaint", Payload::KeyCheck(openings.clone())),
            ("key-recovery", Payload::KeyRecovery(openings)),
        ] {
            let s =
                ledger::dag::say(&w.members[1], &w.community, &w.all, payload, T0 + 23).unwrap();
            seeds.push((name.into(), s));
        }
    }
    let st = w.state(&d);
    let secret = vote::voting_secret(&w.members[1], &w.community).unwrap();
    let cast = vote::cast(&secret, &w.community, &w.all, &st, &[3, 1], &mut OsRng).unwrap();
    w.push(cast.clone());
    seeds.push(("ballot".into(), resign_with_fuzz_key(&cast)));
    let st = w.state(&d);
    let close = vote::close(&w.members[0], &w.community, &w.all, &st, T0 + 30).unwrap();
    seeds.push(("decision-close".into(), w.push(close)));
    for j in 0..2 {
        let st = w.state(&d);
        let s = vote::share(
            &w.members[j],
            &fixed_trustee_secret(j),
            &w.community,
            &w.all,
            &st,
            T0 + 31,
            &mut OsRng,
        )
        .unwrap();
        seeds.push((format!("tally-share-{j}"), w.push(s)));
    }
    let st = w.state(&d);
    let result = vote::result(&w.members[0], &w.community, &w.all, &st, T0 + 32).unwrap();
    seeds.push(("decision-result".into(), w.push(result)));
    assembly_seeds(&mut w, &mut seeds);
    whole_ballot_seeds(&mut w, &mut seeds);

    // A pin (kind 31) whose certificate bytes are opaque to the decoder.
    let pin = ledger::payload::MemberPin {
        member: ledger::StatementId([0x6b; 32]),
        genesis: w.all[0].bytes().to_vec(),
        changes: vec![b"GRFC change".to_vec()],
        certificate: b"GRFC certificate".to_vec(),
    };
    let pin = ledger::dag::say(
        &w.members[0],
        &w.community,
        &w.all,
        Payload::MemberPin(pin),
        T0 + 98,
    )
    .unwrap();
    seeds.push(("member-pin".into(), w.push(pin)));
    // Last: after it, member 2 is no longer a member.
    let fork = ledger::StatementId([0x5a; 32]);
    let departure = vote::depart(&w.members[2], &w.community, &w.all, Some(fork), T0 + 99).unwrap();
    seeds.push(("departure-for-fork".into(), w.push(departure)));
    for (name, s) in &seeds {
        out.put("statement", name, s.bytes());
    }

    // The ballot crate's encodings, taken out of the decision's payloads.
    let st = w.state(&d);
    let trustee_key =
        vote::trustee_key(&w.members[0], &fixed_trustee_secret(0), &w.all, &st).unwrap();
    out.put_sel("ballot", 7, "trustee-key", &trustee_key.to_bytes());
    out.put_sel(
        "ballot",
        10,
        "electorate",
        &st.electorate.electorate.to_bytes(),
    );
    let mut sealed_done = false;
    for (_, s) in &seeds {
        match s.payload() {
            Payload::Ballot(b) => {
                out.put_sel("ballot", 0, "ballot", &b.ballot.to_bytes());
                out.put_sel(
                    "ballot",
                    1,
                    "ring-signature",
                    &b.ballot.signature().to_bytes(),
                );
                let c = &b.ballot.ciphertexts()[0];
                out.put_sel("ballot", 15, "ciphertext", &c.to_bytes());
            }
            Payload::DkgDeal(deal) if !sealed_done => {
                sealed_done = true;
                out.put_sel("ballot", 3, "pedersen", &deal.commitments.to_bytes());
                out.put_sel("ballot", 9, "sealed-share", &deal.shares[0].to_bytes());
                for (j, sh) in deal.shares.iter().enumerate() {
                    for m in 0..w.members.len() {
                        let secret = vote::transport_secret(&fixed_trustee_secret(m), &d).unwrap();
                        if let Ok(share) = sh.open(&ballot::DecisionId(d.0), &secret) {
                            out.put_sel(
                                "ballot",
                                2,
                                &format!("dealer-share-{j}"),
                                &share.to_bytes(),
                            );
                        }
                    }
                }
            }
            Payload::KeyCheck(c) | Payload::KeyRecovery(c) if !c.openings.is_empty() => {
                out.put_sel("ballot", 18, "share-opening", &c.openings[0].to_bytes());
            }
            Payload::DkgReveal(r) => {
                out.put_sel("ballot", 4, "feldman", &r.commitments.to_bytes());
                out.put_sel("ballot", 5, "reveal-proof", &r.proof.to_bytes());
            }
            Payload::DecryptionShare(t) => {
                out.put_sel("ballot", 8, "decryption-share", &t.share.to_bytes());
            }
            Payload::VotingKey(v) => {
                out.put_sel("ballot", 12, "voting-key", &v.key.to_bytes());
                out.put_sel("ballot", 13, "possession-proof", &v.proof.to_bytes());
            }
            Payload::KeyConfirmation(k) => {
                out.put_sel("ballot", 14, "decision-key", &k.key.to_bytes());
            }
            Payload::TrusteeJoin(t) => {
                out.put_sel("ballot", 16, "transport-key", &t.key.to_bytes());
            }
            _ => {}
        }
    }
    let complaint = ballot::dkg::Complaint {
        dealer: 1,
        complainer: 2,
    };
    out.put_sel("ballot", 6, "complaint", &complaint.to_bytes());
    out.put_sel("ballot", 17, "voting-secret", &secret.to_bytes()[..]);
    let key = st.key.as_ref().expect("the decision key").key();
    let ctx = ballot::DecisionContext::new(
        ballot::DecisionId(d.0),
        &st.electorate.electorate,
        key,
        BallotKind::Score { options: 2, max: 3 },
    )
    .unwrap();
    out.put_sel("ballot", 11, "decision-context", &ctx.to_bytes());

    // Statement files and block payload batches.
    let small: Vec<Statement> = seeds
        .iter()
        .filter(|(n, _)| n == "genesis" || n == "note" || n == "surety")
        .map(|(_, s)| s.clone())
        .collect();
    out.put_sel(
        "statement_file",
        0,
        "file-3",
        &ledger::file::encode(&w.community, &small[1..]),
    );
    out.put_sel(
        "statement_file",
        0,
        "file-empty",
        &ledger::file::encode(&w.community, &[]),
    );
    let batch = statements::encode(&small);
    out.put_sel("statement_file", 1, "batch-3", &batch);
    out.put_sel("statement_file", 1, "batch-empty", &[]);

    // Blocks, headers, an equivocation, an epoch link.
    let limits = Limits::default();
    let bk = fuzz_block_key();
    let b0 = Block::sign(&bk, 0, 0, vec![], batch.clone(), &limits).unwrap();
    let b1 = Block::sign(&bk, 0, 1, vec![b0.header().id()], vec![], &limits).unwrap();
    let b1x = Block::sign(&bk, 0, 1, vec![b0.header().id()], b"x".to_vec(), &limits).unwrap();
    out.put_sel("block", 0, "block-batch", &b0.encode());
    out.put_sel("block", 0, "block-empty", &b1.encode());
    out.put_sel("block", 1, "header", &b1.header().encode());
    let proof = EquivocationProof::new(b1.header().clone(), b1x.header().clone()).unwrap();
    out.put_sel("block", 2, "equivocation", &proof.encode());
    let link = EpochLink {
        previous: 3,
        leader: b0.header().id(),
    };
    out.put_sel("block", 3, "epoch-link", &link.encode());

    // Wire messages, request batches, responses.
    let msgs = vec![
        NodeMessage::Block(Arc::new(b1.clone())),
        NodeMessage::Request(vec![BlockHash([1; 32]), b0.header().id()]),
        NodeMessage::Frontier(vec![0, 2, u64::MAX]),
    ];
    for (i, m) in msgs.iter().enumerate() {
        out.put_sel("wire", 0, &format!("message-{i}"), &wire::encode(m));
    }
    out.put_sel("wire", 1, "batch", &frame::encode_batch(&msgs));
    out.put_sel("wire", 1, "batch-empty", &frame::encode_batch(&[]));
    let r = Response {
        status: Status::Partial,
        reason: "block 1: bad signature".into(),
        messages: msgs[1..].to_vec(),
    };
    out.put_sel("wire", 2, "response", &frame::encode_response(&r));

    // A keystore sealed with cheap parameters (the check unlocks it).
    let ks = seal(&fuzz_keypair(0), FUZZ_PASSPHRASE, KdfParams::INSECURE_FAST).unwrap();
    out.put("keystore", "insecure-fast", &ks);
    out.put("keystore", "truncated", &ks[..ks.len() - 1]);

    // Text formats.
    let soc = "# FILE NAME: test.soc\n# TITLE: A test\n# DATA TYPE: soc\n\
               # NUMBER ALTERNATIVES: 3\n# NUMBER VOTERS: 8\n# NUMBER UNIQUE ORDERS: 2\n\
               # ALTERNATIVE NAME 1: Alice\n# ALTERNATIVE NAME 2: Bob\n\
               # ALTERNATIVE NAME 3: Carol\n5: 1,2,3\n3: 2,3,1\n";
    let toi = "# DATA TYPE: toi\n# NUMBER ALTERNATIVES: 4\n# NUMBER VOTERS: 3\n\
               # NUMBER UNIQUE ORDERS: 2\n# ALTERNATIVE NAME 1: a\n# ALTERNATIVE NAME 2: b\n\
               # ALTERNATIVE NAME 3: c\n# ALTERNATIVE NAME 4: d\n2: {1,2},3\n1: 4\n";
    let pb = "META\nkey;value\ndescription;\"Park; and more\"\nnum_projects;3\nnum_votes;3\n\
              budget;1000.5\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;600;Park\n\
              2;400.25;\"The \"\"Library\"\"\"\n3;300;Bench\nVOTES\nvoter_id;age;vote\n\
              v1;34;1,2\nv2;;2\nv3;51;\n";
    out.put_sel("governance_text", 0, "preflib-soc", soc.as_bytes());
    out.put_sel("governance_text", 0, "preflib-toi", toi.as_bytes());
    out.put_sel("governance_text", 1, "pabulib-approval", pb.as_bytes());
    let profile = governance::preflib::parse(toi, None).unwrap().profile;
    let json = governance::profile_json::to_json(&profile);
    out.put_sel("governance_text", 2, "profile-json", json.as_bytes());
    let constitution = Constitution::default().to_json();
    out.put_sel(
        "governance_text",
        3,
        "constitution",
        constitution.as_bytes(),
    );

    out.put_sel(
        "trust_input",
        0,
        "edges-names",
        b"# a,b\nalice,bob\nbob, carol\n\ncarol,alice\nalice,alice\n",
    );
    out.put_sel("trust_input", 0, "edges-numeric", b"1,2\n2,3\n3,1\n4,2\n");
    out.put_sel("trust_input", 1, "seeds", b"# founders\nalice\n  bob  \n\n");
}

fn wrap(payload: &[u8]) -> Vec<u8> {
    attest::qr::wrap_frame(payload)
}
