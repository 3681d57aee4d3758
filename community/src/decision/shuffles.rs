//! The shuffles of a whole-ballot decision's counted ballots (kind 28),
//! applied in record order before any ballot is decrypted alone.
//!
//! After a settled close, any `t` distinct trustees (`t` the decision's
//! threshold) shuffle one after another, in record order, each the list
//! the previous one left — the first the counted ballots in the order the
//! close fixes. No trustee's turn is reserved, so one missing trustee does
//! not stall the decision: the first `t` valid shuffles by distinct
//! trustees form the chain, as any `t` decryption shares decrypt. A shuffle is
//! one or more part statements ([`ShufflePart`]); it takes effect at the
//! position of its last part, and is then checked against the current
//! list: its input digest, its turn, and its proof, bound by
//! [`ShuffleContext::for_close`] to the decision, the close and the input.
//! Anything else is kept in [`DecisionState::ignored`](super::DecisionState)
//! with its reason: a shuffle for another close, by a key that is not the
//! trustee it names, that does not decode, a trustee's second
//! one, one naming another input (two trustees who shuffle the same list at
//! once: the first in record order counts, the other shuffles again), one whose proof fails (the failure named:
//! a dropped, duplicated or altered ballot fails the permutation, product or
//! re-encryption argument), and one after the `t`-th.
//!
//! **Why `t` shufflers.** Any `t` trustees can decrypt the counted ballots
//! before they are shuffled, so no rule protects against `t` colluding
//! trustees; `t` shufflers are themselves such a coalition, so more
//! shufflers would add no privacy, only more trustees who must be present.
//! Against everyone else — who read the record, and fewer than `t`
//! trustees — the final list is unlinkable to the ballot statements as long
//! as one shuffler keeps its permutation secret.

use super::DecisionError;
use ballot::{CountedBallots, DecisionContext, ShuffleChain, ShuffleContext};
use identity::PublicKey;
use ledger::payload::ShufflePart;
use ledger::statement::StatementId;

type Id = StatementId;

/// A trustee's shuffle the decision applied.
#[derive(Clone, Debug)]
pub struct ShuffleRecord {
    /// Its part statements, in part order.
    pub statements: Vec<StatementId>,
    /// The shuffler (1-based trustee index).
    pub shuffler: u16,
    /// The shuffler's identity key.
    pub by: PublicKey,
    /// Digest of the list it shuffled.
    pub input: [u8; 32],
    /// Digest of the list it left.
    pub output: [u8; 32],
}

/// The shuffles of a closed whole-ballot decision's counted ballots.
#[derive(Clone, Debug)]
pub struct Shuffles {
    /// How many distinct trustees shuffle, one after another: the
    /// decision's threshold.
    pub needed: u16,
    /// The shuffles applied, in order, each verified against its input.
    pub applied: Vec<ShuffleRecord>,
    /// Whether every applied shuffle is final (on a device following the
    /// lace; always on one that exchanges statements by file). Trustees
    /// shuffle and share only on settled shuffles.
    pub settled: bool,
    chain: Option<ShuffleChain>,
}

impl Shuffles {
    /// How many more shuffles are needed (0 once complete).
    pub fn missing(&self) -> u16 {
        self.needed.saturating_sub(self.applied.len() as u16)
    }

    /// Whether trustee `j` may shuffle next: the chain is not complete and
    /// `j` has not shuffled in it.
    pub fn may_shuffle(&self, j: u16) -> bool {
        !self.complete() && !self.applied.iter().any(|r| r.shuffler == j)
    }

    /// Whether the `needed` shuffles are applied.
    pub fn complete(&self) -> bool {
        self.missing() == 0
    }

    /// The verified chain of shuffles so far (`None` if no ballot was
    /// counted).
    pub fn chain(&self) -> Option<&ShuffleChain> {
        self.chain.as_ref()
    }
}

/// A statement without effect, and why.
type Ignored = Vec<(StatementId, String)>;

/// Shuffle parts in record order: (statement, part, author).
pub(super) type PartList<'a> = Vec<(StatementId, &'a ShufflePart, PublicKey)>;

/// Applies `parts` in record order to `counted`, the ballots counted at
/// `close` under `ctx`; `trustee` gives a key's trustee index.
pub(super) struct Applier<'a, 'b> {
    pub ctx: &'a DecisionContext,
    pub close: StatementId,
    pub counted: &'a CountedBallots,
    pub trustee: &'a dyn Fn(&PublicKey) -> Option<u16>,
    pub ignored: &'b mut Ignored,
}

impl Applier<'_, '_> {
    /// Applies every part; returns the shuffles.
    pub(super) fn run(self, needed: u16, parts: PartList<'_>) -> Result<Shuffles, DecisionError> {
        let mut out = Shuffles {
            needed,
            applied: Vec::new(),
            settled: true,
            chain: None,
        };
        if self.counted.is_empty() {
            for (id, ..) in parts {
                self.ignored
                    .push((id, "a shuffle, but no ballot was counted".into()));
            }
            return Ok(out);
        }
        let sctx = ShuffleContext::for_close(self.ctx, &self.close.0)?;
        out.chain = Some(ShuffleChain::new(
            sctx,
            self.counted.ciphertexts().to_vec(),
        )?);
        let mut run = Run {
            a: self,
            out,
            groups: Vec::new(),
        };
        for (id, p, author) in parts {
            run.part(id, p, author)?;
        }
        Ok(run.finish())
    }
}

/// Parts of one shuffle held so far, with the author.
struct Group<'p> {
    parts: Vec<(StatementId, &'p ShufflePart)>,
    by: PublicKey,
}

struct Run<'a, 'b, 'p> {
    a: Applier<'a, 'b>,
    out: Shuffles,
    groups: Vec<Group<'p>>,
}

impl<'p> Run<'_, '_, 'p> {
    fn ignore(&mut self, ids: &[Id], why: String) {
        for id in ids {
            self.a.ignored.push((*id, why.clone()));
        }
    }

    /// One part in record order: checked alone, then grouped; a complete
    /// group is offered as a shuffle.
    fn part(&mut self, id: Id, p: &'p ShufflePart, by: PublicKey) -> Result<(), DecisionError> {
        if let Some(why) = self.refuse_part(p, &by) {
            self.ignore(&[id], why);
            return Ok(());
        }
        let at = self.group_of(p, by);
        let group = &mut self.groups[at].parts;
        if group.iter().any(|(_, q)| q.part == p.part) {
            let why = format!(
                "a second copy of part {} of trustee {}'s shuffle",
                p.part, p.shuffler
            );
            self.ignore(&[id], why);
            return Ok(());
        }
        group.push((id, p));
        if group.len() == p.parts as usize {
            let group = self.groups.remove(at);
            self.offer(group)?;
        }
        Ok(())
    }

    /// Why a part is without effect whatever else is held: another close,
    /// or a key other than the trustee it names.
    fn refuse_part(&self, p: &ShufflePart, by: &PublicKey) -> Option<String> {
        let j = p.shuffler;
        if p.close != self.a.close {
            return Some("a shuffle for a close not in force".into());
        }
        match (self.a.trustee)(by) {
            None => Some("a shuffle by a key that is not a trustee".into()),
            Some(k) if k != j => Some(format!(
                "a shuffle for trustee {j} signed by trustee {k}'s key"
            )),
            Some(_) => None,
        }
    }

    /// The index of the group of `p`'s shuffle, started if new.
    fn group_of(&mut self, p: &ShufflePart, by: PublicKey) -> usize {
        let found = self
            .groups
            .iter()
            .position(|g| g.parts.first().is_some_and(|(_, q)| q.same_shuffle(p)));
        found.unwrap_or_else(|| {
            self.groups.push(Group {
                parts: Vec::new(),
                by,
            });
            self.groups.len() - 1
        })
    }

    /// A shuffle whose parts are all held, at the position of its last.
    fn offer(&mut self, mut g: Group<'p>) -> Result<(), DecisionError> {
        g.parts.sort_by_key(|(_, p)| p.part);
        let ids: Vec<Id> = g.parts.iter().map(|(id, _)| *id).collect();
        let head = g.parts[0].1;
        let j = head.shuffler;
        let refs: Vec<&ShufflePart> = g.parts.iter().map(|(_, p)| *p).collect();
        let step = match ShufflePart::assemble(&refs) {
            Ok(step) => step,
            Err(e) => {
                self.ignore(&ids, format!("trustee {j}'s shuffle does not decode: {e}"));
                return Ok(());
            }
        };
        let current = self.current();
        let why = self.refusal(j, &head.input, &current).or_else(|| {
            let chain = self
                .out
                .chain
                .as_mut()
                .expect("set when ballots were counted");
            chain
                .push(step)
                .err()
                .map(|e| format!("trustee {j}'s shuffle is refused: {e}"))
        });
        if let Some(why) = why {
            self.ignore(&ids, why);
            return Ok(());
        }
        let chain = self.out.chain.as_ref().expect("set above");
        let output = self.a.counted.shuffled(self.a.ctx, chain)?.digest();
        self.out.applied.push(ShuffleRecord {
            statements: ids,
            shuffler: j,
            by: g.by,
            input: current,
            output,
        });
        Ok(())
    }

    /// Digest of the list the next shuffle takes.
    fn current(&self) -> [u8; 32] {
        self.out
            .applied
            .last()
            .map_or_else(|| self.a.counted.digest(), |r| r.output)
    }

    /// Why trustee `j`'s shuffle of the list with digest `input` cannot be
    /// next, before its proof is checked.
    fn refusal(&self, j: u16, input: &[u8; 32], current: &[u8; 32]) -> Option<String> {
        let needed = self.out.needed;
        if self.out.complete() {
            Some(format!(
                "a shuffle after the {needed} shuffles are complete"
            ))
        } else if !self.out.may_shuffle(j) {
            Some(format!(
                "trustee {j} shuffled already; its first valid shuffle counts"
            ))
        } else if input != current {
            Some(format!(
                "trustee {j}'s shuffle names input list {}, not the current list {} (another trustee's shuffle came first)",
                hex::encode(&input[..8]),
                hex::encode(&current[..8])
            ))
        } else {
            None
        }
    }

    /// Parts of shuffles still missing parts are without effect.
    fn finish(mut self) -> Shuffles {
        for g in std::mem::take(&mut self.groups) {
            let head = g.parts[0].1;
            let ids: Vec<Id> = g.parts.iter().map(|(id, _)| *id).collect();
            let why = format!(
                "part of trustee {}'s shuffle: {} of its {} parts are held",
                head.shuffler,
                g.parts.len(),
                head.parts
            );
            self.ignore(&ids, why);
        }
        self.out
    }
}
