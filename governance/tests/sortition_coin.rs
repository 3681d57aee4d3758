//! End to end: rotation draws seeded by the threshold coin, named after
//! each draw's committed inputs, and replayed from the record.

use ballot::coin::{combine, CoinName, CoinShare};
use ballot::dkg::{run_honest, KeyInfo, ThresholdParams};
use ballot::{Error, TrusteeKey};
use governance::sortition::commit::draw_inputs_digest;
use governance::sortition::rotation::{Assembly, Method};
use governance::sortition::{Instance, Person};
use rand::rngs::OsRng;

fn pool(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("p{i:02}")).collect()
}

/// The coin's name for the next draw of `a` from `pool`: the eligible
/// pool and the seats (an instance without features) and the algorithm.
fn name_for(a: &Assembly, pool: &[String]) -> CoinName {
    let people = a
        .eligible(pool)
        .unwrap()
        .into_iter()
        .map(|id| Person { id, values: vec![] })
        .collect();
    let inst = Instance::new(vec![], people, a.seats_to_draw().len()).unwrap();
    let digest = draw_inputs_digest(Assembly::DOMAIN, &inst, None);
    CoinName::new(b"community-1", b"council", a.next_period(), digest).unwrap()
}

/// What the record holds for one draw: the name and the trustees' shares.
struct Posted {
    name: CoinName,
    shares: Vec<Vec<u8>>,
}

fn run(
    info: &KeyInfo,
    keys: &[TrusteeKey],
    pool: &[String],
    periods: u64,
) -> (Assembly, Vec<Posted>) {
    let mut a = Assembly::new(6, 3).unwrap();
    let mut record = Vec::new();
    for _ in 0..periods {
        let name = name_for(&a, pool);
        // Trustees 2 and 3 post (1 withholds): any two suffice.
        let shares: Vec<CoinShare> = keys[1..]
            .iter()
            .map(|k| CoinShare::create(k, info, &name, &mut OsRng).unwrap())
            .collect();
        let coin = combine(info, &name, &shares).unwrap();
        a.draw_period(coin.value, pool, Method::Uniform).unwrap();
        record.push(Posted {
            name,
            shares: shares.iter().map(CoinShare::to_bytes).collect(),
        });
    }
    (a, record)
}

/// Anyone replays the assembly from the record alone.
fn replay(info: &KeyInfo, pool: &[String], record: &[Posted]) -> Assembly {
    let mut a = Assembly::new(6, 3).unwrap();
    for posted in record {
        let name = CoinName::from_bytes(&posted.name.to_bytes()).unwrap();
        assert_eq!(name, name_for(&a, pool), "the name commits to this draw");
        let shares: Vec<CoinShare> = posted
            .shares
            .iter()
            .map(|b| CoinShare::from_bytes(b).unwrap())
            .collect();
        let coin = combine(info, &name, &shares).unwrap();
        a.draw_period(coin.value, pool, Method::Uniform).unwrap();
    }
    a
}

#[test]
fn coin_seeded_rotation_replays_from_the_record() {
    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let people = pool(30);
    let (a, record) = run(&info, &keys, &people, 7);
    assert_eq!(replay(&info, &people, &record), a);
    // Other trustees' shares (1 and 3) give the same coins, hence the same
    // assembly: no trustee chooses the outcome by choosing to post.
    let other: Vec<Posted> = record
        .iter()
        .map(|p| Posted {
            name: p.name.clone(),
            shares: [&keys[0], &keys[2]]
                .iter()
                .map(|k| {
                    CoinShare::create(k, &info, &p.name, &mut OsRng)
                        .unwrap()
                        .to_bytes()
                })
                .collect(),
        })
        .collect();
    assert_eq!(replay(&info, &people, &other), a);
}

#[test]
fn a_changed_pool_changes_the_name_and_a_share_for_the_old_name_is_refused() {
    let (info, keys) = run_honest(ThresholdParams::new(2, 3).unwrap(), &mut OsRng).unwrap();
    let a = Assembly::new(6, 3).unwrap();
    let before = name_for(&a, &pool(30));
    let after = name_for(&a, &pool(31));
    assert_ne!(before.inputs(), after.inputs());
    let stale = CoinShare::create(&keys[0], &info, &before, &mut OsRng).unwrap();
    let fresh = CoinShare::create(&keys[1], &info, &after, &mut OsRng).unwrap();
    assert_eq!(
        combine(&info, &after, &[stale, fresh]),
        Err(Error::NotEnoughShares {
            valid: 1,
            threshold: 2
        })
    );
}
