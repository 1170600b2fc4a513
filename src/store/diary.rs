//! The diary in SQL: entries and the follow-ups they agree. An entry and everything it sets off
//! is written in one transaction: the entry, the card's follow-ups and status, its audit line,
//! the hand-offs it makes (each with its audit line and its lead card, queued for when the wait
//! for the specialist's facts ends), and the owner's notice. All of it is saved, or none of it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::delivery::queue_item;
use super::handoffs::insert_handoff;
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, instant, on_pool, secs};
use super::{StoreError, StoreResult};
use crate::domain::audit::AuditRecord;
use crate::domain::diary::{Collision, Entry, NewEntry};
use crate::domain::handoff::NewHandoff;
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::notice::Notice;
use crate::domain::prospect::{ProspectId, Status, products_from_text, products_to_text};

/// What one diary entry writes.
#[derive(Debug, Clone)]
pub struct EntryWrite<'a> {
    pub entry: &'a NewEntry,
    /// The card's status after it.
    pub status: Status,
    pub audit: &'a AuditRecord,
    /// The hand-offs it makes, each with its audit line. One whose product is handed off
    /// already (by a colleague a moment ago) is left out, with its audit line.
    pub handoffs: Vec<(NewHandoff, AuditRecord)>,
    /// The card's owner and division, when the owner is to be told of a colleague's entry.
    pub tell_owner: Option<(TelegramId, RegionCode)>,
    /// The owner the card had when the entry was made: if the card was given to someone else
    /// before the entry is written, its new owner is the one told (unless they wrote it).
    pub owner_seen: Option<TelegramId>,
}

/// What was written: the entry's id and the hand-offs made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryWritten {
    pub entry: i64,
    pub handoffs: Vec<i64>,
}

#[async_trait]
pub trait DiaryStore: Send + Sync {
    /// Writes a diary entry with all it sets off, in one transaction.
    async fn record_entry(&self, write: &EntryWrite<'_>, now: DateTime<Utc>) -> StoreResult<EntryWritten>;
    /// Writes an entry, closes the prospect's open follow-ups, opens the new one (if agreed) and
    /// moves the status on: all or nothing.
    async fn add_entry(
        &self,
        entry: &NewEntry,
        status: Status,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<i64>;
    /// Replaces the prospect's open follow-ups with one due at `due`, owned by `owner`.
    async fn schedule_followup(
        &self,
        prospect: ProspectId,
        owner: TelegramId,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn entries(&self, prospect: ProspectId, offset: i64, limit: i64) -> StoreResult<Vec<Entry>>;
    async fn entry(&self, prospect: ProspectId, entry: i64) -> StoreResult<Option<Entry>>;
    async fn entry_count(&self, prospect: ProspectId) -> StoreResult<i64>;
    /// `entries` and `entry_count` in one statement.
    async fn entries_counted(
        &self,
        prospect: ProspectId,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Entry>, i64)>;
    /// The latest positive or neutral contact by someone other than `me` since `since`.
    async fn colleague_contact(
        &self,
        prospect: ProspectId,
        me: TelegramId,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Collision>>;
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    prospect_id: i64,
    author_id: i64,
    author_name: String,
    kind: String,
    outcome: String,
    summary: String,
    products: String,
    happened_at: i64,
    next_contact_at: Option<i64>,
}

impl TryFrom<EntryRow> for Entry {
    type Error = StoreError;

    fn try_from(row: EntryRow) -> Result<Self, Self::Error> {
        let corrupt = || StoreError::Corrupt(format!("diary entry {}", row.id));
        Ok(Entry {
            id: row.id,
            prospect: ProspectId(row.prospect_id),
            author: TelegramId::new(row.author_id).map_err(|_| corrupt())?,
            author_name: row.author_name,
            kind: row.kind.parse().map_err(|_| corrupt())?,
            outcome: row.outcome.parse().map_err(|_| corrupt())?,
            summary: row.summary,
            products: products_from_text(&row.products),
            happened_at: instant(row.happened_at),
            next_contact: row.next_contact_at.map(instant),
        })
    }
}

const ENTRY_SELECT: &str = "SELECT i.id, i.prospect_id, i.author_id, u.full_name AS author_name, \
    i.kind, i.outcome, i.summary, i.products, i.happened_at, i.next_contact_at \
    FROM interactions i JOIN users u ON u.telegram_id = i.author_id";

#[async_trait]
impl DiaryStore for SqlStore {
    async fn record_entry(&self, write: &EntryWrite<'_>, now: DateTime<Utc>) -> StoreResult<EntryWritten> {
        let entry = write.entry;
        let insert = "INSERT INTO interactions (prospect_id, author_id, kind, outcome, summary, \
            products, happened_at, next_contact_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
            $8, $9) RETURNING id";
        // An entry closes the author's own open follow-ups; a colleague's entry closes them only
        // when it agrees a new next contact, which replaces them. A colleague's unanswered call
        // does not silence the owner's reminder.
        let close = "UPDATE followups SET state = 'done', updated_at = $2 \
            WHERE prospect_id = $1 AND state IN ('pending', 'sent', 'snoozed') AND (owner_id = $3 OR $4)";
        let open = "INSERT INTO followups (prospect_id, owner_id, due_at, agreed, state, \
            interaction_id, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $6)";
        // Only talks that have not gone further move on: a hand-off made meanwhile is kept.
        let move_on = "UPDATE prospects SET status = CASE WHEN status IN ('new', 'in_talks') THEN $2 \
                       ELSE status END, updated_by = $3, updated_at = $4 WHERE id = $1";
        let owner_now = "SELECT owner_id, region_code FROM prospects WHERE id = $1";
        let agreed: String = entry.summary.chars().take(200).collect();
        let written = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            // The card's row first: a move of the card (`store::portfolio`) locks it first too,
            // so the two wait for each other instead of deadlocking over its follow-ups.
            sqlx::query(move_on)
                .bind(entry.prospect.0)
                .bind(write.status.as_str())
                .bind(entry.author.get())
                .bind(secs(now))
                .execute(&mut *tx)
                .await?;
            // Read under that lock: a move that committed just before is seen here.
            let current: Option<(i64, String)> =
                sqlx::query_as(owner_now).bind(entry.prospect.0).fetch_optional(&mut *tx).await?;
            let (id,): (i64,) = sqlx::query_as(insert)
                .bind(entry.prospect.0)
                .bind(entry.author.get())
                .bind(entry.kind.as_str())
                .bind(entry.outcome.as_str())
                .bind(&entry.summary)
                .bind(products_to_text(&entry.products))
                .bind(secs(entry.happened_at))
                .bind(entry.next_contact.map(secs))
                .bind(secs(now))
                .fetch_one(&mut *tx)
                .await?;
            sqlx::query(close)
                .bind(entry.prospect.0)
                .bind(secs(now))
                .bind(entry.author.get())
                .bind(entry.next_contact.is_some())
                .execute(&mut *tx)
                .await?;
            if let Some(due) = entry.next_contact {
                sqlx::query(open)
                    .bind(entry.prospect.0)
                    .bind(entry.author.get())
                    .bind(secs(due))
                    .bind(&agreed)
                    .bind(id)
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?;
            }
            insert_audit!(&mut *tx, write.audit)?;
            let mut handoffs = vec![];
            for (new, audit) in &write.handoffs {
                if let Some(handoff) = insert_handoff!(tx, new, now)? {
                    insert_audit!(&mut *tx, audit)?;
                    handoffs.push(handoff);
                }
            }
            let tell = match (write.owner_seen, current) {
                // The card changed hands meanwhile: its new owner is told, unless it is the author.
                (Some(seen), Some((owner, region))) if owner != seen.get() => {
                    let owner = TelegramId::new(owner).ok().filter(|o| *o != entry.author);
                    owner.zip(RegionCode::parse(&region).ok())
                }
                _ => write.tell_owner.clone(),
            };
            if let Some((owner, region)) = &tell {
                let notice = Notice::ColleagueEntry { prospect: entry.prospect.0, entry: id }.to(*owner, region);
                queue_item!(&mut *tx, notice, now, now)?;
            }
            tx.commit().await?;
            Ok::<EntryWritten, sqlx::Error>(EntryWritten { entry: id, handoffs })
        }.await)?;
        Ok(written)
    }

    async fn add_entry(
        &self,
        entry: &NewEntry,
        status: Status,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<i64> {
        let write = EntryWrite { entry, status, audit, handoffs: vec![], tell_owner: None, owner_seen: None };
        Ok(self.record_entry(&write, now).await?.entry)
    }

    async fn schedule_followup(
        &self,
        prospect: ProspectId,
        owner: TelegramId,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let close = "UPDATE followups SET state = 'cancelled', updated_at = $2 \
            WHERE prospect_id = $1 AND state IN ('pending', 'sent', 'snoozed')";
        let open = "INSERT INTO followups (prospect_id, owner_id, due_at, agreed, state, \
            created_at, updated_at) VALUES ($1, $2, $3, '', 'pending', $4, $4)";
        on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            sqlx::query(close).bind(prospect.0).bind(secs(now)).execute(&mut *tx).await?;
            sqlx::query(open)
                .bind(prospect.0)
                .bind(owner.get())
                .bind(secs(due))
                .bind(secs(now))
                .execute(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit)?;
            tx.commit().await
        }.await)?;
        Ok(())
    }

    async fn entry(&self, prospect: ProspectId, entry: i64) -> StoreResult<Option<Entry>> {
        let sql = format!("{ENTRY_SELECT} WHERE i.prospect_id = $1 AND i.id = $2");
        let row: Option<EntryRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(prospect.0)
            .bind(entry)
            .fetch_optional(p)
            .await)?;
        row.map(Entry::try_from).transpose()
    }

    async fn entries(&self, prospect: ProspectId, offset: i64, limit: i64) -> StoreResult<Vec<Entry>> {
        let sql = format!(
            "{ENTRY_SELECT} WHERE i.prospect_id = $1 ORDER BY i.happened_at DESC, i.id DESC \
             LIMIT $2 OFFSET $3"
        );
        let rows: Vec<EntryRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(prospect.0)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(Entry::try_from).collect()
    }

    async fn entries_counted(
        &self,
        prospect: ProspectId,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Entry>, i64)> {
        #[derive(sqlx::FromRow)]
        struct Counted {
            #[sqlx(flatten)]
            entry: EntryRow,
            total: i64,
        }
        // The window counts every entry of the card before LIMIT takes the page's.
        let sql = format!(
            "{} WHERE i.prospect_id = $1 ORDER BY i.happened_at DESC, i.id DESC LIMIT $2 OFFSET $3",
            ENTRY_SELECT.replacen(" FROM interactions", ", COUNT(*) OVER () AS total FROM interactions", 1)
        );
        let rows: Vec<Counted> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(prospect.0)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        let total = match rows.first() {
            Some(row) => row.total,
            // A page past the last one says nothing of the count.
            None if offset > 0 => self.entry_count(prospect).await?,
            None => 0,
        };
        let entries = rows.into_iter().map(|row| Entry::try_from(row.entry)).collect::<StoreResult<_>>()?;
        Ok((entries, total))
    }

    async fn entry_count(&self, prospect: ProspectId) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM interactions WHERE prospect_id = $1";
        let (count,): (i64,) = on_pool!(self, p => sqlx::query_as(sql).bind(prospect.0).fetch_one(p).await)?;
        Ok(count)
    }

    async fn colleague_contact(
        &self,
        prospect: ProspectId,
        me: TelegramId,
        since: DateTime<Utc>,
    ) -> StoreResult<Option<Collision>> {
        let sql = format!(
            "{ENTRY_SELECT} WHERE i.prospect_id = $1 AND i.author_id <> $2 \
             AND i.outcome IN ('positive', 'neutral') AND i.happened_at >= $3 \
             ORDER BY i.happened_at DESC, i.id DESC LIMIT 1"
        );
        let row: Option<EntryRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(prospect.0)
            .bind(me.get())
            .bind(secs(since))
            .fetch_optional(p)
            .await)?;
        let entry = row.map(Entry::try_from).transpose()?;
        Ok(entry.map(|e| Collision {
            author_name: e.author_name,
            happened_at: e.happened_at,
            outcome: e.outcome,
        }))
    }
}
