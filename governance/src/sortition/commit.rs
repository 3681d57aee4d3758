//! The digest of a draw's committed inputs: what a lottery seed is bound to.
//!
//! A draw is fair only if its inputs are fixed before its seed is known.
//! [`draw_inputs_digest`] is the SHA-256 of an unambiguous encoding of them:
//! the algorithm (a version string such as [`super::Lottery::DOMAIN`] or
//! [`super::rotation::Assembly::DOMAIN`]), the panel size, the features with
//! their quotas, the pool (identifiers and values, in order), and, for a
//! lottery draw, the lottery's panels and integer weights. The lottery is
//! included because it comes from a floating-point solver: another machine
//! or version might round to different weights, so the weights actually
//! drawn from must be the ones committed. The digest is what `ballot::coin`
//! binds into a coin's name.
//!
//! Encoding: every string and list is preceded by its length as a u64,
//! every number is a u64, all big-endian; the stream starts with the domain
//! [`INPUTS_DOMAIN`]. A lottery is preceded by one byte, 1 (present) or 0.

use sha2::{Digest, Sha256};

use super::draw::Lottery;
use super::quota::Instance;

/// The domain string that starts the digest's input.
pub const INPUTS_DOMAIN: &[u8] = b"grassroots/sortition/draw-inputs/v1";

struct Encoder(Sha256);

impl Encoder {
    fn num(&mut self, n: u64) {
        self.0.update(n.to_be_bytes());
    }

    fn len(&mut self, n: usize) {
        self.num(n as u64);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.update(b);
    }

    fn instance(&mut self, inst: &Instance) {
        self.len(inst.panel_size());
        self.len(inst.features().len());
        for f in inst.features() {
            self.bytes(f.name.as_bytes());
            self.len(f.values.len());
            for v in &f.values {
                self.bytes(v.name.as_bytes());
                self.len(v.min);
                self.len(v.max);
            }
        }
        self.len(inst.people().len());
        for p in inst.people() {
            self.bytes(p.id.as_bytes());
            self.len(p.values.len());
            p.values.iter().for_each(|&v| self.len(v));
        }
    }

    fn lottery(&mut self, lottery: &Lottery) {
        self.len(lottery.panels().len());
        for (panel, &w) in lottery.panels().iter().zip(lottery.weights()) {
            self.len(panel.len());
            panel.iter().for_each(|&i| self.len(i));
            self.num(w);
        }
    }
}

/// The SHA-256 digest of a draw's inputs (see the module docs).
pub fn draw_inputs_digest(
    algorithm: &[u8],
    instance: &Instance,
    lottery: Option<&Lottery>,
) -> [u8; 32] {
    let mut e = Encoder(Sha256::new());
    e.bytes(INPUTS_DOMAIN);
    e.bytes(algorithm);
    e.instance(instance);
    match lottery {
        Some(l) => {
            e.0.update([1]);
            e.lottery(l);
        }
        None => e.0.update([0]),
    }
    e.0.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sortition::{synthetic, Feature, FeatureValue, Person};

    /// A change to an instance's features, people and panel size.
    type Edit = dyn Fn(&mut Vec<Feature>, &mut Vec<Person>, &mut usize);

    fn digest_of(inst: &Instance) -> [u8; 32] {
        draw_inputs_digest(Lottery::DOMAIN, inst, None)
    }

    #[test]
    fn every_input_changes_the_digest() {
        let inst = synthetic::instance([1; 32], 12, 4, 2).unwrap();
        let base = digest_of(&inst);
        assert_eq!(base, digest_of(&inst.clone()));
        let rebuild = |f: &Edit| {
            let (mut fs, mut ps, mut k) = (
                inst.features().to_vec(),
                inst.people().to_vec(),
                inst.panel_size(),
            );
            f(&mut fs, &mut ps, &mut k);
            digest_of(&Instance::new(fs, ps, k).unwrap())
        };
        let changed = [
            rebuild(&|_, _, k| *k = 5),
            rebuild(&|fs, _, _| fs[0].values[0].max += 1),
            rebuild(&|fs, _, _| fs[1].values[0].name.push('x')),
            rebuild(&|_, ps, _| ps[3].id.push('x')),
            rebuild(&|_, ps, _| ps.swap(0, 1)),
            rebuild(&|fs, ps, _| {
                fs[0].values.push(FeatureValue {
                    name: "new".into(),
                    min: 0,
                    max: 4,
                });
                ps[0].values[0] = fs[0].values.len() - 1;
            }),
            draw_inputs_digest(b"another algorithm", &inst, None),
        ];
        for (i, d) in changed.iter().enumerate() {
            assert_ne!(*d, base, "change {i}");
        }
        let (dist, _) = crate::sortition::maximin(&inst).unwrap();
        let lottery = Lottery::from_distribution(&dist).unwrap();
        let with = draw_inputs_digest(Lottery::DOMAIN, &inst, Some(&lottery));
        assert_ne!(with, base);
        let mut w = lottery.weights().to_vec();
        let last = w.len() - 1;
        w[0] += 1;
        w[last] -= 1;
        if w.len() > 1 {
            let other = Lottery::from_weights(lottery.panels().to_vec(), w).unwrap();
            assert_ne!(
                draw_inputs_digest(Lottery::DOMAIN, &inst, Some(&other)),
                with
            );
        }
    }
}
