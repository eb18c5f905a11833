//! The quote counter under concurrent use: numbers are unique, gap-free
//! between takers, and never go back.

use nestwork::quote::history::QuoteStore;
use std::collections::BTreeSet;

#[test]
fn concurrent_takers_never_get_the_same_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = QuoteStore::open(dir.path()).unwrap();
    let threads: Vec<_> = (0..6)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..15)
                    .map(|_| store.next_number().unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = BTreeSet::new();
    for t in threads {
        for n in t.join().unwrap() {
            assert!(all.insert(n.clone()), "{n} was given twice");
        }
    }
    assert_eq!(all.len(), 90);
    assert_eq!(all.first().unwrap(), "Q-000001");
    assert_eq!(all.last().unwrap(), "Q-000090");
    // A store opened again continues after the last number.
    let again = QuoteStore::open(dir.path()).unwrap();
    assert_eq!(again.next_number().unwrap(), "Q-000091");
}

#[test]
fn damaged_counter_is_an_error_not_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("counter"), "twelve\n").unwrap();
    let store = QuoteStore::open(dir.path()).unwrap();
    let err = store.next_number().unwrap_err().to_string();
    assert!(
        err.contains("is damaged") && err.contains("`twelve`"),
        "{err}"
    );
}

#[test]
fn unknown_quote_cannot_be_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let store = QuoteStore::open(dir.path()).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 25).unwrap();
    let err = store.accept("Q-000404", today).unwrap_err().to_string();
    assert!(err.contains("no quote Q-000404"), "{err}");
    assert!(store.list(today).unwrap().is_empty());
}
