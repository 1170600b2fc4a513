//! Personal data and the channel (SPEC §10) in `mask` mode: what a colleague needs to recognise
//! a contact («Смирнов О.», `+7 9** ***-**-89`, «ИП Пупкин В.») and nothing more goes through
//! Telegram — private chats, buttons and workbooks included; free text loses its phones, e-mails
//! and names. `TestApp::finish` scans everything sent in every mask-mode test; here the flows
//! that carry the most personal data are driven on purpose, and a control shows the scan fails
//! when the data does go out.

mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use prospect_diary::domain::access::Role;
use prospect_diary::telegram_fake::{Outgoing, TgUser};
use support::{TestApp, pd};

const SUMMARY: &str = "Олегу Смирнову понравилось предложение, перезвонить +7 912 345-67-89 или oleg@roga.example; \
                       секретарь просила тел. 8.912.555.01.77 и офис 8 (495) 123-45-67 доб. 234. Лимит 30 000 000 руб.";

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// A division with a specialist and a manager; a company whose contact has a full name, phone
/// and e-mail, and a sole proprietor.
async fn setup(app: &TestApp) -> (TgUser, TgUser, i64, i64) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
    let boris = app.add_user(3001, "Борисов Борис Борисович", Role::Manager, Some("MSK")).await;
    app.say(&anna, "/start").await;
    app.say(&boris, "/start").await;
    let roga = app
        .add_prospect(
            1001,
            "ООО «Рога и копыта»",
            "7707083893",
            Some("+7 912 345-67-89"),
            Some("Смирнов Олег Иванович"),
        )
        .await;
    let pupkin = app
        .add_prospect(
            1001,
            "ИП Пупкин Василий Петрович",
            "500100732259",
            Some("+7 916 111-22-33"),
            Some("Пупкин Василий Петрович"),
        )
        .await;
    (anna, boris, roga, pupkin)
}

/// `/log` with a summary full of personal data and «tomorrow 10:00»; returns the confirmation.
async fn log_entry(app: &TestApp, who: &TgUser, id: i64) -> Outgoing {
    let kinds = app.say(who, &format!("/log {id}")).await;
    app.tg.press(who, &kinds, &kinds.button("Звонок"));
    let outcomes = app.tg.next(who.id).await;
    app.tg.press(who, &outcomes, &outcomes.button("Нейтральный"));
    app.tg.next(who.id).await;
    let products = app.say(who, SUMMARY).await;
    app.tg.press(who, &products, &products.button("Готово"));
    let when = app.tg.next(who.id).await;
    app.tg.press(who, &when, &when.button("Завтра 10:00"));
    // It is Friday: «tomorrow» lands on Monday, and a line says so before the confirmation.
    let moved = app.tg.next(who.id).await;
    assert!(moved.visible.starts_with("Перенесено на 30.11.2026"), "{}", moved.visible);
    app.tg.next(who.id).await
}

fn assert_redacted(text: &str) {
    for secret in ["Олег", "912 345", "345-67-89", "oleg@", "555.01", "123-45-67"] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
    }
}

both_backends! {
    async fn every_private_message_and_workbook_masks_contacts_and_redacts_free_text(app) {
        let (anna, boris, roga, pupkin) = setup(&app).await;
        // This test is about what is sent, not about pacing: the replies come as fast as asked.
        app.tg.set_rate_limits(false);

        // The confirmation echoes the summary redacted; the card shows the name masked.
        let confirm = log_entry(&app, &anna, roga).await;
        assert_redacted(&confirm.visible);
        assert!(confirm.visible.contains("Лимит 30 000 000 руб."), "amounts stay: {}", confirm.visible);
        app.tg.press(&anna, &confirm, &confirm.button("Записать"));
        app.tg.next(anna.id).await;
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.contains("Смирнов О."), "{}", card.visible);
        assert!(card.visible.contains("+7 9** ***-**-89"), "{}", card.visible);
        assert_redacted(&card.visible);

        // The sole proprietor's name is masked on the card, in results and in /my.
        let ip = app.say(&anna, &format!("/card {pupkin}")).await;
        assert!(ip.visible.contains("ИП Пупкин В."), "{}", ip.visible);
        assert!(!ip.visible.contains("Василий"), "{}", ip.visible);
        let found = app.say(&anna, "/find Пупкин").await;
        assert!(found.buttons().iter().any(|(label, _)| label.starts_with("ИП Пупкин В.")), "{:?}", found.buttons());
        let long = app.add_prospect(1001, "ООО «Северо-Западная торгово-промышленная компания»", &support::inn(9), None, None).await;
        app.schedule(1001, long, at("2026-11-28T12:00:00Z")).await;
        let mine = app.say(&anna, "/my").await;
        assert!(!mine.visible.contains("Василий") && !mine.buttons().iter().any(|(l, _)| l.contains("Василий")));
        // A long name gives way to the status and the date, which read whole.
        let (label, _) = mine.buttons().into_iter().find(|(l, _)| l.starts_with("ООО «Северо-Западная")).unwrap();
        assert!(label.contains('…') && label.ends_with("след. контакт 28.11 15:00"), "{label}");

        // The history and the reminder with what was agreed.
        app.tg.press(&anna, &card, &card.button("История"));
        assert_redacted(&app.tg.next(anna.id).await.visible);
        // Monday 10:00, where «tomorrow» landed; the long-named card's Saturday reminder comes too.
        app.clock.set(at("2026-11-30T07:00:10Z"));
        let mut reminder = app.tg.next(anna.id).await;
        if !reminder.visible.contains("Договорённость:") {
            assert_redacted(&reminder.visible);
            reminder = app.tg.next(anna.id).await;
        }
        assert!(reminder.visible.contains("Договорённость:"), "{}", reminder.visible);
        assert_redacted(&reminder.visible);

        // The manager's workbooks: the report's diary sheet and the export.
        let summary = app.say(&boris, "/report week").await;
        assert!(!summary.visible.is_empty());
        let report = app.tg.next(boris.id).await;
        assert!(report.file.is_some(), "the workbook");
        app.tg.next(boris.id).await;
        let export = app.say(&boris, "/export").await;
        assert!(export.file.is_some(), "the export");
        app.tg.assert_silent(anna.id, Duration::from_millis(300)).await;
        // `finish` scans every message, button, alert and workbook for what the database holds.
        app.finish().await;
    }
}

/// The scan is no test that cannot fail: with `CONTACTS_IN_CHAT=show` the same flow sends the
/// personal data, and the scan finds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scan_finds_personal_data_when_it_is_shown() {
    let Some(app) = TestApp::spawn_with(support::Backend::Sqlite, Some("show")).await else { return };
    let (anna, _, roga, pupkin) = setup(&app).await;
    app.tg.set_rate_limits(false);
    let confirm = log_entry(&app, &anna, roga).await;
    app.tg.press(&anna, &confirm, &confirm.button("Записать"));
    app.tg.next(anna.id).await;
    app.tg.next(anna.id).await;
    app.say(&anna, &format!("/card {pupkin}")).await;
    let needles = pd::Needles::read(app.db_url()).await;
    let found = pd::findings_sent(&app.tg, &needles);
    for what in [
        "the name word \"олег\"",
        "the phone \"9123456789\"",
        "the e-mail \"oleg@roga.example\"",
        "the phone \"9125550177\"",
        "the name word \"василий\"",
    ] {
        assert!(found.iter().any(|f| f == what), "{what} not found in {found:?}");
    }
    app.finish().await;
}
