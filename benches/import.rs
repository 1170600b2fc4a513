//! An import at SPEC §11 scale, run on demand (never in the test suite):
//!
//! ```sh
//! cargo bench --bench import                                   # SQLite: 100 000 rows into 1 000 000
//! IMPORT_BENCH_BASE=100000 IMPORT_BENCH_ROWS=10000 cargo bench --bench import
//! PD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench import
//! IMPORT_BENCH_ON_DUPLICATE=update cargo bench --bench import  # half the rows update cards
//! ```
//!
//! Seeds `IMPORT_BENCH_BASE` companies in 10 divisions with bulk SQL, imports 5 % of the file's
//! companies beforehand (so they are duplicates of the base), then imports a CSV of
//! `IMPORT_BENCH_ROWS` rows — 5 % with a wrong INN check digit, 5 % already in the base — as the
//! operator's `import prospects` does: every row checked, the valid ones saved in one
//! transaction. Prints the whole import's time (check and save), rows a second, and the peak
//! memory of the process during the import (VmHWM, reset before it).
//!
//! With `IMPORT_BENCH_ON_DUPLICATE=update`, half the file's companies (every odd row) are
//! imported beforehand under another name and position, and the file is imported with
//! `--on-duplicate update`: half its rows change a card's name (so its search index entry),
//! position and the rest of its fields.

mod common;

use common::{env, peak_mib, reset_peak};

use std::io::Write;
use std::time::Instant;

use chrono::Utc;
use prospect_diary::cli::{self, DuplicateMode, ImportCommand};
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::{FullName, TelegramId};
use prospect_diary::i18n::I18n;
use prospect_diary::store::{self, Store};

async fn seed(url: &str, store: &dyn Store, base: u64) -> anyhow::Result<()> {
    let now = Utc::now();
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    for r in 0..10 {
        let region = Region::parse(&format!("R{r}"), &format!("Регион {r}"), "Europe/Moscow")?;
        store.add_region(&region, now, &note).await?;
        let user = NewUser::new(
            TelegramId::new(1000 + r)?,
            FullName::parse(&format!("Специалист {r}"))?,
            Role::Specialist,
            Some(region.code.clone()),
            None,
        )?;
        store.add_user(&user, now, &note).await?;
    }
    let sqlite = url.starts_with("sqlite:");
    let started = Instant::now();
    let chunk = 500_000;
    let mut first = 1;
    while first <= base {
        let last = (first + chunk - 1).min(base);
        // The base's INNs are valid company INNs (check digit computed in SQL) whose bodies no
        // file row uses: 500 000 000 + i.
        let body = "(500000000 + i)";
        let sum: Vec<String> = [2, 4, 10, 3, 5, 9, 4, 6, 8]
            .iter()
            .enumerate()
            .map(|(k, w)| format!("{w} * (({body} / {}) % 10)", 10_u64.pow(8 - k as u32)))
            .collect();
        let inn = format!("CAST({body} AS TEXT) || CAST((({}) % 11 % 10) AS TEXT)", sum.join(" + "));
        let (with, from) = if sqlite {
            (
                format!(
                    "WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s WHERE i < {last}) "
                ),
                "s".to_owned(),
            )
        } else {
            (String::new(), format!("generate_series(CAST({first} AS BIGINT), {last}) AS s(i)"))
        };
        let sql = format!(
            "{with}INSERT INTO prospects (name, name_norm, inn, phone, products, status, owner_id, region_code, \
             created_by, created_at, updated_by, updated_at) \
             SELECT 'ООО «Основа ' || i || '»', 'основа ' || i, {inn}, '+7800' || (1000000 + i), 'credit', 'new', \
             1000 + i % 10, 'R' || (i % 10), 1000, 0, 1000, 0 FROM {from}"
        );
        if sqlite {
            let pool = sqlx::SqlitePool::connect(url).await?;
            sqlx::query(&sql).execute(&pool).await?;
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(url).await?;
            sqlx::query(&sql).execute(&pool).await?;
            sqlx::query("ANALYZE prospects").execute(&pool).await?;
            pool.close().await;
        }
        first = last + 1;
    }
    println!("seeded {base} companies in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Row `i` of the file: a valid company, or (every twentieth, offset 7) one with a wrong
/// check digit. An `earlier` row names the same company otherwise, for an update to change.
fn row(i: u64, earlier: bool) -> String {
    let mut inn = common::inn_for(300_000_000 + i);
    if i % 20 == 7 {
        let last = inn.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
        inn.push(char::from_digit((last + 1) % 10, 10).unwrap_or('0'));
    }
    let region = i % 10;
    let (name, position) =
        if earlier { ("Прежняя", "бухгалтер") } else { ("Новая", "директор") };
    format!(
        "ООО «{name} {i}»;{inn};+7 901 {:03} {:02} {:02};Петров Пётр Петрович;{position};info{i}@firm.ru;кредит, РКО;{};R{region}\n",
        i / 10_000 % 1000,
        i / 100 % 100,
        i % 100,
        1000 + region,
    )
}

const HEADER: &str =
    "Наименование;ИНН;Телефон;Контактное лицо;Должность;E-mail;Продукты;Ответственный;Подразделение\n";

fn write_file(path: &std::path::Path, rows: impl Iterator<Item = u64>, earlier: bool) -> anyhow::Result<()> {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
    file.write_all(HEADER.as_bytes())?;
    for i in rows {
        file.write_all(row(i, earlier).as_bytes())?;
    }
    file.flush()?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let base = env("IMPORT_BENCH_BASE", 1_000_000);
    let rows = env("IMPORT_BENCH_ROWS", 100_000);
    let update = std::env::var("IMPORT_BENCH_ON_DUPLICATE").is_ok_and(|mode| mode == "update");
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = common::database(dir.path()).await?;
    let result = run(&url, dir.path(), base, rows, update).await;
    common::drop_database(cleanup).await?;
    result
}

async fn run(url: &str, dir: &std::path::Path, base: u64, rows: u64, update: bool) -> anyhow::Result<()> {
    let store = store::connect(url).await?;
    let backend = if url.starts_with("sqlite:") { "SQLite" } else { "PostgreSQL" };
    let mode = if update { ", half of them updating cards" } else { "" };
    println!("{backend}: {rows} rows into a base of {base}{mode}");
    seed(url, &store, base).await?;
    let i18n = I18n::new();
    let import = |file: std::path::PathBuf, on_duplicate: DuplicateMode| ImportCommand::Prospects {
        file,
        region: None,
        owner: None,
        on_duplicate,
        dry_run: false,
    };
    // Every twentieth row (offset 3) is in the base already, or every odd one when updating:
    // imported first.
    let earlier = dir.join("earlier.csv");
    let share = if update { 2 } else { 20 };
    let offset = if update { 1 } else { 3 };
    write_file(&earlier, (0..rows).filter(|i| i % share == offset), update)?;
    cli::import(&store, &i18n, import(earlier, DuplicateMode::Skip), Utc::now(), &mut |_| {}).await?;

    let file = dir.join("file.csv");
    write_file(&file, 0..rows, false)?;
    let on_duplicate = if update { DuplicateMode::Update } else { DuplicateMode::Skip };
    reset_peak();
    let started = Instant::now();
    let mut seen = 0;
    let out = cli::import(&store, &i18n, import(file, on_duplicate), Utc::now(), &mut |n| seen = n).await?;
    let took = started.elapsed().as_secs_f64();
    println!("{out}");
    println!(
        "{backend}: {seen} rows in {took:.1} s ({:.0} rows/s), peak memory {:.0} MiB",
        seen as f64 / took,
        peak_mib()
    );
    store.close().await;
    Ok(())
}
