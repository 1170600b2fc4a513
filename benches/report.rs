//! A month's activity report at SPEC §11 scale, run on demand (never in the test suite):
//!
//! ```sh
//! cargo bench --bench report                                  # SQLite, 1 000 000 / 10 000 000
//! REPORT_BENCH_PROSPECTS=100000 REPORT_BENCH_ENTRIES=1000000 cargo bench --bench report
//! PD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench report
//! REPORT_BENCH_DATABASE=sqlite:///tmp/report.db cargo bench --bench report   # kept, seeded once
//! ```
//!
//! Seeds 10 divisions of 10 specialists, the prospects and the diary entries with bulk
//! `INSERT … SELECT` (`generate_series` on PostgreSQL, a recursive CTE on SQLite), spread
//! evenly over `REPORT_BENCH_MONTHS` months (default 12) of history, plus hand-offs and open
//! follow-ups. Then, for head office and for one division, builds the last full month's report
//! as `/report` does — the SQL aggregates, the workbook (the entries in it only up to
//! `REPORT_INLINE_ENTRIES`' default) and the chart — and then, separately, the diary listing
//! «Выгрузить все записи» builds in the background (every entry of the month, in files within
//! Telegram's and Excel's limits). Prints each part's time, the files' sizes, and the peak
//! memory of the process during each (VmHWM, reset before it starts). With
//! `REPORT_BENCH_DATABASE` the database is kept and seeded only when empty, so runs can repeat
//! (`REPORT_BENCH_SEED_ONLY=1`: seed it and stop).

mod common;

use common::{env, peak_mib, reset_peak};

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use prospect_diary::config::Config;
use prospect_diary::domain::access::{Lang, NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::{FullName, TelegramId};
use prospect_diary::domain::privacy::{ContactsInChat, Disclosure};
use prospect_diary::domain::report::{Period, ReportScope};
use prospect_diary::i18n::I18n;
use prospect_diary::reports::listing::{self, Listing, Progress};
use prospect_diary::reports::{self, Reader, text};
use prospect_diary::store::{self, Store};

async fn exec(url: &str, statements: &[String]) -> anyhow::Result<()> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await?;
        for sql in statements {
            sqlx::query(sql).execute(&pool).await?;
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await?;
        for sql in statements {
            sqlx::query(sql).execute(&pool).await?;
        }
        pool.close().await;
    }
    Ok(())
}

/// Rows `first..=last` of a number series, in the backend's dialect, as `s(i)`.
fn series(sqlite: bool, first: u64, last: u64) -> (String, String) {
    if sqlite {
        (
            format!(
                "WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s WHERE i < {last}) "
            ),
            "s".to_owned(),
        )
    } else {
        (String::new(), format!("generate_series(CAST({first} AS BIGINT), {last}) AS s(i)"))
    }
}

async fn seed(
    url: &str,
    store: &dyn Store,
    prospects: u64,
    entries: u64,
    start: i64,
    span: i64,
) -> anyhow::Result<()> {
    let now = Utc::now();
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    for r in 0..10 {
        let region = Region::parse(&format!("R{r}"), &format!("Регион {r}"), "Europe/Moscow")?;
        store.add_region(&region, now, &note).await?;
        for u in 0..10 {
            let user = NewUser::new(
                TelegramId::new(1000 + r * 10 + u)?,
                FullName::parse(&format!("Специалист {r}-{u}"))?,
                Role::Specialist,
                Some(region.code.clone()),
                None,
            )?;
            store.add_user(&user, now, &note).await?;
        }
    }
    let sqlite = url.starts_with("sqlite:");
    let padded = |expr: &str| {
        if sqlite {
            format!("printf('%010d', {expr})")
        } else {
            format!("lpad(CAST({expr} AS TEXT), 10, '0')")
        }
    };
    // The owner of prospect p: specialist p / 10 % 10 of division p % 10.
    let owner = |p: &str| format!("(1000 + ({p} % 10) * 10 + ({p} / 10) % 10)");
    let chunk = 1_000_000;
    let started = Instant::now();
    let mut first = 1;
    while first <= prospects {
        let last = (first + chunk - 1).min(prospects);
        let (with, from) = series(sqlite, first, last);
        let sql = format!(
            "{with}INSERT INTO prospects (name, name_norm, inn, contact_person, phone, email, industry, products, \
             status, owner_id, region_code, created_by, created_at, updated_by, updated_at) \
             SELECT 'ООО «Компания ' || i || '»', 'компания ' || i, {inn}, \
             CASE WHEN i % 2 = 0 THEN 'Иван Петров' END, CASE WHEN i % 3 = 0 THEN '+7900' || {inn7} END, \
             CASE WHEN i % 4 = 0 THEN 'info' || i || '@example.ru' END, CASE WHEN i % 5 = 0 THEN 'Торговля' END, \
             'credit', 'in_talks', {o}, 'R' || (i % 10), {o}, {start} + i * {span} / {prospects}, {o}, \
             {start} + i * {span} / {prospects} FROM {from}",
            inn = padded("i"),
            inn7 = if sqlite {
                "printf('%07d', i)".to_owned()
            } else {
                "lpad(CAST(i AS TEXT), 7, '0')".to_owned()
            },
            o = owner("i"),
            from = if sqlite { "s".to_owned() } else { from },
        );
        exec(url, &[sql]).await?;
        first = last + 1;
    }
    println!("seeded {prospects} prospects in {:.1} s", started.elapsed().as_secs_f64());
    let started = Instant::now();
    let mut first = 1;
    while first <= entries {
        let last = (first + chunk - 1).min(entries);
        let (with, from) = series(sqlite, first, last);
        let p = format!("(1 + (i * 7919) % {prospects})");
        let sql = format!(
            "{with}INSERT INTO interactions (prospect_id, author_id, kind, outcome, summary, happened_at, created_at) \
             SELECT {p}, {o}, \
             CASE i % 5 WHEN 0 THEN 'call' WHEN 1 THEN 'meeting' WHEN 2 THEN 'email' WHEN 3 THEN 'messenger' ELSE 'other' END, \
             CASE i % 4 WHEN 0 THEN 'positive' WHEN 1 THEN 'neutral' WHEN 2 THEN 'negative' ELSE 'no_answer' END, \
             'Обсудили условия обслуживания, клиент просит прислать предложение по кредиту и РКО', \
             {start} + i * {span} / {entries}, {start} + i * {span} / {entries} FROM {from}",
            o = owner(&p),
            from = if sqlite { "s".to_owned() } else { from },
        );
        exec(url, &[sql]).await?;
        first = last + 1;
    }
    println!("seeded {entries} diary entries in {:.1} s", started.elapsed().as_secs_f64());
    // One hand-off per hundred prospects, and an open follow-up for every tenth, some overdue.
    let hundredth = (prospects / 100).max(1);
    let (with, from) = series(sqlite, 1, hundredth);
    let from = if sqlite { "s".to_owned() } else { from };
    let handoffs = format!(
        "{with}INSERT INTO handoffs (prospect_id, product, region_code, from_id, chat_id, state, taken_by, taken_at, \
         closed_at, created_at) SELECT i * 100, 'credit', 'R' || ((i * 100) % 10), {o}, -100, \
         CASE WHEN i % 3 = 0 THEN 'won' ELSE 'pending' END, CASE WHEN i % 3 = 0 THEN {o} END, \
         CASE WHEN i % 3 = 0 THEN {start} + i * {span} / {hundredth} + 3600 END, \
         CASE WHEN i % 3 = 0 THEN {start} + i * {span} / {hundredth} + 86400 END, \
         {start} + i * {span} / {hundredth} FROM {from}",
        o = owner("(i * 100)"),
    );
    let tenth = (prospects / 10).max(1);
    let (with, from) = series(sqlite, 1, tenth);
    let from = if sqlite { "s".to_owned() } else { from };
    let followups = format!(
        "{with}INSERT INTO followups (prospect_id, owner_id, due_at, state, created_at, updated_at) \
         SELECT i * 10, {o}, {start} + {span} - 86400 * 30 + i * 86400 * 60 / {tenth}, 'pending', {start}, {start} \
         FROM {from}",
        o = owner("(i * 10)"),
    );
    // As autovacuum leaves a table at rest on PostgreSQL: statistics, and the visibility map
    // that lets an index-only scan skip the table.
    let analyze = if sqlite { "ANALYZE" } else { "VACUUM ANALYZE" };
    exec(url, &[handoffs, followups, analyze.to_owned()]).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let prospects = env("REPORT_BENCH_PROSPECTS", 1_000_000);
    let entries = env("REPORT_BENCH_ENTRIES", 10_000_000);
    let months = env("REPORT_BENCH_MONTHS", 12) as i64;
    if let Ok(url) = std::env::var("REPORT_BENCH_DATABASE") {
        return run(&url, prospects, entries, months).await;
    }
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = common::database(dir.path()).await?;
    let result = run(&url, prospects, entries, months).await;
    common::drop_database(cleanup).await?;
    result
}

async fn run(url: &str, prospects: u64, entries: u64, months: i64) -> anyhow::Result<()> {
    let store: Arc<dyn Store> = Arc::new(store::connect(url).await?);
    let backend = if url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" };
    println!("{backend}: {prospects} prospects, {entries} diary entries over {months} months");

    // History ends at the start of this month: the report covers the last month of it.
    let tz = chrono_tz::Europe::Moscow;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let this_month = Period::month_of(today, tz);
    let last_month = Period::month_of(this_month.first - Duration::days(1), tz);
    let end = this_month.from.timestamp();
    let start = Utc.timestamp_opt(end, 0).single().unwrap_or_default() - Duration::days(30 * months);
    if store.regions().await?.is_empty() {
        seed(url, store.as_ref(), prospects, entries, start.timestamp(), end - start.timestamp()).await?;
    } else {
        println!("the database is seeded already");
    }
    if std::env::var("REPORT_BENCH_SEED_ONLY").is_ok() {
        return Ok(());
    }

    let reader = Reader {
        lang: Lang::Ru,
        tz,
        disclosure: Disclosure(ContactsInChat::Mask),
        i18n: Arc::new(I18n::new()),
    };
    let inline = Config::from_lookup(|_| None)?.report_inline_entries;
    for scope in
        [ReportScope::All, ReportScope::Region(prospect_diary::domain::ids::RegionCode::parse("R3")?)]
    {
        // `/report`: the figures, the workbook and the chart.
        reset_peak();
        let rss_before = peak_mib();
        let started = Instant::now();
        let report = reports::activity(store.as_ref(), scope.clone(), last_month.clone(), Utc::now()).await?;
        let figures = started.elapsed();
        let summary = text::activity(&reader, &report);
        let with_entries = reports::lists_entries(&report, inline);
        let workbook = reports::activity_workbook(store.clone(), &report, &reader, with_entries).await?;
        let with_workbook = started.elapsed();
        let chart = text::activity_chart(&reader, &report)?;
        let total = started.elapsed();
        println!(
            "{backend} {:<4} /report {}: {} entries ({}); aggregates {:.2} s, workbook {:.2} s ({:.2} MB), \
             chart {:.3} s, total {:.2} s; peak memory {:.0} MiB (before {:.0} MiB); summary {} chars, chart {} KB",
            scope.key(),
            last_month.label(),
            report.totals().contacts_total(),
            if with_entries { "listed in the workbook" } else { "listed apart" },
            figures.as_secs_f64(),
            (with_workbook - figures).as_secs_f64(),
            workbook.len() as f64 / 1e6,
            (total - with_workbook).as_secs_f64(),
            total.as_secs_f64(),
            peak_mib(),
            rss_before,
            summary.chars().count(),
            chart.len() / 1024,
        );

        if with_entries {
            // The same report with its entries apart, for comparison.
            let started = Instant::now();
            let figures_only = reports::activity_workbook(store.clone(), &report, &reader, false).await?;
            println!(
                "{backend} {:<4} /report without its entries: workbook {:.2} s ({:.2} MB), aggregates and chart as above",
                scope.key(),
                started.elapsed().as_secs_f64(),
                figures_only.len() as f64 / 1e6,
            );
        }

        // «Выгрузить все записи»: the listing, as the background job builds it.
        reset_peak();
        let rss_before = peak_mib();
        let started = Instant::now();
        let job = Listing {
            person: TelegramId::new(1000)?,
            holder: "bench".to_owned(),
            scope: scope.clone(),
            period: last_month.clone(),
        };
        let count = job.count(store.as_ref()).await?;
        let counted = started.elapsed();
        let progress = Arc::new(Progress::default());
        let (mut parts, building) =
            job.build(store.clone(), &reader, listing::telegram_limits(u32::MAX), progress.clone());
        let mut files = vec![];
        while let Some(part) = parts.recv().await {
            files.push((part.rows, part.file.len()));
        }
        let rows = building.await??;
        let total = started.elapsed();
        let sizes: Vec<String> =
            files.iter().map(|(rows, bytes)| format!("{rows} rows {:.1} MB", *bytes as f64 / 1e6)).collect();
        println!(
            "{backend} {:<4} listing: {rows} of {count} entries in {} file(s) [{}]; count {:.2} s, total {:.2} s \
             ({:.0} rows/s); peak memory {:.0} MiB (before {:.0} MiB)",
            scope.key(),
            files.len(),
            sizes.join(", "),
            counted.as_secs_f64(),
            total.as_secs_f64(),
            rows as f64 / total.as_secs_f64(),
            peak_mib(),
            rss_before,
        );
    }
    Ok(())
}
