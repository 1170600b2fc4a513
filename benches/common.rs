//! What the benchmarks share: a fresh database of their own, valid INNs, percentiles, sizes
//! from the environment, peak memory.
// Each benchmark uses a part of this module.
#![allow(dead_code)]

use sqlx::Connection;

/// A fresh database: on PostgreSQL when `PD_BENCH_POSTGRES_URL` is set, else an SQLite file in
/// `dir`. Returns its URL and, for PostgreSQL, what `drop_database` needs.
pub async fn database(dir: &std::path::Path) -> anyhow::Result<(String, Option<(String, String)>)> {
    match std::env::var("PD_BENCH_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!("pd_bench_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await?;
            let mut url = url::Url::parse(&admin)?;
            url.set_path(&name);
            Ok((url.to_string(), Some((admin, name))))
        }
        Err(_) => Ok((format!("sqlite://{}", dir.join("bench.db").display()), None)),
    }
}

pub async fn drop_database(cleanup: Option<(String, String)>) -> anyhow::Result<()> {
    if let Some((admin, name)) = cleanup {
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await?;
    }
    Ok(())
}

/// A company INN with a valid check digit, different for every `n` below 10⁹.
pub fn inn_for(n: u64) -> String {
    let body: Vec<u32> = format!("{:09}", n).chars().map(|c| c.to_digit(10).unwrap()).collect();
    let weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let check = body.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10;
    format!("{}{check}", body.iter().map(|d| d.to_string()).collect::<String>())
}

/// The `p` quantile (0 to 1) of `times`, which it sorts.
pub fn percentile(times: &mut [std::time::Duration], p: f64) -> std::time::Duration {
    times.sort();
    times[((times.len() as f64 - 1.0) * p).round() as usize]
}

/// A size from the environment (`1_000_000` with separators too), or `default`.
pub fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.replace('_', "").parse().ok()).unwrap_or(default)
}

/// `VmHWM` (peak resident memory) of this process, in MiB.
pub fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Resets the peak so that `peak_mib` measures only what follows (Linux `clear_refs` 5).
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
