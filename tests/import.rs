//! Bringing a base in and taking it out with the operator's command line, on both backends: rows
//! checked as `/new` checks a card, rejected rows in an error workbook that says why in words,
//! the same file twice adds nothing, and export → import into an empty base gives the same base.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use prospect_diary::cli::{self, DuplicateMode, ExportCommand, ImportCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::audit::AuditRecord;
use prospect_diary::domain::fields::FIELDS;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::i18n::I18n;
use prospect_diary::store::Store;
use support::{Backend, inn, start_time, test_store, whitelist};

async fn seed(store: &dyn Store) {
    use prospect_diary::domain::access::Region;
    use prospect_diary::domain::audit::AuditAction;
    let note = AuditRecord::new(start_time(), None, AuditAction::RegionAdded);
    for (code, name, tz) in [("MSK", "Москва", "Europe/Moscow"), ("VVO", "Владивосток", "Asia/Vladivostok")]
    {
        store.add_region(&Region::parse(code, name, tz).unwrap(), start_time(), &note).await.unwrap();
    }
    whitelist(store, 101, "Анна Петрова", Role::Specialist, Some("MSK"), start_time()).await;
    whitelist(store, 102, "Олег Ким", Role::Specialist, Some("VVO"), start_time()).await;
    whitelist(store, 103, "Борис Орлов", Role::Manager, Some("MSK"), start_time()).await;
}

/// A CSV as a Russian Excel saves it: Windows-1251, separated by semicolons.
fn write_cp1251(path: &Path, text: &str) {
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
    std::fs::write(path, bytes).unwrap();
}

fn prospects(file: &Path, dry_run: bool) -> ImportCommand {
    ImportCommand::Prospects {
        file: file.to_path_buf(),
        region: None,
        owner: None,
        on_duplicate: DuplicateMode::Skip,
        dry_run,
    }
}

/// Every card of a base by INN: its fields as stored, status, owner, division, next contact
/// and what was agreed for it.
async fn base(store: &dyn Store) -> BTreeMap<String, String> {
    support::export_lines(store)
        .await
        .into_iter()
        .map(|l| {
            let fields: Vec<String> = FIELDS.iter().map(|f| format!("{:?}", l.card.get(f))).collect();
            let inn = l.card.get(&FIELDS[1]).unwrap().to_owned();
            let rest = format!(
                "{} | {} {} {} {:?} {:?}",
                fields.join(" "),
                l.status,
                l.owner_id,
                l.region_code,
                l.next_contact,
                l.next_agreed
            );
            (inn, rest)
        })
        .collect()
}

fn error_rows(path: &Path) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let range = book.worksheet_range("Ошибки").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect())
        .collect()
}

async fn import_file_then_export_and_import_into_an_empty_base(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    let Some((empty, mut empty_db)) = test_store(backend).await else { return };
    seed(&store).await;
    seed(&empty).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("клиенты.csv");
    let mut bad_inn = inn(3);
    let last = bad_inn.pop().unwrap().to_digit(10).unwrap();
    bad_inn.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let csv = format!(
        "Выгрузка клиентов на 01.12.2026;;;;\n\
         наименование;ИНН;Телефон;Контактное лицо;Должность;E-mail;Продукты;Город;Ответственный;Статус;Следующий контакт;Комментарий;Пометка\n\
         ООО «Ромашка»;{};8 912 345-67-89;Иванов Иван Иванович;директор;ivan@romashka.ru;Кредит, РКО;Тверь;101;в работе;25.12.2026 15:30;обсудить лимит;x\n\
         АО Лютик;{};;;;;;;Олег Ким;;;;\n\
         ООО Опечатка;{bad_inn};;;;;;;101;;;;\n\
         ООО Короткий;{};912 345 67 8;;;;;;101;;;;\n\
         ООО Чужой;{};;;;;;;123456;;;;\n\
         ООО «Ромашка» дубль;{};;;;;;;101;;;;\n\
         ;;;;;;;;;;;;\n",
        inn(1),
        inn(2),
        inn(4),
        inn(5),
        inn(1),
    );
    write_cp1251(&file, &csv);
    let i18n = I18n::new();
    let now = start_time();

    // A dry run checks and says, and saves nothing.
    let out = cli::import(&store, &i18n, prospects(&file, true), now, &mut |_| {}).await.unwrap();
    assert!(out.contains("6 строк: 2 новые, 0 уже в базе (будут пропущены), 4 с ошибками"), "{out}");
    assert!(out.contains("ignored columns: Пометка"), "{out}");
    assert!(out.contains("dry run"), "{out}");
    assert!(base(&store).await.is_empty());

    let errors = dir.path().join("клиенты.errors.xlsx");
    let rows = error_rows(&errors);
    assert_eq!(rows[0][0], "наименование");
    assert_eq!(rows[0][13], "Ошибка");
    let reasons: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[13].as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("ООО Опечатка", "ИНН: неверная контрольная цифра"),
            ("ООО Короткий", "телефон: 9 цифр вместо 10"),
            ("ООО Чужой", "ответственный 123456 не найден"),
            ("ООО «Ромашка» дубль", "ИНН повторяет строку 3"),
        ]
    );

    let out = cli::import(&store, &i18n, prospects(&file, false), now, &mut |_| {}).await.unwrap();
    assert!(out.contains("saved: 2 created"), "{out}");
    let saved = base(&store).await;
    assert_eq!(saved.len(), 2);
    let romashka = &saved[&inn(1)];
    assert!(romashka.contains("Some(\"+79123456789\")"), "{romashka}");
    assert!(romashka.contains("Some(\"credit,settlement\")"), "{romashka}");
    assert!(romashka.contains("in_talks 101 MSK"), "{romashka}");
    assert!(romashka.contains("Some(\"обсудить лимит\")"), "{romashka}");
    assert!(saved[&inn(2)].contains("new 102 VVO"), "{}", saved[&inn(2)]);
    // Each card has its creation line, as with /new, and the import one line with its counts.
    let created = store.audit_by_subject("prospect:1").await.unwrap();
    assert!(created.iter().any(|a| a.action == "prospect_created"));
    let import_lines = store.audit_by_subject("import:клиенты.csv").await.unwrap();
    assert_eq!(import_lines.len(), 1);
    assert!(import_lines[0].details.as_deref().unwrap().contains("created 2"), "{:?}", import_lines[0]);

    // The same file again adds nothing.
    let out = cli::import(&store, &i18n, prospects(&file, false), now, &mut |_| {}).await.unwrap();
    assert!(out.contains("6 строк: 0 новых, 2 уже в базе (будут пропущены), 4 с ошибками"), "{out}");
    assert!(out.contains("saved: 0 created"), "{out}");
    assert_eq!(base(&store).await, saved);

    // Export, then import into an empty base: the same base.
    let exported = dir.path().join("base.xlsx");
    let cmd = ExportCommand::Prospects { file: exported.clone(), region: None, with_diary: true };
    let out = cli::export(&store, &i18n, cmd).await.unwrap();
    assert!(out.starts_with("2 cards written"), "{out}");
    let out = cli::import(&empty, &i18n, prospects(&exported, false), now, &mut |_| {}).await.unwrap();
    assert!(out.contains("2 строки: 2 новые"), "{out}");
    assert_eq!(base(&empty).await, saved);

    store.close().await;
    empty.close().await;
    db.drop_database().await;
    empty_db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_round_trip_on_sqlite() {
    import_file_then_export_and_import_into_an_empty_base(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_round_trip_on_postgres() {
    import_file_then_export_and_import_into_an_empty_base(Backend::Postgres).await;
}

async fn staff_list_with_bad_roles_and_divisions(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    seed(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("staff.csv");
    std::fs::write(
        &file,
        "\u{feff}Telegram ID,ФИО,Роль,Подразделение\n\
         201,Мария Соколова,специалист по привлечению,MSK\n\
         202,Пётр Смирнов,boss,MSK\n\
         203,Ирина Белова,manager,SPB\n\
         204,Юлия Ким,specialist,\n\
         101,Анна Петрова,specialist,MSK\n\
         205,Глеб Орлов,head_office,\n",
    )
    .unwrap();
    let i18n = I18n::new();
    let cmd = |dry_run| ImportCommand::Users { file: file.clone(), dry_run };
    let out = cli::import(&store, &i18n, cmd(true), start_time(), &mut |_| {}).await.unwrap();
    assert!(out.contains("6 rows: 2 to add, 1 already in the whitelist, 3 with errors"), "{out}");
    assert!(out.contains("row 3: роль «boss» не найдена"), "{out}");
    assert!(out.contains("row 4: подразделение SPB не найдено"), "{out}");
    assert!(out.contains("row 5: "), "{out}");
    assert!(out.contains("dry run"), "{out}");
    assert_eq!(store.users().await.unwrap().len(), 3);

    let out = cli::import(&store, &i18n, cmd(false), start_time(), &mut |_| {}).await.unwrap();
    assert!(out.contains("saved: 2 added"), "{out}");
    let maria = store.user(TelegramId::new(201).unwrap()).await.unwrap().unwrap();
    assert_eq!((maria.role, maria.region.unwrap().as_str()), (Role::Specialist, "MSK"));
    assert!(store.user(TelegramId::new(205).unwrap()).await.unwrap().is_some());
    assert!(store.user(TelegramId::new(202).unwrap()).await.unwrap().is_none());
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_import_reports_bad_rows_and_saves_the_rest_on_sqlite() {
    staff_list_with_bad_roles_and_divisions(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_import_reports_bad_rows_and_saves_the_rest_on_postgres() {
    staff_list_with_bad_roles_and_divisions(Backend::Postgres).await;
}

/// A workbook made with rust_xlsxwriter, as Excel would save it.
fn workbook(path: &Path, build: impl FnOnce(&mut rust_xlsxwriter::Workbook)) {
    let mut book = rust_xlsxwriter::Workbook::new();
    build(&mut book);
    book.save(path).unwrap();
}

async fn broken_files_are_refused_with_a_reason(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    seed(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let i18n = I18n::new();
    let run = |path: std::path::PathBuf| {
        let store = &store;
        let i18n = &i18n;
        async move { cli::import(store, i18n, prospects(&path, false), start_time(), &mut |_| {}).await }
    };

    let junk = dir.path().join("junk.xlsx");
    std::fs::write(
        &junk,
        (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(run(junk).await.unwrap_err().to_string().contains("not a spreadsheet"));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert!(run(empty).await.unwrap_err().to_string().contains("empty"));

    let no_header = dir.path().join("text.csv");
    std::fs::write(&no_header, "просто текст\nи ещё текст\n").unwrap();
    assert!(run(no_header).await.unwrap_err().to_string().contains("no header row"));

    let formula = dir.path().join("formula.xlsx");
    workbook(&formula, |book| {
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Наименование").unwrap();
        sheet.write_string(0, 1, "ИНН").unwrap();
        sheet.write_string(1, 0, "ООО Формула").unwrap();
        sheet.write_formula(1, 1, "=1+1").unwrap();
    });
    let err = run(formula).await.unwrap_err().to_string();
    assert!(err.contains("cell B2 holds a formula"), "{err}");

    let merged = dir.path().join("merged.xlsx");
    workbook(&merged, |book| {
        let sheet = book.add_worksheet();
        sheet.merge_range(0, 0, 0, 2, "Клиенты", &rust_xlsxwriter::Format::new()).unwrap();
        sheet.write_string(1, 0, "Наименование").unwrap();
        sheet.write_string(1, 1, "ИНН").unwrap();
    });
    let err = run(merged).await.unwrap_err().to_string();
    assert!(err.contains("cells A1:C1 are merged"), "{err}");
    assert!(base(&store).await.is_empty());

    // The sheet named like «Клиенты», a title above the header, an INN typed as a number and
    // an Excel date for the next contact.
    let good = dir.path().join("good.xlsx");
    let due = chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap().and_hms_opt(11, 0, 0).unwrap();
    workbook(&good, |book| {
        book.add_worksheet().set_name("Справка").unwrap().write_string(0, 0, "не то").unwrap();
        let sheet = book.add_worksheet().set_name("Клиенты").unwrap();
        sheet.write_string(0, 0, "База на декабрь").unwrap();
        for (col, title) in ["Name", "INN", "Owner", "Next contact"].iter().enumerate() {
            sheet.write_string(2, col as u16, *title).unwrap();
        }
        sheet.write_string(3, 0, "ООО Число").unwrap();
        sheet.write_number(3, 1, inn(7).parse::<f64>().unwrap()).unwrap();
        sheet.write_number(3, 2, 101.0).unwrap();
        let date = rust_xlsxwriter::Format::new().set_num_format("dd.mm.yyyy hh:mm");
        sheet.write_datetime_with_format(3, 3, due, &date).unwrap();
    });
    let out = run(good).await.unwrap();
    assert!(out.contains("1 строка: 1 новая"), "{out}");
    let saved = base(&store).await;
    // 11:00 in Moscow is 08:00 UTC.
    let expected =
        chrono::NaiveDate::from_ymd_opt(2026, 12, 25).unwrap().and_hms_opt(8, 0, 0).unwrap().and_utc();
    assert!(saved[&inn(7)].contains(&format!("Some({})", expected.timestamp())), "{saved:?}");
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_files_are_refused_on_sqlite() {
    broken_files_are_refused_with_a_reason(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_files_are_refused_on_postgres() {
    broken_files_are_refused_with_a_reason(Backend::Postgres).await;
}

async fn a_second_file_updates_the_cards_it_names_when_asked(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    seed(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let i18n = I18n::new();
    let first = dir.path().join("first.csv");
    std::fs::write(
        &first,
        format!("ИНН,Наименование,Город,Ответственный\n{},ООО Ромашка,Тверь,101\n", inn(21)),
    )
    .unwrap();
    cli::import(&store, &i18n, prospects(&first, false), start_time(), &mut |_| {}).await.unwrap();
    let second = dir.path().join("second.csv");
    std::fs::write(
        &second,
        format!("ИНН,Наименование,Город,Ответственный\n{},ООО Ромашка,Псков,101\n", inn(21)),
    )
    .unwrap();
    let skip =
        cli::import(&store, &i18n, prospects(&second, false), start_time(), &mut |_| {}).await.unwrap();
    assert!(skip.contains("1 уже в базе (будут пропущены)"), "{skip}");
    assert!(base(&store).await[&inn(21)].contains("Some(\"Тверь\")"));
    let update = ImportCommand::Prospects {
        file: second.clone(),
        region: None,
        owner: None,
        on_duplicate: DuplicateMode::Update,
        dry_run: false,
    };
    let out = cli::import(&store, &i18n, update, start_time(), &mut |_| {}).await.unwrap();
    assert!(out.contains("1 уже в базе (будут обновлены)") && out.contains("1 updated"), "{out}");
    assert!(base(&store).await[&inn(21)].contains("Some(\"Псков\")"));
    // The same name under another INN is saved, with a warning and the sheet of similar names.
    let third = dir.path().join("third.csv");
    std::fs::write(&third, format!("ИНН,Наименование,Ответственный\n{},АО «Ромашка»,101\n", inn(22)))
        .unwrap();
    let out = cli::import(&store, &i18n, prospects(&third, true), start_time(), &mut |_| {}).await.unwrap();
    assert!(
        out.contains("1 строка: 1 новая") && out.contains("similar names already in the base: 1"),
        "{out}"
    );
    let book: Xlsx<_> = open_workbook(dir.path().join("third.errors.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Ошибки", "Похожие названия"]);
    let trail = store.audit_by_subject("prospect:1").await.unwrap();
    assert!(
        trail.iter().any(|a| a.action == "card_edited" && a.details.as_deref() == Some("import")),
        "{trail:?}"
    );
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_duplicate_update_sets_the_files_values_on_sqlite() {
    a_second_file_updates_the_cards_it_names_when_asked(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_duplicate_update_sets_the_files_values_on_postgres() {
    a_second_file_updates_the_cards_it_names_when_asked(Backend::Postgres).await;
}

/// A file longer than a batch of checked rows (1 000) and of written cards (500): a repeat is
/// caught across batches and still names the row it repeats, the base's cards are found for
/// every batch (another division's INN, a phone taken, the same name), and every valid row is
/// saved with its follow-up and its audit line.
async fn a_file_of_many_batches_keeps_the_rules_of_one_row(backend: Backend) {
    let Some((store, mut db)) = test_store(backend).await else { return };
    seed(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let i18n = I18n::new();
    let before = dir.path().join("before.csv");
    std::fs::write(
        &before,
        format!(
            "Наименование;ИНН;Телефон;Ответственный\n\
             ООО Восток;{};;102\nООО Занято;{};+7 912 000-00-01;101\nООО «Двойник»;{};;101\n",
            inn(900),
            inn(901),
            inn(902)
        ),
    )
    .unwrap();
    let out = cli::import(&store, &i18n, prospects(&before, false), start_time(), &mut |_| {}).await.unwrap();
    assert!(out.contains("saved: 3 created"), "{out}");

    let rows = 1200_u32;
    let mut csv = String::from("Наименование;ИНН;Телефон;Ответственный;Следующий контакт;Комментарий\n");
    for k in 0..rows {
        let (mut name, mut inn_k, mut phone) =
            (format!("ООО Партия {k}"), inn(1000 + k), format!("+7913{k:07}"));
        match k {
            1100 => inn_k = inn(1001),
            1150 => phone = "+79130000002".into(),
            1160 => inn_k = inn(900),
            1170 => phone = "8 912 000-00-01".into(),
            1180 => name = "АО Двойник".into(),
            _ => {}
        }
        let next = if k % 3 == 0 { "25.12.2030 10:00;позвонить" } else { ";" };
        csv.push_str(&format!("{name};{inn_k};{phone};101;{next}\n"));
    }
    let file = dir.path().join("many.csv");
    std::fs::write(&file, csv).unwrap();
    let out = cli::import(&store, &i18n, prospects(&file, false), start_time(), &mut |_| {}).await.unwrap();
    // Large numbers are grouped by a (narrow) space.
    let out = out.replace(|c: char| c.is_whitespace() && c != '\n', " ");
    assert!(out.contains("1 200 строк: 1 196 новых") && out.contains("saved: 1 196 created"), "{out}");

    let reasons: Vec<(String, String)> = error_rows(&dir.path().join("many.errors.xlsx"))[1..]
        .iter()
        .map(|r| (r[0].clone(), r[6].clone()))
        .collect();
    let reasons: Vec<(&str, &str)> = reasons.iter().map(|(n, r)| (n.as_str(), r.as_str())).collect();
    let taken = reasons[3].1;
    assert!(taken.starts_with("телефон уже указан у компании «ООО Занято» (карточка "), "{taken}");
    assert_eq!(
        reasons[..3],
        [
            ("ООО Партия 1100", "ИНН повторяет строку 3"),
            ("ООО Партия 1150", "телефон повторяет строку 4"),
            ("ООО Партия 1160", "ИНН: компанию уже ведёт подразделение «Владивосток»"),
        ]
    );
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    let book: Xlsx<_> = open_workbook(dir.path().join("many.errors.xlsx")).unwrap();
    assert_eq!(book.sheet_names(), ["Ошибки", "Похожие названия"]);

    let saved = base(&store).await;
    assert_eq!(saved.len(), 3 + 1196);
    let with_next = saved.values().filter(|card| card.contains("позвонить")).count();
    let expected = (0..rows).filter(|k| k % 3 == 0 && ![1100, 1150, 1160, 1170].contains(k)).count();
    assert_eq!(with_next, expected);
    for id in [4, 600, 1199] {
        let trail = store.audit_by_subject(&format!("prospect:{id}")).await.unwrap();
        assert!(trail.iter().any(|a| a.action == "prospect_created"), "{id}: {trail:?}");
    }
    let import_lines = store.audit_by_subject("import:many.csv").await.unwrap();
    assert!(import_lines[0].details.as_deref().unwrap().contains("created 1196"), "{import_lines:?}");

    // The same file again: every valid row is in the base, none is written twice.
    let out = cli::import(&store, &i18n, prospects(&file, false), start_time(), &mut |_| {}).await.unwrap();
    assert!(out.contains("saved: 0 created"), "{out}");
    assert_eq!(base(&store).await.len(), 3 + 1196);
    store.close().await;
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_batches_keep_the_rules_on_sqlite() {
    a_file_of_many_batches_keeps_the_rules_of_one_row(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_batches_keep_the_rules_on_postgres() {
    a_file_of_many_batches_keeps_the_rules_of_one_row(Backend::Postgres).await;
}
