//! The log of the contacts page never carries a contact or the launch data (SPEC §10, issue 12):
//! this binary installs a log subscriber that keeps every line at every level of ours, drives
//! the page through a view, each kind of refusal and the hourly limit, a full export and the
//! draft page, and greps what was logged.
//! (Its own binary: the log subscriber is process-wide.)

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use support::{Backend, TestApp, inn};

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

const PHONE: &str = "+79123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_carries_no_contact_and_no_launch_data() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_env_filter("debug,prospect_diary=trace")
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();
    let env = [("CONTACT_VIEWS_PER_HOUR", "2"), ("PUBLIC_URL", "https://crm.bank.test")];
    let Some(app) = TestApp::spawn_env(Backend::Sqlite, &env).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("SPB", "Санкт-Петербург", "Europe/Moscow").await;
    app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(2001, "Глеб Питерский", Role::Specialist, Some("SPB")).await;
    app.add_user(8001, "Дарья Контролёр", Role::HeadOffice, None).await;
    let card =
        app.add_prospect(1001, "ООО Ромашка", &inn(1), Some(PHONE), Some("Смирнов Олег Иванович")).await;
    let now = app.clock.now();

    let good = app.launch_data(1001, now);
    let mut launches = vec![good.clone()];
    for _ in 0..3 {
        app.open_contacts(&good, card).await;
    }
    for launch in [
        app.launch_data(1001, now - Duration::hours(2)),
        good.replace("%22id%22%3A1001", "%22id%22%3A1002"),
        app.launch_data(2001, now),
        app.launch_data(5555, now),
    ] {
        app.open_contacts(&launch, card).await;
        launches.push(launch);
    }
    // The full workbook (contacts and all) and the draft page log nothing of them either.
    let head = app.launch_data(8001, now);
    assert_eq!(app.download_export(&head, "ALL").await.status, 200);
    app.open_draft(&good).await;
    launches.push(head);
    let anna = app.tg.user(1001, "Анна");
    app.say(&anna, &format!("/card {card}")).await;
    app.finish().await;

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("contact views over the hourly limit"), "the log was captured");
    for needle in [PHONE, "9123456789", "Смирнов", "Олег", "tgWebAppData", "auth_date"] {
        assert!(!log.contains(needle), "the log carries {needle:?}");
    }
    for launch in &launches {
        let hash = launch.rsplit("hash=").next().unwrap();
        assert!(!log.contains(hash), "the log carries launch data");
    }
}
