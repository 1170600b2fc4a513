//! The store behaves the same on both backends: one conformance suite, run on each.

mod support;

use chrono::Duration;
use prospect_diary::domain::access::{AccessError, Lang, NewUser, Placement, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::{FullName, RegionCode, TelegramId};
use prospect_diary::store::{ImportStore, Store, StoreError};
use support::{Backend, start_time, test_store};

fn id(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

fn msk() -> RegionCode {
    RegionCode::parse("MSK").unwrap()
}

fn note(subject: &str) -> AuditRecord {
    AuditRecord::new(start_time(), None, AuditAction::UserAdded).subject(subject)
}

async fn conformance(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else {
        return;
    };
    let now = start_time();

    // Divisions: unique codes; a refused write leaves no audit line.
    let region = Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    store.add_region(&region, now, &note("r")).await.unwrap();
    let dup = store.add_region(&region, now, &note("r")).await.unwrap_err();
    assert!(matches!(dup, StoreError::Access(AccessError::RegionExists(_))), "{dup:?}");
    assert_eq!(store.audit_by_subject("r").await.unwrap().len(), 1);
    assert_eq!(store.region(&msk()).await.unwrap(), Some(region.clone()));
    assert_eq!(store.regions().await.unwrap(), vec![region]);

    // The whitelist: unique ids, existing divisions only, each write with its audit line.
    let name = FullName::parse("Анна Петрова").unwrap();
    let anna = NewUser::new(id(1), name.clone(), Role::Specialist, Some(msk()), None).unwrap();
    let saved = store.add_user(&anna, now, &note("u1")).await.unwrap();
    assert!(saved.active && saved.lang == Lang::Ru && saved.added_at == now);
    let dup = store.add_user(&anna, now, &note("u1")).await.unwrap_err();
    assert!(matches!(dup, StoreError::Access(AccessError::UserExists(_))), "{dup:?}");
    let nowhere =
        NewUser::new(id(2), name, Role::Manager, Some(RegionCode::parse("NOPE").unwrap()), None).unwrap();
    let err = store.add_user(&nowhere, now, &note("u2")).await.unwrap_err();
    assert!(matches!(err, StoreError::Access(AccessError::UnknownRegion(_))), "{err:?}");
    assert!(store.user(id(2)).await.unwrap().is_none());
    assert!(store.audit_by_subject("u2").await.unwrap().is_empty());

    let head_office = Placement::new(Role::HeadOffice, None).unwrap();
    let boss = store.set_placement(id(1), &head_office, now, &note("u1")).await.unwrap();
    assert_eq!((boss.role, boss.region), (Role::HeadOffice, None));
    let err = store.set_placement(id(9), &head_office, now, &note("u9")).await.unwrap_err();
    assert!(matches!(err, StoreError::Access(AccessError::UnknownUser(_))), "{err:?}");
    assert!(!store.set_active(id(1), false, now, &note("u1")).await.unwrap().active);
    assert_eq!(store.set_lang(id(1), Lang::En, now, &note("u1")).await.unwrap().lang, Lang::En);
    assert_eq!(store.audit_by_subject("u1").await.unwrap().len(), 4);
    assert!(store.audit_by_subject("u9").await.unwrap().is_empty());

    // People are listed in one order on both backends, whatever the collation.
    for (n, full) in [(3, "борис Орлов"), (4, "Алина Ким"), (5, "Zoe Smith"), (6, "adam Brown")]
    {
        let user = NewUser::new(id(n), FullName::parse(full).unwrap(), Role::Admin, None, None).unwrap();
        store.add_user(&user, now, &note("x")).await.unwrap();
    }
    let names: Vec<String> =
        store.users().await.unwrap().iter().map(|u| u.full_name.as_str().to_owned()).collect();
    assert_eq!(names, ["adam Brown", "Zoe Smith", "Алина Ким", "Анна Петрова", "борис Орлов"]);

    // Flow state survives as text, one per chat.
    assert_eq!(store.dialogue(1).await.unwrap(), None);
    store.set_dialogue(1, "{\"a\":1}", now).await.unwrap();
    store.set_dialogue(1, "{\"a\":2}", now).await.unwrap();
    assert_eq!(store.dialogue(1).await.unwrap().as_deref(), Some("{\"a\":2}"));
    store.remove_dialogue(1).await.unwrap();
    assert_eq!(store.dialogue(1).await.unwrap(), None);

    // An update is handled once; old ids are forgotten.
    assert!(!store.is_handled(77).await.unwrap());
    store.mark_handled(77, now).await.unwrap();
    store.mark_handled(77, now).await.unwrap();
    assert!(store.is_handled(77).await.unwrap());
    assert_eq!(store.prune_updates(now + Duration::seconds(1)).await.unwrap(), 1);

    // A refusal notice is claimed at most once per interval.
    let hour = Duration::hours(1);
    assert!(store.claim_refusal_notice(id(5), now, now - hour).await.unwrap());
    assert!(
        !store
            .claim_refusal_notice(id(5), now + Duration::minutes(5), now + Duration::minutes(5) - hour)
            .await
            .unwrap()
    );
    let later = now + Duration::minutes(61);
    assert!(store.claim_refusal_notice(id(5), later, later - hour).await.unwrap());

    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn the_store_conforms_on_sqlite() {
    conformance(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_store_conforms_on_postgres() {
    conformance(Backend::Postgres).await;
}

async fn reopening(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else {
        return;
    };
    let region = Region::parse("VVO", "Владивосток", "Asia/Vladivostok").unwrap();
    store.add_region(&region, start_time(), &note("r")).await.unwrap();
    store.close().await;
    let reopened = prospect_diary::store::connect(&db.url).await.unwrap();
    assert_eq!(reopened.regions().await.unwrap(), vec![region]);
    reopened.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn reopening_an_existing_sqlite_database_keeps_its_data() {
    reopening(Backend::Sqlite).await;
}

#[tokio::test]
async fn reopening_an_existing_postgres_database_keeps_its_data() {
    reopening(Backend::Postgres).await;
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let versions = |dir: &str| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = versions("migrations/sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, versions("migrations/postgres"));
}

#[tokio::test]
async fn an_unknown_database_scheme_is_named() {
    let err = prospect_diary::store::connect("mysql://localhost/db").await.err().unwrap();
    assert!(err.to_string().contains("sqlite://PATH or postgres://"), "{err}");
}

/// Claims of updates and leases, as several instances use them: of many claiming at once
/// exactly one wins; a released claim is claimed again; an expired one is taken over.
async fn claims_and_leases(backend: Backend) {
    use prospect_diary::domain::session::UpdateClaim;
    let Some((store, mut db)) = test_store(backend).await else {
        return;
    };
    let store = std::sync::Arc::new(store);
    let now = start_time();
    let until = now + Duration::seconds(10);

    let racers: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_update(500, &format!("i{n}"), now, until).await.unwrap() })
        })
        .collect();
    let mut outcomes = vec![];
    for racer in racers {
        outcomes.push(racer.await.unwrap());
    }
    assert_eq!(outcomes.iter().filter(|o| **o == UpdateClaim::Claimed).count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|o| matches!(o, UpdateClaim::Claimed | UpdateClaim::InHand)));
    assert!(!store.is_handled(500).await.unwrap(), "in hand is not handled");

    // A holder that failed gives it up: the next delivery claims it and finishes it.
    store.claim_update(501, "a", now, until).await.unwrap();
    store.release_update(501, "b").await.unwrap();
    assert_eq!(
        store.claim_update(501, "b", now, until).await.unwrap(),
        UpdateClaim::InHand,
        "only its holder"
    );
    store.release_update(501, "a").await.unwrap();
    assert_eq!(store.claim_update(501, "b", now, until).await.unwrap(), UpdateClaim::Claimed);
    store.finish_update(501, "b", now).await.unwrap();
    assert!(store.is_handled(501).await.unwrap());
    assert_eq!(store.claim_update(501, "c", now, until).await.unwrap(), UpdateClaim::Handled);
    store.release_update(501, "b").await.unwrap();
    assert!(store.is_handled(501).await.unwrap(), "a handled update stays handled");

    // A holder that died: its claim runs out and is taken over; renewing keeps it.
    store.claim_update(502, "dead", now, until).await.unwrap();
    store.claim_update(503, "alive", now, until).await.unwrap();
    store.renew_update(503, "alive", until + Duration::seconds(30)).await.unwrap();
    let later = until + Duration::seconds(1);
    assert_eq!(
        store.claim_update(502, "b", later, later + Duration::seconds(10)).await.unwrap(),
        UpdateClaim::Claimed
    );
    assert_eq!(
        store.claim_update(503, "b", later, later + Duration::seconds(10)).await.unwrap(),
        UpdateClaim::InHand
    );

    // Leases: one holder at a time, renewed by it, taken over when they run out.
    assert!(store.take_lease("poller", "a", now, until).await.unwrap());
    assert!(!store.take_lease("poller", "b", now, until).await.unwrap());
    assert!(store.take_lease("poller", "a", now, until + Duration::seconds(5)).await.unwrap());
    assert_eq!(store.lease_holder("poller", now).await.unwrap().as_deref(), Some("a"));
    assert!(!store.take_lease("poller", "b", until + Duration::seconds(1), later).await.unwrap(), "renewed");
    let expired = until + Duration::seconds(6);
    assert_eq!(store.lease_holder("poller", expired).await.unwrap(), None);
    assert!(store.take_lease("poller", "b", expired, expired + Duration::seconds(10)).await.unwrap());
    store.release_lease("poller", "a").await.unwrap();
    assert_eq!(store.lease_holder("poller", expired).await.unwrap().as_deref(), Some("b"), "only its holder");
    store.release_lease("poller", "b").await.unwrap();
    assert!(store.take_lease("poller", "c", expired, expired + Duration::seconds(10)).await.unwrap());

    // A lease ended by anyone (a listing cancelled from another instance): its holder's renewal
    // finds it gone and takes nothing; a new holder may take it.
    let soon = expired + Duration::seconds(10);
    assert!(store.take_lease("listing:7", "job1", expired, soon).await.unwrap());
    assert!(store.renew_lease("listing:7", "job1", soon + Duration::seconds(5)).await.unwrap());
    assert!(!store.renew_lease("listing:7", "job2", soon).await.unwrap(), "only its holder renews");
    assert!(store.end_lease("listing:7", expired).await.unwrap());
    assert!(!store.end_lease("listing:7", expired).await.unwrap(), "nothing left to end");
    assert!(!store.renew_lease("listing:7", "job1", soon).await.unwrap());
    assert_eq!(store.lease_holder("listing:7", expired).await.unwrap(), None);
    assert!(store.take_lease("listing:7", "job2", expired, soon).await.unwrap());
    assert!(
        !store.end_lease("listing:7", soon + Duration::seconds(1)).await.unwrap(),
        "an expired one was not held"
    );

    let racers: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(
                async move { store.take_lease("person:7", &format!("h{n}"), now, until).await.unwrap() },
            )
        })
        .collect();
    let mut taken = 0;
    for racer in racers {
        taken += usize::from(racer.await.unwrap());
    }
    assert_eq!(taken, 1, "one person's update in hand at a time");
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn update_claims_and_leases_on_sqlite() {
    claims_and_leases(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn update_claims_and_leases_on_postgres() {
    claims_and_leases(Backend::Postgres).await;
}

/// An update started and ended in one step each: the claim with the person's turn and their
/// whitelist entry (a stranger's is none), the turn busy while another update of theirs is in
/// hand, no turn without a person, and the end marking it handled and freeing the turn.
async fn updates_started_in_one_step(backend: Backend) {
    use prospect_diary::domain::session::{Turn, UpdateClaim};
    let Some((store, mut db)) = test_store(backend).await else {
        return;
    };
    let now = start_time();
    let until = now + Duration::seconds(10);
    let region = Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    store.add_region(&region, now, &note("r")).await.unwrap();
    let name = FullName::parse("Анна Петрова").unwrap();
    store
        .add_user(
            &NewUser::new(id(4101), name, Role::Specialist, Some(msk()), None).unwrap(),
            now,
            &note("u"),
        )
        .await
        .unwrap();
    let anna = |holder: &'static str| Turn { lease: "person:4101", holder, person: id(4101) };

    let first = store.start_update(600, "i1", Some(&anna("i1/600")), now, until).await.unwrap();
    assert_eq!(first.claim, UpdateClaim::Claimed);
    assert!(first.turn);
    assert_eq!(first.entry.map(|u| u.telegram_id), Some(id(4101)));
    // Her next update, elsewhere, meanwhile: claimed, but her turn is not free.
    let second = store.start_update(601, "i2", Some(&anna("i2/601")), now, until).await.unwrap();
    assert_eq!((second.claim, second.turn), (UpdateClaim::Claimed, false));
    assert!(second.entry.is_none(), "read after the wait instead");
    assert_eq!(
        store.start_update(600, "i2", Some(&anna("i2/600")), now, until).await.unwrap().claim,
        UpdateClaim::InHand
    );
    store.end_update(600, "i1", Some(&anna("i1/600")), now).await.unwrap();
    assert!(store.is_handled(600).await.unwrap());
    assert!(store.take_lease("person:4101", "i2/601", now, until).await.unwrap(), "her turn is free");
    let again = store.start_update(600, "i2", Some(&anna("i2/600")), now, until).await.unwrap();
    assert_eq!((again.claim, again.turn), (UpdateClaim::Handled, false));

    let stranger = Turn { lease: "person:4999", holder: "i1/602", person: id(4999) };
    let started = store.start_update(602, "i1", Some(&stranger), now, until).await.unwrap();
    assert_eq!((started.claim, started.turn), (UpdateClaim::Claimed, true));
    assert!(started.entry.is_none());
    let nobody = store.start_update(603, "i1", None, now, until).await.unwrap();
    assert_eq!((nobody.claim, nobody.turn), (UpdateClaim::Claimed, false));
    store.end_update(603, "i1", None, now).await.unwrap();
    assert!(store.is_handled(603).await.unwrap());
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_started_in_one_step_on_sqlite() {
    updates_started_in_one_step(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_started_in_one_step_on_postgres() {
    updates_started_in_one_step(Backend::Postgres).await;
}

/// A file sent for import that nobody saved or cancelled is dropped after a day: its rows hold
/// personal data. A decided file and a recent one are left alone.
async fn abandoned_imports(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else {
        return;
    };
    let now = start_time();
    let region = Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    store.add_region(&region, now, &note("r")).await.unwrap();
    let name = FullName::parse("Михаил Руков").unwrap();
    let manager = NewUser::new(id(4001), name, Role::Manager, Some(msk()), None).unwrap();
    store.add_user(&manager, now, &note("u")).await.unwrap();
    let old = store.keep_pending_import(id(4001), "old.csv", b"x", now).await.unwrap();
    let recent =
        store.keep_pending_import(id(4001), "recent.csv", b"y", now + Duration::hours(23)).await.unwrap();
    let saved = store.keep_pending_import(id(4001), "saved.csv", b"z", now).await.unwrap();
    store.claim_pending_import(saved, id(4001), "saving").await.unwrap().unwrap();
    store.settle_pending_import(saved, "saved").await.unwrap();

    let later = now + Duration::hours(25);
    assert_eq!(store.forget_pending_imports(later - Duration::days(1)).await.unwrap(), 1);
    assert!(store.claim_pending_import(old, id(4001), "saving").await.unwrap().is_none(), "dropped");
    let kept = store.claim_pending_import(recent, id(4001), "saving").await.unwrap().unwrap();
    assert_eq!(kept.content, b"y");
    assert_eq!(store.forget_pending_imports(later).await.unwrap(), 0, "nothing pending is left");
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abandoned_imports_are_dropped_on_sqlite() {
    abandoned_imports(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn abandoned_imports_are_dropped_on_postgres() {
    abandoned_imports(Backend::Postgres).await;
}
