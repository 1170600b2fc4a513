//! What operating the service reads from the database: readiness (the database answers and its
//! schema is current), the figures `/metrics` reports, and the online backup of an SQLite file.

use std::path::Path;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::sql::{Pool, SqlStore, on_pool, secs};
use super::{StoreError, StoreResult, postgres, sqlite};

/// Whether the schema is what this build expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schema {
    Current,
    /// Migrations of this build that the database has not applied (another, older instance
    /// is migrating it, or a migration failed).
    Behind {
        missing: Vec<i64>,
    },
}

/// The outbox as an operator watches it: items not sent yet, and how long the oldest has waited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backlog {
    pub depth: i64,
    pub oldest_age_secs: i64,
}

/// The connection pool: connections open, and how many of them are lent out now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUsage {
    pub size: u32,
    pub in_use: u32,
}

#[async_trait]
pub trait OpsStore: Send + Sync {
    /// Asks the database something and compares its applied migrations with this build's.
    async fn schema(&self) -> StoreResult<Schema>;
    /// Unsent outbox items (waiting, deferred or being sent) and the age of the oldest at `now`.
    async fn outbox_backlog(&self, now: DateTime<Utc>) -> StoreResult<Backlog>;
    /// Pending hand-offs made before `before` (and not held back), that no officer has taken.
    async fn handoffs_waiting_since(&self, before: DateTime<Utc>) -> StoreResult<i64>;
    fn pool_usage(&self) -> PoolUsage;
    /// Writes a consistent copy of the database to `path` while it is in use (SQLite's
    /// `VACUUM INTO`); PostgreSQL is backed up with `pg_dump` instead.
    async fn backup_into(&self, path: &Path) -> StoreResult<()>;
}

#[async_trait]
impl OpsStore for SqlStore {
    async fn schema(&self) -> StoreResult<Schema> {
        let sql = "SELECT version FROM _sqlx_migrations WHERE success";
        let applied: Vec<i64> = on_pool!(self, p => sqlx::query_scalar(sql).fetch_all(p).await)?;
        let expected = match &self.pool {
            Pool::Sqlite(_) => &sqlite::MIGRATOR,
            Pool::Postgres(_) => &postgres::MIGRATOR,
        };
        let missing: Vec<i64> = expected.iter().map(|m| m.version).filter(|v| !applied.contains(v)).collect();
        Ok(if missing.is_empty() { Schema::Current } else { Schema::Behind { missing } })
    }

    async fn outbox_backlog(&self, now: DateTime<Utc>) -> StoreResult<Backlog> {
        let sql = "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state IN ('pending', 'sending')";
        let (depth, oldest): (i64, Option<i64>) =
            on_pool!(self, p => sqlx::query_as(sql).fetch_one(p).await)?;
        let oldest_age_secs = oldest.map_or(0, |at| (secs(now) - at).max(0));
        Ok(Backlog { depth, oldest_age_secs })
    }

    async fn handoffs_waiting_since(&self, before: DateTime<Utc>) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM handoffs WHERE state = 'pending' AND created_at <= $1 \
                   AND held_until IS NULL";
        Ok(on_pool!(self, p => sqlx::query_scalar(sql).bind(secs(before)).fetch_one(p).await)?)
    }

    fn pool_usage(&self) -> PoolUsage {
        let (size, idle) = on_pool!(self, p => (p.size(), p.num_idle()));
        let idle = u32::try_from(idle).unwrap_or(u32::MAX);
        PoolUsage { size, in_use: size.saturating_sub(idle) }
    }

    async fn backup_into(&self, path: &Path) -> StoreResult<()> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(StoreError::Unsupported(
                "a PostgreSQL database is backed up with pg_dump (see the README's Deployment section)",
            ));
        };
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Unsupported("the backup file's path must be valid UTF-8"))?;
        // VACUUM INTO reads one snapshot, so the copy is consistent while the bot writes.
        sqlx::query("VACUUM INTO $1").bind(target).execute(pool).await?;
        Ok(())
    }
}
