//! The prospect base in the store, the same on both backends: scoping in the queries, search by
//! any part of a name in any case, diary entries with their follow-ups, all or nothing.

mod support;

use chrono::Duration;
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::diary::{Kind, NewEntry, Outcome};
use prospect_diary::domain::fields::Field;
use prospect_diary::domain::ids::{FullName, RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Details, NewProspect, Product, ProspectId, Status};
use prospect_diary::domain::requisites::{CompanyName, Inn, Phone};
use prospect_diary::store::{DiaryStore, ProspectStore, Store, StoreError, TextSearch};
use support::{Backend, start_time, test_store};

fn note() -> AuditRecord {
    AuditRecord::new(start_time(), None, AuditAction::ProspectCreated)
}

fn id(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

async fn seed(store: &dyn Store) {
    for (code, name, tz) in [("MSK", "Москва", "Europe/Moscow"), ("VVO", "Владивосток", "Asia/Vladivostok")]
    {
        store.add_region(&Region::parse(code, name, tz).unwrap(), start_time(), &note()).await.unwrap();
    }
    for (n, name, region) in [(1, "Анна Петрова", "MSK"), (2, "Олег Ким", "VVO"), (3, "Борис Орлов", "MSK")]
    {
        let user = NewUser::new(
            id(n),
            FullName::parse(name).unwrap(),
            Role::Specialist,
            Some(RegionCode::parse(region).unwrap()),
            None,
        )
        .unwrap();
        store.add_user(&user, start_time(), &note()).await.unwrap();
    }
}

fn prospect(name: &str, inn: &str, owner: i64, region: &str, phone: Option<&str>) -> NewProspect {
    NewProspect {
        name: CompanyName::parse(name).unwrap(),
        inn: Inn::parse(inn).unwrap(),
        details: Details {
            phone: phone.map(|p| Phone::parse(p).unwrap()),
            contact_person: Some("Иван Сидоров".into()),
            ..Details::default()
        },
        owner: id(owner),
        region: RegionCode::parse(region).unwrap(),
    }
}

async fn base(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let now = start_time();
    seed(&store).await;
    let romashka = store
        .create_prospect(
            &prospect("ООО «Ромашка»", "7707083893", 1, "MSK", Some("8 912 345-67-89")),
            id(1),
            now,
            &note(),
        )
        .await
        .unwrap();
    store
        .create_prospect(&prospect("АО Ромашка-Восток", "500100732259", 2, "VVO", None), id(2), now, &note())
        .await
        .unwrap();
    store
        .create_prospect(&prospect("Рога & <Копыта>", "7736050003", 3, "MSK", None), id(3), now, &note())
        .await
        .unwrap();
    assert_eq!(romashka.status, Status::New);
    assert_eq!(romashka.owner_name, "Анна Петрова");
    assert_eq!(store.audit_by_subject(&format!("prospect:{}", romashka.id)).await.unwrap().len(), 1);

    // The INN is unique across the bank.
    let err = store
        .create_prospect(&prospect("Другая", "7707083893", 3, "MSK", None), id(3), now, &note())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");

    // Scoping is in the query: Moscow does not see Vladivostok's card.
    let msk = Some("MSK");
    let text = |t: &str| TextSearch::Trigram(t.to_owned());
    let names = |found: Vec<prospect_diary::domain::prospect::Prospect>| {
        found.iter().map(|p| p.name.as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(names(store.search_text(&text("ромашк"), msk, 0, 10).await.unwrap()), ["ООО «Ромашка»"]);
    assert_eq!(names(store.search_text(&text("ромашк"), None, 0, 10).await.unwrap()).len(), 2);
    assert_eq!(names(store.search_text(&text("копыт"), msk, 0, 10).await.unwrap()), ["Рога & <Копыта>"]);
    assert_eq!(
        store.search_text(&text("сидоров"), msk, 0, 10).await.unwrap().len(),
        2,
        "contact persons are searched too"
    );
    assert_eq!(
        names(store.search_text(&TextSearch::Prefix("ро".into()), msk, 0, 10).await.unwrap()),
        ["Рога & <Копыта>", "ООО «Ромашка»"]
    );
    assert!(store.search_text(&text("100%"), msk, 0, 10).await.unwrap().is_empty());
    assert!(store.prospect(romashka.id, Some("VVO")).await.unwrap().is_none());
    assert!(store.prospect(romashka.id, Some("")).await.unwrap().is_none());
    assert!(store.prospect(romashka.id, None).await.unwrap().is_some());
    let phone = Phone::parse("+79123456789").unwrap();
    assert_eq!(store.prospects_by_phone(&phone, msk).await.unwrap().len(), 1);
    assert!(store.prospects_by_phone(&phone, Some("VVO")).await.unwrap().is_empty());
    assert_eq!(store.similar_names("ромашка", msk).await.unwrap().len(), 1);
    assert_eq!(store.similar_names("ромашка плюс", msk).await.unwrap().len(), 1, "a word-prefix is similar");
    assert!(store.similar_names("ром", msk).await.unwrap().is_empty());

    // A diary entry closes open follow-ups, opens the next one, and moves the status on.
    let due = now + Duration::days(2);
    let entry = NewEntry {
        prospect: romashka.id,
        author: id(3),
        kind: Kind::Call,
        outcome: Outcome::Positive,
        summary: "Обсудили кредит 😀".into(),
        products: vec![Product::Credit],
        happened_at: now,
        next_contact: Some(due),
    };
    store.add_entry(&entry, Status::Interested, now, &note()).await.unwrap();
    let card = store.prospect(romashka.id, msk).await.unwrap().unwrap();
    assert_eq!((card.status, card.next_contact), (Status::Interested, Some(due)));
    // A colleague's entry without a next contact leaves the owner's follow-up alone…
    let later = NewEntry { next_contact: None, author: id(1), outcome: Outcome::Negative, ..entry.clone() };
    store.add_entry(&later, Status::Interested, now + Duration::hours(1), &note()).await.unwrap();
    assert_eq!(store.prospect(romashka.id, msk).await.unwrap().unwrap().next_contact, Some(due));
    // …the follow-up's owner's own entry closes it.
    let own = NewEntry { next_contact: None, author: id(3), ..later.clone() };
    store.add_entry(&own, Status::Interested, now + Duration::hours(2), &note()).await.unwrap();
    assert_eq!(store.prospect(romashka.id, msk).await.unwrap().unwrap().next_contact, None);
    let entries = store.entries(romashka.id, 0, 10).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2].summary, "Обсудили кредит 😀");
    assert_eq!(store.entry_count(romashka.id).await.unwrap(), 3);
    let seen = store.colleague_contact(romashka.id, id(1), now - Duration::days(14)).await.unwrap().unwrap();
    assert_eq!(seen.author_name, "Борис Орлов");
    assert!(store.colleague_contact(romashka.id, id(3), now - Duration::days(14)).await.unwrap().is_none());
    assert!(store.colleague_contact(romashka.id, id(1), now + Duration::days(1)).await.unwrap().is_none());

    // An entry on a card that does not exist is refused, and its audit line goes with it.
    let ghost = NewEntry { prospect: ProspectId(999_999), ..entry.clone() };
    let ghost_note = note().subject("ghost");
    assert!(store.add_entry(&ghost, Status::InTalks, now, &ghost_note).await.is_err());
    assert!(store.audit_by_subject("ghost").await.unwrap().is_empty());

    // Fields are edited one at a time, and the search follows renames.
    store
        .update_field(
            romashka.id,
            Field::named("name").unwrap(),
            Some("ООО «Лютик»".into()),
            id(1),
            now,
            &note(),
        )
        .await
        .unwrap();
    store
        .update_field(romashka.id, Field::named("city").unwrap(), Some("Тверь".into()), id(1), now, &note())
        .await
        .unwrap();
    store.update_field(romashka.id, Field::named("phone").unwrap(), None, id(1), now, &note()).await.unwrap();
    let card = store.prospect(romashka.id, msk).await.unwrap().unwrap();
    assert_eq!(
        (card.name.as_str(), card.details.city.as_deref(), card.details.phone.is_none()),
        ("ООО «Лютик»", Some("Тверь"), true)
    );
    assert_eq!(names(store.search_text(&text("лютик"), msk, 0, 10).await.unwrap()), ["ООО «Лютик»"]);
    assert!(store.search_text(&text("ромашк"), msk, 0, 10).await.unwrap().is_empty());

    // My prospects: soonest next contact first, none last.
    let mine = store.owned_by(id(3), msk, 0, 10).await.unwrap();
    assert!(store.owned_by(id(3), Some("VVO"), 0, 10).await.unwrap().is_empty());
    assert_eq!(mine.len(), 1);

    store.save_search(5, "ромашка", now).await.unwrap();
    store.save_search(5, "лютик", now).await.unwrap();
    assert_eq!(store.saved_search(5).await.unwrap().as_deref(), Some("лютик"));
    store.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn the_prospect_base_works_on_sqlite() {
    base(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_prospect_base_works_on_postgres() {
    base(Backend::Postgres).await;
}
