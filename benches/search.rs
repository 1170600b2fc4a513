//! Search speed at SPEC §11 scale, run on demand (never in the test suite):
//!
//! ```sh
//! cargo bench --bench search                         # SQLite, 1 000 000 prospects
//! BENCH_ROWS=100000 cargo bench --bench search       # smaller
//! PD_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench --bench search
//! ```
//!
//! Seeds prospects with Cyrillic names in 10 divisions, then times the store's own queries
//! (name search region-scoped and ordered, INN and phone lookups) and prints p50/p95/max and
//! the query plan of the name search.

mod common;

use common::{inn_for, percentile};
use std::time::{Duration, Instant};

use chrono::Utc;
use prospect_diary::domain::access::{NewUser, Region, Role};
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::{FullName, TelegramId};
use prospect_diary::domain::requisites::{Inn, Phone, normalize_name};
use prospect_diary::store::{self, ProspectStore, Store, TextSearch};
use sqlx::{Connection, QueryBuilder};

const CONSONANTS: &str = "бвгджзклмнпрстфхцчшщ";
const VOWELS: &str = "аеиоуыэюя";
const FORMS: [&str; 4] = ["ООО", "АО", "ПАО", "ИП"];

/// A small deterministic generator: the same rows on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() as usize) % from.len()]
    }

    fn letter(&mut self, from: &str) -> char {
        let letters: Vec<char> = from.chars().collect();
        letters[(self.next() as usize) % letters.len()]
    }

    /// A pronounceable word of 2–4 consonant-vowel syllables, some closed by a consonant.
    fn word(&mut self) -> String {
        let syllables = 2 + self.next() % 3;
        let mut word = String::new();
        for _ in 0..syllables {
            word.push(self.letter(CONSONANTS));
            word.push(self.letter(VOWELS));
            if self.next().is_multiple_of(4) {
                word.push(self.letter(CONSONANTS));
            }
        }
        word
    }
}

fn company_name(rng: &mut Lcg) -> String {
    let words = 1 + rng.next() % 2;
    let mut name = String::new();
    for w in 0..words {
        if w > 0 {
            name.push(' ');
        }
        let word = rng.word();
        let mut chars = word.chars();
        let first = chars.next().unwrap().to_uppercase().collect::<String>();
        name.push_str(&first);
        name.extend(chars);
    }
    format!("{} «{name}»", rng.pick(&FORMS))
}

fn phone_for(n: u64) -> String {
    format!("+79{:09}", n)
}

fn report(what: &str, mut times: Vec<Duration>) {
    let max = *times.iter().max().unwrap();
    println!(
        "{what:<40} n={:<5} p50={:>8.3} ms  p95={:>8.3} ms  max={:>8.3} ms",
        times.len(),
        percentile(&mut times, 0.5).as_secs_f64() * 1e3,
        percentile(&mut times, 0.95).as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
}

/// Seeds the base and returns a sample of the names, to search for parts of them.
async fn seed(url: &str, store: &dyn Store, rows: u64) -> anyhow::Result<Vec<String>> {
    let now = Utc::now();
    let note = AuditRecord::new(now, None, AuditAction::RegionAdded);
    for r in 0..10 {
        let region = Region::parse(&format!("R{r:02}"), &format!("Регион {r}"), "Europe/Moscow")?;
        store.add_region(&region, now, &note).await?;
        for u in 0..10 {
            let id = TelegramId::new(1000 + r * 10 + u)?;
            let user = NewUser::new(
                id,
                FullName::parse(&format!("Специалист {r}-{u}"))?,
                Role::Specialist,
                Some(region.code.clone()),
                None,
            )?;
            store.add_user(&user, now, &note).await?;
        }
    }
    let started = Instant::now();
    let mut rng = Lcg(42);
    let mut sample = vec![];
    let batch = 1000;
    let columns = "INSERT INTO prospects (name, name_norm, inn, contact_person, contact_norm, phone, products, \
                   status, owner_id, region_code, created_by, created_at, updated_by, updated_at) ";
    macro_rules! insert_all {
        ($conn:expr) => {{
            let mut n = 0u64;
            while n < rows {
                let mut tx = $conn.begin().await?;
                let end = (n + batch).min(rows);
                let chunk: Vec<u64> = (n..end).collect();
                let mut query = QueryBuilder::new(columns);
                query.push_values(chunk, |mut b, i| {
                    let name = company_name(&mut rng);
                    if i % (rows / 200).max(1) == 0 {
                        sample.push(normalize_name(&name));
                    }
                    let contact = format!("Иван {}ов", rng.word());
                    let region = (i % 10) as i64;
                    let owner = 1000 + region * 10 + (i % 7) as i64;
                    b.push_bind(name.clone())
                        .push_bind(normalize_name(&name))
                        .push_bind(inn_for(100_000_000 + i))
                        .push_bind(contact.clone())
                        .push_bind(normalize_name(&contact))
                        .push_bind(phone_for(i))
                        .push_bind("credit")
                        .push_bind("new")
                        .push_bind(owner)
                        .push_bind(format!("R{region:02}"))
                        .push_bind(owner)
                        .push_bind(now.timestamp())
                        .push_bind(owner)
                        .push_bind(now.timestamp());
                });
                query.build().execute(&mut *tx).await?;
                tx.commit().await?;
                n = end;
                if n % 100_000 == 0 {
                    eprintln!("  seeded {n} prospects in {:.0?}", started.elapsed());
                }
            }
        }};
    }
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        insert_all!(conn);
        sqlx::query("ANALYZE").execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        insert_all!(conn);
        sqlx::query("ANALYZE prospects").execute(&mut conn).await?;
    }
    eprintln!("seeded {rows} prospects in {:.1?}", started.elapsed());
    Ok(sample)
}

/// Name searches as people type them: five letters from the middle of a name, and broad ones
/// of its first three or four letters (thousands of matches; the page still has ten).
async fn name_searches(store: &store::SqlStore, sample: &[String], rng: &mut Lcg) -> anyhow::Result<()> {
    let mut name_times = vec![];
    let mut hits = 0;
    for i in 0..200 {
        // What a person types: five letters from the middle of a real name.
        let name: Vec<char> = sample[i % sample.len()].chars().collect();
        let start = (rng.next() as usize) % name.len().saturating_sub(5).max(1);
        let word: String = name[start..(start + 5).min(name.len())].iter().collect();
        let region = format!("R{:02}", i % 10);
        let started = Instant::now();
        let found = store.search_text(&TextSearch::Trigram(word), Some(&region), 0, 11).await?;
        name_times.push(started.elapsed());
        hits += found.len();
    }
    report("name search, 5 letters of a name", name_times);
    println!("  average rows returned: {:.1}", hits as f64 / 200.0);
    for letters in [3, 4] {
        let mut broad_times = vec![];
        let mut hits = 0;
        for i in 0..200 {
            let name: Vec<char> = sample[i % sample.len()].chars().filter(|c| c.is_alphabetic()).collect();
            let word: String = name[..letters.min(name.len())].iter().collect();
            let region = format!("R{:02}", i % 10);
            let started = Instant::now();
            let found = store.search_text(&TextSearch::Trigram(word), Some(&region), 0, 11).await?;
            broad_times.push(started.elapsed());
            hits += found.len();
        }
        report(&format!("name search, {letters} letters (broad)"), broad_times);
        println!("  average rows returned: {:.1}", hits as f64 / 200.0);
    }
    // Three letters or fewer look for names (and contact persons) beginning with them.
    let mut prefix_times = vec![];
    let mut hits = 0;
    for i in 0..200 {
        let name: Vec<char> = sample[i % sample.len()].chars().collect();
        let word: String = name[..3.min(name.len())].iter().collect();
        let region = format!("R{:02}", i % 10);
        let started = Instant::now();
        let found = store.search_text(&TextSearch::Prefix(word), Some(&region), 0, 11).await?;
        prefix_times.push(started.elapsed());
        hits += found.len();
    }
    report("name search, 3 letters (beginning of a name)", prefix_times);
    println!("  average rows returned: {:.1}", hits as f64 / 200.0);
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: u64 = std::env::var("BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let (url, cleanup) = common::database(dir.path()).await?;
    let backend = if cleanup.is_some() { "PostgreSQL" } else { "SQLite" };
    println!("search benchmark: {backend}, {rows} prospects");
    let store = store::connect(&url).await?;
    let sample = seed(&url, &store, rows).await?;

    let mut rng = Lcg(7);
    name_searches(&store, &sample, &mut rng).await?;
    if let Some((admin, name)) = &cleanup {
        // The alternative for broad words on PostgreSQL: the region's names in order, read
        // until a page of matches is found, instead of every match sorted.
        let mut db = url::Url::parse(admin)?;
        db.set_path(name);
        let mut conn = sqlx::PgConnection::connect(db.as_str()).await?;
        sqlx::query("CREATE INDEX bench_region_name ON prospects (region_code, name_norm, id)")
            .execute(&mut conn)
            .await?;
        sqlx::query("ANALYZE prospects").execute(&mut conn).await?;
        println!("with a b-tree index on (region_code, name_norm, id):");
        name_searches(&store, &sample, &mut Lcg(7)).await?;
        sqlx::query("DROP INDEX bench_region_name").execute(&mut conn).await?;
        // The page's ids alone, for broad words: through the trigram index (as the store
        // does), and read from the region's names in order with the trigram index kept out
        // (`|| ''`), stopping at a page of matches.
        for (what, matches) in [
            ("ids by trigram", "q.name_norm LIKE $1 OR q.contact_norm LIKE $1"),
            ("ids in name order", "(q.name_norm || '') LIKE $1 OR (q.contact_norm || '') LIKE $1"),
        ] {
            let sql = format!(
                "SELECT q.id FROM prospects q WHERE ({matches}) AND q.region_code = $2 \
                 ORDER BY q.name_norm, q.id LIMIT 11"
            );
            for letters in [3, 4, 5] {
                let mut times = vec![];
                for i in 0..200 {
                    let name: Vec<char> =
                        sample[i % sample.len()].chars().filter(|c| c.is_alphabetic()).collect();
                    let word: String = name[..letters.min(name.len())].iter().collect();
                    let started = Instant::now();
                    let _: Vec<(i64,)> = sqlx::query_as(&sql)
                        .bind(format!("%{word}%"))
                        .bind(format!("R{:02}", i % 10))
                        .fetch_all(&mut conn)
                        .await?;
                    times.push(started.elapsed());
                }
                report(&format!("{what}, {letters} letters"), times);
            }
        }
    }

    let mut inn_times = vec![];
    let mut phone_times = vec![];
    for _ in 0..500 {
        let n = rng.next() % rows;
        let inn = Inn::parse(&inn_for(100_000_000 + n))?;
        let started = Instant::now();
        let found = store.prospect_by_inn_anywhere(&inn).await?;
        inn_times.push(started.elapsed());
        assert!(found.is_some());
        let phone = Phone::parse(&phone_for(n))?;
        let started = Instant::now();
        let found = store.prospects_by_phone(&phone, Some(&format!("R{:02}", n % 10))).await?;
        phone_times.push(started.elapsed());
        assert_eq!(found.len(), 1);
    }
    report("INN lookup", inn_times);
    report("phone lookup (region)", phone_times);

    println!("query plan of the name search:");
    for line in store.explain_name_search("машка", "R03").await? {
        println!("  {line}");
    }
    store.close().await;
    common::drop_database(cleanup).await?;
    Ok(())
}
