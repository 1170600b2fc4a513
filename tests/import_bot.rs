//! A file of clients sent to the bot, end to end through the fake Telegram on both backends: the
//! preview with its counts, the error workbook read back, «Загрузить» saving exactly the good
//! rows once however often it is pressed, the same file again adding nothing, a specialist
//! refused, and in `mask` mode the file not even downloaded.

mod support;

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use prospect_diary::domain::access::Role;
use prospect_diary::telegram_fake::OutgoingKind;
use support::{Backend, TestApp, data, inn};

async fn people(
    app: &TestApp,
) -> (prospect_diary::telegram_fake::TgUser, prospect_diary::telegram_fake::TgUser) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
    let manager = app.add_user(301, "Борис Орлов", Role::Manager, Some("MSK")).await;
    let specialist = app.add_user(302, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(303, "Олег Ким", Role::Specialist, Some("VVO")).await;
    (manager, specialist)
}

/// Good rows (one the division already has), a bad check digit, another division's owner, and
/// a company another division works.
fn file(app_inn_vvo: &str) -> Vec<u8> {
    let mut bad = inn(13);
    let last = bad.pop().unwrap().to_digit(10).unwrap();
    bad.push(char::from_digit((last + 1) % 10, 10).unwrap());
    format!(
        "Наименование;ИНН;Телефон;Ответственный;Колонка X\n\
         ООО Первая;{};+7 495 111-22-33;302;\n\
         ООО Вторая;{};;302;\n\
         ООО Уже есть;{};;302;\n\
         ООО Опечатка;{bad};;302;\n\
         ООО Не наш;{};;303;\n\
         ООО Владивосток;{app_inn_vvo};;302;\n",
        inn(11),
        inn(12),
        inn(10),
        inn(14),
    )
    .into_bytes()
}

fn error_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range("Ошибки").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| if let Data::Empty = c { String::new() } else { c.to_string() }).collect())
        .collect()
}

async fn count(app: &TestApp) -> usize {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let store = app.store.clone();
    let sent = tokio::spawn(async move {
        prospect_diary::store::ReportStore::stream_prospects(store.as_ref(), None, tx).await
    });
    let mut n = 0;
    while rx.recv().await.is_some() {
        n += 1;
    }
    sent.await.unwrap().unwrap();
    n
}

async fn a_managers_file_is_previewed_then_saved_once(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, Some("show")).await else { return };
    let (manager, _) = people(&app).await;
    app.add_prospect(302, "ООО Уже есть", &inn(10), None, None).await;
    app.add_prospect(303, "АО Восток", &inn(15), None, None).await;
    let base = count(&app).await;

    app.tg.send_document(&manager, "клиенты.csv", file(&inn(15)));
    let book = app.tg.next(manager.id).await;
    assert_eq!(book.kind, OutgoingKind::Document);
    assert_eq!(book.file_name.as_deref(), Some("клиенты.errors.xlsx"));
    let rows = error_rows(book.file.as_deref().unwrap());
    let reasons: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[5].as_str())).collect();
    assert_eq!(
        reasons,
        [
            ("ООО Опечатка", "ИНН: неверная контрольная цифра"),
            ("ООО Не наш", "ответственный Олег Ким не ведёт клиентов подразделения «Москва»"),
            ("ООО Владивосток", "ИНН: компанию уже ведёт подразделение «Владивосток»"),
        ]
    );
    let preview = app.tg.next(manager.id).await;
    assert!(
        preview.visible.starts_with("6 строк: 2 новые, 1 уже в базе (будут пропущены), 3 с ошибками"),
        "{}",
        preview.visible
    );
    assert!(preview.visible.contains("Не учтены столбцы: Колонка X"), "{}", preview.visible);
    assert_eq!(count(&app).await, base, "nothing is saved before «Загрузить»");

    let save = preview.button("Загрузить");
    app.tg.press(&manager, &preview, &save);
    app.tg.press(&manager, &preview, &save);
    let done = app.tg.next(manager.id).await;
    assert!(done.visible.contains("Загружено: 2 карточки"), "{}", done.visible);
    app.tg.wait_callbacks_answered().await;
    assert_eq!(count(&app).await, base + 2, "the repeated press saved nothing more");

    // The same file again: nothing new.
    app.tg.send_document(&manager, "клиенты.csv", file(&inn(15)));
    let _book = app.tg.next(manager.id).await;
    let again = app.tg.next(manager.id).await;
    assert!(
        again.visible.starts_with("6 строк: 0 новых, 3 уже в базе (будут пропущены), 3 с ошибками"),
        "{}",
        again.visible
    );
    assert!(again.visible.contains("Загружать нечего"), "{}", again.visible);
    assert_eq!(count(&app).await, base + 2);

    // A forged press on a file that does not exist is stale.
    app.tg.press(&manager, &preview, &data("im:s:999"));
    app.tg.wait_callbacks_answered().await;
    assert_eq!(count(&app).await, base + 2);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managers_file_is_previewed_then_saved_once_on_sqlite() {
    a_managers_file_is_previewed_then_saved_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managers_file_is_previewed_then_saved_once_on_postgres() {
    a_managers_file_is_previewed_then_saved_once(Backend::Postgres).await;
}

async fn a_specialist_and_mask_mode_are_refused(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, Some("show")).await else { return };
    let (manager, specialist) = people(&app).await;
    app.tg.send_document(&specialist, "клиенты.csv", file(&inn(15)));
    let refused = app.tg.next(specialist.id).await;
    assert!(
        refused.visible.contains("могут руководители подразделений и головной офис"),
        "{}",
        refused.visible
    );

    // Over Telegram's 20 MB download limit for bots: said so, and not downloaded.
    app.tg.send_document(&manager, "огромный.csv", vec![b'a'; 21 * 1024 * 1024]);
    let large = app.tg.next(manager.id).await;
    assert!(large.visible.contains("больше 20 МБ"), "{}", large.visible);
    assert!(app.tg.calls_of("getFile").is_empty());

    // A broken file is explained and nothing is kept.
    app.tg.send_document(&manager, "пусто.csv", b"just text\nmore text\n".to_vec());
    let broken = app.tg.next(manager.id).await;
    assert!(broken.visible.contains("нет заголовков столбцов"), "{}", broken.visible);
    app.finish().await;

    let Some(app) = TestApp::spawn(backend).await else { return };
    let (manager, _) = people(&app).await;
    app.tg.send_document(&manager, "клиенты.csv", file(&inn(15)));
    let refused = app.tg.next(manager.id).await;
    assert!(refused.visible.contains("не передаются через Telegram"), "{}", refused.visible);
    app.tg.assert_silent(manager.id, Duration::from_millis(300)).await;
    assert!(app.tg.calls_of("getFile").is_empty(), "the file is not downloaded in mask mode");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_specialist_and_mask_mode_are_refused_on_sqlite() {
    a_specialist_and_mask_mode_are_refused(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_specialist_and_mask_mode_are_refused_on_postgres() {
    a_specialist_and_mask_mode_are_refused(Backend::Postgres).await;
}
