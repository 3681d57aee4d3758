//! A whole decision: a dozen members, 2-of-3 trustees, a revote, a replayed
//! ballot, a non-member, a ballot for another decision; everything is
//! re-verified from the encoded public record and the tally is checked.

use ballot::dkg::{
    qualified_dealers, Dealer, DealerShare, FeldmanCommitments, PedersenCommitments,
};
use ballot::{
    accept, Ballot, BallotKind, DecisionContext, DecisionId, DecryptionShare, Electorate,
    EncryptedTally, Error, KeyInfo, ThresholdParams, TrusteeKey, VotingSecret,
};
use rand::rngs::OsRng;

/// Runs the DKG message by message through byte encodings, as trustees in
/// separate homes would.
fn key_generation(params: ThresholdParams) -> (KeyInfo, Vec<TrusteeKey>, Vec<Vec<u8>>) {
    let m = params.trustees();
    let dealers: Vec<Dealer> = (1..=m)
        .map(|i| Dealer::new(params, i, &mut OsRng).unwrap())
        .collect();
    let round1: Vec<Vec<u8>> = dealers
        .iter()
        .map(|d| d.pedersen_commitments().to_bytes())
        .collect();
    let pedersen: Vec<PedersenCommitments> = round1
        .iter()
        .map(|b| PedersenCommitments::from_bytes(b).unwrap())
        .collect();
    let mut inbox: Vec<Vec<DealerShare>> = vec![Vec::new(); m as usize];
    for d in &dealers {
        for j in 1..=m {
            let wire = d.share_for(j).unwrap().to_bytes();
            let s = DealerShare::from_bytes(&wire).unwrap();
            pedersen
                .iter()
                .find(|p| p.dealer() == s.dealer)
                .unwrap()
                .verify(&s)
                .unwrap();
            inbox[j as usize - 1].push(s);
        }
    }
    let qual = qualified_dealers(&params, &pedersen, &[], &[]).unwrap();
    let round2: Vec<Vec<u8>> = dealers
        .iter()
        .map(|d| d.feldman_commitments().to_bytes())
        .collect();
    let feldman: Vec<FeldmanCommitments> = round2
        .iter()
        .map(|b| FeldmanCommitments::from_bytes(b).unwrap())
        .filter(|f| qual.contains(&f.dealer()))
        .collect();
    let info = KeyInfo::from_feldman(params, &feldman).unwrap();
    let keys = (1..=m)
        .map(|j| TrusteeKey::combine(&info, j, &inbox[j as usize - 1], &feldman).unwrap())
        .collect();
    (info, keys, round2)
}

#[test]
fn decision_with_revote_replay_and_bad_trustee() {
    let params = ThresholdParams::new(2, 3).unwrap();
    let (info, trustee_keys, round2) = key_generation(params);

    let members: Vec<VotingSecret> = (0..12)
        .map(|_| VotingSecret::generate(&mut OsRng))
        .collect();
    let electorate = Electorate::new(members.iter().map(|s| s.public()).collect()).unwrap();
    let decision = DecisionId(*b"decision: adopt the new garden!!");
    let kind = BallotKind::Approval { options: 3 };
    let ctx = DecisionContext::new(decision, &electorate, info.key(), kind).unwrap();

    // Everyone votes; member 0 later changes their mind.
    let mut record: Vec<Vec<u8>> = Vec::new();
    let vote = |i: usize| vec![(i % 2) as u64, (i % 3 == 0) as u64, 1];
    for (i, s) in members.iter().enumerate() {
        record.push(
            Ballot::cast(&ctx, &electorate, s, &vote(i), &mut OsRng)
                .unwrap()
                .to_bytes(),
        );
    }
    let revote = vec![1, 0, 0];
    record.push(
        Ballot::cast_revote(&ctx, &electorate, &members[0], &revote, 1, &mut OsRng)
            .unwrap()
            .to_bytes(),
    );
    // Someone re-posts member 0's first ballot to undo the revote.
    let replay_of = 0;
    record.push(record[replay_of].clone());
    // A non-member signs with a ring containing themself (another electorate).
    let outsider = VotingSecret::generate(&mut OsRng);
    let mut fake_keys = electorate.keys().to_vec();
    fake_keys[5] = outsider.public();
    let fake = Electorate::new(fake_keys).unwrap();
    let fake_ctx = DecisionContext::new(decision, &fake, info.key(), kind).unwrap();
    record.push(
        Ballot::cast(&fake_ctx, &fake, &outsider, &[1, 1, 1], &mut OsRng)
            .unwrap()
            .to_bytes(),
    );
    // A member's ballot made for another decision.
    let other_ctx =
        DecisionContext::new(DecisionId([0xaa; 32]), &electorate, info.key(), kind).unwrap();
    record.push(
        Ballot::cast(&other_ctx, &electorate, &members[3], &[1, 1, 1], &mut OsRng)
            .unwrap()
            .to_bytes(),
    );
    assert_eq!(record.len(), 16);

    // ---- Verification from the public record alone. ----
    let info_v = KeyInfo::from_feldman(
        params,
        &round2
            .iter()
            .map(|b| FeldmanCommitments::from_bytes(b).unwrap())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(info_v, info);
    let electorate_v = Electorate::from_bytes(&electorate.to_bytes()).unwrap();
    let ctx_v = DecisionContext::from_bytes(&ctx.to_bytes()).unwrap();
    let ballots: Vec<Ballot> = record
        .iter()
        .map(|b| Ballot::from_bytes(b).unwrap())
        .collect();
    let acc = accept(&ctx_v, &electorate_v, &ballots, &mut OsRng);

    assert_eq!(acc.replaced, vec![(0, 12)]);
    assert_eq!(
        acc.rejected,
        vec![
            (13, Error::Replayed { earlier: 0 }),
            (14, Error::WrongContext),
            (15, Error::WrongContext),
        ]
    );
    assert_eq!(acc.counted, (1..=12).collect::<Vec<_>>());
    // The revote carries the same tag; no two counted ballots share one.
    assert_eq!(ballots[0].tag(), ballots[12].tag());

    let tally = EncryptedTally::new(&ctx_v, &ballots, &acc).unwrap();
    assert_eq!(tally.counted(), 12);

    // Trustee 2 misbehaves; trustees 1 and 3 are honest.
    let good1 = tally.share(&trustee_keys[0], &info, &mut OsRng).unwrap();
    let good3 = tally.share(&trustee_keys[2], &info, &mut OsRng).unwrap();
    // Trustee 2 publishes a decryption of a different sum (leaving out a
    // ballot), well-formed but wrong for this tally.
    let mut partial = acc.clone();
    partial.counted.pop();
    let wrong_tally = EncryptedTally::new(&ctx_v, &ballots, &partial).unwrap();
    let bad2 = wrong_tally
        .share(&trustee_keys[1], &info, &mut OsRng)
        .unwrap();
    let shares_on_record: Vec<DecryptionShare> =
        [good1.to_bytes(), bad2.to_bytes(), good3.to_bytes()]
            .iter()
            .map(|b| DecryptionShare::from_bytes(b).unwrap())
            .collect();
    assert_eq!(
        tally.verify_share(&info_v, &shares_on_record[1]),
        Err(Error::BadDecryptionShare { trustee: 2 })
    );

    // Fewer than t valid shares decrypt nothing.
    assert!(matches!(
        tally.decrypt(&info_v, &shares_on_record[..1]),
        Err(Error::NotEnoughShares {
            valid: 1,
            threshold: 2
        })
    ));
    let result = tally.decrypt(&info_v, &shares_on_record).unwrap();
    if shares_on_record.len() == 3 {
        assert_eq!(
            result.rejected,
            vec![(2, Error::BadDecryptionShare { trustee: 2 })]
        );
    }
    assert_eq!(result.trustees, vec![1, 3]);

    // Expected totals: members 1..11 with their first vote, member 0's revote.
    let mut expected = revote.clone();
    for i in 1..12 {
        for (e, v) in expected.iter_mut().zip(vote(i)) {
            *e += v;
        }
    }
    assert_eq!(result.values, expected);
}
