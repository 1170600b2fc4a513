//! Test harness: `TestApp::spawn` starts the real app (store, migrations, dispatcher) against a
//! fresh database and the fake Telegram on `127.0.0.1:0`; tests speak as users through `tg`.
//!
//! Every end-to-end test runs on SQLite, and on PostgreSQL when `PD_TEST_POSTGRES_URL` points
//! at a server where the user may create databases (each test gets its own, dropped after).
#![allow(dead_code)]

pub mod pd;
pub mod proxy;
pub mod sheets;
pub mod web;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

use chrono::{DateTime, Utc};
use prospect_diary::clock::ManualClock;
use prospect_diary::config::{Config, TelegramMode};
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::directory;
use prospect_diary::domain::ids::{FullName, RegionCode, TelegramId};
use prospect_diary::store::{self, SqlStore, Store};
use prospect_diary::telegram_fake::{FakeTelegram, TgUser};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const POSTGRES_ENV: &str = "PD_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// PostgreSQL runs this test binary skipped. libtest has no "skipped" outcome and counts them
/// as passed, so the binary says how many after its own summary line, where a person sees it.
static SKIPPED_POSTGRES_RUNS: AtomicUsize = AtomicUsize::new(0);

fn skipped_postgres_run() {
    static REPORT_AT_EXIT: Once = Once::new();
    SKIPPED_POSTGRES_RUNS.fetch_add(1, Ordering::Relaxed);
    // SAFETY: registers a plain function with no captured state; C's `atexit` runs it after
    // the test harness has printed its summary, whether the run passed or failed.
    REPORT_AT_EXIT.call_once(|| unsafe {
        atexit(report_skipped_postgres_runs);
    });
}

unsafe extern "C" {
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

extern "C" fn report_skipped_postgres_runs() {
    use std::io::Write;
    let skipped = SKIPPED_POSTGRES_RUNS.load(Ordering::Relaxed);
    let runs = if skipped == 1 { "run was" } else { "runs were" };
    // `.ci/run` sums these lines by the number after "note:".
    let _ = writeln!(
        std::io::stderr(),
        "note: {skipped} PostgreSQL {runs} skipped in this test binary ({POSTGRES_ENV} is not set); \
         they count as passed above"
    );
}

/// A database of one test's own.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    drop_pg: Option<(String, String)>,
}

impl TestDb {
    /// `None` when the backend is PostgreSQL and no test server is configured.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                Some(TestDb { url, _dir: Some(dir), drop_pg: None })
            }
            Backend::Postgres => {
                let Ok(admin) = std::env::var(POSTGRES_ENV) else {
                    // CI must cover both backends: there a missing server is a failure.
                    assert!(std::env::var_os("CI").is_none(), "{POSTGRES_ENV} must be set in CI");
                    eprintln!("{POSTGRES_ENV} is not set: the PostgreSQL run of this test is skipped");
                    skipped_postgres_run();
                    return None;
                };
                let name = format!("pd_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn =
                    sqlx::PgConnection::connect(&admin).await.expect("connect to the test PostgreSQL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create a test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin).expect("a PostgreSQL URL");
                url.set_path(&name);
                Some(TestDb { url: url.to_string(), _dir: None, drop_pg: Some((admin, name)) })
            }
        }
    }

    pub async fn drop_database(&mut self) {
        let Some((admin, name)) = self.drop_pg.take() else {
            return;
        };
        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
            let _ =
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
            conn.close().await.ok();
        }
    }
}

impl Drop for TestDb {
    /// A test that failed before `finish` still drops its PostgreSQL database.
    fn drop(&mut self) {
        let Some((admin, name)) = self.drop_pg.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(&sql).execute(&mut conn).await;
                    }
                });
            }
        })
        .join();
    }
}

/// A store on a fresh database, for store-level tests.
pub async fn test_store(backend: Backend) -> Option<(SqlStore, TestDb)> {
    let db = TestDb::create(backend).await?;
    let store = store::connect(&db.url).await.expect("open the test store");
    Some((store, db))
}

/// Whitelists a person on `store`, as the operator's `user add` does.
pub async fn whitelist(
    store: &dyn Store,
    id: i64,
    name: &str,
    role: Role,
    region: Option<&str>,
    now: DateTime<Utc>,
) {
    let user = NewUser::new(
        TelegramId::new(id).unwrap(),
        FullName::parse(name).unwrap(),
        role,
        region.map(|r| RegionCode::parse(r).unwrap()),
        None,
    )
    .unwrap();
    directory::add_user(store, &user, now).await.unwrap();
}

/// Button data as the bot writes it: its format's version, then `words` (`"c:o:5"` opens card
/// 5). Tests forge presses with it; what a word means is in each flow's `buttons!`.
pub fn data(words: &str) -> String {
    format!("{}:{words}", prospect_diary::bot::BUTTON_VERSION)
}

pub fn start_time() -> DateTime<Utc> {
    "2026-11-27T07:00:00Z".parse().unwrap()
}

pub struct TestApp {
    pub tg: FakeTelegram,
    pub store: Arc<SqlStore>,
    pub clock: Arc<ManualClock>,
    pub config: Config,
    db: TestDb,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
    /// The configuration keys this app was spawned with, for more instances like it.
    env: Vec<(String, String)>,
}

/// Another instance of the app on the same database and fake Telegram (`TestApp::instance`).
pub struct Instance {
    pub config: Config,
    pub store: Arc<SqlStore>,
    running: Option<(oneshot::Sender<()>, JoinHandle<anyhow::Result<()>>)>,
}

impl Instance {
    /// Where its HTTP server listens.
    pub async fn addr(&self) -> std::net::SocketAddr {
        tokio::time::timeout(Duration::from_secs(10), self.config.http_bound.wait())
            .await
            .expect("the instance listens within 10 s")
    }

    /// Stops it gracefully (as on SIGTERM) and returns how its run ended.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        let (stop, handle) = self.running.take().expect("running");
        let _ = stop.send(());
        let result = tokio::time::timeout(Duration::from_secs(20), handle)
            .await
            .expect("the instance stops within 20 s")
            .expect("the instance task");
        self.store.close().await;
        result
    }

    /// Waits for its run to end by itself (a refused start) and returns how it ended.
    pub async fn ended(mut self) -> anyhow::Result<()> {
        let (_stop, handle) = self.running.take().expect("running");
        tokio::time::timeout(Duration::from_secs(10), handle)
            .await
            .expect("the instance ends by itself within 10 s")
            .expect("the instance task")
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, None).await
    }

    /// With `CONTACTS_IN_CHAT` set (`show`, `mask` or `hide`).
    pub async fn spawn_with(backend: Backend, contacts: Option<&str>) -> Option<TestApp> {
        let env: Vec<(&str, &str)> = contacts.map(|c| ("CONTACTS_IN_CHAT", c)).into_iter().collect();
        Self::spawn_env(backend, &env).await
    }

    /// With these configuration keys set (`PUBLIC_URL`, `CONTACTS_IN_CHAT`, …) over the tests' own.
    pub async fn spawn_env(backend: Backend, env: &[(&str, &str)]) -> Option<TestApp> {
        let db = TestDb::create(backend).await?;
        let url = db.url.clone();
        Some(Self::spawn_on(db, url, env).await)
    }

    /// On PostgreSQL, with the app's connections going through a [`proxy::DbProxy`] the test
    /// can cut; `None` when no test server is configured.
    pub async fn spawn_behind_proxy(env: &[(&str, &str)]) -> Option<(TestApp, proxy::DbProxy)> {
        let db = TestDb::create(Backend::Postgres).await?;
        let mut url = url::Url::parse(&db.url).expect("a PostgreSQL URL");
        let upstream = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
        let upstream = tokio::net::lookup_host(upstream).await.unwrap().next().expect("the server's address");
        let proxy = proxy::DbProxy::start(upstream).await;
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(proxy.addr.port())).unwrap();
        Some((Self::spawn_on(db, url.to_string(), env).await, proxy))
    }

    /// Starts the app on `db`, reached at `app_url`.
    async fn spawn_on(db: TestDb, app_url: String, env: &[(&str, &str)]) -> TestApp {
        let env: Vec<(String, String)> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn,prospect_diary=info")
            .with_test_writer()
            .try_init();
        let tg = FakeTelegram::start().await.expect("start the fake Telegram");
        let url = app_url;
        let api = tg.url().to_owned();
        let config = test_config(&env, &api, &url).expect("test config");
        let store = Arc::new(store::connect(&config.database_url).await.expect("open the test store"));
        let clock = Arc::new(ManualClock::new(start_time()));
        // In webhook mode Telegram must resolve PUBLIC_URL before the app sets its webhook; the
        // balancer sends to the app once it listens.
        let public = config.webhook_url().filter(|_| config.telegram_mode == TelegramMode::Webhook);
        if let Some(url) = &public {
            tg.publish(url.as_str(), &[]);
        }
        let mut app = TestApp { tg, store, clock, config, db, running: None, env };
        app.start();
        if let Some(url) = &public {
            let addr = app.config.http_bound.wait().await;
            app.tg.publish(url.as_str(), &[addr]);
        }
        app
    }

    /// Starts another instance on this app's database and fake Telegram, named `id`, with
    /// `env` over this app's keys; it has its own pool and HTTP port.
    pub async fn instance(&self, id: &str, env: &[(&str, &str)]) -> Instance {
        let mut keys = self.env.clone();
        keys.retain(|(k, _)| !env.iter().any(|(e, _)| e == k));
        keys.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        keys.push(("INSTANCE_ID".to_owned(), id.to_owned()));
        let config = test_config(&keys, self.tg.url(), &self.db.url).expect("instance config");
        let store = Arc::new(store::connect(&self.db.url).await.expect("open the instance's store"));
        let (stop, stopped) = oneshot::channel::<()>();
        let served: Arc<dyn Store> = store.clone();
        let handle =
            tokio::spawn(prospect_diary::app::serve(config.clone(), served, self.clock.clone(), async {
                let _ = stopped.await;
            }));
        Instance { config, store, running: Some((stop, handle)) }
    }

    fn start(&mut self) {
        let (stop, stopped) = oneshot::channel::<()>();
        let store: Arc<dyn Store> = self.store.clone();
        let handle =
            tokio::spawn(prospect_diary::app::serve(self.config.clone(), store, self.clock.clone(), async {
                let _ = stopped.await;
            }));
        self.running = Some((stop, handle));
    }

    /// Stops the app gracefully (as on SIGTERM).
    pub async fn stop_app(&mut self) {
        if let Some((stop, handle)) = self.running.take() {
            let _ = stop.send(());
            tokio::time::timeout(Duration::from_secs(20), handle)
                .await
                .expect("the app stops within 20 s")
                .expect("the app task")
                .expect("the app ran without error");
        }
    }

    /// Stops the app and starts a new one on the same database, as after a restart.
    pub async fn restart(&mut self) {
        self.stop_app().await;
        self.store.close().await;
        self.store = Arc::new(store::connect(&self.db.url).await.expect("reopen the store"));
        self.start();
    }

    /// The app's context, for calling jobs directly as a second instance would.
    pub fn ctx(&self, store: Arc<dyn Store>, instance: &str) -> prospect_diary::ctx::Ctx {
        let mut config = self.config.clone();
        config.instance_id = instance.to_owned();
        prospect_diary::ctx::Ctx {
            store,
            clock: self.clock.clone(),
            i18n: Arc::new(prospect_diary::i18n::I18n::new()),
            config: Arc::new(config),
        }
    }

    pub fn db_url(&self) -> &str {
        &self.db.url
    }

    /// Runs SQL on the test's database directly, as another part of the bank's system would.
    pub async fn exec(&self, sql: &str) {
        if self.db_url().starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(self.db_url()).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(self.db_url()).await.unwrap();
            sqlx::query(sql).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    pub async fn finish(mut self) {
        self.stop_app().await;
        self.store.close().await;
        // Every end-to-end test in mask mode (the default) or hide mode is also a personal-data
        // scan.
        let mode = self.config.contacts_in_chat;
        if mode != prospect_diary::config::ContactsInChat::Show {
            let needles = pd::Needles::read_for(&self.db.url, mode).await;
            pd::assert_nothing_personal(&self.tg, &needles);
        }
        self.tg.shutdown();
        self.db.drop_database().await;
    }

    pub async fn add_region(&self, code: &str, name: &str, tz: &str) {
        use prospect_diary::store::DeliveryStore;
        let region = Region::parse(code, name, tz).unwrap();
        directory::add_region(self.store.as_ref(), &region, None, start_time()).await.unwrap();
        // As if this morning's digest had gone out already: tests that want one move to Monday.
        let today = start_time().with_timezone(&region.tz.tz()).date_naive().to_string();
        self.store.claim_digest_day(code, &today, start_time()).await.unwrap();
    }

    /// Whitelists a person and returns them as a Telegram user.
    pub async fn add_user(&self, id: i64, name: &str, role: Role, region: Option<&str>) -> TgUser {
        whitelist(self.store.as_ref(), id, name, role, region, start_time()).await;
        self.tg.user(id, name.split_whitespace().next().unwrap_or(name))
    }

    /// `owner` agrees the next contact with `prospect` at `due`, as the card's button does.
    pub async fn schedule(&self, owner: i64, prospect: i64, due: DateTime<Utc>) {
        let user = self.store.user(TelegramId::new(owner).unwrap()).await.unwrap().unwrap();
        let id = prospect_diary::domain::prospect::ProspectId(prospect);
        prospect_diary::domain::prospects::schedule(self.store.as_ref(), &user, id, due, start_time())
            .await
            .unwrap();
    }

    /// The user writes `text`; returns the bot's next message to them.
    pub async fn say(&self, user: &TgUser, text: &str) -> prospect_diary::telegram_fake::Outgoing {
        self.tg.send_text(user, text);
        self.tg.next(user.id).await
    }
}

/// The tests' configuration: `env` over the keys every test app has.
fn test_config(env: &[(String, String)], api: &str, url: &str) -> anyhow::Result<Config> {
    Config::from_lookup(|key| {
        if let Some((_, value)) = env.iter().find(|(k, _)| k == key) {
            return Some(value.clone());
        }
        match key {
            "TELOXIDE_TOKEN" => Some(prospect_diary::telegram_fake::TOKEN.to_owned()),
            "TELOXIDE_API_URL" => Some(api.to_owned()),
            "DATABASE_URL" => Some(url.to_owned()),
            "POLL_TIMEOUT_SECS" => Some("5".to_owned()),
            "JOBS_INTERVAL_SECS" => Some("1".to_owned()),
            "HTTP_ADDR" => Some("127.0.0.1:0".to_owned()),
            _ => None,
        }
    })
}

/// Declares each test once and runs it on both backends:
/// `both_backends! { async fn name(app) { … } }` gives `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($app:ident) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                #[allow(unused_mut)]
                let Some(mut $app) = $crate::support::TestApp::spawn($crate::support::Backend::Sqlite).await else { return };
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                #[allow(unused_mut)]
                let Some(mut $app) = $crate::support::TestApp::spawn($crate::support::Backend::Postgres).await else { return };
                $body
            }
        }
    )*};
}

impl TestApp {
    /// Registers a prospect directly through the domain, as `owner` would.
    pub async fn add_prospect(
        &self,
        owner: i64,
        name: &str,
        inn: &str,
        phone: Option<&str>,
        contact: Option<&str>,
    ) -> i64 {
        register_prospect(self.store.as_ref(), owner, name, inn, phone, contact, self.clock.now_utc()).await
    }
}

/// `owner` registers a company, as `/new` does; returns its card's number.
pub async fn register_prospect(
    store: &dyn Store,
    owner: i64,
    name: &str,
    inn: &str,
    phone: Option<&str>,
    contact: Option<&str>,
    now: DateTime<Utc>,
) -> i64 {
    use prospect_diary::domain::prospect::{Details, NewProspect};
    use prospect_diary::domain::requisites::{CompanyName, Inn, Phone};
    let user = store.user(TelegramId::new(owner).unwrap()).await.unwrap().unwrap();
    let prospect = NewProspect {
        name: CompanyName::parse(name).unwrap(),
        inn: Inn::parse(inn).unwrap(),
        details: Details {
            phone: phone.map(|p| Phone::parse(p).unwrap()),
            contact_person: contact.map(str::to_owned),
            ..Details::default()
        },
        owner: user.telegram_id,
        region: user.region.clone().unwrap(),
    };
    let saved = prospect_diary::domain::prospects::register(store, &user, &prospect, now).await.unwrap();
    saved.id.0
}

/// Every card of the base, as the export streams them.
pub async fn export_lines(store: &dyn Store) -> Vec<store::ExportLine> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<store::ExportLine>(64);
    let (sent, lines) = tokio::join!(store.stream_prospects(None, tx), async {
        let mut lines = vec![];
        while let Some(line) = rx.recv().await {
            lines.push(line);
        }
        lines
    });
    sent.unwrap();
    lines
}

/// Valid INNs for tests (company: 10 digits, sole proprietor: 12), made with their check digits.
pub fn inn(n: u32) -> String {
    let body: Vec<u32> = format!("{:09}", 770_000_000 + n).chars().map(|c| c.to_digit(10).unwrap()).collect();
    let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = body.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10;
    format!("{}{check}", body.iter().map(|d| d.to_string()).collect::<String>())
}

trait NowUtc {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl NowUtc for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        use prospect_diary::clock::Clock;
        self.now()
    }
}
