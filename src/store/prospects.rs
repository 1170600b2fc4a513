//! The prospect base in SQL (the diary is in `diary.rs`). Every read takes the caller's region filter
//! (`None` for every region): scoping lives in the query, not in the menus.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;

use super::card::{CardColumns, insert_values, select_list, update_sql};
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, instant, kind_of, on_pool, secs, with_audit};
use super::{StoreError, StoreResult};
use crate::domain::audit::AuditRecord;
use crate::domain::fields::{self, FIELDS, Field};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::prospect::{NewProspect, Prospect, ProspectId};
use crate::domain::requisites::{Inn, Phone, normalize_name};

/// How a name search runs on this backend.
pub enum TextSearch {
    /// At least three characters: the trigram index.
    Trigram(String),
    /// One or two characters: names starting with them.
    Prefix(String),
}

#[async_trait]
pub trait ProspectStore: Send + Sync {
    async fn create_prospect(
        &self,
        prospect: &NewProspect,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<Prospect>;
    async fn prospect(&self, id: ProspectId, region: Option<&str>) -> StoreResult<Option<Prospect>>;
    /// Any region: for the bank-wide INN uniqueness check only.
    async fn prospect_by_inn_anywhere(&self, inn: &Inn) -> StoreResult<Option<Prospect>>;
    async fn prospects_by_phone(&self, phone: &Phone, region: Option<&str>) -> StoreResult<Vec<Prospect>>;
    /// Same normalized name, or one a word-prefix of the other.
    async fn similar_names(&self, name_norm: &str, region: Option<&str>) -> StoreResult<Vec<Prospect>>;
    /// Exactly the same normalized name in a division: one index lookup (an import asks it for
    /// every row).
    async fn same_names(&self, name_norm: &str, region: &str) -> StoreResult<Vec<Prospect>>;
    async fn search_text(
        &self,
        query: &TextSearch,
        region: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Prospect>>;
    async fn owned_by(
        &self,
        owner: TelegramId,
        region: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Prospect>>;
    async fn update_field(
        &self,
        id: ProspectId,
        field: Field,
        value: Option<String>,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn save_search(&self, chat_id: i64, query: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// `save_search` with the search's audit line, in one step.
    async fn save_search_audited(
        &self,
        chat_id: i64,
        query: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn saved_search(&self, chat_id: i64) -> StoreResult<Option<String>>;
}

/// Keeps a chat's last search words: `$1` the chat, `$2` the words, `$3` now.
const SAVE_SEARCH: &str = "INSERT INTO saved_searches (chat_id, query, updated_at) VALUES ($1, $2, $3) \
     ON CONFLICT (chat_id) DO UPDATE SET query = excluded.query, updated_at = excluded.updated_at";

/// A card with its owner's name and its next contact; `name_norm` for ordering.
fn prospect_select() -> String {
    format!(
        "SELECT p.id, {}, p.name_norm, p.status, p.owner_id, \
         u.full_name AS owner_name, p.region_code, p.created_at, p.updated_at, \
         (SELECT MIN(f.due_at) FROM followups f WHERE f.prospect_id = p.id \
          AND f.state IN ('pending', 'sent', 'snoozed')) AS next_contact \
         FROM prospects p JOIN users u ON u.telegram_id = p.owner_id",
        select_list(&FIELDS)
    )
}

/// `CAST($n AS TEXT) IS NULL` lets one text serve both "every region" and "this region".
fn scoped(n: u8) -> String {
    format!("(CAST(${n} AS TEXT) IS NULL OR p.region_code = ${n})")
}

#[derive(sqlx::FromRow)]
struct ProspectRow {
    id: i64,
    #[sqlx(flatten)]
    card: CardColumns,
    status: String,
    owner_id: i64,
    owner_name: String,
    region_code: String,
    created_at: i64,
    updated_at: i64,
    next_contact: Option<i64>,
}

impl TryFrom<ProspectRow> for Prospect {
    type Error = StoreError;

    fn try_from(row: ProspectRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("prospect {}: {what}", row.id));
        let card = fields::load(&FIELDS, |f| row.card.get(f)).map_err(corrupt)?;
        Ok(Prospect {
            id: ProspectId(row.id),
            name: card.name,
            inn: card.inn,
            details: card.details,
            status: row.status.parse().map_err(|_| corrupt("status"))?,
            owner: TelegramId::new(row.owner_id).map_err(|_| corrupt("owner"))?,
            owner_name: row.owner_name,
            region: RegionCode::parse(&row.region_code).map_err(|_| corrupt("region"))?,
            created_at: instant(row.created_at),
            updated_at: instant(row.updated_at),
            next_contact: row.next_contact.map(instant),
        })
    }
}

fn prospects(rows: Vec<ProspectRow>) -> StoreResult<Vec<Prospect>> {
    rows.into_iter().map(Prospect::try_from).collect()
}

/// Escapes `%`, `_` and `\` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// An FTS5 string literal: the whole query as one phrase.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

impl SqlStore {
    /// The query plan of a region-scoped name search, as the backend reports it (for the
    /// README and the benchmark: the trigram index must be used).
    pub async fn explain_name_search(&self, text: &str, region: &str) -> StoreResult<Vec<String>> {
        let lines = match &self.pool {
            Pool::Sqlite(pool) => {
                let sql = format!("EXPLAIN QUERY PLAN {}", trigram_search_sql());
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(&sql)
                    .bind(fts_phrase(text))
                    .bind(region)
                    .bind(11_i64)
                    .bind(0_i64)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(|(_, _, _, detail)| detail).collect()
            }
            Pool::Postgres(pool) => {
                let sql = format!("EXPLAIN {}", like_search_sql());
                let rows: Vec<(String,)> = sqlx::query_as(&sql)
                    .bind(format!("%{}%", like_escape(text)))
                    .bind(region)
                    .bind(11_i64)
                    .bind(0_i64)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter().map(|(line,)| line).collect()
            }
        };
        Ok(lines)
    }
}

/// A name search by the FTS5 trigram index (SQLite); `$1` is an FTS phrase.
fn trigram_search_sql() -> String {
    page_of("q.id IN (SELECT rowid FROM prospects_fts WHERE prospects_fts MATCH $1)")
}

/// A name search by LIKE: the pg_trgm index on PostgreSQL, a prefix scan for short queries.
fn like_search_sql() -> String {
    page_of("(q.name_norm LIKE $1 ESCAPE '\\' OR q.contact_norm LIKE $1 ESCAPE '\\')")
}

/// One ordered page of the prospects matching `filter` (on alias `q`) in region `$2`. The page's
/// ids are chosen first from the bare table; owners and next contacts are joined for those
/// rows only, so a common word costs a sort of ids, not thousands of joins.
fn page_of(filter: &str) -> String {
    format!(
        "{} WHERE p.id IN (SELECT q.id FROM prospects q WHERE {filter} \
         AND (CAST($2 AS TEXT) IS NULL OR q.region_code = $2) {NAME_ORDER}) \
         ORDER BY p.name_norm, p.id",
        prospect_select()
    )
}

const NAME_ORDER: &str = "ORDER BY q.name_norm, q.id LIMIT $3 OFFSET $4";

#[async_trait]
impl ProspectStore for SqlStore {
    async fn create_prospect(
        &self,
        prospect: &NewProspect,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<Prospect> {
        // The card's fields, then who registered it: `$n` for each column in turn.
        let values = insert_values(&FIELDS, |f| prospect.stored(f));
        let n = values.len();
        let columns: Vec<&str> = values.iter().map(|(column, _)| *column).collect();
        let params: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
        let (owner, region, by_n, at) = (n + 1, n + 2, n + 3, n + 4);
        let sql = format!(
            "INSERT INTO prospects ({}, status, owner_id, region_code, created_by, created_at, \
             updated_by, updated_at) VALUES ({}, 'new', ${owner}, ${region}, ${by_n}, ${at}, \
             ${by_n}, ${at}) RETURNING id",
            columns.join(", "),
            params.join(", ")
        );
        let mut audit = audit.clone();
        let result: Result<(i64,), sqlx::Error> = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let mut insert = sqlx::query_as(&sql);
            for (_, value) in &values {
                insert = insert.bind(value.as_deref());
            }
            let (id,): (i64,) = insert
                .bind(prospect.owner.get())
                .bind(prospect.region.as_str())
                .bind(by.get())
                .bind(secs(now))
                .fetch_one(&mut *tx)
                .await?;
            audit.subject = Some(format!("prospect:{id}"));
            insert_audit!(&mut *tx, &audit)?;
            tx.commit().await?;
            Ok((id,))
        }.await);
        let id = match result {
            Ok((id,)) => id,
            Err(e) if kind_of(&e) == Some(ErrorKind::UniqueViolation) => {
                return Err(StoreError::Duplicate("prospects_inn_unique"));
            }
            Err(e) => return Err(e.into()),
        };
        self.prospect(ProspectId(id), None)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("prospect {id} vanished")))
    }

    async fn prospect(&self, id: ProspectId, region: Option<&str>) -> StoreResult<Option<Prospect>> {
        let sql = format!("{} WHERE p.id = $1 AND {}", prospect_select(), scoped(2));
        let row: Option<ProspectRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(id.0)
            .bind(region)
            .fetch_optional(p)
            .await)?;
        row.map(Prospect::try_from).transpose()
    }

    async fn prospect_by_inn_anywhere(&self, inn: &Inn) -> StoreResult<Option<Prospect>> {
        let sql = format!("{} WHERE p.inn = $1", prospect_select());
        let row: Option<ProspectRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(inn.as_str()).fetch_optional(p).await)?;
        row.map(Prospect::try_from).transpose()
    }

    async fn prospects_by_phone(&self, phone: &Phone, region: Option<&str>) -> StoreResult<Vec<Prospect>> {
        let sql =
            format!("{} WHERE p.phone = $1 AND {} ORDER BY p.id LIMIT 10", prospect_select(), scoped(2));
        let rows: Vec<ProspectRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(phone.as_str())
            .bind(region)
            .fetch_all(p)
            .await)?;
        prospects(rows)
    }

    async fn similar_names(&self, name_norm: &str, region: Option<&str>) -> StoreResult<Vec<Prospect>> {
        let sql = format!(
            "{} WHERE {} AND (p.name_norm = $2 OR p.name_norm LIKE $3 ESCAPE '\\' \
             OR $2 LIKE p.name_norm || ' %') ORDER BY p.name_norm, p.id LIMIT 10",
            prospect_select(),
            scoped(1)
        );
        let prefix = format!("{} %", like_escape(name_norm));
        let rows: Vec<ProspectRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(region)
            .bind(name_norm)
            .bind(&prefix)
            .fetch_all(p)
            .await)?;
        prospects(rows)
    }

    async fn same_names(&self, name_norm: &str, region: &str) -> StoreResult<Vec<Prospect>> {
        let sql = format!(
            "{} WHERE p.region_code = $1 AND p.name_norm = $2 ORDER BY p.id LIMIT 10",
            prospect_select()
        );
        let rows: Vec<ProspectRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(region).bind(name_norm).fetch_all(p).await)?;
        prospects(rows)
    }

    async fn search_text(
        &self,
        query: &TextSearch,
        region: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Prospect>> {
        let rows: Vec<ProspectRow> = match (query, &self.pool) {
            (TextSearch::Trigram(text), Pool::Sqlite(pool)) => {
                sqlx::query_as(&trigram_search_sql())
                    .bind(fts_phrase(text))
                    .bind(region)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await?
            }
            (TextSearch::Trigram(text), Pool::Postgres(pool)) => {
                sqlx::query_as(&like_search_sql())
                    .bind(format!("%{}%", like_escape(text)))
                    .bind(region)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(pool)
                    .await?
            }
            (TextSearch::Prefix(text), _) => {
                let sql = like_search_sql();
                let pattern = format!("{}%", like_escape(text));
                on_pool!(self, p => sqlx::query_as(&sql)
                    .bind(&pattern)
                    .bind(region)
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(p)
                    .await)?
            }
        };
        prospects(rows)
    }

    async fn owned_by(
        &self,
        owner: TelegramId,
        region: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Prospect>> {
        // Overdue and soonest next contacts first, cards without one last.
        let sql = format!(
            "SELECT * FROM ({} WHERE p.owner_id = $1 AND {}) q \
             ORDER BY CASE WHEN q.next_contact IS NULL THEN 1 ELSE 0 END, q.next_contact, \
             q.name_norm, q.id LIMIT $3 OFFSET $4",
            prospect_select(),
            scoped(2)
        );
        let rows: Vec<ProspectRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(owner.get())
            .bind(region)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        prospects(rows)
    }

    async fn update_field(
        &self,
        id: ProspectId,
        field: Field,
        value: Option<String>,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let sql = update_sql(&field);
        let result = match field.column.normalized {
            // A name or contact person keeps its normalized companion (and so the search) in step.
            Some(_) => {
                let normalized = value.as_deref().map(normalize_name).unwrap_or_default();
                with_audit!(self, audit, |tx| sqlx::query(&sql)
                    .bind(id.0)
                    .bind(value.as_deref())
                    .bind(normalized)
                    .bind(by.get())
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await
                    .map(drop))
            }
            None => with_audit!(self, audit, |tx| sqlx::query(&sql)
                .bind(id.0)
                .bind(value.as_deref())
                .bind(by.get())
                .bind(secs(now))
                .execute(&mut *tx)
                .await
                .map(drop)),
        };
        result.map_err(StoreError::from)
    }

    async fn save_search_audited(
        &self,
        chat_id: i64,
        query: &str,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        match &self.pool {
            Pool::Postgres(p) => {
                // One statement: a data-modifying WITH runs whether or not the rest reads it.
                let sql = format!(
                    "WITH saved AS ({SAVE_SEARCH}) INSERT INTO audit_log (at, actor_id, action, subject, \
                     details) VALUES ($4, $5, $6, $7, $8)"
                );
                sqlx::query(&sql)
                    .bind(chat_id)
                    .bind(query)
                    .bind(secs(now))
                    .bind(secs(audit.at))
                    .bind(audit.actor.map(TelegramId::get))
                    .bind(&audit.action)
                    .bind(audit.subject.as_deref())
                    .bind(audit.details.as_deref())
                    .execute(p)
                    .await?;
            }
            Pool::Sqlite(_) => {
                with_audit!(self, audit, |tx| sqlx::query(SAVE_SEARCH)
                    .bind(chat_id)
                    .bind(query)
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await
                    .map(drop))?;
            }
        }
        Ok(())
    }

    async fn save_search(&self, chat_id: i64, query: &str, now: DateTime<Utc>) -> StoreResult<()> {
        on_pool!(self, p => sqlx::query(SAVE_SEARCH)
            .bind(chat_id)
            .bind(query)
            .bind(secs(now))
            .execute(p)
            .await
            .map(drop))?;
        Ok(())
    }

    async fn saved_search(&self, chat_id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT query FROM saved_searches WHERE chat_id = $1";
        let row: Option<(String,)> =
            on_pool!(self, p => sqlx::query_as(sql).bind(chat_id).fetch_optional(p).await)?;
        Ok(row.map(|(q,)| q))
    }
}
