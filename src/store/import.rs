//! An import's rows written in one transaction: all valid rows or none. A card whose INN was
//! registered meanwhile is skipped (`ON CONFLICT DO NOTHING`), so a file imported twice, or by
//! two people at once, adds each company once. New cards, their follow-ups, the updates
//! (`import_update`) and the audit lines are written many rows to a statement.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreResult;
use super::card::insert_values;
use super::import_update;
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, on_pool, secs};
use crate::domain::audit::AuditRecord;
use crate::domain::fields::FIELDS;
use crate::domain::ids::TelegramId;
use crate::domain::import::{Incoming, NextContact};
use crate::domain::prospect::ProspectId;

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
    /// The cards holding any of `inns`, across the bank.
    async fn cards_by_inns(&self, inns: &[&str]) -> StoreResult<Vec<KnownCard>>;
    /// The cards with any of the phones of `keys` (division, phone) in that division, by id.
    async fn cards_by_phones(&self, keys: &[(&str, &str)]) -> StoreResult<Vec<KnownCard>>;
    /// The cards with any of the normalized names of `keys` (division, name) in that
    /// division, by id.
    async fn cards_by_names(&self, keys: &[(&str, &str)]) -> StoreResult<Vec<KnownCard>>;
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

/// How many parameters one statement binds, on each backend. sqlx finds each `$n` on SQLite
/// by its name, and SQLite looks a parameter's name up by a linear search
/// (`sqlite3_bind_parameter_name`): binding a statement of n parameters costs n², which at ten
/// thousand parameters took most of an import's time. PostgreSQL binds by position (its limit
/// is 65 535).
fn max_params(pool: &Pool) -> usize {
    match pool {
        Pool::Sqlite(_) => 400,
        Pool::Postgres(_) => 10_000,
    }
}

/// How many cards one insert writes, with their follow-ups and audit lines (fewer parameters
/// a row than a card's).
fn cards_per_statement(pool: &Pool) -> usize {
    (max_params(pool) / (insert_values(&FIELDS, |_| None).len() + 5)).max(1)
}

/// `$from, $from+1, …`: `n` parameters.
fn params(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// The insert of `rows` cards with their statuses, each row's parameters in turn; only the
/// cards written come back (with their INN: the order of `RETURNING` is not promised), a taken
/// INN is skipped.
fn insert_sql(rows: usize) -> String {
    let values = insert_values(&FIELDS, |_| None);
    let n = values.len();
    let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
    let per_row = n + 5;
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let first = r * per_row + 1;
            let (status, owner, region, by, at) =
                (first + n, first + n + 1, first + n + 2, first + n + 3, first + n + 4);
            format!("({}, ${status}, ${owner}, ${region}, ${by}, ${at}, ${by}, ${at})", params(first, n))
        })
        .collect();
    format!(
        "INSERT INTO prospects ({}, status, owner_id, region_code, created_by, created_at, updated_by, \
         updated_at) VALUES {} ON CONFLICT (inn) DO NOTHING RETURNING id, inn",
        columns.join(", "),
        tuples.join(", ")
    )
}

/// `rows` tuples of `width` parameters each: `($1, $2), ($3, $4)…`.
fn tuples(rows: usize, width: usize) -> String {
    (0..rows).map(|r| format!("({})", params(r * width + 1, width))).collect::<Vec<_>>().join(", ")
}

fn followups_sql(rows: usize) -> String {
    format!(
        "INSERT INTO followups (prospect_id, owner_id, due_at, agreed, state, created_at, updated_at) VALUES {}",
        (0..rows)
            .map(|r| {
                let f = r * 6 + 1;
                format!("(${}, ${}, ${}, ${}, ${}, ${}, ${})", f, f + 1, f + 2, f + 3, f + 4, f + 5, f + 5)
            })
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn audit_sql(rows: usize) -> String {
    format!("INSERT INTO audit_log (at, actor_id, action, subject, details) VALUES {}", tuples(rows, 5))
}

/// A card in the base that an imported row may repeat: by its INN, or by its phone or its
/// name in the row's division.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KnownCard {
    pub id: i64,
    pub name: String,
    pub inn: String,
    pub region_code: String,
    pub phone: Option<String>,
    pub name_norm: String,
}

const KNOWN_SELECT: &str = "SELECT p.id, p.name, p.inn, p.region_code, p.phone, p.name_norm FROM prospects p";

/// The cards with any of `inns`, the INN's unique index once per key.
fn by_inns_sql(n: usize) -> String {
    format!("{KNOWN_SELECT} WHERE p.inn IN ({})", params(1, n))
}

/// The cards with any of `n` phones (the phone's index), by id; the caller keeps those in
/// the right division.
fn by_phones_sql(n: usize) -> String {
    format!("{KNOWN_SELECT} WHERE p.phone IN ({}) ORDER BY p.id", params(1, n))
}

/// The cards with any of `n` (division, normalized name) pairs, by id: a VALUES list joined
/// to the index on division and name. (On PostgreSQL, `name_norm IN (…)` would be answered by
/// the trigram index, seconds for a thousand names.)
fn by_names_sql(n: usize) -> String {
    format!(
        "{KNOWN_SELECT} JOIN (VALUES {}) AS k ON p.region_code = k.column1 AND p.name_norm = k.column2 \
         ORDER BY p.id",
        tuples(n, 2)
    )
}

/// Binds `keys` in turn to `sql` and reads the cards, on whichever pool is open.
macro_rules! known {
    ($store:expr, $sql:expr, $keys:expr) => {
        on_pool!($store, p => async {
            let mut query = sqlx::query_as::<_, KnownCard>($sql);
            for key in $keys {
                query = query.bind(key);
            }
            query.fetch_all(p).await
        }.await)
    };
}

fn distinct<'k>(keys: impl Iterator<Item = &'k str>) -> Vec<&'k str> {
    let mut keys: Vec<&str> = keys.collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl SqlStore {
    async fn known_by(&self, sql: &str, keys: &[&str]) -> StoreResult<Vec<KnownCard>> {
        Ok(known!(self, sql, keys.iter().copied())?)
    }
}

/// A card's audit line with its subject, bound in the order of [`audit_sql`].
macro_rules! bind_audit {
    ($query:expr, $record:expr) => {
        $query
            .bind(secs($record.at))
            .bind($record.actor.map(TelegramId::get))
            .bind($record.action.clone())
            .bind($record.subject.clone())
            .bind($record.details.clone())
    };
}

macro_rules! write_import {
    ($p:expr, $write:expr, $now:expr, $chunk:expr, $max_params:expr) => {
        async {
            let write = $write;
            let now = $now;
            let mut tx = $p.begin_write().await?;
            let mut written = ImportWritten::default();
            for rows in write.new.chunks($chunk) {
                let sql = insert_sql(rows.len());
                let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
                for row in rows {
                    let prospect = &row.prospect;
                    let by = write.by.unwrap_or(prospect.owner).get();
                    for (_, value) in insert_values(&FIELDS, |f| prospect.stored(f)) {
                        query = query.bind(value);
                    }
                    query = query
                        .bind(row.status.as_str())
                        .bind(prospect.owner.get())
                        .bind(prospect.region.as_str())
                        .bind(by)
                        .bind(secs(now));
                }
                let ids: HashMap<String, i64> =
                    query.fetch_all(&mut *tx).await?.into_iter().map(|(id, inn)| (inn, id)).collect();
                // The cards written, in the file's order: their follow-ups and audit lines follow.
                let created: Vec<(i64, &Incoming)> =
                    rows.iter().filter_map(|row| Some((*ids.get(row.prospect.inn.as_str())?, row))).collect();
                written.created += created.len() as u64;
                written.skipped += (rows.len() - created.len()) as u64;
                let next: Vec<(i64, &Incoming, &NextContact)> = created
                    .iter()
                    .filter_map(|(id, row)| Some((*id, *row, row.next_contact.as_ref()?)))
                    .collect();
                if !next.is_empty() {
                    let sql = followups_sql(next.len());
                    let mut query = sqlx::query(&sql);
                    for (id, row, next) in &next {
                        // A next contact already past counts as reminded: it shows as overdue.
                        let state = if next.due <= now { "sent" } else { "pending" };
                        query = query
                            .bind(*id)
                            .bind(row.prospect.owner.get())
                            .bind(secs(next.due))
                            .bind(next.agreed.as_str())
                            .bind(state)
                            .bind(secs(now));
                    }
                    query.execute(&mut *tx).await?;
                }
                if !created.is_empty() {
                    let sql = audit_sql(created.len());
                    let mut query = sqlx::query(&sql);
                    for (id, row) in &created {
                        let mut record = row.record.clone();
                        record.subject = Some(format!("prospect:{id}"));
                        query = bind_audit!(query, record);
                    }
                    query.execute(&mut *tx).await?;
                }
            }
            for batch in import_update::plan(write.updates, $max_params) {
                let sql = batch.sql();
                let mut query = sqlx::query(&sql).bind(secs(now));
                for (id, row) in &batch.rows {
                    query = query.bind(id.0);
                    for value in batch.values(row) {
                        query = query.bind(value);
                    }
                    query =
                        query.bind(row.status.as_str()).bind(write.by.unwrap_or(row.prospect.owner).get());
                }
                query.execute(&mut *tx).await?;
            }
            for rows in write.updates.chunks($max_params / 5) {
                let sql = audit_sql(rows.len());
                let mut query = sqlx::query(&sql);
                for (_, row) in rows {
                    query = bind_audit!(query, row.record);
                }
                query.execute(&mut *tx).await?;
            }
            written.updated += write.updates.len() as u64;
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
        let chunk = cards_per_statement(&self.pool);
        let max = max_params(&self.pool);
        let written = match &self.pool {
            Pool::Sqlite(p) => write_import!(p, write, now, chunk, max).await?,
            Pool::Postgres(p) => write_import!(p, write, now, chunk, max).await?,
        };
        Ok(written)
    }

    async fn cards_by_inns(&self, inns: &[&str]) -> StoreResult<Vec<KnownCard>> {
        let mut found = vec![];
        for chunk in distinct(inns.iter().copied()).chunks(max_params(&self.pool)) {
            found.extend(self.known_by(&by_inns_sql(chunk.len()), chunk).await?);
        }
        Ok(found)
    }

    async fn cards_by_phones(&self, keys: &[(&str, &str)]) -> StoreResult<Vec<KnownCard>> {
        let wanted: HashSet<(&str, &str)> = keys.iter().copied().collect();
        let mut found = vec![];
        for chunk in distinct(keys.iter().map(|(_, phone)| *phone)).chunks(max_params(&self.pool)) {
            let cards = self.known_by(&by_phones_sql(chunk.len()), chunk).await?;
            found.extend(cards.into_iter().filter(|c| {
                c.phone.as_deref().is_some_and(|phone| wanted.contains(&(c.region_code.as_str(), phone)))
            }));
        }
        found.sort_by_key(|c| c.id);
        Ok(found)
    }

    async fn cards_by_names(&self, keys: &[(&str, &str)]) -> StoreResult<Vec<KnownCard>> {
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut found = vec![];
        for chunk in keys.chunks(max_params(&self.pool) / 2) {
            let bound: Vec<&str> = chunk.iter().flat_map(|(division, name)| [*division, *name]).collect();
            found.extend(self.known_by(&by_names_sql(chunk.len()), &bound).await?);
        }
        found.sort_by_key(|c| c.id);
        Ok(found)
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
