//! Import throughput: 100,000 signed statements verified and stored, and
//! single-signature against batch verification in the same run.
//!
//! `cargo bench -p ledger --bench import [-- N [--write FILE]]`
//!
//! With `--write FILE` it only writes the statement file (for timing the
//! `grassroots statements import` command as a whole process).

use ed25519_dalek::{Signature, VerifyingKey};
use identity::Keypair;
use ledger::dag::found;
use ledger::{file, Draft, Note, Payload, Statement, Store};
use rayon::prelude::*;
use std::time::{Duration, Instant};

fn make(n: usize) -> Vec<Statement> {
    let founders: Vec<Keypair> = (0..10).map(|_| Keypair::generate()).collect();
    let others: Vec<_> = founders[1..].iter().map(|k| k.public()).collect();
    let g = found(
        &founders[0],
        governance::Constitution::default(),
        &others,
        1_700_000_000,
    )
    .unwrap();
    let id = g.id();
    let mut out = vec![g];
    let mut prev = id;
    // Signing in parallel in chunks; each chunk is a chain hanging off the
    // genesis, so the file stays causally ordered.
    let chunk = 1000;
    let rest: Vec<Vec<Statement>> = (0..n.saturating_sub(1).div_ceil(chunk))
        .into_par_iter()
        .map(|c| {
            let mut v = Vec::with_capacity(chunk);
            let mut p = prev;
            for i in c * chunk..((c + 1) * chunk).min(n - 1) {
                let key = &founders[i % founders.len()];
                let s = Statement::sign(
                    key,
                    Draft {
                        community: id,
                        time: 1_700_000_000 + i as u64,
                        preds: vec![p],
                        payload: Payload::Note(Note::new(format!("statement {i}")).unwrap()),
                    },
                )
                .unwrap();
                p = s.id();
                v.push(s);
            }
            v
        })
        .collect();
    for v in rest {
        out.extend(v);
    }
    prev = out.last().unwrap().id();
    let _ = prev;
    out
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let statements = make(n);
    let community = statements[0].id();
    if let Some(i) = args.iter().position(|a| a == "--write") {
        let path = std::path::PathBuf::from(&args[i + 1]);
        file::write(&path, &community, &statements).unwrap();
        println!(
            "wrote {} statements to {}",
            statements.len(),
            path.display()
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("statements.grs");
    file::write(&path, &community, &statements).unwrap();
    let size = std::fs::metadata(&path).unwrap().len();
    println!(
        "{} statements, file {:.1} MB, {} threads",
        n,
        size as f64 / 1e6,
        rayon::current_num_threads()
    );

    let runs = 3;
    let mut read = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let f = file::read(&path).unwrap();
        read.push(t.elapsed());
        assert_eq!(f.statements.len(), n);
    }
    let rd = median(read);
    println!(
        "read + verify only (all threads): median {:.2} s, {:.0} statements/s",
        rd.as_secs_f64(),
        n as f64 / rd.as_secs_f64()
    );
    let mut import = Vec::new();
    for r in 0..runs {
        let db = dir.path().join(format!("db{r}"));
        let mut store = Store::open(&db).unwrap();
        let t = Instant::now();
        let (total, added) = file::import(&mut store, &path).unwrap();
        import.push(t.elapsed());
        assert_eq!((total, added), (n, n));
    }
    let imp = median(import);
    println!(
        "import (read + verify + store, one transaction): median {:.2} s over {runs} runs, {:.0} statements/s",
        imp.as_secs_f64(),
        n as f64 / imp.as_secs_f64()
    );

    // Single against batch verification, one thread each, same signatures.
    let sample = n.min(20_000);
    let msgs: Vec<Vec<u8>> = statements[..sample]
        .iter()
        .map(|s| s.signed_message())
        .collect();
    let sigs: Vec<Signature> = statements[..sample]
        .iter()
        .map(|s| Signature::from_bytes(&s.signature()))
        .collect();
    let keys: Vec<VerifyingKey> = statements[..sample]
        .iter()
        .map(|s| s.author().verifying_key())
        .collect();
    let mut single = Vec::new();
    let mut batch = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        for i in 0..sample {
            keys[i].verify_strict(&msgs[i], &sigs[i]).unwrap();
        }
        single.push(t.elapsed());
        let t = Instant::now();
        for c in (0..sample).collect::<Vec<_>>().chunks(256) {
            let m: Vec<&[u8]> = c.iter().map(|&i| msgs[i].as_slice()).collect();
            let s: Vec<Signature> = c.iter().map(|&i| sigs[i]).collect();
            let k: Vec<VerifyingKey> = c.iter().map(|&i| keys[i]).collect();
            ed25519_dalek::verify_batch(&m, &s, &k).unwrap();
        }
        batch.push(t.elapsed());
    }
    let (s, b) = (median(single), median(batch));
    println!(
        "verify one thread, {sample} signatures: single (verify_strict) {:.1} us/sig, batch of 256 {:.1} us/sig, batch is {:.2}x faster",
        s.as_secs_f64() * 1e6 / sample as f64,
        b.as_secs_f64() * 1e6 / sample as f64,
        s.as_secs_f64() / b.as_secs_f64()
    );
}
