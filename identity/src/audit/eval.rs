//! Measuring a ranking against ground truth, and the admission rule.

use super::graph::TrustGraph;

/// Area under the ROC curve of `score` for separating honest (positive,
/// should score higher) from Sybil members: the probability that a random
/// honest member outscores a random Sybil, ties counting one half
/// (Mann–Whitney U with average ranks).
pub fn auc(score: &[f64], is_sybil: impl Fn(u32) -> bool) -> f64 {
    let mut order: Vec<u32> = (0..score.len() as u32).collect();
    order.sort_by(|&a, &b| score[a as usize].total_cmp(&score[b as usize]));
    let (mut honest, mut sybil) = (0usize, 0usize);
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j < order.len() && score[order[j] as usize] == score[order[i] as usize] {
            j += 1;
        }
        let avg = (i + j + 1) as f64 / 2.0; // 1-based average rank of the tie block
        for &v in &order[i..j] {
            if is_sybil(v) {
                sybil += 1;
            } else {
                honest += 1;
                rank_sum += avg;
            }
        }
        i = j;
    }
    if honest == 0 || sybil == 0 {
        return f64::NAN;
    }
    let h = honest as f64;
    (rank_sum - h * (h + 1.0) / 2.0) / (h * sybil as f64)
}

/// The admission rule: starting from the `admitted` members, repeatedly admit
/// any member (among `candidates`) with at least `k` sureties from admitted
/// members, until nothing changes. Returns the final admitted flags.
pub fn admit_cascade(
    g: &TrustGraph,
    admitted: &[bool],
    k: usize,
    candidate: impl Fn(u32) -> bool,
) -> Vec<bool> {
    let n = g.len();
    let mut adm = admitted.to_vec();
    let mut count = vec![0usize; n];
    let mut queue: Vec<u32> = (0..n as u32).filter(|&v| adm[v as usize]).collect();
    while let Some(v) = queue.pop() {
        for &w in g.neighbours(v) {
            let wi = w as usize;
            if adm[wi] || !candidate(w) {
                continue;
            }
            count[wi] += 1;
            if count[wi] >= k {
                adm[wi] = true;
                queue.push(w);
            }
        }
    }
    adm
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_extremes_and_ties() {
        let sy = |v: u32| v >= 2;
        assert_eq!(auc(&[3.0, 2.0, 1.0, 0.0], sy), 1.0);
        assert_eq!(auc(&[0.0, 1.0, 2.0, 3.0], sy), 0.0);
        assert_eq!(auc(&[1.0, 1.0, 1.0, 1.0], sy), 0.5);
        assert_eq!(auc(&[2.0, 0.0, 1.0, -1.0], sy), 0.75);
    }

    #[test]
    fn cascade_needs_k_admitted_sureties() {
        // honest h0,h1 admitted; s0 vouched by both; s1 by s0 only.
        let g = TrustGraph::from_pairs([("h0", "s0"), ("h1", "s0"), ("s0", "s1"), ("h0", "h1")])
            .unwrap();
        let adm = [true, false, true, false];
        let out = admit_cascade(&g, &adm, 2, |_| true);
        assert_eq!(out, vec![true, true, true, false]);
        let out = admit_cascade(&g, &adm, 1, |_| true);
        assert_eq!(out, vec![true; 4]);
    }
}
