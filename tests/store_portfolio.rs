//! Moving cards is one transaction (SPEC §2): the card, its open follow-ups, the audit line and
//! both owners' notices are saved together or not at all, and a move racing a diary entry, a
//! credit officer's Take or another move ends as if they had run one after the other — on both
//! backends.

mod support;

use chrono::{DateTime, Duration, Utc};
use prospect_diary::domain::access::{Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::diary::{Kind, NewEntry, Outcome};
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::domain::portfolio::{self, MoveError};
use prospect_diary::domain::prospect::{Details, NewProspect, ProspectId};
use prospect_diary::domain::prospects;
use prospect_diary::domain::requisites::{CompanyName, Inn};
use prospect_diary::store::{
    CardMove, DeliveryStore, DiaryStore, PortfolioStore, ProspectStore, SqlStore, Store, Transfer,
};
use support::{Backend, inn, start_time, test_store, whitelist};

const ANNA: i64 = 1;
const BORIS: i64 = 2;
const VERA: i64 = 3;
const MANAGER: i64 = 9;
const OFFICER: i64 = 7;

fn id(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

/// Moscow: Anna, Boris and Vera, specialists, and their manager; Anna owns `cards` cards, each
/// with a next contact agreed.
async fn seed(store: &SqlStore, now: DateTime<Utc>, cards: u32) -> Vec<ProspectId> {
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    store.add_region(&Region::parse("MSK", "Москва", "Europe/Moscow").unwrap(), now, &note).await.unwrap();
    whitelist(store, ANNA, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK"), now).await;
    whitelist(store, BORIS, "Орлов Борис Ильич", Role::Specialist, Some("MSK"), now).await;
    whitelist(store, VERA, "Жукова Вера Павловна", Role::Specialist, Some("MSK"), now).await;
    whitelist(store, MANAGER, "Миронов Олег Петрович", Role::Manager, Some("MSK"), now).await;
    let anna = store.user(id(ANNA)).await.unwrap().unwrap();
    let mut ids = vec![];
    for n in 0..cards {
        let card = NewProspect {
            name: CompanyName::parse(&format!("ООО «Ромашка {n}»")).unwrap(),
            inn: Inn::parse(&inn(n)).unwrap(),
            details: Details::default(),
            owner: id(ANNA),
            region: RegionCode::parse("MSK").unwrap(),
        };
        let p = store.create_prospect(&card, id(ANNA), now, &note).await.unwrap().id;
        prospects::schedule(store, &anna, p, now + Duration::days(2), now).await.unwrap();
        ids.push(p);
    }
    ids
}

fn entry(prospect: ProspectId, author: i64, now: DateTime<Utc>) -> NewEntry {
    NewEntry {
        prospect,
        author: id(author),
        kind: Kind::Call,
        outcome: Outcome::Neutral,
        summary: "Перезвонить после совещания".into(),
        products: vec![],
        happened_at: now,
        next_contact: Some(now + Duration::days(5)),
    }
}

async fn open_followups(store: &SqlStore, owner: i64, now: DateTime<Utc>) -> usize {
    store.agenda(id(owner), now + Duration::days(365)).await.unwrap().len()
}

/// The manager gives each of Anna's cards to Boris while Anna writes an entry on it at the
/// same moment: both are saved, the entry keeps its author, the card is Boris's, and the card
/// has exactly one open follow-up — whichever ran first.
async fn move_races_an_entry(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let cards = seed(&store, now, 6).await;
    let manager = store.user(id(MANAGER)).await.unwrap().unwrap();
    let anna = store.user(id(ANNA)).await.unwrap().unwrap();
    for card in &cards {
        let by_anna = entry(*card, ANNA, now);
        let (moved, logged) = tokio::join!(
            portfolio::reassign_card(&store, &manager, *card, id(BORIS), now),
            prospects::log_entry(&store, &anna, &by_anna, now),
        );
        assert_eq!(moved.unwrap().owner, id(BORIS));
        let logged = logged.unwrap();
        let written = store.entry(*card, logged.entry_id).await.unwrap().unwrap();
        assert_eq!(written.author, id(ANNA), "authorship stays");
        let p = store.prospect(*card, None).await.unwrap().unwrap();
        assert_eq!(p.owner, id(BORIS));
        assert!(p.next_contact.is_some());
    }
    let open = open_followups(&store, ANNA, now).await + open_followups(&store, BORIS, now).await;
    assert_eq!(open, cards.len(), "one open follow-up a card, none lost, none doubled");
    // One audit line a card says who moved it.
    let lines: Vec<AuditRecord> = store
        .audit_by_actor(id(MANAGER))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "card_reassigned")
        .collect();
    assert_eq!(lines.len(), cards.len());
    assert!(lines[0].details.as_deref().unwrap().starts_with("1 -> 2"), "{:?}", lines[0].details);
    store.close().await;
    db.drop_database().await;
}

/// Two moves of one card planned from the same view (Anna owns it) are written at once:
/// exactly one is made, the other finds the card changed hands and writes nothing.
async fn two_moves_at_once(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let cards = seed(&store, now, 1).await;
    let msk = RegionCode::parse("MSK").unwrap();
    let transfer = |to: i64| Transfer {
        moves: vec![CardMove { prospect: cards[0], from: id(ANNA), to: id(to), region: msk.clone() }],
        by: Some(id(MANAGER)),
        audit: vec![
            AuditRecord::new(now, Some(id(MANAGER)), AuditAction::CardReassigned).subject("prospect:1"),
        ],
        notices: vec![],
        leaving: None,
    };
    let (to_boris, to_vera) = (transfer(BORIS), transfer(VERA));
    let (a, b) = tokio::join!(store.transfer(&to_boris, now), store.transfer(&to_vera, now));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a != b, "exactly one move is made: {a} {b}");
    let owner = store.prospect(cards[0], None).await.unwrap().unwrap().owner;
    assert_eq!(owner, id(if a { BORIS } else { VERA }));
    assert_eq!(open_followups(&store, owner.get(), now).await, 1);
    let lines = store.audit_by_actor(id(MANAGER)).await.unwrap();
    assert_eq!(lines.iter().filter(|r| r.action == "card_reassigned").count(), 1);
    store.close().await;
    db.drop_database().await;
}

/// A specialist may not move cards, nor may a manager give one to someone of another division
/// or to a disabled colleague.
async fn only_managers_move_cards_within_the_division(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let cards = seed(&store, now, 1).await;
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    store
        .add_region(&Region::parse("VVO", "Владивосток", "Asia/Vladivostok").unwrap(), now, &note)
        .await
        .unwrap();
    whitelist(&store, 20, "Ким Олег Романович", Role::Specialist, Some("VVO"), now).await;
    let boris = store.user(id(BORIS)).await.unwrap().unwrap();
    let manager = store.user(id(MANAGER)).await.unwrap().unwrap();
    let moved = portfolio::reassign_card(&store, &boris, cards[0], id(BORIS), now).await;
    assert!(matches!(moved, Err(MoveError::NotAllowed)), "{moved:?}");
    let moved = portfolio::reassign_card(&store, &manager, cards[0], id(20), now).await;
    assert!(matches!(moved, Err(MoveError::NotAllowed)), "{moved:?}");
    portfolio::disable(&store, None, id(VERA), None, now).await.unwrap();
    let moved = portfolio::reassign_card(&store, &manager, cards[0], id(VERA), now).await;
    assert!(matches!(moved, Err(MoveError::BadOwner(_))), "{moved:?}");
    assert_eq!(store.prospect(cards[0], None).await.unwrap().unwrap().owner, id(ANNA));
    store.close().await;
    db.drop_database().await;
}

/// Each card's open follow-ups, whoever holds them.
async fn open_on(store: &SqlStore, card: ProspectId, now: DateTime<Utc>) -> usize {
    let mut n = 0;
    for who in [ANNA, BORIS, VERA] {
        n += store
            .agenda(id(who), now + Duration::days(365))
            .await
            .unwrap()
            .iter()
            .filter(|f| f.prospect == card)
            .count();
    }
    n
}

/// A whole portfolio and then single cards are moved at the very moment a credit officer takes
/// a lead of the card and Anna writes an entry on it: all three are saved; the lead is held by
/// the officer who took it and nobody else; the cards are their new owners'; each card keeps
/// exactly one open follow-up, held by its owner or by the entry's author — none lost, none
/// doubled, none left with someone who has nothing to do with the card.
async fn moves_race_a_take_and_an_entry(backend: Backend) {
    use prospect_diary::domain::handoff::{self, HandoffState, Route};
    use prospect_diary::domain::portfolio::Recipients;
    use prospect_diary::domain::prospect::Product;
    use prospect_diary::store::HandoffStore;

    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let cards = seed(&store, now, 4).await;
    whitelist(&store, OFFICER, "Кредитов Борис Ильич", Role::CreditOfficer, Some("MSK"), now).await;
    let route =
        Route { region: RegionCode::parse("MSK").unwrap(), product: Product::Credit, chat_id: -100500 };
    handoff::set_route(&store, &route, None, now).await.unwrap();
    let anna = store.user(id(ANNA)).await.unwrap().unwrap();
    let officer = store.user(id(OFFICER)).await.unwrap().unwrap();
    let manager = store.user(id(MANAGER)).await.unwrap().unwrap();
    let mut leads = vec![];
    for card in &cards {
        let lead = handoff::hand_off(&store, &anna, *card, Product::Credit, now).await.unwrap();
        handoff::release(&store, &lead, now).await.unwrap();
        leads.push(lead.id);
    }

    // The whole portfolio to Boris, racing the Take of the first card's lead and an entry on it.
    let plan = portfolio::plan(&store, Some(&manager), id(ANNA), Recipients::One(id(BORIS))).await.unwrap();
    let on_first = entry(cards[0], ANNA, now);
    let (moved, taken, logged) = tokio::join!(
        portfolio::carry_out(&store, Some(&manager), &plan, now),
        handoff::take(&store, &officer, leads[0], now),
        prospects::log_entry(&store, &anna, &on_first, now),
    );
    moved.unwrap();
    assert_eq!(taken.unwrap().taken_by, Some(id(OFFICER)));
    let logged = logged.unwrap();
    assert_eq!(store.entry(cards[0], logged.entry_id).await.unwrap().unwrap().author, id(ANNA));

    // Single cards to Vera, each racing a Take of its lead and Anna's entry on it.
    for (card, lead) in cards.iter().zip(&leads).skip(1).take(2) {
        let on_card = entry(*card, ANNA, now);
        let (moved, taken, logged) = tokio::join!(
            portfolio::reassign_card(&store, &manager, *card, id(VERA), now),
            handoff::take(&store, &officer, *lead, now),
            prospects::log_entry(&store, &anna, &on_card, now),
        );
        assert_eq!(moved.unwrap().owner, id(VERA));
        assert_eq!(taken.unwrap().taken_by, Some(id(OFFICER)));
        assert_eq!(store.entry(*card, logged.unwrap().entry_id).await.unwrap().unwrap().author, id(ANNA));
    }

    let owners: Vec<i64> = owners_of(&store, &cards).await;
    assert_eq!(owners, [BORIS, VERA, VERA, BORIS]);
    for (n, (card, lead)) in cards.iter().zip(&leads).enumerate() {
        let h = store.handoff(*lead).await.unwrap().unwrap();
        if n < 3 {
            assert_eq!((h.state, h.taken_by), (HandoffState::Accepted, Some(id(OFFICER))), "lead {n}");
        } else {
            assert_eq!((h.state, h.taken_by), (HandoffState::Pending, None), "lead {n}");
        }
        assert_eq!(open_on(&store, *card, now).await, 1, "card {n}: one open follow-up");
        let owner = store.prospect(*card, None).await.unwrap().unwrap().owner;
        for who in [ANNA, BORIS, VERA] {
            let held = store.agenda(id(who), now + Duration::days(365)).await.unwrap();
            if held.iter().any(|f| f.prospect == *card) {
                // The owner's, or the author's own next contact agreed in the entry.
                assert!(id(who) == owner || (who == ANNA && n < 3), "card {n}: follow-up held by {who}");
            }
        }
    }
    // Anna owns nothing; what she still holds is only the next contacts she agreed herself.
    let held = store.holdings(id(ANNA)).await.unwrap();
    assert!(held.cards.is_empty());
    assert!(held.other_followups <= 3);
    store.close().await;
    db.drop_database().await;
}

async fn owners_of(store: &SqlStore, cards: &[ProspectId]) -> Vec<i64> {
    let mut owners = vec![];
    for card in cards {
        owners.push(store.prospect(*card, None).await.unwrap().unwrap().owner.get());
    }
    owners
}

/// Boris's entry on Anna's card is prepared (Anna to be told), but the card goes to Vera before
/// it is written: Vera, its owner now, is told — not Anna.
async fn an_entry_written_after_a_move_tells_the_new_owner(backend: Backend) {
    use prospect_diary::domain::prospect::Status;
    use prospect_diary::store::EntryWrite;

    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    let cards = seed(&store, now, 1).await;
    let manager = store.user(id(MANAGER)).await.unwrap().unwrap();
    portfolio::reassign_card(&store, &manager, cards[0], id(VERA), now).await.unwrap();
    let told = |items: &[prospect_diary::store::Outgoing]| -> Vec<i64> {
        items
            .iter()
            .filter(|o| o.notice.as_deref().is_some_and(|n| n.contains("colleague_entry")))
            .map(|o| o.chat_id)
            .collect()
    };
    let moved = store.claim_outbox("test", now, 60, 100).await.unwrap();
    assert!(told(&moved).is_empty());
    let by_boris = entry(cards[0], BORIS, now);
    let record = AuditRecord::new(now, Some(id(BORIS)), AuditAction::EntryLogged).subject("prospect:1");
    let write = EntryWrite {
        entry: &by_boris,
        status: Status::InTalks,
        audit: &record,
        handoffs: vec![],
        tell_owner: Some((id(ANNA), RegionCode::parse("MSK").unwrap())),
        owner_seen: Some(id(ANNA)),
    };
    store.record_entry(&write, now).await.unwrap();
    let items = store.claim_outbox("test", now, 60, 100).await.unwrap();
    assert_eq!(told(&items), [VERA]);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn an_entry_written_after_a_move_tells_the_new_owner_on_sqlite() {
    an_entry_written_after_a_move_tells_the_new_owner(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_entry_written_after_a_move_tells_the_new_owner_on_postgres() {
    an_entry_written_after_a_move_tells_the_new_owner(Backend::Postgres).await;
}

#[tokio::test]
async fn moves_racing_a_take_and_an_entry_lose_nothing_on_sqlite() {
    moves_race_a_take_and_an_entry(Backend::Sqlite).await;
}

#[tokio::test]
async fn moves_racing_a_take_and_an_entry_lose_nothing_on_postgres() {
    moves_race_a_take_and_an_entry(Backend::Postgres).await;
}

#[tokio::test]
async fn a_move_racing_a_diary_entry_keeps_both_on_sqlite() {
    move_races_an_entry(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_move_racing_a_diary_entry_keeps_both_on_postgres() {
    move_races_an_entry(Backend::Postgres).await;
}

#[tokio::test]
async fn two_moves_of_one_card_at_once_make_one_on_sqlite() {
    two_moves_at_once(Backend::Sqlite).await;
}

#[tokio::test]
async fn two_moves_of_one_card_at_once_make_one_on_postgres() {
    two_moves_at_once(Backend::Postgres).await;
}

#[tokio::test]
async fn only_a_manager_moves_cards_within_the_division_on_sqlite() {
    only_managers_move_cards_within_the_division(Backend::Sqlite).await;
}

#[tokio::test]
async fn only_a_manager_moves_cards_within_the_division_on_postgres() {
    only_managers_move_cards_within_the_division(Backend::Postgres).await;
}
