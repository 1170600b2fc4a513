//! The contacts page (SPEC §10, issue 12): the bank's own HTTP channel shows a card's full
//! contacts to the people the bot would show the card to, checks Telegram's signed launch data
//! on every request, audits every view and refuses bulk reading — and a refusal writes nothing.

mod support;

use chrono::Duration;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::audit::AuditAction;
use prospect_diary::domain::diary::{Kind, NewEntry, Outcome};
use prospect_diary::domain::directory;
use prospect_diary::domain::fields::Field;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::domain::prospect::ProspectId;
use prospect_diary::domain::prospects;
use prospect_diary::store::{DeliveryStore, Store};
use prospect_diary::web::init_data;
use support::web::{HttpReply, http};
use support::{TestApp, inn};

const PHONE: &str = "+79123456789";
const EMAIL: &str = "o.smirnov@romashka.ru";
const SPECIALIST: i64 = 1001;
const DISABLED: i64 = 1002;
const OFFICER: i64 = 1003;
const OTHER_DIVISION: i64 = 2001;
const HEAD_OFFICE: i64 = 8001;
const ADMIN: i64 = 9001;
const STRANGER: i64 = 5555;

/// Two divisions, every role, and one Moscow card with full contacts and a diary entry.
async fn arrange(app: &TestApp) -> i64 {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("SPB", "Санкт-Петербург", "Europe/Moscow").await;
    app.add_user(SPECIALIST, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(DISABLED, "Борис Уволенный", Role::Specialist, Some("MSK")).await;
    app.add_user(OFFICER, "Вера Кредитная", Role::CreditOfficer, Some("MSK")).await;
    app.add_user(OTHER_DIVISION, "Глеб Питерский", Role::Specialist, Some("SPB")).await;
    let head = app.add_user(HEAD_OFFICE, "Дарья Контролёр", Role::HeadOffice, None).await;
    app.tg.open_chat(&head);
    app.add_user(ADMIN, "Евгений Админ", Role::Admin, None).await;
    let id = app
        .add_prospect(SPECIALIST, "ООО Ромашка", &inn(1), Some(PHONE), Some("Смирнов Олег Иванович"))
        .await;
    let store = app.store.as_ref();
    let now = app.clock.now();
    let anna = store.user(TelegramId::new(SPECIALIST).unwrap()).await.unwrap().unwrap();
    prospects::edit(store, &anna, ProspectId(id), Field::named("email").unwrap(), Some(EMAIL), now)
        .await
        .unwrap();
    let entry = NewEntry {
        prospect: ProspectId(id),
        author: anna.telegram_id,
        kind: Kind::Call,
        outcome: Outcome::Neutral,
        summary: "Обсудили расчётный счёт, перезвонить после праздников".into(),
        products: vec![],
        happened_at: now,
        next_contact: None,
    };
    prospects::log_entry(store, &anna, &entry, now).await.unwrap();
    directory::set_active(store, TelegramId::new(DISABLED).unwrap(), false, None, now).await.unwrap();
    id
}

/// What a refusal must leave as it was: the audit trail and the outbox.
async fn written(app: &TestApp) -> (usize, i64) {
    let mut audit = 0;
    for id in [SPECIALIST, DISABLED, OFFICER, OTHER_DIVISION, HEAD_OFFICE, ADMIN, STRANGER] {
        audit += app.store.audit_by_actor(TelegramId::new(id).unwrap()).await.unwrap().len();
    }
    let outbox = app.store.outbox_counts().await.unwrap().iter().map(|(_, n)| n).sum();
    (audit, outbox)
}

fn assert_secure_headers(reply: &HttpReply) {
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let csp = reply.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors https://web.telegram.org https://*.telegram.org"), "{csp}");
    assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(reply.header("referrer-policy"), Some("no-referrer"));
}

fn assert_refused(reply: &HttpReply, status: u16, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_secure_headers(reply);
    let body = reply.json();
    assert_eq!(body["ok"], false);
    assert_eq!(body["message"], message);
    for secret in [PHONE, EMAIL, "Смирнов", "Ромашка"] {
        assert!(!reply.body.contains(secret), "a refusal leaks {secret}: {}", reply.body);
    }
}

both_backends! {
    async fn valid_launch_data_shows_the_full_contacts_and_the_view_is_audited(app) {
        let card = arrange(&app).await;
        let launch = app.launch_data(SPECIALIST, app.clock.now() - Duration::minutes(2));
        let reply = app.open_contacts(&launch, card).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_secure_headers(&reply);
        let body = reply.json();
        assert_eq!(body["title"], "ООО Ромашка");
        let rows = body["rows"].as_array().unwrap();
        let row = |label: &str| rows.iter().find(|r| r["label"] == label).unwrap_or_else(|| panic!("no {label} in {rows:?}"));
        assert_eq!(row("Телефон")["value"], "+7 912 345-67-89", "as people read it");
        assert_eq!(row("Телефон")["href"], format!("tel:{PHONE}"));
        assert_eq!(row("E-mail")["href"], format!("mailto:{EMAIL}"));
        assert_eq!(row("Контактное лицо")["value"], "Смирнов Олег Иванович");
        assert_eq!(row("ИНН")["value"], inn(1));
        assert_eq!(body["recent"][0]["text"], "Обсудили расчётный счёт, перезвонить после праздников");

        let trail = app.store.audit_by_subject(&format!("prospect:{card}")).await.unwrap();
        let view = trail.iter().find(|r| r.action == AuditAction::ContactsViewed.as_str()).expect("the view is audited");
        assert_eq!(view.actor, Some(TelegramId::new(SPECIALIST).unwrap()));
        assert_eq!(view.details.as_deref(), Some("from 127.0.0.1"));
        assert_eq!(view.at, app.clock.now());

        let head = app.tg.user(HEAD_OFFICE, "Дарья");
        let audit = app.say(&head, &format!("/audit {card}")).await;
        assert!(audit.visible.contains("Анна Петрова: открыл контакты в приложении"), "{}", audit.visible);
        app.finish().await;
    }

    async fn the_page_and_health_check_carry_the_security_headers(app) {
        let addr = app.web_addr().await;
        let health = http(addr, "GET", "/healthz", None).await;
        assert_eq!((health.status, health.body.as_str()), (200, "ok"));
        assert_secure_headers(&health);
        let page = http(addr, "GET", "/app", None).await;
        assert_eq!(page.status, 200);
        assert_secure_headers(&page);
        // Relative, so that the page works under a path prefix at the reverse proxy.
        assert!(page.body.contains(r#"src="app/app.js""#), "{}", page.body);
        // Nothing from another host: no third-party scripts, fonts or styles.
        for asset in ["/app", "/app/app.js", "/app/app.css"] {
            let reply = http(addr, "GET", asset, None).await;
            assert_eq!(reply.status, 200, "{asset}");
            assert!(!reply.body.contains("http://") && !reply.body.contains("https://"), "{asset} refers to another host");
        }
        app.finish().await;
    }

    async fn stale_forged_or_foreign_launch_data_is_refused_and_nothing_is_written(app) {
        let card = arrange(&app).await;
        let now = app.clock.now();
        let before = written(&app).await;
        let forged = app.launch_data(SPECIALIST, now).replace("%22id%22%3A1001", "%22id%22%3A1002");
        let cases = [
            ("expired", app.launch_data(SPECIALIST, now - Duration::minutes(61))),
            ("from the future", app.launch_data(SPECIALIST, now + Duration::minutes(10))),
            ("forged", forged),
            ("another bot's", init_data::sign_for(SPECIALIST, now, "654321:OTHER-BOT")),
            ("malformed", "user=1&hash=00".to_owned()),
        ];
        for (case, launch) in cases {
            let reply = app.open_contacts(&launch, card).await;
            assert_refused(&reply, 401, "Ссылка устарела — откройте карточку заново.");
            assert_eq!(written(&app).await, before, "{case}");
        }
        app.finish().await;
    }

    async fn people_who_may_not_see_the_card_are_refused_and_nothing_is_written(app) {
        let card = arrange(&app).await;
        let now = app.clock.now();
        let before = written(&app).await;
        for (who, id) in [
            ("a stranger", STRANGER),
            ("a disabled person", DISABLED),
            ("another division's specialist", OTHER_DIVISION),
            ("an admin", ADMIN),
            ("a credit officer who took no lead", OFFICER),
        ] {
            let reply = app.open_contacts(&app.launch_data(id, now), card).await;
            assert_refused(&reply, 403, "Нет доступа к этой карточке.");
            assert_eq!(written(&app).await, before, "{who}");
        }
        // A card that does not exist reads the same as one outside the view.
        let reply = app.open_contacts(&app.launch_data(SPECIALIST, now), card + 1000).await;
        assert_refused(&reply, 403, "Нет доступа к этой карточке.");
        assert_eq!(written(&app).await, before);
        app.finish().await;
    }

    async fn the_61st_view_in_an_hour_is_refused_and_head_office_is_told_once(app) {
        let card = arrange(&app).await;
        let launch = app.launch_data(SPECIALIST, app.clock.now());
        for _ in 0..60 {
            assert_eq!(app.open_contacts(&launch, card).await.status, 200);
        }
        let (audit, outbox) = written(&app).await;
        let reply = app.open_contacts(&launch, card).await;
        assert_refused(&reply, 429, "Слишком много просмотров за час. Попробуйте позже.");
        let again = app.open_contacts(&launch, card).await;
        assert_eq!(again.status, 429);
        // No view written; one notice queued for the one head office person, not two.
        assert_eq!(written(&app).await, (audit, outbox + 1));
        let head = app.tg.user(HEAD_OFFICE, "Дарья");
        let notice = app.tg.next(head.id).await;
        assert!(notice.visible.contains("Анна Петрова (ID 1001)"), "{}", notice.visible);
        assert!(notice.visible.contains("более 60 раз за час"), "{}", notice.visible);
        app.finish().await;
    }
}

/// A Telegram-opened page needs the https address the bank publishes it at.
const PUBLIC_URL: &str = "https://crm.bank.test/pd";

async fn card_carries_a_contacts_button_with_the_card_number_only(backend: support::Backend) {
    let Some(app) = TestApp::spawn_env(backend, &[("PUBLIC_URL", PUBLIC_URL)]).await else { return };
    let card = arrange(&app).await;
    let anna = app.tg.user(SPECIALIST, "Анна");
    let shown = app.say(&anna, &format!("/card {card}")).await;
    assert_eq!(
        shown.web_apps(),
        vec![("📇 Контакты".to_owned(), format!("{PUBLIC_URL}/app#card={card}"))],
        "{:?}",
        shown.reply_markup
    );
    assert!(!shown.visible.contains(PHONE));
    app.finish().await;
}

/// The reminder shows masked contacts too, so it carries the same button.
async fn a_reminder_carries_the_contacts_button(backend: support::Backend) {
    let Some(app) = TestApp::spawn_env(backend, &[("PUBLIC_URL", PUBLIC_URL)]).await else { return };
    let card = arrange(&app).await;
    let anna = app.tg.user(SPECIALIST, "Анна");
    app.tg.open_chat(&anna);
    let due = app.clock.now() + Duration::hours(1);
    app.schedule(SPECIALIST, card, due).await;
    app.clock.set(due + Duration::seconds(5));
    let reminder = app.tg.next(SPECIALIST).await;
    assert!(reminder.visible.contains("Пора связаться"), "{}", reminder.visible);
    assert!(!reminder.visible.contains(PHONE), "{}", reminder.visible);
    assert_eq!(
        reminder.web_apps(),
        vec![("📇 Контакты".to_owned(), format!("{PUBLIC_URL}/app#card={card}"))]
    );
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_carries_the_contacts_button_sqlite() {
    a_reminder_carries_the_contacts_button(support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_carries_the_contacts_button_postgres() {
    a_reminder_carries_the_contacts_button(support::Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_carries_a_contacts_button_sqlite() {
    card_carries_a_contacts_button_with_the_card_number_only(support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_carries_a_contacts_button_postgres() {
    card_carries_a_contacts_button_with_the_card_number_only(support::Backend::Postgres).await;
}

async fn no_contacts_button_without_a_public_url_or_in_show_mode(backend: support::Backend) {
    for env in [vec![], vec![("PUBLIC_URL", PUBLIC_URL), ("CONTACTS_IN_CHAT", "show")]] {
        let Some(app) = TestApp::spawn_env(backend, &env).await else { return };
        let card = arrange(&app).await;
        let anna = app.tg.user(SPECIALIST, "Анна");
        let shown = app.say(&anna, &format!("/card {card}")).await;
        assert!(shown.buttons().len() > 1, "the card has its buttons: {:?}", shown.buttons());
        assert_eq!(shown.web_apps(), vec![], "{env:?}");
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_contacts_button_without_a_public_url_sqlite() {
    no_contacts_button_without_a_public_url_or_in_show_mode(support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_contacts_button_without_a_public_url_postgres() {
    no_contacts_button_without_a_public_url_or_in_show_mode(support::Backend::Postgres).await;
}

both_backends! {
    async fn the_fake_telegram_refuses_a_web_app_button_without_https(app) {
        use teloxide::prelude::*;
        use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo};
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(SPECIALIST, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.tg.open_chat(&anna);
        let bot = prospect_diary::app::make_bot(&app.config);
        let button = |url: &str| {
            InlineKeyboardMarkup::new([[InlineKeyboardButton::web_app("📇", WebAppInfo { url: url.parse().unwrap() })]])
        };
        let plain = bot.send_message(ChatId(SPECIALIST), "x").reply_markup(button("http://crm.bank.test/app")).await;
        assert!(plain.unwrap_err().to_string().contains("Only HTTPS links are allowed"));
        bot.send_message(ChatId(SPECIALIST), "x").reply_markup(button("https://crm.bank.test/app")).await.unwrap();
        let sent = app.tg.next(SPECIALIST).await;
        assert_eq!(sent.web_apps(), vec![("📇".to_owned(), "https://crm.bank.test/app".to_owned())]);
        app.finish().await;
    }
}

both_backends! {
    async fn the_credit_officer_who_took_the_lead_sees_its_contacts_and_no_other_officer_does(app) {
        use prospect_diary::domain::handoff::{self, Route};
        use prospect_diary::domain::ids::RegionCode;
        use prospect_diary::domain::prospect::Product;
        const TAKER: i64 = 1004;
        const CREDIT_CHAT: i64 = -1001234567890;
        let card = arrange(&app).await;
        app.add_user(TAKER, "Жанна Взявшая", Role::CreditOfficer, Some("MSK")).await;
        app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", true);
        let now = app.clock.now();
        let store = app.store.as_ref();
        let route = Route { region: RegionCode::parse("MSK").unwrap(), product: Product::Credit, chat_id: CREDIT_CHAT };
        prospect_diary::domain::handoff::set_route(store, &route, None, now).await.unwrap();
        let user = |id: i64| async move { store.user(TelegramId::new(id).unwrap()).await.unwrap().unwrap() };
        let h = handoff::hand_off(store, &user(SPECIALIST).await, ProspectId(card), Product::Credit, now)
            .await
            .unwrap();
        handoff::take(store, &user(TAKER).await, h.id, now).await.unwrap();

        let taker = app.open_contacts(&app.launch_data(TAKER, now), card).await;
        assert_eq!(taker.status, 200, "{}", taker.body);
        assert!(taker.body.contains(PHONE));
        let before = written(&app).await;
        let other = app.open_contacts(&app.launch_data(OFFICER, now), card).await;
        assert_refused(&other, 403, "Нет доступа к этой карточке.");
        assert_eq!(written(&app).await, before);
        app.finish().await;
    }

    async fn a_refusal_reads_in_the_persons_language(app) {
        use prospect_diary::domain::access::Lang;
        let card = arrange(&app).await;
        let now = app.clock.now();
        directory::set_lang(app.store.as_ref(), TelegramId::new(OTHER_DIVISION).unwrap(), Lang::En, now).await.unwrap();
        let denied = app.open_contacts(&app.launch_data(OTHER_DIVISION, now), card).await;
        assert_refused(&denied, 403, "You have no access to this card.");
        // Signed but old: the person is known, so is their language.
        let stale = app.open_contacts(&app.launch_data(OTHER_DIVISION, now - Duration::hours(2)), card).await;
        assert_refused(&stale, 401, "This link has expired — open the card again.");
        app.finish().await;
    }
}
