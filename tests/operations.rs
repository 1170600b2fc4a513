//! Operating the service (issue 14): `/healthz`, `/readyz` with the database cut and restored
//! under a running bot, `/metrics` after real traffic (on the main server or on `METRICS_ADDR`),
//! and `prospect-diary backup` restored and read.

mod support;

use std::time::Duration;

use chrono::Duration as Span;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use prospect_diary::store::{self, ProspectStore, Store};
use support::web::http;
use support::{Backend, TestApp, inn};

/// The value of the series whose line starts with `series` (name and labels as rendered).
fn value(metrics: &str, series: &str) -> Option<f64> {
    metrics
        .lines()
        .find(|line| line.starts_with(series) && line[series.len()..].starts_with(' '))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn health_and_readiness_answer_and_a_schema_behind_is_not_ready(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let addr = app.web_addr().await;
    let health = http(addr, "GET", "/healthz", None).await;
    assert_eq!((health.status, health.body.as_str()), (200, "ok"));
    let ready = http(addr, "GET", "/readyz", None).await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert!(ready.body.starts_with("ready\npolling: "), "{}", ready.body);
    // Once this instance holds the poller's lease, /readyz says it polls.
    let mut polls = ready.body;
    for _ in 0..50 {
        if polls.contains("this instance") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        polls = http(addr, "GET", "/readyz", None).await.body;
    }
    assert!(polls.contains("polling: this instance (") && polls.ends_with(") polls Telegram\n"), "{polls}");

    // As if an older instance had not run this build's last migration yet.
    let newest = newest_migration(app.db_url()).await;
    forget_migration(app.db_url(), newest).await;
    let behind = http(addr, "GET", "/readyz", None).await;
    assert_eq!(behind.status, 503, "{}", behind.body);
    assert_eq!(behind.body, format!("not ready: migrations not applied yet: {newest}\n"));
    // Liveness is about the process, not the database.
    assert_eq!(http(addr, "GET", "/healthz", None).await.status, 200);
    app.finish().await;
}

async fn newest_migration(url: &str) -> i64 {
    raw_scalar(url, "SELECT MAX(version) FROM _sqlx_migrations").await
}

async fn raw_scalar(url: &str, sql: &str) -> i64 {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let v: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        v
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let v: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        v
    }
}

async fn forget_migration(url: &str, version: i64) {
    let sql = format!("DELETE FROM _sqlx_migrations WHERE version = {version}");
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(&sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(&sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_and_a_schema_behind_is_not_ready_sqlite() {
    health_and_readiness_answer_and_a_schema_behind_is_not_ready(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_and_a_schema_behind_is_not_ready_postgres() {
    health_and_readiness_answer_and_a_schema_behind_is_not_ready(Backend::Postgres).await;
}

/// The database goes away under a running bot and comes back: `/readyz` says so both times,
/// and the bot answers again without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_follows_the_database_and_the_bot_serves_again_when_it_returns() {
    let Some((app, proxy)) = TestApp::spawn_behind_proxy(&[]).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    let addr = app.web_addr().await;
    assert!(app.say(&anna, "/start").await.visible.contains("Анна"), "the bot serves");
    assert_eq!(http(addr, "GET", "/readyz", None).await.status, 200);

    proxy.cut();
    // The proxy closes the pool's connections a moment after the cut.
    let mut down = http(addr, "GET", "/readyz", None).await;
    for _ in 0..20 {
        if down.status == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        down = http(addr, "GET", "/readyz", None).await;
    }
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(down.body.starts_with("not ready: the database does not answer"), "{}", down.body);
    assert_eq!(http(addr, "GET", "/healthz", None).await.status, 200, "the process is alive");

    proxy.restore();
    let mut ready = false;
    for _ in 0..60 {
        if http(addr, "GET", "/readyz", None).await.status == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ready, "/readyz is 200 again once the database is back");
    let menu = app.say(&anna, "/start").await;
    assert!(menu.visible.contains("Анна"), "the bot answers again: {}", menu.visible);
    app.finish().await;
}

/// Traffic of every kind the figures count, then one scrape finds each named series.
async fn metrics_show_the_named_figures_after_traffic(backend: Backend, separate: bool) {
    let env: &[(&str, &str)] = if separate { &[("METRICS_ADDR", "127.0.0.1:0")] } else { &[] };
    let Some(app) = TestApp::spawn_env(backend, env).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(1002, "Борис Блоков", Role::Specialist, Some("MSK")).await;
    let card = app.add_prospect(1001, "ООО Ромашка", &inn(1), None, None).await;
    let other = app.add_prospect(1002, "ООО Лютик", &inn(2), None, None).await;
    app.say(&anna, "/start").await;
    app.say(&anna, &format!("/card {card}")).await;
    // A reminder that goes out ten minutes late, and one to a person who blocked the bot.
    let due = app.clock.now() + Span::minutes(5);
    app.schedule(1001, card, due).await;
    app.tg.block(1002);
    app.schedule(1002, other, due).await;
    app.clock.set(due + Span::minutes(10));
    app.tg.next(anna.id).await;
    app.tg
        .eventually("the blocked person's reminder is given up", |tg| {
            (tg.calls_of("sendMessage").iter().filter(|c| c.params["chat_id"] == 1002).count() > 0)
                .then_some(())
        })
        .await;
    let metrics_addr = if separate {
        let main = http(app.web_addr().await, "GET", "/metrics", None).await;
        assert_eq!(main.status, 404, "with METRICS_ADDR the public server has no /metrics");
        app.config.metrics_bound.wait().await
    } else {
        app.web_addr().await
    };
    // The 403 is settled a moment after the fake answered it.
    let mut scraped = String::new();
    for _ in 0..40 {
        let reply = http(metrics_addr, "GET", "/metrics", None).await;
        assert_eq!(reply.status, 200);
        assert!(reply.header("content-type").unwrap().starts_with("text/plain"));
        scraped = reply.body;
        if value(&scraped, "prospect_diary_telegram_sends_total{result=\"403\"}").unwrap_or(0.0) >= 1.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let at_least = |series: &str, min: f64| {
        let v = value(&scraped, series).unwrap_or_else(|| panic!("{series} is missing:\n{scraped}"));
        assert!(v >= min, "{series} = {v}, expected at least {min}");
    };
    at_least("prospect_diary_updates_total{kind=\"message\",outcome=\"handled\"}", 2.0);
    at_least("prospect_diary_update_handling_seconds_count{kind=\"message\"}", 2.0);
    at_least("prospect_diary_update_handling_seconds_bucket{kind=\"message\",le=\"+Inf\"}", 2.0);
    at_least("prospect_diary_telegram_sends_total{result=\"sent\"}", 1.0);
    at_least("prospect_diary_telegram_sends_total{result=\"403\"}", 1.0);
    at_least("prospect_diary_reminders_sent_total", 1.0);
    at_least("prospect_diary_reminders_late_total", 1.0);
    at_least("prospect_diary_reminder_lateness_seconds_sum", 600.0);
    at_least("prospect_diary_outbox_depth", 0.0);
    at_least("prospect_diary_outbox_oldest_age_seconds", 0.0);
    at_least("prospect_diary_handoffs_past_sla", 0.0);
    at_least("prospect_diary_db_pool_size", 1.0);
    at_least("prospect_diary_db_pool_in_use", 0.0);
    assert!(scraped.contains("# TYPE prospect_diary_update_handling_seconds histogram"), "{scraped}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_named_figures_after_traffic_sqlite() {
    metrics_show_the_named_figures_after_traffic(Backend::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_show_the_named_figures_after_traffic_postgres_on_a_separate_address() {
    metrics_show_the_named_figures_after_traffic(Backend::Postgres, true).await;
}

/// `prospect-diary backup FILE` while the bot runs; the copy opens with the app's store and
/// holds the data. On PostgreSQL the command points to pg_dump and writes nothing.
async fn a_backup_restores_with_its_data(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    let card = app.add_prospect(1001, "ООО Ромашка", &inn(1), Some("+79123456789"), None).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
        .args(["backup", file.to_str().unwrap()])
        .current_dir(dir.path())
        .env("DATABASE_URL", app.db_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match backend {
        Backend::Postgres => {
            assert!(!out.status.success());
            assert!(stderr.contains("pg_dump"), "{stderr}");
            assert!(!file.exists());
        }
        Backend::Sqlite => {
            assert!(out.status.success(), "{stderr}");
            assert_eq!(stdout.trim(), format!("backup written to {}", file.display()));
            let copy = store::connect(&format!("sqlite://{}", file.display())).await.unwrap();
            let found = copy.prospect(prospect_diary::domain::prospect::ProspectId(card), None).await;
            let found = found.unwrap().expect("the card is in the copy");
            assert_eq!(found.name.as_str(), "ООО Ромашка");
            assert_eq!(found.details.phone.unwrap().as_str(), "+79123456789");
            assert_eq!(copy.users().await.unwrap().len(), 1);
            copy.close().await;
            // A second backup to the same file writes nothing over.
            let again = std::process::Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
                .args(["backup", file.to_str().unwrap()])
                .current_dir(dir.path())
                .env("DATABASE_URL", app.db_url())
                .env("RUST_LOG", "warn")
                .output()
                .unwrap();
            assert!(!again.status.success());
            assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
        }
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_with_its_data_sqlite() {
    a_backup_restores_with_its_data(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_on_postgres_points_to_pg_dump() {
    a_backup_restores_with_its_data(Backend::Postgres).await;
}
