//! «Выгрузить все записи» end to end on both backends: a report past `REPORT_INLINE_ENTRIES`
//! comes as the summary, the figures workbook and the chart at once, and the diary listing
//! follows on request, built in the background — the progress line edited in place, the files
//! split at `LISTING_FILE_ROWS` and read back, the line showing a percentage on the way (edited
//! every `LISTING_PROGRESS_MS`); one at a time per person; `/cancel` ends it;
//! forged and stale presses are refused; the export is audited.

mod support;

use std::time::Duration;

use calamine::{Data, Reader};
use chrono::{DateTime, Utc};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::store::Store;
use prospect_diary::telegram_fake::{Failure, Outgoing, OutgoingKind, TgUser};
use support::sheets::{sheet, text, workbook};
use support::{Backend, TestApp, inn};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn entry(app: &TestApp, prospect: i64, author: i64, kind: &str, summary: &str, when: &str) {
    let secs = at(when).timestamp();
    app.exec(&format!(
        "INSERT INTO interactions (prospect_id, author_id, kind, outcome, summary, happened_at, created_at) \
             VALUES ({prospect}, {author}, '{kind}', 'positive', '{summary}', {secs}, {secs})"
    ))
    .await;
}

struct People {
    anna: TgUser,
    olga: TgUser,
    head: TgUser,
}

/// Two divisions; seven entries in the week of 23–29 November 2026 (one a week before), one of
/// them naming the contact person and her phone, which no file may carry.
async fn seed(app: &TestApp) -> People {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
    let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    let olga = app.add_user(1009, "Ольга Руководитель", Role::Manager, Some("MSK")).await;
    app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
    let head = app.add_user(5001, "Галина Контролёр", Role::HeadOffice, None).await;
    let p1 = app
        .add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("89123456789"), Some("Иван Сидоров"))
        .await;
    let p2 = app.add_prospect(1001, "Бета", &inn(2), None, None).await;
    let p3 = app.add_prospect(2001, "Восток", &inn(3), None, None).await;
    entry(app, p1, 1001, "call", "Сидоров просит перезвонить на 8 912 345-67-89", "2026-11-23T08:00:00Z")
        .await;
    for (i, day) in ["24", "25", "26", "27"].iter().enumerate() {
        entry(app, p2, 1001, "meeting", &format!("Встреча {}", i + 1), &format!("2026-11-{day}T08:00:00Z"))
            .await;
    }
    entry(app, p3, 2001, "call", "Звонок во Владивосток", "2026-11-24T01:00:00Z").await;
    entry(app, p3, 2001, "email", "Письмо во Владивосток", "2026-11-28T01:00:00Z").await;
    entry(app, p2, 1001, "call", "Неделей раньше", "2026-11-18T08:00:00Z").await;
    for (id, name) in [(1001, "Анна"), (1009, "Ольга"), (5001, "Галина")] {
        app.tg.open_chat(&app.tg.user(id, name));
    }
    People { anna, olga, head }
}

/// An app whose `/report` lists at most 3 entries itself, and whose listing files hold 4 rows.
async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_env(backend, &[("REPORT_INLINE_ENTRIES", "3"), ("LISTING_FILE_ROWS", "4")]).await
}

/// As [`spawn`], with listing files of 2 rows and the progress line edited every 200 ms at most.
async fn spawn_small_files(backend: Backend) -> Option<TestApp> {
    let env = [("REPORT_INLINE_ENTRIES", "3"), ("LISTING_FILE_ROWS", "2"), ("LISTING_PROGRESS_MS", "200")];
    TestApp::spawn_env(backend, &env).await
}

/// `/report` as `user`: the summary, the workbook, the chart and the offer, in that order.
async fn report(app: &TestApp, user: &TgUser) -> (Outgoing, Outgoing, Outgoing, Outgoing) {
    let summary = app.say(user, "/report").await;
    let document = app.tg.next(user.id).await;
    let photo = app.tg.next(user.id).await;
    let offer = app.tg.next(user.id).await;
    assert_eq!(summary.kind, OutgoingKind::Message, "{summary:?}");
    assert_eq!(document.kind, OutgoingKind::Document, "{document:?}");
    assert_eq!(photo.kind, OutgoingKind::Photo, "{photo:?}");
    (summary, document, photo, offer)
}

/// What follows a press until the progress line says how it ended: the files sent, and that
/// last edit. Edits showing the percentage on the way are skipped.
async fn listing(app: &TestApp, user: &TgUser, progress: &Outgoing) -> (Vec<Outgoing>, Outgoing) {
    let (files, _, ended) = listing_with_progress(app, user, progress).await;
    (files, ended)
}

/// As [`listing`], with the percentages the line showed on the way, in the order shown.
async fn listing_with_progress(
    app: &TestApp,
    user: &TgUser,
    progress: &Outgoing,
) -> (Vec<Outgoing>, Vec<u32>, Outgoing) {
    let (mut files, mut shown) = (vec![], vec![]);
    loop {
        let next = app.tg.next(user.id).await;
        match next.kind {
            OutgoingKind::Document => files.push(next),
            OutgoingKind::Edit if next.message_id == progress.message_id => {
                let Some(percent) = next.visible.strip_prefix("⏳ Готовлю файл: ") else {
                    return (files, shown, next);
                };
                let percent = percent.strip_suffix(" %").and_then(|p| p.parse().ok());
                shown.push(percent.unwrap_or_else(|| panic!("a percentage: {:?}", next.visible)));
            }
            _ => panic!("unexpected during a listing: {next:?}"),
        }
    }
}

async fn head_office_gets_the_figures_first_and_every_entry_later_in_files_that_read_back(app: TestApp) {
    let people = seed(&app).await;
    let (summary, document, photo, offer) = report(&app, &people.head).await;
    assert!(summary.visible.contains("Контактов: 7"), "{}", summary.visible);
    assert_eq!(photo.kind, OutgoingKind::Photo);
    let mut book = workbook(&document);
    assert_eq!(book.sheet_names(), ["Сводка", "По подразделениям", "По специалистам", "Передачи"]);
    let totals = sheet(&mut book, "Сводка");
    let listed =
        totals.iter().find(|r| r[0] == Data::String("Записей в файле".into())).expect("the listed row");
    assert_eq!(text(&listed[1]), "отдельным файлом: кнопка «Выгрузить все записи»");
    assert_eq!(
        offer.visible,
        "Записи дневника за этот период (7) не вошли в файл с цифрами, чтобы он пришёл быстрее. \
         Их можно выгрузить отдельным файлом."
    );

    app.tg.press(&people.head, &offer, &offer.button("Выгрузить все записи"));
    let progress = app.tg.next(people.head.id).await;
    assert_eq!(progress.kind, OutgoingKind::Message);
    assert_eq!(progress.visible, "⏳ Готовлю файл: 0 %");
    let (files, done) = listing(&app, &people.head, &progress).await;
    assert_eq!(done.visible, "✅ Готово: 7 записей в 2 файлах.");
    let names: Vec<&str> = files.iter().filter_map(|f| f.file_name.as_deref()).collect();
    assert_eq!(
        names,
        ["entries_ALL_2026-11-23_2026-11-29_часть_1.xlsx", "entries_ALL_2026-11-23_2026-11-29_часть_2.xlsx"]
    );
    assert_eq!(
        files[0].visible,
        "Записи дневника за 23.11.2026–29.11.2026 — все подразделения, часть 1: 4 записи"
    );
    assert_eq!(
        files[1].visible,
        "Записи дневника за 23.11.2026–29.11.2026 — все подразделения, часть 2: 3 записи"
    );

    let mut listed = vec![];
    for file in &files {
        let mut book = workbook(file);
        assert_eq!(book.sheet_names(), ["Записи дневника"]);
        let sheet = sheet(&mut book, "Записи дневника");
        assert_eq!(text(&sheet[0][0]), "Дата и время");
        assert_eq!(text(&sheet[0][7]), "Содержание");
        assert!(matches!(sheet[1][0], Data::DateTime(_)), "{:?}", sheet[1][0]);
        listed.extend(sheet.into_iter().skip(1));
    }
    assert_eq!(listed.len(), 7, "the week's entries, oldest first, none twice: {listed:?}");
    let summaries: Vec<String> = listed.iter().map(|r| text(&r[7])).collect();
    assert!(summaries[0].starts_with("[скрыто] просит перезвонить на [скрыто]"), "{summaries:?}");
    assert_eq!(summaries[1..5], ["Звонок во Владивосток", "Встреча 1", "Встреча 2", "Встреча 3"]);
    assert_eq!(summaries[5..], ["Встреча 4", "Письмо во Владивосток"]);
    assert_eq!(text(&listed[0][3]), "ООО «Ромашка»");
    assert_eq!(text(&listed[0][1]), "Москва");
    assert_eq!(text(&listed[1][1]), "Владивосток");

    // Audited as an export, before it left.
    let trail = app.store.audit_by_actor(TelegramId::new(5001).unwrap()).await.unwrap();
    let exported = trail.iter().find(|r| r.action == "exported").expect("the listing is audited");
    assert_eq!(exported.subject.as_deref(), Some("region:ALL"));
    assert_eq!(exported.details.as_deref(), Some("diary entries 2026-11-23_2026-11-29: 7, contacts masked"));
    app.finish().await;
}

async fn a_listing_runs_one_at_a_time_and_cancel_stops_it(app: TestApp) {
    let people = seed(&app).await;
    let (_, _, _, offer) = report(&app, &people.head).await;
    // Telegram holds the first file back for 5 s: the listing is still running meanwhile.
    app.tg.fail_next(Some("sendDocument"), 1, Failure::RetryAfter(5));
    app.tg.press(&people.head, &offer, &offer.button("Выгрузить все записи"));
    let progress = app.tg.next(people.head.id).await;
    assert_eq!(progress.visible, "⏳ Готовлю файл: 0 %");
    app.tg.wait_callbacks_answered().await;
    let answered = app.tg.calls_of("answerCallbackQuery").len();
    app.tg.press(&people.head, &offer, &offer.button("Выгрузить все записи"));
    app.tg.wait_callbacks_answered().await;
    let busy = app.tg.calls_of("answerCallbackQuery");
    assert_eq!(busy.len(), answered + 1);
    assert_eq!(
        busy[answered].params["text"],
        "Файл с записями уже готовится. Дождитесь его, пожалуйста, или отмените командой /cancel."
    );

    let cancel = app.say(&people.head, "/cancel").await;
    assert_eq!(cancel.visible, "Выгрузка записей отменена.");
    let (files, ended) = listing(&app, &people.head, &progress).await;
    assert!(files.is_empty(), "nothing is sent after /cancel: {files:?}");
    assert_eq!(ended.visible, "Выгрузка записей отменена.");
    // The file held back is not sent later either.
    app.tg.assert_silent(people.head.id, Duration::from_secs(5)).await;
    let sent: Vec<String> = app
        .tg
        .calls_of("sendDocument")
        .iter()
        .filter(|c| c.error.is_none())
        .filter_map(|c| c.params["document"].as_str().map(str::to_owned))
        .collect();
    assert!(sent.iter().all(|d| !d.contains("entries_")), "{sent:?}");
    let nothing = app.say(&people.head, "/cancel").await;
    assert_eq!(nothing.visible, "Сейчас нечего отменять.");

    // Once it has ended, the person may start another.
    app.tg.press(&people.head, &offer, &offer.button("Выгрузить все записи"));
    let again = app.tg.next(people.head.id).await;
    assert_eq!(again.visible, "⏳ Готовлю файл: 0 %");
    let (files, done) = listing(&app, &people.head, &again).await;
    assert_eq!(files.len(), 2);
    assert_eq!(done.visible, "✅ Готово: 7 записей в 2 файлах.");
    app.finish().await;
}

async fn forged_and_stale_presses_are_refused_and_a_manager_gets_her_division(app: TestApp) {
    let people = seed(&app).await;
    let mut hello = std::collections::HashMap::new();
    for user in [&people.anna, &people.olga, &people.head] {
        hello.insert(user.id, app.say(user, "/help").await);
    }
    let presses = [
        (&people.anna, "rp:e:-:20261123:20261129"),
        (&people.anna, "rp:e:MSK:20261123:20261129"),
        (&people.olga, "rp:e:-:20261123:20261129"),
        (&people.olga, "rp:e:VVO:20261123:20261129"),
        (&people.olga, "rp:e:MSK:20261129:20261123"),
        (&people.head, "rp:e:-:20240101:20261129"),
    ];
    app.tg.wait_callbacks_answered().await;
    let answered = app.tg.calls_of("answerCallbackQuery").len();
    for (user, data) in presses {
        app.tg.press(user, &hello[&user.id], &support::data(data));
        app.tg.wait_callbacks_answered().await;
    }
    app.tg.wait_callbacks_answered().await;
    let answers: Vec<String> = app.tg.calls_of("answerCallbackQuery")[answered..]
        .iter()
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    let refused = "Выгрузка записей этого подразделения вам недоступна.";
    assert_eq!(answers[..4], [refused, refused, refused, refused]);
    assert_eq!(answers[4..], ["Эта кнопка уже неактуальна.", "Эта кнопка уже неактуальна."]);
    assert!(app.tg.calls_of("sendDocument").is_empty());

    // A manager's week of five entries, past the limit of three: her division's only.
    let (summary, _, _, offer) = report(&app, &people.olga).await;
    assert!(summary.visible.contains("Контактов: 5"), "{}", summary.visible);
    app.tg.press(&people.olga, &offer, &offer.button("Выгрузить все записи"));
    let progress = app.tg.next(people.olga.id).await;
    let (files, done) = listing(&app, &people.olga, &progress).await;
    assert_eq!(done.visible, "✅ Готово: 5 записей в 2 файлах.");
    assert_eq!(files[0].file_name.as_deref(), Some("entries_MSK_2026-11-23_2026-11-29_часть_1.xlsx"));
    let divisions: Vec<String> = files
        .iter()
        .flat_map(|f| sheet(&mut workbook(f), "Записи дневника").into_iter().skip(1).map(|r| text(&r[1])))
        .collect();
    assert_eq!(divisions, ["Москва"; 5]);
    app.finish().await;
}

/// The line moves while the files are built: with files of 2 rows and the line edited every
/// 200 ms, Telegram holding the first file back for a second leaves the listing's builder
/// waiting with two more files made (6 of 7 rows at most, 2 at least) for several edits' time,
/// so the line shows a percentage strictly between 0 and 100 before it ends.
async fn the_progress_line_shows_how_far_the_listing_is_on_its_way(app: TestApp) {
    let people = seed(&app).await;
    let (_, _, _, offer) = report(&app, &people.head).await;
    let sent_before = app.tg.calls_of("sendDocument").len();
    app.tg.fail_next(Some("sendDocument"), 1, Failure::RetryAfter(1));
    app.tg.press(&people.head, &offer, &offer.button("Выгрузить все записи"));
    let progress = app.tg.next(people.head.id).await;
    assert_eq!(progress.visible, "⏳ Готовлю файл: 0 %");
    let (files, shown, done) = listing_with_progress(&app, &people.head, &progress).await;

    assert!(shown.iter().any(|p| (1..100).contains(p)), "a percentage on the way: {shown:?}");
    // Shown only when it changed, so never twice in a row (Telegram would refuse the same
    // text as "message is not modified"), and rows written never go back.
    assert!(shown.windows(2).all(|w| w[0] < w[1]), "rising: {shown:?}");
    assert!(shown.iter().all(|p| (1..=100).contains(p)), "{shown:?}");
    assert_eq!(done.visible, "✅ Готово: 7 записей в 4 файлах.");
    let edits = app.tg.calls_of("editMessageText");
    let refused: Vec<_> = edits.iter().filter_map(|c| c.error.as_deref()).collect();
    assert!(refused.is_empty(), "every edit of the line is taken: {refused:?}");
    let documents = &app.tg.calls_of("sendDocument")[sent_before..];
    assert!(
        documents.iter().filter_map(|c| c.error.as_deref()).all(|e| e.contains("Too Many Requests")),
        "only flood control held a file back: {documents:?}"
    );

    let counts: Vec<&str> = files.iter().map(|f| f.visible.rsplit(": ").next().unwrap()).collect();
    assert_eq!(counts, ["2 записи", "2 записи", "2 записи", "1 запись"]);
    let summaries: Vec<String> = files
        .iter()
        .flat_map(|f| sheet(&mut workbook(f), "Записи дневника").into_iter().skip(1).map(|r| text(&r[7])))
        .collect();
    assert_eq!(summaries.len(), 7, "every entry once, oldest first: {summaries:?}");
    assert!(summaries[0].starts_with("[скрыто] просит перезвонить на [скрыто]"), "{summaries:?}");
    assert_eq!(summaries[1..5], ["Звонок во Владивосток", "Встреча 1", "Встреча 2", "Встреча 3"]);
    assert_eq!(summaries[5..], ["Встреча 4", "Письмо во Владивосток"]);
    app.finish().await;
}

/// Each test, on an app started by the function named after it, on SQLite, and on PostgreSQL
/// when `PD_TEST_POSTGRES_URL` is set.
macro_rules! on_both {
    ($($name:ident => $spawn:ident),+ $(,)?) => {$(
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(app) = $spawn(Backend::Sqlite).await {
                    super::$name(app).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $spawn(Backend::Postgres).await {
                    super::$name(app).await;
                }
            }
        }
    )+};
}

on_both!(
    head_office_gets_the_figures_first_and_every_entry_later_in_files_that_read_back => spawn,
    a_listing_runs_one_at_a_time_and_cancel_stops_it => spawn,
    forged_and_stale_presses_are_refused_and_a_manager_gets_her_division => spawn,
    the_progress_line_shows_how_far_the_listing_is_on_its_way => spawn_small_files,
);
