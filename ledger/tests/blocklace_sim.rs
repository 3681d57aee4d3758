use ledger::blocklace::sim::{self, SimConfig};

#[test]
fn smoke_calm_4() {
    let r = sim::run(&SimConfig::calm(4, 1));
    println!(
        "{:?} max_round {} min_final {}",
        r.violations,
        r.max_round,
        r.min_final()
    );
    for d in &r.decisions {
        println!(
            "{:?}",
            d.iter().map(|d| d.latency_rounds()).collect::<Vec<_>>()
        );
    }
    assert!(r.violations.is_empty());
    assert!(r.min_final() > 0);
}
