//! Federation certificates: compact proofs, checkable by anyone who knows
//! a community's id, that statements are final on that community's record.
//!
//! A federation must act on its members' decisions (a member joined, a
//! member delegated a component, a member's assembly was drawn) without
//! running their consensus. The construction is the light client of
//! IBC-style bridges, specialised to the blocklace:
//!
//! * **Checkpoint** ([`Checkpoint`]): the statement "position `p` of
//!   community `C`'s record is final in epoch `e` with state root `r_p`"
//!   (and, for an epoch change, "the next participant set hashes to `h`"),
//!   encoded with a domain, a version and the community id, so a signature
//!   on it means nothing for another community, epoch, position or purpose.
//!   Every participant signs it with its Ed25519 participant key — the key
//!   it signs blocks with.
//! * **Certificate** ([`Certificate`]): the certified statement ids, the
//!   root `r_{p−1}` before them, the checkpoint, and signatures by a
//!   supermajority of the epoch's participants — the same quorum the
//!   blocklace needs for finality (`Participants::supermajority`, more
//!   than `(n + f)/2`) — as a participant bitmap and signatures in index
//!   order. The verifier recomputes `r_p` from `r_{p−1}` and the ids
//!   with the record's own root function (`community::record::next_root`),
//!   so the ids are bound to their positions.
//! * **Following participant sets** ([`LightClient`]): the verifier starts
//!   from the founders named in the genesis (the genesis is named by the
//!   community id, a hash) and accepts *epoch-change* certificates, each
//!   signed by a supermajority of the epoch it ends and carrying the next
//!   set. It then checks certificates of every epoch it has followed.
//! * **Equivocation** ([`Equivocation`]): two valid certificates of one
//!   epoch that disagree on a root, or two epoch changes of one epoch,
//!   name the participants who signed both: at least `f + 1` by quorum
//!   intersection, so the assumption (at most `f` faulty per epoch) was
//!   broken, and by whom.
//!
//! Signatures are checked one by one with `verify_strict`, the project's
//! single validity rule (`docs/formats.md`): batch verification accepts
//! some signatures strict verification refuses, and federation nodes that
//! disagree on a certificate's validity would diverge.
//!
//! Integration (`docs/federation.md` §7): a serving participant answers
//! checkpoint asks with [`sign::RecordSigner`]; anyone assembles the
//! answers into a certificate ([`collect`]), fetches one over the network
//! (`fetch`, feature `net`), and keeps certificates, the followed
//! epoch-change chain and equivocation evidence in the store ([`held`]).
//!
//! `docs/federation.md` gives the exact byte format, the size formula, the
//! assumptions, and what this does not cover.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod certificate;
pub mod checkpoint;
pub mod client;
pub mod collect;
pub mod error;
#[cfg(feature = "net")]
pub mod fetch;
pub mod held;
pub mod pins;
pub mod sign;

pub use certificate::{Certificate, Claim, MAX_IDS};
pub use checkpoint::{participants_hash, Checkpoint};
pub use client::{Conflict, Equivocation, LightClient, Verified};
pub use error::CertificateError;
pub use pins::{anchored, Anchored, Pin, PinView};
