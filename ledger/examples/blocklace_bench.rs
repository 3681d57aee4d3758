fn main() {
    let t = std::time::Instant::now();
    let mut c = ledger::blocklace::sim::SimConfig::calm(50, 1);
    c.duration_ms = 2000;
    let r = ledger::blocklace::sim::run(&c);
    println!(
        "{:?} rounds {} delivered {} final {}",
        t.elapsed(),
        r.max_round,
        r.delivered,
        r.min_final()
    );
}
