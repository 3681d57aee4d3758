//! The store keeps exactly the verified statements it is given: every
//! rejection path, idempotence, atomic batches, corruption detection and
//! two writers at once.

use governance::Constitution;
use identity::Keypair;
use ledger::file::{self, FileError};
use ledger::store::MIGRATIONS;
use ledger::{Draft, Note, Payload, Statement, StatementId, Store, StoreError};

fn genesis(key: &Keypair) -> Statement {
    ledger::dag::found(key, Constitution::default(), &[], 1_700_000_000).unwrap()
}

fn note(key: &Keypair, g: &Statement, preds: Vec<StatementId>, text: &str) -> Statement {
    Statement::sign(
        key,
        Draft {
            community: g.id(),
            time: 1_700_000_100,
            preds,
            payload: Payload::Note(Note::new(text).unwrap()),
        },
    )
    .unwrap()
}

fn community(n: usize) -> (Keypair, Vec<Statement>) {
    let key = Keypair::generate();
    let g = genesis(&key);
    let mut all = vec![g.clone()];
    for i in 0..n {
        let prev = all.last().unwrap().id();
        all.push(note(&key, &g, vec![prev], &format!("note {i}")));
    }
    (key, all)
}

#[test]
fn insert_is_idempotent_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let (_k, all) = community(5);
    assert_eq!(store.insert_all(&all).unwrap(), 6);
    assert_eq!(store.insert_all(&all).unwrap(), 0);
    assert!(!store.insert(&all[3]).unwrap());
    let back = store.statements(&all[0].id()).unwrap();
    assert_eq!(back, all);
    assert_eq!(store.get(&all[2].id()).unwrap().unwrap(), all[2]);
    assert_eq!(store.communities().unwrap(), vec![all[0].id()]);
}

#[test]
fn unknown_community_and_missing_predecessor_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    let (_k, all) = community(3);
    let err = store.insert(&all[1]).unwrap_err();
    assert!(matches!(err, StoreError::UnknownCommunity { .. }), "{err}");
    store.insert(&all[0]).unwrap();
    // all[2] builds on all[1], which is absent: the whole batch is refused,
    // including the valid statement before it.
    let (_k2, other) = community(0);
    let err = store
        .insert_all(&[other[0].clone(), all[2].clone()])
        .unwrap_err();
    assert!(
        matches!(err, StoreError::MissingPredecessor { .. }),
        "{err}"
    );
    assert_eq!(store.communities().unwrap(), vec![all[0].id()]);
    assert_eq!(store.count(&all[0].id()).unwrap(), 1);
}

#[test]
fn a_row_altered_on_disk_is_detected_on_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (_k, all) = community(2);
    Store::open(&path).unwrap().insert_all(&all).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE statements SET body = CAST(replace(CAST(body AS TEXT), 'note 1', 'note 9') AS BLOB) WHERE id = ?1",
            [&all[2].id().0[..]],
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let err = store.get(&all[2].id()).unwrap_err();
    assert!(
        matches!(err, StoreError::Corrupted(id) if id == all[2].id()),
        "{err}"
    );
    assert!(err.to_string().contains("altered on disk"));
    assert!(matches!(
        store.statements(&all[0].id()),
        Err(StoreError::Corrupted(_))
    ));
    // The intact rows still read.
    assert_eq!(store.get(&all[1].id()).unwrap().unwrap(), all[1]);
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", MIGRATIONS.len() as u32 + 1)
        .unwrap();
    assert!(matches!(
        Store::open(&path),
        Err(StoreError::NewerSchema { .. })
    ));
}

#[test]
fn two_writers_on_one_home_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (key, all) = community(0);
    Store::open(&path).unwrap().insert(&all[0]).unwrap();
    let g = all[0].clone();
    std::thread::scope(|s| {
        for t in 0..2 {
            let (path, g, key) = (path.clone(), g.clone(), &key);
            s.spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for i in 0..50 {
                    store
                        .insert(&note(key, &g, vec![], &format!("writer {t} note {i}")))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(Store::open(&path).unwrap().count(&g.id()).unwrap(), 101);
}

#[test]
fn canonical_order_is_the_same_whatever_the_input_order() {
    let (k, mut all) = community(4);
    let g = all[0].clone();
    // Concurrent notes with no order between them.
    all.push(note(&k, &g, vec![g.id()], "side a"));
    all.push(note(&k, &g, vec![g.id()], "side b"));
    let ids = |v: &[Statement]| -> Vec<StatementId> {
        ledger::dag::canonical_order(v)
            .unwrap()
            .iter()
            .map(|s| s.id())
            .collect()
    };
    let a = ids(&all);
    all.reverse();
    assert_eq!(a, ids(&all));
    assert_eq!(a.len(), 7);
    assert_eq!(a[0], g.id());
}

#[test]
fn statement_files_round_trip_and_reject_damage() {
    let dir = tempfile::tempdir().unwrap();
    let (_k, all) = community(3);
    let path = dir.path().join("export.grs");
    file::write(&path, &all[0].id(), &all).unwrap();
    let read = file::read(&path).unwrap();
    assert_eq!(read.statements, all);

    let good = std::fs::read(&path).unwrap();
    // One flipped byte anywhere: refused, and importing it stores nothing.
    let mut store = Store::open(&dir.path().join("db")).unwrap();
    for i in 0..good.len() {
        let mut bad = good.clone();
        bad[i] ^= 0x04;
        let bad_path = dir.path().join("bad.grs");
        std::fs::write(&bad_path, &bad).unwrap();
        assert!(
            file::import(&mut store, &bad_path).is_err(),
            "flip at byte {i} accepted"
        );
    }
    assert!(store.communities().unwrap().is_empty());

    // Truncated.
    let err = file::decode(&good[..good.len() - 10], &path).err().unwrap();
    assert!(matches!(err, FileError::Framing(_)), "{err}");
    // Not a statement file at all.
    assert!(matches!(
        file::decode(b"hello", &path),
        Err(FileError::NotAStatementFile(_))
    ));

    assert_eq!(file::import(&mut store, &path).unwrap(), (4, 4));
    assert_eq!(file::import(&mut store, &path).unwrap(), (4, 0));
}

#[test]
fn a_statement_of_another_community_in_a_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let (_k, mine) = community(1);
    let (_k2, theirs) = community(1);
    let path = dir.path().join("mixed.grs");
    let mut mixed = mine.clone();
    mixed.push(theirs[0].clone());
    file::write(&path, &mine[0].id(), &mixed).unwrap();
    let err = file::read(&path).err().unwrap();
    let text = err.to_string();
    assert!(
        text.contains("statement #3") && text.contains("belongs to community"),
        "{text}"
    );
}

/// What another device submitted is remembered as such across a restart
/// (a participant proposes a ballot only when it came this way), in the
/// same transaction as the statement; what the device made or imported
/// itself is not marked, and a refused statement leaves no mark.
#[test]
fn relayed_statements_are_remembered_across_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let (_k, all) = community(3);
    let stranger = community(1).1;
    {
        let mut store = Store::open(&db).unwrap();
        store.insert_all(&all[..2]).unwrap();
        let (taken, skipped) = store
            .insert_relayed(&[all[2].clone(), stranger[1].clone()])
            .unwrap();
        assert_eq!(taken, vec![all[2].id()]);
        assert_eq!(skipped.len(), 1, "a statement of an unknown community");
        store.insert_available(&all[3..]).unwrap();
    }
    let store = Store::open(&db).unwrap();
    assert!(store.relayed(&all[2].id()).unwrap());
    assert!(!store.relayed(&all[1].id()).unwrap());
    assert!(!store.relayed(&all[3].id()).unwrap());
    assert!(!store.relayed(&stranger[1].id()).unwrap());
}

/// Importing a large file tells its progress: in steps of
/// `PROGRESS_EVERY`, never past the total, ending at the total.
#[test]
fn an_import_reports_its_progress_up_to_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let (_, all) = community(2 * file::PROGRESS_EVERY + 6);
    let path = dir.path().join("big.grs");
    file::write(&path, &all[0].id(), &all).unwrap();
    let mut store = Store::open(&dir.path().join("s.db")).unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let (total, added) = file::import_with(&mut store, &path, &|done, total| {
        seen.lock().unwrap().push((done, total));
    })
    .unwrap();
    assert_eq!((total, added), (all.len(), all.len()));
    let mut seen = seen.into_inner().unwrap();
    seen.sort();
    let expected = vec![
        (file::PROGRESS_EVERY, all.len()),
        (2 * file::PROGRESS_EVERY, all.len()),
        (all.len(), all.len()),
    ];
    assert_eq!(seen, expected);
}
