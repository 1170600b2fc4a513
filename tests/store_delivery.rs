//! The outbox in the store, the same on both backends: queued once, claimed by one instance,
//! taken over when the holder's lease runs out, retried when told.

mod support;

use chrono::Duration;
use prospect_diary::domain::access::Audience;
use prospect_diary::store::{DeliveryStore, NewOutgoing};
use support::{Backend, start_time, test_store};

fn notice(key: &str) -> NewOutgoing {
    NewOutgoing {
        kind: "notice",
        chat_id: 42,
        ref_id: None,
        text: Some("привет".into()),
        markup: None,
        dedupe_key: key.into(),
        audience: Audience::Staff,
        notice: None,
    }
}

async fn outbox(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    assert_eq!(store.enqueue(&[notice("a"), notice("a"), notice("b")], now).await.unwrap(), 2);
    assert_eq!(store.enqueue(&[notice("a")], now).await.unwrap(), 0, "the same event is queued once");

    let first = store.claim_outbox("alpha", now, 60, 10).await.unwrap();
    assert_eq!(first.len(), 2);
    assert!(
        store.claim_outbox("beta", now, 60, 10).await.unwrap().is_empty(),
        "claimed items are not shared"
    );

    // alpha sends one and dies holding the other: beta takes it over when the lease runs out.
    store.outbox_sent(first[0].id, now).await.unwrap();
    assert!(store.claim_outbox("beta", now + Duration::seconds(59), 60, 10).await.unwrap().is_empty());
    let taken = store.claim_outbox("beta", now + Duration::seconds(61), 60, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    assert_eq!((taken[0].id, taken[0].attempts), (first[1].id, 2));

    // A retry waits for its time.
    let later = now + Duration::seconds(61);
    store.outbox_retry(taken[0].id, later + Duration::seconds(30), "Bad Gateway").await.unwrap();
    assert!(store.claim_outbox("alpha", later + Duration::seconds(29), 60, 10).await.unwrap().is_empty());
    let again = store.claim_outbox("alpha", later + Duration::seconds(30), 60, 10).await.unwrap();
    assert_eq!(again.len(), 1);
    store.outbox_failed(again[0].id, "Forbidden").await.unwrap();
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!(counts, vec![("failed".to_owned(), 1), ("sent".to_owned(), 1)]);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn the_outbox_works_on_sqlite() {
    outbox(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_outbox_works_on_postgres() {
    outbox(Backend::Postgres).await;
}
