//! A diary entry is one use case and one transaction (SPEC §5, §6): the entry, its follow-up,
//! the card's status, the hand-off it makes, the lead card queued for the chat, the owner's
//! notice and the audit lines are saved together or not at all — on both backends.

mod support;

use chrono::{DateTime, Duration, Utc};
use prospect_diary::domain::access::{Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::diary::{Kind, NewEntry, Outcome};
use prospect_diary::domain::handoff::{HandoffFilter, Route};
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Details, NewProspect, Product, ProspectId, Status};
use prospect_diary::domain::prospects;
use prospect_diary::domain::requisites::{CompanyName, Inn};
use prospect_diary::store::{DeliveryStore, DiaryStore, HandoffStore, ProspectStore, SqlStore, Store};
use support::{Backend, TestDb, start_time, test_store, whitelist};

const OWNER: i64 = 1;
const AUTHOR: i64 = 2;
const CREDIT_CHAT: i64 = -100_555;

fn id(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

/// Makes every insert of a domain notice into the outbox fail: the last write of the entry.
async fn break_notices(db: &TestDb, backend: Backend) {
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER break_notices BEFORE INSERT ON outbox WHEN NEW.kind = 'event' \
                 BEGIN SELECT RAISE(ABORT, 'the disk is full'); END",
            )
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query(
                "CREATE FUNCTION break_notices() RETURNS trigger AS $$ BEGIN \
                 RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql",
            )
            .execute(&pool)
            .await
            .unwrap();
            sqlx::query(
                "CREATE TRIGGER break_notices BEFORE INSERT ON outbox FOR EACH ROW \
                 WHEN (NEW.kind = 'event') EXECUTE FUNCTION break_notices()",
            )
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        }
    }
}

async fn mend_notices(db: &TestDb, backend: Backend) {
    let sql = "DROP TRIGGER break_notices";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            sqlx::query(&format!("{sql} ON outbox")).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// Moscow with a credit route; Anna owns a card, her colleague Boris writes on it.
async fn seed(store: &SqlStore, now: DateTime<Utc>) -> ProspectId {
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    store.add_region(&Region::parse("MSK", "Москва", "Europe/Moscow").unwrap(), now, &note).await.unwrap();
    whitelist(store, OWNER, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK"), now).await;
    whitelist(store, AUTHOR, "Орлов Борис Ильич", Role::Specialist, Some("MSK"), now).await;
    let msk = RegionCode::parse("MSK").unwrap();
    let route = Route { region: msk.clone(), product: Product::Credit, chat_id: CREDIT_CHAT };
    store.set_route(&route, None, now, &note).await.unwrap();
    let card = NewProspect {
        name: CompanyName::parse("ООО «Ромашка»").unwrap(),
        inn: Inn::parse("7707083893").unwrap(),
        details: Details::default(),
        owner: id(OWNER),
        region: msk,
    };
    store.create_prospect(&card, id(OWNER), now, &note).await.unwrap().id
}

fn positive_entry(prospect: ProspectId, now: DateTime<Utc>) -> NewEntry {
    NewEntry {
        prospect,
        author: id(AUTHOR),
        kind: Kind::Meeting,
        outcome: Outcome::Positive,
        summary: "Готовы обсудить кредитную линию".into(),
        products: vec![Product::Credit],
        happened_at: now,
        next_contact: Some(now + Duration::days(3)),
    }
}

async fn one_transaction(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let card = seed(&store, now).await;
    let author = store.user(id(AUTHOR)).await.unwrap().unwrap();
    let entry = positive_entry(card, now);

    // The owner's notice — the entry's last write — fails: nothing of the entry is saved.
    break_notices(&db, backend).await;
    assert!(prospects::log_entry(&store, &author, &entry, now).await.is_err());
    assert_eq!(store.entry_count(card).await.unwrap(), 0);
    assert!(store.agenda(id(AUTHOR), now + Duration::days(30)).await.unwrap().is_empty());
    assert!(store.handoffs(&HandoffFilter::Prospect(card), 10).await.unwrap().is_empty());
    assert!(store.outbox_counts().await.unwrap().is_empty());
    assert!(store.audit_by_actor(id(AUTHOR)).await.unwrap().is_empty());
    assert_eq!(store.prospect(card, None).await.unwrap().unwrap().status, Status::New);

    // With the outbox mended, the same entry writes all of it at once.
    mend_notices(&db, backend).await;
    let logged = prospects::log_entry(&store, &author, &entry, now).await.unwrap();
    assert_eq!(store.entry_count(card).await.unwrap(), 1);
    assert_eq!(store.agenda(id(AUTHOR), now + Duration::days(30)).await.unwrap().len(), 1);
    assert_eq!(logged.handoffs.len(), 1);
    assert_eq!(logged.handoffs[0].chat_id, CREDIT_CHAT);
    assert_eq!(logged.prospect.status, Status::HandedOff);
    // The lead card (due when the wait for the facts ends) and the owner's notice.
    assert_eq!(store.outbox_counts().await.unwrap(), vec![("pending".to_owned(), 2)]);
    let actions: Vec<String> =
        store.audit_by_actor(id(AUTHOR)).await.unwrap().into_iter().map(|r| r.action).collect();
    assert!(actions.contains(&"entry_logged".to_owned()) && actions.contains(&"handed_off".to_owned()));
    // Only the owner's notice is due now: the lead card waits for the specialist's facts.
    let due = store.claim_outbox("test", now, 60, 10).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].chat_id, due[0].kind.as_str()), (OWNER, "event"));
    store.close().await;
    db.drop_database().await;
}

/// Two colleagues log a positive entry about the same product at the same moment: both
/// entries are saved, and the card is handed off once.
async fn colleagues_at_once(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let card = seed(&store, now).await;
    let owner = store.user(id(OWNER)).await.unwrap().unwrap();
    let author = store.user(id(AUTHOR)).await.unwrap().unwrap();
    let by_owner = NewEntry { author: id(OWNER), ..positive_entry(card, now) };
    let by_author = positive_entry(card, now);
    let (first, second) = tokio::join!(
        prospects::log_entry(&store, &owner, &by_owner, now),
        prospects::log_entry(&store, &author, &by_author, now),
    );
    let made = first.unwrap().handoffs.len() + second.unwrap().handoffs.len();
    assert_eq!(made, 1);
    assert_eq!(store.entry_count(card).await.unwrap(), 2);
    assert_eq!(store.handoffs(&HandoffFilter::Prospect(card), 10).await.unwrap().len(), 1);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn two_colleagues_logging_at_once_both_save_and_hand_off_once_on_sqlite() {
    colleagues_at_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_colleagues_logging_at_once_both_save_and_hand_off_once_on_postgres() {
    colleagues_at_once(Backend::Postgres).await;
}

#[tokio::test]
async fn an_entry_that_cannot_queue_its_notice_saves_nothing_on_sqlite() {
    one_transaction(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_entry_that_cannot_queue_its_notice_saves_nothing_on_postgres() {
    one_transaction(Backend::Postgres).await;
}
