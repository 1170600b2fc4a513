//! An import's rows written in one transaction: all valid rows or none. A card whose INN was
//! registered meanwhile is skipped (`ON CONFLICT DO NOTHING`), so a file imported twice, or by
//! two people at once, adds each company once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use super::card::{insert_values, update_sql};
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, on_pool, secs};
use crate::domain::audit::AuditRecord;
use crate::domain::fields::FIELDS;
use crate::domain::ids::TelegramId;
use crate::domain::import::Incoming;
use crate::domain::prospect::ProspectId;
use crate::domain::requisites::normalize_name;

/// What an import saves.
pub struct ImportWrite<'a> {
    pub new: &'a [Incoming],
    /// Cards already in the base whose fields are set to the file's non-empty cells.
    pub updates: &'a [(ProspectId, Incoming)],
    /// Who imports; `None` for the operator (the cards are then created by their owners).
    pub by: Option<TelegramId>,
    /// The import's own audit line, given what was written.
    pub summary: &'a (dyn Fn(&ImportWritten) -> AuditRecord + Sync),
}

/// What an import saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportWritten {
    pub created: u64,
    pub updated: u64,
    /// New rows whose INN was taken by the time they were written.
    pub skipped: u64,
}

#[async_trait]
pub trait ImportStore: Send + Sync {
    async fn import_prospects(
        &self,
        write: &ImportWrite<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportWritten>;
    /// Keeps a file until its sender decides; returns its number.
    async fn keep_pending_import(
        &self,
        user: TelegramId,
        file_name: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<i64>;
    /// Takes a pending file of `user` into `state` (`saving` or `cancelled`): `None` when it is
    /// not theirs or no longer pending — one press of several wins.
    async fn claim_pending_import(
        &self,
        id: i64,
        user: TelegramId,
        state: &str,
    ) -> StoreResult<Option<PendingImport>>;
    /// Sets a claimed file's state: `saved` or `cancelled` (its content is then dropped), or
    /// back to `pending` when saving failed.
    async fn settle_pending_import(&self, id: i64, state: &str) -> StoreResult<()>;
    /// Cancels files nobody decided on since before `before` and drops their content (their rows
    /// hold personal data); returns how many.
    async fn forget_pending_imports(&self, before: DateTime<Utc>) -> StoreResult<u64>;
}

/// A file sent to the bot, waiting for its sender's «Загрузить» or «Отмена».
#[derive(Debug, Clone)]
pub struct PendingImport {
    pub id: i64,
    pub user: TelegramId,
    pub file_name: String,
    pub content: Vec<u8>,
}

/// The insert of one card with its status; no row comes back when the INN is taken.
fn insert_sql() -> String {
    let values = insert_values(&FIELDS, |_| None);
    let n = values.len();
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let params: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let (status, owner, region, by, at) = (n + 1, n + 2, n + 3, n + 4, n + 5);
    format!(
        "INSERT INTO prospects ({}, status, owner_id, region_code, created_by, created_at, updated_by, \
         updated_at) VALUES ({}, ${status}, ${owner}, ${region}, ${by}, ${at}, ${by}, ${at}) \
         ON CONFLICT (inn) DO NOTHING RETURNING id",
        columns.join(", "),
        params.join(", ")
    )
}

const FOLLOWUP_SQL: &str = "INSERT INTO followups (prospect_id, owner_id, due_at, agreed, state, created_at, \
                            updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)";

const STATUS_SQL: &str = "UPDATE prospects SET status = $2, updated_by = $3, updated_at = $4 WHERE id = $1";

macro_rules! write_import {
    ($p:expr, $write:expr, $now:expr) => {
        async {
            let write = $write;
            let now = $now;
            let mut tx = $p.begin_write().await?;
            let mut written = ImportWritten::default();
            let insert = insert_sql();
            for row in write.new {
                let prospect = &row.prospect;
                let by = write.by.unwrap_or(prospect.owner).get();
                let mut query = sqlx::query_as(&insert);
                for (_, value) in insert_values(&FIELDS, |f| prospect.stored(f)) {
                    query = query.bind(value);
                }
                let id: Option<(i64,)> = query
                    .bind(row.status.as_str())
                    .bind(prospect.owner.get())
                    .bind(prospect.region.as_str())
                    .bind(by)
                    .bind(secs(now))
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((id,)) = id else {
                    written.skipped += 1;
                    continue;
                };
                written.created += 1;
                if let Some(next) = &row.next_contact {
                    // A next contact already past counts as reminded: it shows as overdue.
                    let state = if next.due <= now { "sent" } else { "pending" };
                    sqlx::query(FOLLOWUP_SQL)
                        .bind(id)
                        .bind(prospect.owner.get())
                        .bind(secs(next.due))
                        .bind(&next.agreed)
                        .bind(state)
                        .bind(secs(now))
                        .execute(&mut *tx)
                        .await?;
                }
                let mut record = row.record.clone();
                record.subject = Some(format!("prospect:{id}"));
                insert_audit!(&mut *tx, &record)?;
            }
            for (id, row) in write.updates {
                let by = write.by.unwrap_or(row.prospect.owner).get();
                for field in FIELDS.iter().filter(|f| f.editable) {
                    let Some(value) = row.prospect.stored(field).filter(|v| !v.is_empty()) else { continue };
                    let sql = update_sql(field);
                    let mut query = sqlx::query(&sql).bind(id.0).bind(&value);
                    if field.column.normalized.is_some() {
                        query = query.bind(normalize_name(&value));
                    }
                    query.bind(by).bind(secs(now)).execute(&mut *tx).await?;
                }
                sqlx::query(STATUS_SQL)
                    .bind(id.0)
                    .bind(row.status.as_str())
                    .bind(by)
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(&mut *tx, &row.record)?;
                written.updated += 1;
            }
            insert_audit!(&mut *tx, &(write.summary)(&written))?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(written)
        }
    };
}

#[async_trait]
impl ImportStore for SqlStore {
    async fn import_prospects(
        &self,
        write: &ImportWrite<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<ImportWritten> {
        let written = match &self.pool {
            Pool::Sqlite(p) => write_import!(p, write, now).await?,
            Pool::Postgres(p) => write_import!(p, write, now).await?,
        };
        Ok(written)
    }

    async fn keep_pending_import(
        &self,
        user: TelegramId,
        file_name: &str,
        content: &[u8],
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        let sql = "INSERT INTO pending_imports (user_id, file_name, content, created_at) VALUES ($1, $2, $3, $4) \
                   RETURNING id";
        let (id,): (i64,) = on_pool!(self, p => sqlx::query_as(sql)
            .bind(user.get())
            .bind(file_name)
            .bind(content)
            .bind(secs(now))
            .fetch_one(p)
            .await)?;
        Ok(id)
    }

    async fn claim_pending_import(
        &self,
        id: i64,
        user: TelegramId,
        state: &str,
    ) -> StoreResult<Option<PendingImport>> {
        let sql = "UPDATE pending_imports SET state = $3 WHERE id = $1 AND user_id = $2 AND state = 'pending' \
                   RETURNING file_name, content";
        let row: Option<(String, Vec<u8>)> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(id)
            .bind(user.get())
            .bind(state)
            .fetch_optional(p)
            .await)?;
        Ok(row.map(|(file_name, content)| PendingImport { id, user, file_name, content }))
    }

    async fn forget_pending_imports(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "UPDATE pending_imports SET state = 'cancelled', content = $2 \
                   WHERE state = 'pending' AND created_at < $1";
        let forgotten = on_pool!(self, p => sqlx::query(sql)
            .bind(secs(before))
            .bind(Vec::<u8>::new())
            .execute(p)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(forgotten)
    }

    async fn settle_pending_import(&self, id: i64, state: &str) -> StoreResult<()> {
        // A file saved or cancelled is not kept: its rows hold personal data.
        let sql = "UPDATE pending_imports SET state = $2, \
                   content = CASE WHEN $2 = 'pending' THEN content ELSE $3 END WHERE id = $1";
        on_pool!(self, p => sqlx::query(sql)
            .bind(id)
            .bind(state)
            .bind(Vec::<u8>::new())
            .execute(p)
            .await
            .map(drop))?;
        Ok(())
    }
}
