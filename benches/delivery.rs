//! Delivery rate of reminders at SPEC §11 scale, run on demand:
//!
//! ```sh
//! cargo bench --bench delivery                          # SQLite, 10 000 reminders, one instance
//! BENCH_REMINDERS=2000 cargo bench --bench delivery
//! PD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test BENCH_INSTANCES=2 cargo bench --bench delivery
//! ```
//!
//! Seeds that many people, each with a follow-up due in the same minute, then lets the real
//! delivery code send them through the fake Telegram, which enforces Telegram's flood limits
//! (30 messages a second overall). Reports the rate, and checks that none was sent twice and
//! none lost.

mod common;

use common::inn_for;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use prospect_diary::clock::ManualClock;
use prospect_diary::config::Config;
use prospect_diary::ctx::Ctx;
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::{FullName, RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Details, NewProspect};
use prospect_diary::domain::requisites::{CompanyName, Inn};
use prospect_diary::i18n::I18n;
use prospect_diary::jobs::{self, Deliverer};
use prospect_diary::store::{self, DeliveryStore, DiaryStore, ProspectStore, Store};
use prospect_diary::telegram_fake::{FakeTelegram, TOKEN};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let count: i64 = std::env::var("BENCH_REMINDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let instances: u32 = std::env::var("BENCH_INSTANCES").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = common::database(dir.path()).await?;
    let backend = if cleanup.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("delivery benchmark: {backend}, {count} reminders due in one minute, {instances} instance(s)");

    let tg = FakeTelegram::start().await?;
    let store = store::connect(&url).await?;
    // A Saturday: no morning digest mixes with the reminders.
    let start = Utc.with_ymd_and_hms(2026, 11, 28, 7, 0, 0).unwrap();
    let note = AuditRecord::new(start, None, AuditAction::UserAdded);
    let region = Region::parse("MSK", "Москва", "Europe/Moscow")?;
    store.add_region(&region, start, &note).await?;
    let seeding = Instant::now();
    for n in 0..count {
        let id = TelegramId::new(100_000 + n)?;
        let user = NewUser::new(
            id,
            FullName::parse(&format!("Специалист {n}"))?,
            Role::Specialist,
            Some(RegionCode::parse("MSK")?),
            None,
        )?;
        store.add_user(&user, start, &note).await?;
        tg.open_chat(&tg.user(id.get(), "Специалист"));
        let prospect = NewProspect {
            name: CompanyName::parse(&format!("Компания {n}"))?,
            inn: Inn::parse(&inn_for(200_000_000 + n as u64))?,
            details: Details::default(),
            owner: id,
            region: region.code.clone(),
        };
        let saved = store.create_prospect(&prospect, id, start, &note).await?;
        // All due within the same minute.
        let due = start + chrono::Duration::seconds(n % 60);
        store.schedule_followup(saved.id, id, due, start, &note).await?;
    }
    eprintln!("seeded in {:.1?}", seeding.elapsed());

    let clock = Arc::new(ManualClock::new(start + chrono::Duration::minutes(1)));
    let api = tg.url().to_owned();
    let config = Config::from_lookup(|key| match key {
        "TELOXIDE_TOKEN" => Some(TOKEN.to_owned()),
        "TELOXIDE_API_URL" => Some(api.clone()),
        "OUTBOX_RATE_PER_SECOND" => Some((30 / instances).max(1).to_string()),
        _ => None,
    })?;
    let started = Instant::now();
    let mut workers = vec![];
    for i in 0..instances {
        let store: Arc<dyn Store> = Arc::new(store::connect(&url).await?);
        let ctx = Ctx {
            store,
            clock: clock.clone(),
            i18n: Arc::new(I18n::new()),
            config: Arc::new(config.clone()),
        };
        let bot = prospect_diary::app::make_bot(&config);
        let deliverer = Deliverer::new(format!("bench-{i}"), config.outbox_rate_per_second);
        workers.push(tokio::spawn(async move {
            let mut idle = 0;
            while idle < 20 {
                jobs::tick(&ctx).await.unwrap();
                if deliverer.deliver_once(&bot, &ctx).await.unwrap() == 0 {
                    idle += 1;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                } else {
                    idle = 0;
                }
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    let calls = tg.calls_of("sendMessage");
    let delivered: Vec<_> = calls
        .iter()
        .filter(|c| c.error.is_none() && c.params["text"].as_str().is_some_and(|t| t.starts_with("🔔")))
        .collect();
    let limited = calls.len() - delivered.len();
    let elapsed = started.elapsed().as_secs_f64() - 2.0; // the idle polls at the end
    let mut chats: Vec<i64> = delivered.iter().map(|c| c.params["chat_id"].as_i64().unwrap()).collect();
    chats.sort();
    let sent = chats.len();
    chats.dedup();
    println!(
        "delivered {sent} in {elapsed:.1} s: {:.2} messages a second ({:.1} % of 30)",
        sent as f64 / elapsed,
        sent as f64 / elapsed / 30.0 * 100.0
    );
    println!(
        "sent twice: {}, lost: {}, answered 429 by the fake: {limited}",
        sent - chats.len(),
        count as usize - chats.len()
    );
    println!("outbox: {:?}", store.outbox_counts().await?);
    store.close().await;
    common::drop_database(cleanup).await?;
    Ok(())
}
