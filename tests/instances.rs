//! Several instances on one database: webhook mode behind a balancer (and the fake Telegram's
//! webhooks themselves), every update handled once and one person's form in order across
//! instances, one poller chosen through the database with a takeover when it is killed, and
//! SQLite refusing a second instance.

mod support;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::domain::prospect::ProspectId;
use prospect_diary::domain::prospects;
use prospect_diary::domain::requisites::Inn;
use prospect_diary::domain::session;
use prospect_diary::store::{ProspectStore, Store};
use prospect_diary::telegram_fake::{FakeTelegram, TOKEN, TgUser};
use serde_json::{Value, json};
use sqlx::Connection;
use support::{Backend, Instance, TestApp, inn};

const SECRET: &str = "test-webhook-secret-0123456789abcdef";
const PUBLIC: &str = "https://crm.test";

fn webhook_env() -> [(&'static str, &'static str); 3] {
    [("TELEGRAM_MODE", "webhook"), ("WEBHOOK_SECRET", SECRET), ("PUBLIC_URL", PUBLIC)]
}

/// Calls the fake Telegram as a bot would; returns the HTTP status and the body.
async fn call(tg: &FakeTelegram, method: &str, params: Value) -> (u16, Value) {
    let url = format!("{}bot{TOKEN}/{method}", tg.url());
    let response = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(params.to_string())
        .send()
        .await
        .expect("the fake answers");
    let status = response.status().as_u16();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    (status, body)
}

fn description(body: &Value) -> &str {
    body["description"].as_str().unwrap_or_default()
}

/// What a receiver got: the secret header and the update, per request.
type Seen = Arc<Mutex<Vec<(Option<String>, Value)>>>;

/// A webhook receiver for the fake's deliveries: answers `fail_first` requests with 500, then
/// 200, and keeps (secret header, body) of each.
async fn receiver(fail_first: usize) -> (std::net::SocketAddr, Seen) {
    let seen: Seen = Arc::default();
    let kept = seen.clone();
    let app = axum::Router::new().route(
        "/telegram/webhook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let kept = kept.clone();
            async move {
                let secret =
                    headers.get("X-Telegram-Bot-Api-Secret-Token").map(|v| v.to_str().unwrap().to_owned());
                let mut seen = kept.lock().unwrap();
                seen.push((secret, serde_json::from_str(&body).unwrap()));
                if seen.len() <= fail_first { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_telegram_runs_webhooks_as_telegram_does() {
    let tg = FakeTelegram::start().await.unwrap();
    let hook = json!({"url": "http://crm.test/telegram/webhook"});
    let (status, body) = call(&tg, "setWebhook", hook).await;
    assert_eq!(
        (status, description(&body)),
        (400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    );
    let hook = json!({"url": "https://crm.test/telegram/webhook"});
    let (status, body) = call(&tg, "setWebhook", hook).await;
    assert_eq!(
        (status, description(&body)),
        (400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known")
    );
    let (one, seen_one) = receiver(1).await;
    let (two, seen_two) = receiver(0).await;
    tg.publish(PUBLIC, &[one, two]);
    let bad = json!({"url": "https://crm.test/telegram/webhook", "secret_token": "not secret!"});
    let (status, body) = call(&tg, "setWebhook", bad).await;
    assert_eq!(
        (status, description(&body)),
        (400, "Bad Request: secret token contains unallowed characters")
    );

    let hook = json!({"url": "https://crm.test/telegram/webhook", "secret_token": "s3cr3t",
                      "allowed_updates": ["message", "callback_query"], "max_connections": 3});
    assert_eq!(call(&tg, "setWebhook", hook).await.0, 200);
    let (status, body) = call(&tg, "getUpdates", json!({})).await;
    assert_eq!(
        (status, description(&body)),
        (
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
        )
    );
    let (_, info) = call(&tg, "getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["url"], "https://crm.test/telegram/webhook");
    assert_eq!(info["result"]["max_connections"], 3);
    assert_eq!(info["result"]["allowed_updates"], json!(["message", "callback_query"]));

    // Two people write: each update goes to one instance in turn; the one answered 500 is
    // delivered again, with the secret every time.
    let (anna, boris) = (tg.user(1, "Anna"), tg.user(2, "Boris"));
    let first = tg.send_text(&anna, "hello");
    tg.eventually("both updates accepted", |tg| {
        (tg.deliveries().iter().filter(|d| d.status == Some(200)).count() == 1).then_some(())
    })
    .await;
    let second = tg.send_text(&boris, "hi");
    tg.eventually("both updates accepted", |tg| {
        (tg.deliveries().iter().filter(|d| d.status == Some(200)).count() == 2).then_some(())
    })
    .await;
    let deliveries = tg.deliveries();
    let statuses: Vec<_> = deliveries.iter().map(|d| (d.update_id, d.status)).collect();
    assert_eq!(statuses, [(first, Some(500)), (first, Some(200)), (second, Some(200))], "{deliveries:?}");
    assert_ne!(deliveries[0].backend, deliveries[1].backend, "round-robin: the retry went to the other");
    let all: Vec<_> =
        seen_one.lock().unwrap().iter().chain(seen_two.lock().unwrap().iter()).cloned().collect();
    assert!(all.iter().all(|(secret, _)| secret.as_deref() == Some("s3cr3t")), "{all:?}");
    assert_eq!(all.iter().filter(|(_, u)| u["update_id"] == first).count(), 2);
    let (_, info) = call(&tg, "getWebhookInfo", json!({})).await;
    assert_eq!(info["result"]["pending_update_count"], 0);
    assert!(info["result"]["last_error_message"].as_str().is_some_and(|m| m.contains("500")), "{info}");

    assert_eq!(call(&tg, "deleteWebhook", json!({})).await.0, 200);
    let (status, body) = call(&tg, "getUpdates", json!({})).await;
    assert_eq!((status, &body["result"]), (200, &json!([])));
    // Two pollers at once: the first is told it was terminated by the other.
    let waiting = tokio::spawn({
        let tg = tg.clone();
        async move { call(&tg, "getUpdates", json!({"timeout": 5})).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = call(&tg, "getUpdates", json!({})).await;
    assert_eq!(status, 200);
    let (status, body) = waiting.await.unwrap();
    assert_eq!(
        (status, description(&body)),
        (
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
        )
    );
    tg.shutdown();
}

/// The webhook of the instance serving at `addr`.
fn webhook_url(addr: std::net::SocketAddr) -> String {
    format!("http://{addr}/telegram/webhook")
}

/// `update` posted to the webhook at `addr` as Telegram posts it, with `secret` in its header.
fn webhook_post(
    client: &reqwest::Client,
    addr: std::net::SocketAddr,
    secret: &str,
    update: &Value,
) -> reqwest::RequestBuilder {
    client.post(webhook_url(addr)).header("X-Telegram-Bot-Api-Secret-Token", secret).body(update.to_string())
}

/// An update as Telegram posts it: `text` from `user` in their private chat.
fn update(id: i64, user: &TgUser, text: &str) -> Value {
    json!({"update_id": id, "message": {"message_id": 1, "date": 0, "text": text,
           "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
           "from": {"id": user.id, "is_bot": false, "first_name": user.first_name}}})
}

mod webhook {
    use super::*;

    async fn forged_request_handles_nothing(backend: Backend) {
        let Some(app) = TestApp::spawn_env(backend, &webhook_env()).await else { return };
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.tg.eventually("the webhook set", |tg| tg.webhook_url()).await;
        let set = app.tg.calls_of("setWebhook");
        let params = &set[0].params;
        assert_eq!(params["url"], "https://crm.test/telegram/webhook");
        assert_eq!(params["secret_token"], SECRET);
        assert_eq!(params["allowed_updates"], json!(["message", "callback_query"]));
        assert_eq!(params["max_connections"].to_string().trim_matches('"'), "40");

        let help = app.say(&anna, "/help").await;
        assert!(!help.visible.is_empty());

        let addr = app.config.http_bound.get().unwrap();
        let client = reqwest::Client::new();
        let forged = update(999_001, &anna, "/help");
        let missing = client.post(webhook_url(addr)).body(forged.to_string()).send().await.unwrap();
        assert_eq!(missing.status(), 403);
        let wrong_secret = "test-webhook-secret-0123456789abcdeX";
        let wrong =
            webhook_post(&client, addr, wrong_secret, &update(999_002, &anna, "/help")).send().await.unwrap();
        assert_eq!(wrong.status(), 403);
        app.tg.assert_silent(anna.id, Duration::from_millis(500)).await;
        assert!(!app.store.is_handled(999_001).await.unwrap());
        let audited = support::pd::query(
            app.db_url(),
            "SELECT details FROM audit_log WHERE action = 'webhook_refused'",
        )
        .await;
        assert_eq!(audited.len(), 2, "{audited:?}");
        assert!(audited[0][0].starts_with("secret missing, from 127.0.0.1"), "{audited:?}");
        assert!(audited[1][0].starts_with("secret wrong"), "{audited:?}");

        // The right secret, the same update twice: handled once.
        let genuine = update(999_003, &anna, "/help");
        for _ in 0..2 {
            let ok = webhook_post(&client, addr, SECRET, &genuine).send().await.unwrap();
            assert_eq!(ok.status(), 200);
        }
        app.tg.next(anna.id).await;
        app.tg.assert_silent(anna.id, Duration::from_millis(500)).await;
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_forged_webhook_request_handles_nothing_sqlite() {
        forged_request_handles_nothing(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_forged_webhook_request_handles_nothing_postgres() {
        forged_request_handles_nothing(Backend::Postgres).await;
    }
}

/// The OGRN of `body` (12 digits) with its check digit.
fn ogrn(body: u64) -> String {
    format!("{body}{}", body % 11 % 10)
}

/// Two webhook instances behind the balancer, three people typing their forms as fast as
/// Telegram delivers: every answer goes to the other instance than the one before, some
/// deliveries time out and are retried while the first is still at work, and each saved card
/// is exactly what its person typed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_webhook_instances_keep_each_form_exactly_as_typed() {
    let Some(app) = TestApp::spawn_env(Backend::Postgres, &webhook_env()).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.tg.set_rate_limits(false);
    let second = app.instance("second", &[]).await;
    let first_addr = app.config.http_bound.wait().await;
    app.tg.publish(PUBLIC, &[first_addr, second.addr().await]);
    app.tg.eventually("the webhook set", |tg| tg.webhook_url()).await;
    let mut people = vec![];
    for n in 0..3 {
        let person =
            app.add_user(2001 + n, &format!("Специалист{n} Тестов"), Role::Specialist, Some("MSK")).await;
        app.say(&person, "/start").await;
        people.push(person);
    }
    // Some handlings outlast the delivery timeout: Telegram sends the update again, to the
    // other instance, while the first still holds it.
    app.tg.set_webhook_timeout(Duration::from_millis(300));
    let forms: Vec<Vec<String>> = (0..3)
        .map(|n| {
            vec![
                ["ООО Ромашка", "АО Василёк", "ПАО Лютик"][n].to_owned(),
                inn(400 + n as u32),
                "770101001".to_owned(),
                ogrn(102_770_013_210 + n as u64),
                format!("Отрасль {n}"),
                format!("Город {n}"),
                format!("Иван{n} Петров"),
                format!("Должность {n}"),
                format!("8 912 345-67-{:02}", 10 + n),
                format!("person{n}@firm.ru"),
            ]
        })
        .collect();
    for (person, form) in people.iter().zip(&forms) {
        app.tg.send_text(person, "/new");
        for answer in form {
            app.tg.send_text(person, answer);
        }
    }
    for (person, form) in people.iter().zip(&forms) {
        let mut products = None;
        for _ in 0..3000 {
            products = app
                .tg
                .outgoing(person.id)
                .into_iter()
                .rev()
                .find(|o| o.buttons().iter().any(|(l, _)| l.contains("Готово")));
            if products.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let transcript: Vec<String> = app.tg.outgoing(person.id).iter().map(|o| o.visible.clone()).collect();
        let products = products.unwrap_or_else(|| panic!("no products question; the chat: {transcript:#?}"));
        app.tg.press(person, &products, &products.button("Готово"));
        let mut summary = None;
        for _ in 0..1500 {
            summary = app
                .tg
                .outgoing(person.id)
                .into_iter()
                .rev()
                .find(|o| o.buttons().iter().any(|(l, _)| l.contains("Сохранить")));
            if summary.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let summary = summary.expect("the summary");
        app.tg.press(person, &summary, &summary.button("Сохранить"));
        let inn = Inn::parse(&form[1]).unwrap();
        let mut card = None;
        for _ in 0..1500 {
            card = app.store.prospect_by_inn_anywhere(&inn).await.unwrap();
            if card.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let transcript: Vec<String> = app.tg.outgoing(person.id).iter().map(|o| o.visible.clone()).collect();
        let card = card.unwrap_or_else(|| panic!("the card is not saved; the chat: {transcript:#?}"));
        let d = &card.details;
        assert_eq!(card.name.as_str(), form[0]);
        assert_eq!(d.kpp.as_ref().map(|k| k.as_str()), Some(form[2].as_str()));
        assert_eq!(d.ogrn.as_ref().map(|o| o.as_str()), Some(form[3].as_str()));
        assert_eq!(d.industry.as_deref(), Some(form[4].as_str()));
        assert_eq!(d.city.as_deref(), Some(form[5].as_str()));
        assert_eq!(d.contact_person.as_deref(), Some(form[6].as_str()));
        assert_eq!(d.position.as_deref(), Some(form[7].as_str()));
        assert!(
            d.phone.as_ref().is_some_and(|p| p.as_str().ends_with(&form[8][form[8].len() - 2..])),
            "{d:?}"
        );
        assert_eq!(d.email.as_ref().map(|e| e.as_str()), Some(form[9].as_str()));
    }
    let deliveries = app.tg.deliveries();
    let backends: std::collections::HashSet<_> = deliveries.iter().map(|d| d.backend.clone()).collect();
    assert_eq!(backends.len(), 2, "both instances took updates");
    second.stop().await.unwrap();
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_instance_on_one_sqlite_file_refuses_to_start() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    app.config.http_bound.wait().await;
    let second = app.instance("second", &[]).await;
    let err = second.ended().await.unwrap_err().to_string();
    assert!(err.contains("another instance is already running on the SQLite database"), "{err}");
    assert!(err.contains("PostgreSQL"), "{err}");
    app.finish().await;
}

/// Two polling instances under traffic: one polls, the other waits; never a 409.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_polling_instances_never_conflict() {
    let Some(app) = TestApp::spawn_env(Backend::Postgres, &[("POLL_TAKEOVER_SECS", "2")]).await else {
        return;
    };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.tg.set_rate_limits(false);
    let second = app.instance("second", &[]).await;
    let mut people = vec![];
    for n in 0..5 {
        people
            .push(app.add_user(3001 + n, &format!("Человек{n} Тестов"), Role::Specialist, Some("MSK")).await);
    }
    let until = tokio::time::Instant::now() + Duration::from_secs(8);
    let mut sent = 0;
    while tokio::time::Instant::now() < until {
        for person in &people {
            app.tg.send_text(person, "/help");
            sent += 1;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.tg.wait_drained().await;
    for person in &people {
        let mut replies = 0;
        while app.tg.next_within(person.id, Duration::from_secs(3)).await.is_some() {
            replies += 1;
        }
        assert_eq!(replies, sent / people.len(), "each /help answered once");
    }
    let conflicts: Vec<_> = app
        .tg
        .calls()
        .into_iter()
        .filter(|c| c.error.as_deref().is_some_and(|e| e.starts_with("Conflict")))
        .collect();
    assert!(conflicts.is_empty(), "no 409: {conflicts:?}");
    let poller = session::poller(app.store.as_ref(), chrono::Utc::now()).await.unwrap();
    assert!(poller.is_some(), "one instance holds the poller's lease");
    second.stop().await.unwrap();
    app.finish().await;
}

/// The real binary polls; killed with SIGKILL, the in-process instance polls within
/// `POLL_TAKEOVER_SECS`, and what was sent meanwhile is handled once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn when_the_poller_is_killed_another_instance_polls_within_the_takeover() {
    const TAKEOVER: u64 = 3;
    let _ =
        tracing_subscriber::fmt().with_env_filter("warn,prospect_diary=info").with_test_writer().try_init();
    let Some((mut db, tg, store, people)) = binaries_base(4001, 3).await else { return };
    let dir = tempfile::tempdir().unwrap();
    let takeover = TAKEOVER.to_string();
    let mut binary = binary(
        dir.path(),
        &db.url,
        &tg,
        "binary",
        "127.0.0.1:0",
        &[("POLL_TIMEOUT_SECS", "1"), ("POLL_TAKEOVER_SECS", &takeover), ("RUST_LOG", "warn")],
    );
    for _ in 0..300 {
        if session::poller(&store, chrono::Utc::now()).await.unwrap().as_deref() == Some("binary") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(session::poller(&store, chrono::Utc::now()).await.unwrap().as_deref(), Some("binary"));

    // The second instance, in this process; it waits while the binary polls.
    let config = prospect_diary::config::Config::from_lookup(|key| match key {
        "TELOXIDE_TOKEN" => Some(TOKEN.to_owned()),
        "TELOXIDE_API_URL" => Some(tg.url().to_owned()),
        "DATABASE_URL" => Some(db.url.clone()),
        "HTTP_ADDR" => Some("127.0.0.1:0".to_owned()),
        "INSTANCE_ID" => Some("survivor".to_owned()),
        "POLL_TIMEOUT_SECS" => Some("1".to_owned()),
        "POLL_TAKEOVER_SECS" => Some(TAKEOVER.to_string()),
        _ => None,
    })
    .unwrap();
    let survivor_store: Arc<dyn Store> = Arc::new(prospect_diary::store::connect(&db.url).await.unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let survivor = tokio::spawn(prospect_diary::app::serve(
        config,
        survivor_store,
        Arc::new(prospect_diary::clock::SystemClock),
        async {
            let _ = stopped.await;
        },
    ));
    for person in &people {
        tg.send_text(person, "/help");
        tg.next(person.id).await;
    }
    assert_eq!(session::poller(&store, chrono::Utc::now()).await.unwrap().as_deref(), Some("binary"));
    // Its handlings settled (a person's lease held by a killed handler would hold that person
    // for `CLAIM_SECS`, as the README says), it is killed between updates.
    tokio::time::sleep(Duration::from_millis(300)).await;

    binary.start_kill().unwrap();
    binary.wait().await.unwrap();
    let killed = tokio::time::Instant::now();
    let mut sent = vec![];
    for person in &people {
        sent.push(tg.send_text(person, "/help"));
    }
    for person in &people {
        let reply = tg.next_within(person.id, Duration::from_secs(TAKEOVER + 5)).await;
        assert!(reply.is_some(), "the survivor answers what was sent after the kill");
    }
    let took = killed.elapsed();
    assert!(took <= Duration::from_secs(TAKEOVER + 2), "taken over in {took:?}");
    assert_eq!(session::poller(&store, chrono::Utc::now()).await.unwrap().as_deref(), Some("survivor"));
    assert!(session::polls_here(&store, "survivor", chrono::Utc::now()).await.unwrap());
    assert!(!session::polls_here(&store, "binary", chrono::Utc::now()).await.unwrap());
    for person in &people {
        tg.assert_silent(person.id, Duration::from_millis(700)).await;
    }
    for id in sent {
        assert!(store.is_handled(id).await.unwrap());
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(20), survivor).await.unwrap().unwrap().unwrap();
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}

/// Two webhook instances on PostgreSQL behind the fake's balancer, division MSK, no flood
/// limits; `None` without PostgreSQL.
async fn two_webhook_instances() -> Option<(TestApp, Instance, [std::net::SocketAddr; 2])> {
    let app = TestApp::spawn_env(Backend::Postgres, &webhook_env()).await?;
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.tg.set_rate_limits(false);
    let second = app.instance("second", &[]).await;
    let addrs = [app.config.http_bound.wait().await, second.addr().await];
    app.tg.publish(PUBLIC, &addrs);
    app.tg.eventually("the webhook set", |tg| tg.webhook_url()).await;
    Some((app, second, addrs))
}

/// Two answers of one person posted at the same moment to two instances (as a Telegram that
/// did not keep a chat's order would): the person's lease makes them one after the other, so
/// the second is read as the form's next step, never as the same step twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_persons_two_answers_at_two_instances_at_once_are_handled_one_after_the_other() {
    let Some((app, second, addrs)) = two_webhook_instances().await else { return };
    let anna = app.add_user(5001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.say(&anna, "/start").await;
    let ask = app.say(&anna, "/new").await;
    assert!(ask.visible.contains("название компании"), "{}", ask.visible);

    let client = reqwest::Client::new();
    let posts =
        [("ООО Альфа", 990_001), ("ООО Бета", 990_002)].into_iter().zip(addrs).map(|((text, id), addr)| {
            let request = webhook_post(&client, addr, SECRET, &update(id, &anna, text));
            async move { request.send().await.unwrap().status() }
        });
    let statuses = futures::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let mut replies = vec![];
    while let Some(reply) = app.tg.next_within(anna.id, Duration::from_secs(2)).await {
        replies.push(reply.visible);
    }
    // One answer is the name (the INN is asked), the other is read as the INN and refused
    // (then the INN is asked again); the same step twice would be two INN questions only.
    assert_eq!(replies.len(), 3, "{replies:#?}");
    assert_eq!(replies.iter().filter(|r| r.starts_with("Введите ИНН")).count(), 2, "{replies:#?}");
    second.stop().await.unwrap();
    app.finish().await;
}

/// The whitelist is read with each update's claim, not cached: a person disabled through one
/// instance is refused by the other at once, and let in by both once enabled again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_person_disabled_at_one_instance_is_refused_at_the_other_at_once() {
    let Some((app, second, addrs)) = two_webhook_instances().await else { return };
    let anna = app.add_user(5101, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.tg.open_chat(&anna);
    let client = reqwest::Client::new();
    // Posted as Telegram does: again while the instance answers 503 (not connected yet).
    let post = |addr: std::net::SocketAddr, id: i64, text: &str| {
        let (client, body) = (client.clone(), update(id, &anna, text));
        async move {
            for _ in 0..100 {
                let status = webhook_post(&client, addr, SECRET, &body).send().await.unwrap().status();
                if status == 200 {
                    return;
                }
                assert_eq!(status, 503);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("the instance at {addr} never took the update");
        }
    };
    let id = TelegramId::new(anna.id).unwrap();
    let set_active = |active: bool| {
        prospect_diary::domain::directory::set_active(
            app.store.as_ref(),
            id,
            active,
            None,
            support::start_time(),
        )
    };
    // Both instances have let her in (and read her entry) before.
    for (n, addr) in addrs.into_iter().enumerate() {
        post(addr, 991_000 + n as i64, "/help").await;
        let answer = app.tg.next(anna.id).await;
        assert!(answer.visible.starts_with("Доступные команды:"), "{}", answer.visible);
    }
    set_active(false).await.unwrap();
    // Straight after, at the other instance, and at the first.
    post(addrs[1], 991_010, "/help").await;
    let answer = app.tg.next(anna.id).await;
    assert!(answer.visible.starts_with("Извините, у вас нет доступа"), "{}", answer.visible);
    post(addrs[0], 991_011, "/help").await;
    app.tg.assert_silent(anna.id, Duration::from_millis(500)).await;
    let refused = app.store.audit_by_actor(id).await.unwrap();
    assert_eq!(refused.iter().filter(|r| r.action == "access_refused").count(), 2, "{refused:#?}");
    set_active(true).await.unwrap();
    for (n, addr) in addrs.into_iter().enumerate() {
        post(addr, 991_020 + n as i64, "/help").await;
        let answer = app.tg.next(anna.id).await;
        assert!(answer.visible.starts_with("Доступные команды:"), "{}", answer.visible);
    }
    second.stop().await.unwrap();
    app.finish().await;
}

/// A free loopback port (bound, then let go) for a binary's `HTTP_ADDR`.
/// A PostgreSQL base with Moscow and `count` specialists numbered from `first`, and a fake
/// Telegram without rate limits: where the tests with real binaries start. `None` when no test
/// server is configured.
async fn binaries_base(
    first: i64,
    count: i64,
) -> Option<(support::TestDb, FakeTelegram, prospect_diary::store::SqlStore, Vec<TgUser>)> {
    let db = support::TestDb::create(Backend::Postgres).await?;
    let tg = FakeTelegram::start().await.unwrap();
    tg.set_rate_limits(false);
    let store = prospect_diary::store::connect(&db.url).await.unwrap();
    let now = support::start_time();
    let region = prospect_diary::domain::access::Region::parse("MSK", "Москва", "Europe/Moscow").unwrap();
    prospect_diary::domain::directory::add_region(&store, &region, None, now).await.unwrap();
    let mut people = vec![];
    for n in 0..count {
        let id = first + n;
        support::whitelist(&store, id, &format!("Человек{n} Тестов"), Role::Specialist, Some("MSK"), now)
            .await;
        people.push(tg.user(id, &format!("Человек{n}")));
    }
    Some((db, tg, store, people))
}

/// The real binary as an operator runs it, on `database` and the fake Telegram, named
/// `instance`, listening on `addr`, with `env` over that; killed if the test drops it.
fn binary(
    dir: &std::path::Path,
    database: &str,
    tg: &FakeTelegram,
    instance: &str,
    addr: &str,
    env: &[(&str, &str)],
) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
        .current_dir(dir)
        .env("DATABASE_URL", database)
        .env("TELOXIDE_TOKEN", TOKEN)
        .env("TELOXIDE_API_URL", tg.url())
        .env("HTTP_ADDR", addr)
        .env("INSTANCE_ID", instance)
        .envs(env.iter().copied())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts")
}

fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap()
}

/// Two real binaries in webhook mode behind the balancer, 50 people writing 40 times each
/// (2 000 updates) while each person's reminder comes due; one binary is killed with SIGKILL
/// half-way. Every update is handled (its claim settled), the balancer's deliveries to the
/// dead one fail and go to the survivor, and no update is answered twice but those the dead
/// one had in hand when it was killed. Every reminder arrives — the survivor takes over the
/// dead one's outbox claims when they run out — and at most the one in flight at the kill
/// twice; then everyone presses the reminder's button, and each press is handled once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_webhook_binaries_one_killed_half_way_every_update_is_handled() {
    const ROUNDS: usize = 40;
    let Some((mut db, tg, store, people)) = binaries_base(6001, 50).await else { return };
    let addrs = [free_port(), free_port()];
    tg.publish(PUBLIC, &addrs);
    let dir = tempfile::tempdir().unwrap();
    let spawn = |name: &str, addr: std::net::SocketAddr| {
        binary(
            dir.path(),
            &db.url,
            &tg,
            name,
            &addr.to_string(),
            &[
                ("TELEGRAM_MODE", "webhook"),
                ("WEBHOOK_SECRET", SECRET),
                ("PUBLIC_URL", PUBLIC),
                ("RUST_LOG", "warn"),
                ("JOBS_INTERVAL_SECS", "1"),
                ("OUTBOX_RATE_PER_SECOND", "10"),
            ],
        )
    };
    let mut doomed = spawn("doomed", addrs[0]);
    let mut survivor = spawn("survivor", addrs[1]);
    for _ in 0..400 {
        let up = futures::future::join_all(addrs.iter().map(|a| tokio::net::TcpStream::connect(*a))).await;
        if up.iter().all(Result::is_ok) && tg.calls_of("setWebhook").len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(tg.calls_of("setWebhook").len(), 2, "both instances set the webhook");
    for person in &people {
        tg.open_chat(person);
    }
    // Everyone's next contact comes due now, on the real clock the binaries run on.
    let real_now = chrono::Utc::now();
    for (n, person) in people.iter().enumerate() {
        let name = format!("ООО «Клиент {n}»");
        let card =
            support::register_prospect(&store, person.id, &name, &inn(500 + n as u32), None, None, real_now)
                .await;
        let user = store.user(TelegramId::new(person.id).unwrap()).await.unwrap().unwrap();
        let due = real_now + chrono::Duration::seconds(1);
        prospects::schedule(&store, &user, ProspectId(card), due, real_now).await.unwrap();
    }

    let mut sent = vec![];
    for round in 0..ROUNDS {
        for person in &people {
            sent.push(tg.send_text(person, "/help"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        if round == ROUNDS / 2 {
            doomed.start_kill().unwrap();
            doomed.wait().await.unwrap();
            let held: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE claimed_by = 'doomed' AND state IN ('pending', 'sending')",
            )
            .fetch_one(&mut sqlx::PgConnection::connect(&db.url).await.unwrap())
            .await
            .unwrap();
            eprintln!("the killed instance held {held} outbox items");
        }
    }
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(120);
    for id in &sent {
        while !store.is_handled(*id).await.unwrap() {
            assert!(tokio::time::Instant::now() < deadline, "update {id} not handled within 120 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let deliveries = tg.deliveries();
    let dead = addrs[0].to_string();
    assert!(
        deliveries.iter().any(|d| d.backend == dead && d.status.is_none()),
        "the balancer hit the dead one"
    );
    let reminder = |o: &prospect_diary::telegram_fake::Outgoing| o.visible.starts_with("🔔 Пора связаться");
    let mut twice = 0;
    for person in &people {
        let replies = tg.outgoing(person.id).iter().filter(|o| !reminder(o)).count();
        assert!(replies >= ROUNDS, "{} answered {replies} times of {ROUNDS}", person.id);
        twice += replies - ROUNDS;
    }
    eprintln!(
        "{} updates, all handled {:?} after the last was sent; {twice} answered twice",
        sent.len(),
        started.elapsed()
    );
    // Only an update the killed instance had answered but not yet marked can be answered
    // again by the survivor: a handful at most (one per chat in flight).
    assert!(twice <= people.len(), "{twice} answered twice");

    // No reminder lost: the dead one's claims run out (60 s) and the survivor sends them.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    for person in &people {
        while !tg.outgoing(person.id).iter().any(reminder) {
            assert!(tokio::time::Instant::now() < deadline, "{}'s reminder lost", person.id);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let reminded: Vec<_> = people
        .iter()
        .map(|p| tg.outgoing(p.id).into_iter().filter(|o| reminder(o)).collect::<Vec<_>>())
        .collect();
    let again: usize = reminded.iter().map(|r| r.len() - 1).sum();
    eprintln!("{} reminders sent, {again} twice", people.len());
    assert!(again <= 2, "{again} reminders sent twice: only one in flight at the kill may be");

    // Everyone presses «in an hour» under their reminder: each press is handled once.
    for (person, sent) in people.iter().zip(&reminded) {
        tg.press(person, &sent[0], &sent[0].button("Через час"));
    }
    let moved =
        |p: &TgUser| tg.outgoing(p.id).iter().filter(|o| o.visible.starts_with("Перенесено на")).count();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    for person in &people {
        while moved(person) == 0 {
            assert!(tokio::time::Instant::now() < deadline, "{}'s press not handled", person.id);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(people.iter().all(|p| moved(p) == 1), "a press handled twice");
    survivor.start_kill().unwrap();
    survivor.wait().await.unwrap();
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
}

/// Updates a second through the real binaries: `webhook` instances behind the balancer, or
/// one poller; 50 people, `total` `/help`s queued at once, timed until every one is handled.
async fn throughput(webhook: usize, total: usize) -> Option<f64> {
    let (mut db, tg, store, people) = binaries_base(7001, 50).await?;
    let addrs: Vec<_> = (0..webhook.max(1)).map(|_| free_port()).collect();
    if webhook > 0 {
        tg.publish(PUBLIC, &addrs);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut binaries = vec![];
    for (n, addr) in addrs.iter().enumerate() {
        let mut env = vec![("RUST_LOG", "error")];
        if webhook > 0 {
            env.extend([("TELEGRAM_MODE", "webhook"), ("WEBHOOK_SECRET", SECRET), ("PUBLIC_URL", PUBLIC)]);
        }
        binaries.push(binary(dir.path(), &db.url, &tg, &format!("i{n}"), &addr.to_string(), &env));
    }
    // Ready: every instance answers one message.
    let warm = &people[0];
    tg.send_text(warm, "/help");
    tg.next_within(warm.id, Duration::from_secs(30)).await.expect("the bot serves");
    let started = tokio::time::Instant::now();
    let mut sent = vec![];
    for round in 0..total {
        sent.push(tg.send_text(&people[round % people.len()], "/help"));
    }
    for id in &sent {
        while !store.is_handled(*id).await.unwrap() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let rate = total as f64 / started.elapsed().as_secs_f64();
    for mut binary in binaries {
        binary.start_kill().unwrap();
        binary.wait().await.unwrap();
    }
    store.close().await;
    tg.shutdown();
    db.drop_database().await;
    Some(rate)
}

/// On demand: `cargo test --test instances benchmark -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a benchmark, run on demand"]
async fn benchmark_two_webhook_instances_against_one_poller() {
    const TOTAL: usize = 2000;
    let Some(polling) = throughput(0, TOTAL).await else { return };
    let Some(webhooks) = throughput(2, TOTAL).await else { return };
    eprintln!(
        "{TOTAL} updates from 50 people on PostgreSQL: one polling instance {polling:.0}/s, two webhook instances {webhooks:.0}/s"
    );
}
