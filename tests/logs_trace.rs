//! No personal data and no token in any log line at any level (issue 14): this binary installs
//! the app's own log setup (`prospect_diary::logging`) at `RUST_LOG=trace`, in JSON, runs real
//! flows — registering a company with its contact person, phone and e-mail; a diary entry with
//! a phone in its text; opening the card — and greps what was logged.
//! (Its own binary: the log subscriber is process-wide.)

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use prospect_diary::config::LogFormat;
use prospect_diary::domain::access::Role;
use prospect_diary::telegram_fake::TOKEN;
use support::{Backend, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the flows type, and what must never reach the log in any spelling the app stores.
const CONTACT: &str = "Зиновий Аркадьевич Шмелёв";
const PHONE: &str = "8 (912) 345-67-89";
const EMAIL: &str = "Zinovy@Shmel-Trade.ru";
const PHONE_IN_TEXT: &str = "+7 916 555-44-33";
const NEEDLES: &[&str] = &[
    "Зиновий",
    "Аркадьевич",
    "Шмелёв",
    "Шмелев",
    "9123456789",
    "345-67-89",
    "zinovy",
    "Zinovy",
    "shmel-trade",
    "Shmel-Trade",
    "9165554433",
    "555-44-33",
];

async fn flows(app: &TestApp) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.say(&anna, "/start").await;

    // Registering a company with its contact person, phone and e-mail, through the form.
    app.say(&anna, "➕ Новая компания").await;
    app.say(&anna, "ООО Шмель-Трейд").await;
    app.say(&anna, "7707083893").await;
    let ask_ogrn = app.say(&anna, "773601001").await;
    app.tg.press(&anna, &ask_ogrn, &ask_ogrn.button("Пропустить"));
    app.tg.next(anna.id).await;
    let ask_city = app.say(&anna, "Торговля").await;
    app.tg.press(&anna, &ask_city, &ask_city.button("Пропустить"));
    app.tg.next(anna.id).await;
    app.say(&anna, CONTACT).await;
    let ask_phone = app.say(&anna, "Директор").await;
    assert!(ask_phone.visible.contains("телефон"), "{}", ask_phone.visible);
    let ask_email = app.say(&anna, PHONE).await;
    assert!(ask_email.visible.contains("e-mail"), "{}", ask_email.visible);
    let products = app.say(&anna, EMAIL).await;
    app.tg.press(&anna, &products, &products.button("Кредит"));
    let products = app.tg.next(anna.id).await;
    app.tg.press(&anna, &products, &products.button("Готово"));
    let summary = app.tg.next(anna.id).await;
    app.tg.press(&anna, &summary, &summary.button("Сохранить"));
    assert_eq!(app.tg.next(anna.id).await.visible, "Карточка компании сохранена.");
    app.tg.next(anna.id).await;

    // A diary entry with a phone in its text.
    let kinds = app.say(&anna, "/log 1").await;
    app.tg.press(&anna, &kinds, &kinds.button("Звонок"));
    let outcomes = app.tg.next(anna.id).await;
    app.tg.press(&anna, &outcomes, &outcomes.button("Положительный"));
    app.tg.next(anna.id).await;
    let products = app.say(&anna, &format!("Шмелёв просил перезвонить на {PHONE_IN_TEXT}")).await;
    app.tg.press(&anna, &products, &products.button("Готово"));
    app.tg.next(anna.id).await;
    let confirm = app.say(&anna, "25.12 15:30").await;
    app.tg.press(&anna, &confirm, &confirm.button("Записать"));
    assert_eq!(app.tg.next(anna.id).await.visible, "Запись добавлена в дневник.");
    app.tg.next(anna.id).await;

    // Opening the card, and finding the company by its contact's phone.
    let card = app.say(&anna, "/card 1").await;
    assert!(card.visible.contains("ООО Шмель-Трейд"), "{}", card.visible);
    app.say(&anna, "/find 9123456789").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trace_log_of_real_flows_carries_no_contact_and_no_token() {
    let captured = Captured::default();
    let writer = captured.clone();
    prospect_diary::logging::init(LogFormat::Json, Some("trace"), move || writer.clone())
        .expect("the first subscriber of this binary");
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = TestApp::spawn(backend).await else { continue };
        flows(&app).await;
        app.finish().await;
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.lines().count() > 100, "the trace was captured: {} lines", log.lines().count());
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("LOG_FORMAT=json writes JSON lines ({e}): {l}"))
        })
        .collect();
    let at = |target: &str, levels: &[&str]| {
        lines.iter().any(|l| {
            l["target"].as_str().is_some_and(|t| t.starts_with(target))
                && levels.contains(&l["level"].as_str().unwrap_or_default())
        })
    };
    assert!(at("sqlx::query", &["DEBUG"]), "RUST_LOG=trace reached the libraries");
    // The wire-level libraries stay at info whatever RUST_LOG says.
    for (target, _) in prospect_diary::logging::CAPPED {
        assert!(!at(target, &["DEBUG", "TRACE"]), "{target} logged below info");
    }
    let secret = TOKEN.split_once(':').unwrap().1;
    let mut leaks = Vec::new();
    for line in log.lines() {
        for needle in NEEDLES.iter().chain([&TOKEN, &secret]) {
            if line.contains(needle) {
                leaks.push(format!("{needle:?} in {line}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} leaking lines, the first ones:\n{}",
        leaks.len(),
        leaks[..leaks.len().min(8)].join("\n")
    );
}
