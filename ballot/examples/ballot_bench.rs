//! Benchmarks of the ballot protocols (release build):
//!
//! ```text
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- ring [sizes]
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- batch MEMBERS SIGNATURES [DISTINCT]
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- ballots MEMBERS BALLOTS [DISTINCT]
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- individual BALLOTS CANDIDATES
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- shuffle BALLOTS CANDIDATES
//! ```
//!
//! cargo run --release -p ballot --features bench-support --example ballot_bench -- one-of [OPTIONS,…] [MEMBERS] [BALLOTS]
//! ```
//!
//! `one-of`: one-choice ballots of each option count (default 3 and 21)
//! as `Budget{options, 1}` (Pedersen commitments, equality proof,
//! Bulletproofs) and as `OneOf{options}` (unit-vector proof), in one run,
//! interleaved: the validity proofs alone per ballot, the whole ballot
//! (with its ring signature over `MEMBERS`, default 1,024) per ballot,
//! casting, and bytes; medians over `BALLOTS` ballots (default 40), and
//! the ratios Budget / OneOf.
//!
//! ```text
//! `shuffle`: the same ranked ballots shuffled by 3 trustees in turn (each
//! step's proof made, then every proof verified against the previous
//! output), then individually decrypted as in `individual` (shares of 2 of
//! the 3 trustees, verified and combined), all in one run; prints the ratio
//! of shuffle proving + verification to individual decryption.
//!
//! `individual`: ranked ballots decrypted one by one by 2-of-3 trustees
//! (shares of every chunk, their verification, combination, and recovery
//! of the weak orders), on fresh encryptions of random rankings.
//!
//! `ring`: prove and verify time and size against electorate size, and
//! single against batched verification in the same run. `batch`: one batch
//! of many ring signatures over one electorate. `ballots`: full ballots
//! (equality and range proofs plus ring signatures) verified with
//! `verify_ballots`. Signatures for batches are produced with the
//! known-secrets prover (same distribution as real ones, much faster);
//! the real constant-time prover is what `ring` times as "sign".

use std::time::{Duration, Instant};

use ballot::ring::{self, BatchItem};
use ballot::{
    verify_ballots, Ballot, BallotKind, DecisionContext, DecisionId, Electorate, ThresholdParams,
    VotingSecret,
};
use rand::rngs::OsRng;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// CPU time (user + system) of this process so far, from /proc (Linux);
/// on a shared machine this is steadier than wall time.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ = 100
}

fn cpu_since(start: Option<Duration>) -> String {
    match (start, cpu_time()) {
        (Some(a), Some(b)) => format!("{:.2}s CPU", (b - a).as_secs_f64()),
        _ => "CPU n/a".into(),
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed())
}

fn members(n: usize) -> (Vec<VotingSecret>, Electorate) {
    let secrets: Vec<_> = (0..n).map(|_| VotingSecret::generate(&mut OsRng)).collect();
    let e = Electorate::new(secrets.iter().map(|s| s.public()).collect()).unwrap();
    (secrets, e)
}

/// Many signatures over one electorate, built on all cores.
fn many_signatures(
    secrets: &[VotingSecret],
    e: &Electorate,
    d: &DecisionId,
    msgs: &[[u8; 32]],
) -> Vec<ring::RingSignature> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = msgs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let hs: Vec<_> = msgs
            .chunks(chunk)
            .enumerate()
            .map(|(c, part)| {
                s.spawn(move || {
                    part.iter()
                        .enumerate()
                        .map(|(i, m)| {
                            let who = (c * chunk + i) % secrets.len();
                            ring::sign_knowing_ring(e, secrets, who, d, m, &mut OsRng).unwrap()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

fn ring_table(sizes: &[usize]) {
    println!(
        "{:>7} {:>2} {:>6} {:>11} {:>11} {:>6} {:>12} {:>14} {:>9}",
        "members",
        "m",
        "bytes",
        "sign",
        "verify",
        "batch",
        "batch total",
        "batch per sig",
        "speedup"
    );
    let d = DecisionId([1; 32]);
    for &n in sizes {
        let (secrets, e) = members(n);
        let samples = if n <= 4096 {
            5
        } else if n <= 16384 {
            3
        } else {
            2
        };
        let msg = [7u8; 32];
        let mut sign_times = Vec::new();
        let mut sig = None;
        for k in 0..samples {
            let (s, t) =
                time(|| ring::sign(&e, &secrets[(k * 7919) % n], &d, &msg, &mut OsRng).unwrap());
            sign_times.push(t);
            sig = Some(s);
        }
        let sig = sig.unwrap();
        let bytes = sig.to_bytes().len();
        let verify = median(
            (0..samples)
                .map(|_| time(|| sig.verify(&e, &d, &msg).unwrap()).1)
                .collect(),
        );
        let b = if n <= 4096 {
            64
        } else if n <= 16384 {
            32
        } else {
            16
        };
        let msgs: Vec<[u8; 32]> = (0..b).map(|i| [(i % 251) as u8; 32]).collect();
        let sigs = many_signatures(&secrets, &e, &d, &msgs);
        let items: Vec<_> = sigs
            .iter()
            .zip(&msgs)
            .map(|(s, m)| BatchItem {
                signature: s,
                decision: &d,
                message: m,
            })
            .collect();
        let batch = median(
            (0..samples.min(3))
                .map(|_| time(|| ring::verify_batch(&e, &items, &mut OsRng).unwrap()).1)
                .collect(),
        );
        let per = batch / b as u32;
        println!(
            "{:>7} {:>2} {:>6} {:>9.2}ms {:>9.2}ms {:>6} {:>10.2}ms {:>12.3}ms {:>8.1}x",
            n,
            sig.digits(),
            bytes,
            median(sign_times).as_secs_f64() * 1e3,
            verify.as_secs_f64() * 1e3,
            b,
            batch.as_secs_f64() * 1e3,
            per.as_secs_f64() * 1e3,
            verify.as_secs_f64() / per.as_secs_f64(),
        );
    }
}

fn big_batch(n: usize, count: usize, distinct: usize) {
    let (secrets, e) = members(n);
    let d = DecisionId([2; 32]);
    let distinct = distinct.clamp(1, count);
    let msgs: Vec<[u8; 32]> = (0..distinct)
        .map(|i| {
            let mut m = [0u8; 32];
            m[..8].copy_from_slice(&(i as u64).to_le_bytes());
            m
        })
        .collect();
    let (sigs, gen) = time(|| many_signatures(&secrets, &e, &d, &msgs));
    println!(
        "generated {distinct} distinct signatures over {n} members in {:.1}s (known-secrets prover)",
        gen.as_secs_f64()
    );
    // Each item is verified independently (own transcript, own weights), so
    // cycling through `distinct` signatures costs what `count` distinct ones do.
    let items: Vec<_> = (0..count)
        .map(|i| BatchItem {
            signature: &sigs[i % distinct],
            decision: &d,
            message: &msgs[i % distinct],
        })
        .collect();
    let single_cpu = cpu_time();
    let single = median(
        (0..5)
            .map(|i| time(|| sigs[i].verify(&e, &d, &msgs[i]).unwrap()).1)
            .collect(),
    );
    println!("5 single verifications: {}", cpu_since(single_cpu));
    let cpu = cpu_time();
    let ((), batch) = time(|| ring::verify_batch(&e, &items, &mut OsRng).unwrap());
    println!(
        "batch-verified {count} ring signatures over {n} members in {:.2}s wall, {} ({:.3} ms each); single verification {:.2} ms; {count} singles would take {:.1}s; speedup {:.1}x",
        batch.as_secs_f64(),
        cpu_since(cpu),
        batch.as_secs_f64() * 1e3 / count as f64,
        single.as_secs_f64() * 1e3,
        single.as_secs_f64() * count as f64,
        single.as_secs_f64() * count as f64 / batch.as_secs_f64(),
    );
}

fn full_ballots(n: usize, count: usize, distinct: usize) {
    let distinct = distinct.clamp(1, count);
    let (secrets, e) = members(n);
    let (info, _) =
        ballot::dkg::run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let kind = BallotKind::Approval { options: 4 };
    let ctx = DecisionContext::new(DecisionId([3; 32]), &e, info.key(), kind).unwrap();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = distinct.div_ceil(threads).max(1);
    let (ballots, gen): (Vec<Ballot>, _) = time(|| {
        std::thread::scope(|s| {
            let hs: Vec<_> = (0..distinct)
                .collect::<Vec<_>>()
                .chunks(chunk)
                .map(|part| {
                    let part = part.to_vec();
                    let (secrets, e, ctx) = (&secrets, &e, &ctx);
                    s.spawn(move || {
                        part.iter()
                            .map(|&i| {
                                let v = [(i % 2) as u64, 1, 0, (i % 3 == 0) as u64];
                                Ballot::cast_knowing_ring(ctx, e, secrets, i % n, &v, &mut OsRng)
                                    .unwrap()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            hs.into_iter().flat_map(|h| h.join().unwrap()).collect()
        })
    });
    // Verification work per ballot does not depend on distinctness.
    let ballots: Vec<Ballot> = (0..count).map(|i| ballots[i % distinct].clone()).collect();
    println!(
        "generated {distinct} distinct approval ballots (4 options) over {n} members in {:.1}s; ballot size {} bytes",
        gen.as_secs_f64(),
        ballots[0].to_bytes().len()
    );
    let cpu = cpu_time();
    let (res, t) = time(|| verify_ballots(&ctx, &e, &ballots, &mut OsRng));
    assert!(res.iter().all(|r| r.is_ok()));
    println!(
        "verify_ballots: {count} full ballots over {n} members in {:.2}s wall, {} ({:.3} ms each)",
        t.as_secs_f64(),
        cpu_since(cpu),
        t.as_secs_f64() * 1e3 / count as f64
    );
    let (_, one) = time(|| ballots[0].verify(&ctx, &e).unwrap());
    println!(
        "single full-ballot verification: {:.2} ms",
        one.as_secs_f64() * 1e3
    );
}

fn individual(count: usize, candidates: u16) {
    use ballot::dkg::run_honest;
    use ballot::{weak_order, CountedBallots};
    use rand::Rng;
    let (_, e) = members(4);
    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let kind = BallotKind::Ranked { candidates };
    let ctx = DecisionContext::new(DecisionId([7; 32]), &e, info.key(), kind).unwrap();
    let values: Vec<Vec<u64>> = (0..count)
        .map(|_| {
            let ranks: Vec<Option<u32>> = (0..candidates)
                .map(|_| {
                    let r = OsRng.gen_range(0..=candidates as u32);
                    (r > 0).then_some(r)
                })
                .collect();
            BallotKind::ranked_values(candidates, &ranks).unwrap()
        })
        .collect();
    let (counted, enc) = time(|| CountedBallots::encrypt_for_bench(&ctx, &values, &mut OsRng));
    let cts = count * kind.slots();
    println!(
        "{count} ranked ballots of {candidates} candidates: {cts} ciphertexts in {} chunk(s); encrypted in {:.2}s",
        counted.chunks(),
        enc.as_secs_f64()
    );
    let cpu = cpu_time();
    let (shares, t_share) = time(|| {
        keys[..2]
            .iter()
            .map(|k| {
                (0..counted.chunks())
                    .map(|c| counted.share(c, k, &info, &mut OsRng).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    println!(
        "shares of 2 trustees: {:.2}s wall, {} ({:.1} µs per ciphertext per trustee); {} bytes per trustee",
        t_share.as_secs_f64(),
        cpu_since(cpu),
        t_share.as_secs_f64() * 1e6 / (2 * cts) as f64,
        shares[0].iter().map(|s| s.to_bytes().len()).sum::<usize>()
    );
    let cpu = cpu_time();
    let ((), t_verify) = time(|| {
        for (c, s) in shares[0].iter().enumerate() {
            counted.verify_share(c, &info, s).unwrap();
        }
    });
    println!(
        "verify one trustee's shares: {:.2}s wall, {} ({:.1} µs per ciphertext)",
        t_verify.as_secs_f64(),
        cpu_since(cpu),
        t_verify.as_secs_f64() * 1e6 / cts as f64
    );
    let per_chunk: Vec<Vec<_>> = (0..counted.chunks())
        .map(|c| vec![shares[0][c].clone(), shares[1][c].clone()])
        .collect();
    let cpu = cpu_time();
    let (d, t_dec) = time(|| counted.decrypt(&info, &per_chunk).unwrap());
    println!(
        "verify both and decrypt every ballot: {:.2}s wall, {} ({:.1} µs per ciphertext)",
        t_dec.as_secs_f64(),
        cpu_since(cpu),
        t_dec.as_secs_f64() * 1e6 / cts as f64
    );
    let (spoiled, t_order) = time(|| {
        d.ballots
            .iter()
            .filter(|b| weak_order(candidates, b).is_none())
            .count()
    });
    let mut sorted = values.clone();
    sorted.sort();
    assert_eq!(d.ballots, sorted);
    println!(
        "weak orders recovered in {:.1} ms ({spoiled} spoiled)",
        t_order.as_secs_f64() * 1e3
    );
}

/// Random rankings of `candidates` (unranked allowed), as pairwise values.
fn random_rankings(count: usize, candidates: u16) -> Vec<Vec<u64>> {
    use rand::Rng;
    (0..count)
        .map(|_| {
            let ranks: Vec<Option<u32>> = (0..candidates)
                .map(|_| {
                    let r = OsRng.gen_range(0..=candidates as u32);
                    (r > 0).then_some(r)
                })
                .collect();
            BallotKind::ranked_values(candidates, &ranks).unwrap()
        })
        .collect()
}

fn shuffle_then_decrypt(count: usize, candidates: u16) {
    use ballot::dkg::run_honest;
    use ballot::shuffle::shuffle;
    use ballot::{CountedBallots, ShuffleChain, ShuffleContext, ShuffleStep};
    let (_, e) = members(4);
    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let kind = BallotKind::Ranked { candidates };
    let ctx = DecisionContext::new(DecisionId([8; 32]), &e, info.key(), kind).unwrap();
    let values = random_rankings(count, candidates);
    let (counted, enc) = time(|| CountedBallots::encrypt_for_bench(&ctx, &values, &mut OsRng));
    let cts = count * kind.slots();
    let threads = rayon::current_num_threads();
    println!(
        "{count} ranked ballots of {candidates} candidates: {cts} ciphertexts of width {}; encrypted in {:.2}s; {threads} rayon thread(s)",
        kind.slots(),
        enc.as_secs_f64()
    );
    let sctx = ShuffleContext::for_decision(&ctx).unwrap();
    let per_ct = |d: Duration| d.as_secs_f64() * 1e6 / cts as f64;
    let cpu_secs = |start: Option<Duration>| match (start, cpu_time()) {
        (Some(a), Some(b)) => Some((b - a).as_secs_f64()),
        _ => None,
    };
    let show = |c: Option<f64>| c.map_or("CPU n/a".into(), |c| format!("{c:.2}s CPU"));

    // Shuffling: trustees 1, 2, 3 in turn.
    let mut steps: Vec<ShuffleStep> = Vec::new();
    let (mut prove_wall, mut prove_cpu) = (Duration::ZERO, Some(0.0));
    for j in 1..=3u16 {
        let input = steps.last().map_or(counted.ciphertexts(), |s| &s.output);
        let cpu = cpu_time();
        let ((output, proof), t) = time(|| shuffle(&sctx, j, input, &mut OsRng).unwrap());
        let c = cpu_secs(cpu);
        prove_wall += t;
        prove_cpu = prove_cpu.zip(c).map(|(a, b)| a + b);
        println!(
            "trustee {j} shuffles and proves: {:.2}s wall, {} ({:.1} µs per ciphertext); proof {} bytes",
            t.as_secs_f64(),
            show(c),
            per_ct(t),
            proof.to_bytes().len()
        );
        steps.push(ShuffleStep { output, proof });
    }
    // Verification of the 3 proofs, each against the previous output.
    let mut chain = ShuffleChain::new(sctx, counted.ciphertexts().to_vec()).unwrap();
    let (mut verify_wall, mut verify_cpu) = (Duration::ZERO, Some(0.0));
    for step in steps {
        let j = step.shuffler();
        let cpu = cpu_time();
        let ((), t) = time(|| chain.push(step).unwrap());
        let c = cpu_secs(cpu);
        verify_wall += t;
        verify_cpu = verify_cpu.zip(c).map(|(a, b)| a + b);
        println!(
            "verify trustee {j}'s proof: {:.2}s wall, {} ({:.1} µs per ciphertext)",
            t.as_secs_f64(),
            show(c),
            per_ct(t)
        );
    }
    // Individual decryption of the shuffled ballots by 2 of the 3 trustees.
    let mixed = counted.shuffled(&ctx, &chain).unwrap();
    let cpu = cpu_time();
    let (shares, t_share) = time(|| {
        keys[..2]
            .iter()
            .map(|k| {
                (0..mixed.chunks())
                    .map(|c| mixed.share(c, k, &info, &mut OsRng).unwrap())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    });
    let c_share = cpu_secs(cpu);
    println!(
        "decryption shares of 2 trustees: {:.2}s wall, {} ({:.1} µs per ciphertext)",
        t_share.as_secs_f64(),
        show(c_share),
        per_ct(t_share)
    );
    let per_chunk: Vec<Vec<_>> = (0..mixed.chunks())
        .map(|c| vec![shares[0][c].clone(), shares[1][c].clone()])
        .collect();
    let cpu = cpu_time();
    let (d, t_dec) = time(|| mixed.decrypt(&info, &per_chunk).unwrap());
    let c_dec = cpu_secs(cpu);
    println!(
        "verify both trustees' shares and decrypt every ballot: {:.2}s wall, {} ({:.1} µs per ciphertext)",
        t_dec.as_secs_f64(),
        show(c_dec),
        per_ct(t_dec)
    );
    let mut sorted = values;
    sorted.sort();
    assert_eq!(
        d.ballots, sorted,
        "the shuffled ballots decrypt to the cast ones"
    );
    let dec_wall = t_share + t_dec;
    let dec_cpu = c_share.zip(c_dec).map(|(a, b)| a + b);
    let mix_wall = prove_wall + verify_wall;
    let mix_cpu = prove_cpu.zip(verify_cpu).map(|(a, b)| a + b);
    println!(
        "shuffle, 3 trustees: prove {:.2}s + verify {:.2}s = {:.2}s wall ({:.1} µs per ciphertext), {}",
        prove_wall.as_secs_f64(),
        verify_wall.as_secs_f64(),
        mix_wall.as_secs_f64(),
        per_ct(mix_wall),
        show(mix_cpu)
    );
    println!(
        "individual decryption, 2 of 3 trustees: {:.2}s wall ({:.1} µs per ciphertext), {}",
        dec_wall.as_secs_f64(),
        per_ct(dec_wall),
        show(dec_cpu)
    );
    println!(
        "ratio (shuffle prove + verify) / (individual decryption): {:.2} wall{}",
        mix_wall.as_secs_f64() / dec_wall.as_secs_f64(),
        mix_cpu
            .zip(dec_cpu)
            .map_or(String::new(), |(m, d)| format!(", {:.2} CPU", m / d))
    );
}

/// Budget{n,1} against OneOf{n}: see the module docs.
fn one_of_against_budget(options: &[u16], n: usize, count: usize) {
    let (secrets, e) = members(n);
    let (info, _) =
        ballot::dkg::run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    println!(
        "one-choice ballots, {n} members, {count} ballots per kind; medians per ballot ({} threads available, timed on one)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| options | kind | bytes | cast | verify proofs | verify ballot (with ring signature) |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut ratios = Vec::new();
    for &k in options {
        let kinds = [
            BallotKind::Budget {
                options: k,
                budget: 1,
            },
            BallotKind::OneOf { options: k },
        ];
        let ctxs: Vec<DecisionContext> = kinds
            .iter()
            .map(|&kind| {
                DecisionContext::new(DecisionId([k as u8; 32]), &e, info.key(), kind).unwrap()
            })
            .collect();
        let mut cast = [Vec::new(), Vec::new()];
        let mut ballots: [Vec<Ballot>; 2] = [Vec::new(), Vec::new()];
        for i in 0..count {
            let mut v = vec![0u64; k as usize];
            v[i % k as usize] = 1;
            for (j, ctx) in ctxs.iter().enumerate() {
                let (b, t) = time(|| {
                    Ballot::cast_knowing_ring(ctx, &e, &secrets, i % n, &v, &mut OsRng).unwrap()
                });
                cast[j].push(t);
                ballots[j].push(b);
            }
        }
        let mut proofs = [Vec::new(), Vec::new()];
        let mut whole = [Vec::new(), Vec::new()];
        for (b0, b1) in ballots[0].iter().zip(&ballots[1]) {
            for (j, b) in [b0, b1].into_iter().enumerate() {
                proofs[j].push(time(|| b.verify_validity(&ctxs[j]).unwrap()).1);
                whole[j].push(time(|| b.verify(&ctxs[j], &e).unwrap()).1);
            }
        }
        let med: Vec<[Duration; 3]> = (0..2)
            .map(|j| {
                [
                    median(cast[j].clone()),
                    median(proofs[j].clone()),
                    median(whole[j].clone()),
                ]
            })
            .collect();
        for j in 0..2 {
            println!(
                "| {k} | {:?} | {} | {:.2?} | {:.2?} | {:.2?} |",
                kinds[j],
                ballots[j][0].to_bytes().len(),
                med[j][0],
                med[j][1],
                med[j][2]
            );
        }
        let r = |x: usize| med[0][x].as_secs_f64() / med[1][x].as_secs_f64();
        ratios.push((k, r(0), r(1), r(2)));
    }
    println!("\n| options | Budget / OneOf: cast | verify proofs | verify ballot |");
    println!("| --- | --- | --- | --- |");
    for (k, c, p, w) in ratios {
        println!("| {k} | {c:.2}× | {p:.2}× | {w:.2}× |");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    match args.first().map(String::as_str) {
        Some("batch") => big_batch(num(1, 10_000), num(2, 10_000), num(3, usize::MAX)),
        Some("ballots") => full_ballots(num(1, 10_000), num(2, 1_000), num(3, usize::MAX)),
        Some("individual") => individual(num(1, 10_000), num(2, 5) as u16),
        Some("shuffle") => shuffle_then_decrypt(num(1, 10_000), num(2, 5) as u16),
        Some("one-of") => {
            let options: Vec<u16> = args
                .get(1)
                .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_else(|| vec![3, 21]);
            one_of_against_budget(&options, num(2, 1024), num(3, 40));
        }
        _ => {
            let sizes: Vec<usize> = args
                .get(1)
                .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
                .unwrap_or_else(|| vec![64, 256, 1024, 4096, 16384, 65536]);
            ring_table(&sizes);
        }
    }
}
