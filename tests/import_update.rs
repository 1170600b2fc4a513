//! `import prospects --on-duplicate update` over more cards than one batch, on both backends:
//! every card named gets the file's non-empty cells (an empty one keeps the card's value), its
//! status, the time of the change and its own audit line; its new name is what the search finds.

mod support;

use std::collections::BTreeMap;

use chrono::Duration;
use prospect_diary::cli::{self, DuplicateMode, ImportCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::fields::FIELDS;
use prospect_diary::i18n::I18n;
use prospect_diary::store::{ExportLine, Store, TextSearch};
use support::{Backend, inn, start_time, test_store, whitelist};

async fn seed(store: &dyn Store) {
    use prospect_diary::domain::access::Region;
    use prospect_diary::domain::audit::{AuditAction, AuditRecord};
    let note = AuditRecord::new(start_time(), None, AuditAction::RegionAdded);
    let region = Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    store.add_region(&region, start_time(), &note).await.unwrap();
    whitelist(store, 101, "Анна Петрова", Role::Specialist, Some("MSK"), start_time()).await;
}

fn import(file: &std::path::Path, on_duplicate: DuplicateMode) -> ImportCommand {
    ImportCommand::Prospects {
        file: file.to_path_buf(),
        region: None,
        owner: None,
        on_duplicate,
        dry_run: false,
    }
}

/// Every card of the base by INN.
async fn cards(store: &dyn Store) -> BTreeMap<String, ExportLine> {
    support::export_lines(store)
        .await
        .into_iter()
        .map(|l| (l.card.get(&FIELDS[1]).unwrap().to_owned(), l))
        .collect()
}

/// The INNs of the division's cards found by `query`, a page of ten.
async fn search(store: &dyn Store, query: &str) -> Vec<String> {
    let query = TextSearch::Trigram(query.into());
    let found = store.search_text(&query, Some("MSK"), 0, 10).await.unwrap();
    found.into_iter().map(|p| p.inn.as_str().to_owned()).collect()
}

fn value<'a>(line: &'a ExportLine, code: &str) -> Option<&'a str> {
    line.card.get(FIELDS.iter().find(|f| f.code == code).unwrap())
}

async fn many_cards_are_updated_each_with_its_own_values_and_audit_line(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    seed(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let i18n = I18n::new();
    let rows = 1100_u32;

    let mut first = String::from("Наименование;ИНН;Город;Должность;Телефон;Ответственный\n");
    for k in 0..rows {
        first.push_str(&format!("ООО Прежняя {k};{};Тверь;бухгалтер;+7914{k:07};101\n", inn(2000 + k)));
    }
    let first_file = dir.path().join("first.csv");
    std::fs::write(&first_file, first).unwrap();
    let out = cli::import(&store, &i18n, import(&first_file, DuplicateMode::Skip), start_time(), &mut |_| {})
        .await
        .unwrap();
    assert!(out.contains("saved: 1") && out.contains("100 created"), "{out}");

    // Rows that fill different cells: a city on even rows only, a contact person on every
    // third, a status on every fifth — so the cards set different fields.
    let mut second = String::from("Наименование;ИНН;Город;Контактное лицо;Статус;Ответственный\n");
    for k in 0..rows {
        let city = if k % 2 == 0 { "Псков" } else { "" };
        let contact = if k % 3 == 0 { "Иванов Иван Иванович" } else { "" };
        let status = if k % 5 == 0 { "in_talks" } else { "" };
        second.push_str(&format!("ООО Новая {k};{};{city};{contact};{status};101\n", inn(2000 + k)));
    }
    let second_file = dir.path().join("second.csv");
    std::fs::write(&second_file, second).unwrap();
    let later = start_time() + Duration::hours(1);
    let out = cli::import(&store, &i18n, import(&second_file, DuplicateMode::Update), later, &mut |_| {})
        .await
        .unwrap();
    let out = out.replace(|c: char| c.is_whitespace() && c != '\n', " ");
    assert!(out.contains("1 100 уже в базе (будут обновлены)") && out.contains("1 100 updated"), "{out}");

    let base = cards(&store).await;
    assert_eq!(base.len(), rows as usize);
    for k in 0..rows {
        let card = &base[&inn(2000 + k)];
        let new_name = format!("ООО Новая {k}");
        assert_eq!(value(card, "name"), Some(new_name.as_str()), "{k}");
        assert_eq!(value(card, "city"), Some(if k % 2 == 0 { "Псков" } else { "Тверь" }), "{k}");
        assert_eq!(value(card, "contact"), (k % 3 == 0).then_some("Иванов Иван Иванович"), "{k}");
        // Cells the file does not have keep the card's values.
        assert_eq!(value(card, "position"), Some("бухгалтер"), "{k}");
        let phone = format!("+7914{k:07}");
        assert_eq!(value(card, "phone"), Some(phone.as_str()), "{k}");
        assert_eq!(card.status, if k % 5 == 0 { "in_talks" } else { "new" }, "{k}");
        assert_eq!(card.updated_at, later.timestamp(), "{k}");
        let trail = store.audit_by_subject(&format!("prospect:{}", card.id)).await.unwrap();
        let edits =
            trail.iter().filter(|a| a.action == "card_edited" && a.details.as_deref() == Some("import"));
        assert_eq!(edits.count(), 1, "{k}: {trail:?}");
    }

    // The search index follows the new names and the new contact persons.
    assert_eq!(search(&store, "новая 1099").await, [inn(3099)]);
    assert!(search(&store, "прежняя 1099").await.is_empty());
    let contacts = search(&store, "иванов").await;
    assert_eq!(contacts.len(), 10);
    let with_contact: Vec<String> = (0..rows).filter(|k| k % 3 == 0).map(|k| inn(2000 + k)).collect();
    assert!(contacts.iter().all(|i| with_contact.contains(i)), "{contacts:?}");
    let summary = store.audit_by_subject("import:second.csv").await.unwrap();
    assert!(summary[0].details.as_deref().unwrap().contains("updated 1100"), "{summary:?}");
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_batch_of_cards_is_updated_on_sqlite() {
    many_cards_are_updated_each_with_its_own_values_and_audit_line(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_than_a_batch_of_cards_is_updated_on_postgres() {
    many_cards_are_updated_each_with_its_own_values_and_audit_line(Backend::Postgres).await;
}
