//! The production backend: a PostgreSQL connection pool.

use std::time::Duration;

use sqlx::PgPool;
use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;

use super::StoreResult;

/// This build's schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

pub(super) async fn open(url: &str) -> StoreResult<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}
