//! `CONTACTS_IN_CHAT=hide` (SPEC §10, issue 12): not even «Петров И.» or a phone's last digits
//! go through Telegram. The flows that carry the most personal data are driven end to end —
//! registering, the card, a diary entry, its reminder, the hand-off's lead card and the
//! officer's private card, `/today`, `/export` — and `TestApp::finish` scans everything sent
//! with the hide-mode needles. Each place that says "in the app" carries the «📇» button.

mod support;

use std::time::Duration;

use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::handoff::Route;
use prospect_diary::domain::ids::RegionCode;
use prospect_diary::domain::prospect::Product;
use prospect_diary::telegram_fake::{Outgoing, TgUser};
use support::{Backend, TestApp, pd};

const PUBLIC_URL: &str = "https://crm.bank.test/pd";
const CREDIT_CHAT: i64 = -100500;
const IN_APP: &str = "Контакт: в приложении";
const SUMMARY: &str = "Олегу Смирнову понравилось, перезвонить +7 912 345-67-89 или oleg@roga.example. \
                       Кредит 30 000 000 руб.";

async fn spawn(backend: Backend) -> Option<TestApp> {
    TestApp::spawn_env(backend, &[("CONTACTS_IN_CHAT", "hide"), ("PUBLIC_URL", PUBLIC_URL)]).await
}

fn page(fragment: &str) -> (String, String) {
    ("📇 Контакты".to_owned(), format!("{PUBLIC_URL}/app#{fragment}"))
}

/// The next message to `chat` that `wanted` accepts; the ones before it are skipped.
async fn until(app: &TestApp, chat: i64, wanted: impl Fn(&Outgoing) -> bool) -> Outgoing {
    loop {
        let next = app.tg.next(chat).await;
        if wanted(&next) {
            return next;
        }
    }
}

/// `/new` through to the summary, typing a contact with a full name, phone and e-mail.
async fn register(app: &TestApp, who: &TgUser) -> Outgoing {
    app.say(who, "/new").await;
    app.say(who, "ООО «Рога и копыта»").await;
    let mut question = app.say(who, "7707083893").await;
    for _ in 0..12 {
        let asked = question.visible.clone();
        let typed = [
            ("отрасль", "Оптовая торговля"),
            ("город", "Москва"),
            ("контактное лицо:", "Смирнов Олег Иванович"),
            ("должность", "финансовый директор"),
            ("телефон", "+7 912 345-67-89"),
            ("e-mail", "oleg@roga.example"),
        ]
        .into_iter()
        .find(|(key, _)| asked.contains(key));
        question = match typed {
            Some((_, value)) => app.say(who, value).await,
            None if asked.contains("Отметьте продукты") => break,
            None => {
                app.tg.press(who, &question, &question.button("Пропустить"));
                app.tg.next(who.id).await
            }
        };
    }
    app.tg.press(who, &question, &question.button("Готово"));
    app.tg.next(who.id).await
}

async fn every_flow_keeps_the_contact_in_the_app(backend: Backend) {
    let Some(app) = spawn(backend).await else { return };
    app.tg.set_rate_limits(false);
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", true);
    let route =
        Route { region: RegionCode::parse("MSK").unwrap(), product: Product::Credit, chat_id: CREDIT_CHAT };
    prospect_diary::domain::handoff::set_route(app.store.as_ref(), &route, None, support::start_time())
        .await
        .unwrap();
    let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
    let boris = app.add_user(3001, "Борисов Борис Борисович", Role::Manager, Some("MSK")).await;
    let vera = app.add_user(2001, "Займова Вера Николаевна", Role::CreditOfficer, Some("MSK")).await;
    for who in [&anna, &boris, &vera] {
        app.tg.open_chat(who);
    }

    // The summary before saving: the contact is in the app, where the form can be checked.
    let summary = register(&app, &anna).await;
    assert!(summary.visible.contains("Проверьте данные"), "{}", summary.visible);
    assert!(summary.visible.contains(IN_APP), "{}", summary.visible);
    assert!(!summary.visible.contains("Смирнов") && !summary.visible.contains("**"), "{}", summary.visible);
    assert_eq!(summary.web_apps(), vec![page("draft")]);
    let draft = app.open_draft(&app.launch_data(anna.id, app.clock.now())).await;
    assert_eq!(draft.status, 200, "{}", draft.body);
    assert!(
        draft.body.contains("Смирнов Олег Иванович") && draft.body.contains("tel:+79123456789"),
        "{}",
        draft.body
    );
    assert!(draft.body.contains("mailto:oleg@roga.example"), "{}", draft.body);
    app.tg.press(&anna, &summary, &summary.button("Сохранить"));
    assert_eq!(app.tg.next(anna.id).await.visible, "Карточка компании сохранена.");
    let card = app.tg.next(anna.id).await;
    let roga: i64 =
        card.visible.split("№ ").nth(1).and_then(|t| t.split_whitespace().next()).unwrap().parse().unwrap();
    assert!(card.visible.contains(IN_APP), "{}", card.visible);
    assert!(!card.visible.contains("финансовый директор"), "{}", card.visible);
    assert_eq!(card.web_apps(), vec![page(&format!("card={roga}"))]);
    // Once saved, the form is gone: the page says so.
    let gone = app.open_draft(&app.launch_data(anna.id, app.clock.now())).await;
    assert_eq!((gone.status, gone.json()["reason"].as_str()), (404, Some("no_draft")));

    // A sole proprietor is named by the tax office's code, nothing of the person.
    let pupkin = app
        .add_prospect(
            1001,
            "ИП Пупкин Василий Петрович",
            "500100732259",
            Some("+7 916 111-22-33"),
            Some("Пупкин Василий Петрович"),
        )
        .await;
    let ip = app.say(&anna, &format!("/card {pupkin}")).await;
    assert!(ip.visible.contains("ИП (ИНН 5001…) · № "), "{}", ip.visible);
    assert!(!ip.visible.contains("Пупкин"), "{}", ip.visible);
    let found = app.say(&anna, "/find Пупкин").await;
    assert!(!found.visible.contains("Пупкин"), "the search echo too: {}", found.visible);
    assert!(
        found.buttons().iter().any(|(label, _)| label.starts_with("ИП (ИНН 5001…)")),
        "{:?}",
        found.buttons()
    );

    // A positive call about credit with tomorrow's contact: the summary is redacted, the lead
    // goes to the group, and the officer who takes it gets the card with the button.
    let kinds = app.say(&anna, &format!("/log {roga}")).await;
    app.tg.press(&anna, &kinds, &kinds.button("Звонок"));
    let outcomes = app.tg.next(anna.id).await;
    app.tg.press(&anna, &outcomes, &outcomes.button("Положительный"));
    app.tg.next(anna.id).await;
    let products = app.say(&anna, SUMMARY).await;
    app.tg.press(&anna, &products, &products.button("Кредит"));
    let products = app.tg.next(anna.id).await;
    app.tg.press(&anna, &products, &products.button("Готово"));
    let when = app.tg.next(anna.id).await;
    app.tg.press(&anna, &when, &when.button("Завтра 10:00"));
    // It is Friday: «tomorrow» lands on Monday, and a line says so before the confirmation.
    let moved = app.tg.next(anna.id).await;
    assert!(moved.visible.starts_with("Перенесено на 30.11.2026"), "{}", moved.visible);
    let confirm = app.tg.next(anna.id).await;
    assert!(confirm.visible.contains("Кредит 30 000 000 руб."), "{}", confirm.visible);
    assert!(
        !confirm.visible.contains("Смирнов") && !confirm.visible.contains("345-67"),
        "{}",
        confirm.visible
    );
    app.tg.press(&anna, &confirm, &confirm.button("Записать"));
    let facts =
        until(&app, anna.id, |m| m.buttons().iter().any(|(l, _)| l == "Отправить без уточнений")).await;
    app.tg.press(&anna, &facts, &facts.button("Отправить без уточнений"));
    let lead = app.tg.next(CREDIT_CHAT).await;
    assert!(lead.visible.contains("ООО «Рога и копыта», ИНН 7707083893"), "{}", lead.visible);
    app.tg.press(&vera, &lead, &lead.button("Взять"));
    let private = until(&app, vera.id, |m| m.visible.contains("Рога и копыта")).await;
    assert!(private.visible.contains(IN_APP), "{}", private.visible);
    assert_eq!(private.web_apps(), vec![page(&format!("card={roga}"))]);
    let taker = app.open_contacts(&app.launch_data(vera.id, app.clock.now()), roga).await;
    assert_eq!(taker.status, 200, "{}", taker.body);

    // Monday 10:00, where «tomorrow» pressed on Friday landed: the reminder, and /today with
    // the contacts a tap away.
    app.clock.set("2026-11-30T07:00:10Z".parse().unwrap());
    let reminder = until(&app, anna.id, |m| m.visible.contains("Пора связаться")).await;
    assert!(reminder.visible.contains(IN_APP), "{}", reminder.visible);
    assert!(reminder.visible.contains("Договорённость:"), "{}", reminder.visible);
    assert_eq!(reminder.web_apps(), vec![page(&format!("card={roga}"))]);
    let today = app.say(&anna, "/today").await;
    assert!(today.visible.contains("ООО «Рога и копыта»"), "{}", today.visible);
    let buttons: Vec<(String, String)> = today.web_apps();
    assert_eq!(buttons, vec![("📇".to_owned(), format!("{PUBLIC_URL}/app#card={roga}"))]);

    // The manager's export: the cells say "in the app"; the full workbook is behind a button.
    let export = app.say(&boris, "/export").await;
    let cells = pd::workbook_cells(export.file.as_ref().expect("the workbook"));
    assert!(cells.iter().any(|c| c == "в приложении"), "{cells:?}");
    assert!(cells.iter().any(|c| c == "ИП (ИНН 5001…)"), "{cells:?}");
    let full = app.tg.next(boris.id).await;
    assert_eq!(
        full.web_apps(),
        vec![("📥 Полная выгрузка".to_owned(), format!("{PUBLIC_URL}/app#export=MSK"))]
    );
    app.tg.assert_silent(boris.id, Duration::from_millis(200)).await;
    // `finish` scans everything sent with the hide-mode needles.
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_keeps_the_contact_in_the_app_sqlite() {
    every_flow_keeps_the_contact_in_the_app(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_flow_keeps_the_contact_in_the_app_postgres() {
    every_flow_keeps_the_contact_in_the_app(Backend::Postgres).await;
}

/// The hide-mode scan is no scan that cannot fail: what mask mode rightly sends («Смирнов О.»,
/// `+7 9** ***-**-89`, «ИП Пупкин В.») is a finding in hide mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hide_scan_finds_what_mask_mode_shows() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
    let roga = app
        .add_prospect(
            1001,
            "ООО «Рога и копыта»",
            "7707083893",
            Some("+7 912 345-67-89"),
            Some("Смирнов Олег Иванович"),
        )
        .await;
    let pupkin = app.add_prospect(1001, "ИП Пупкин Василий Петрович", "500100732259", None, None).await;
    app.say(&anna, &format!("/card {roga}")).await;
    app.say(&anna, &format!("/card {pupkin}")).await;
    let needles = pd::Needles::read_for(app.db_url(), prospect_diary::config::ContactsInChat::Hide).await;
    let found = pd::findings_sent(&app.tg, &needles);
    for what in [
        "the name word \"смирнов\"",
        "the masked \"смирнов о.\"",
        "a masked phone's digits \"**-89\"",
        "the name word \"пупкин\"",
    ] {
        assert!(found.iter().any(|f| f == what), "{what} not found in {found:?}");
    }
    // In mask mode the same messages are clean.
    app.finish().await;
}
