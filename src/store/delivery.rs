//! Delivery in SQL: follow-ups coming due, the outbox, and the morning digests. Every claim is
//! one atomic statement (with `FOR UPDATE SKIP LOCKED` on PostgreSQL), so several instances on
//! one database never send the same item twice; a claim whose holder died expires and is taken
//! over.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::sql::{BeginWrite, Pool, SqlStore, instant, on_pool, secs};
use super::{StoreError, StoreResult};
use crate::domain::access::{Audience, Lang};
use crate::domain::followup::Followup;
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::prospect::ProspectId;

/// An item to put in the outbox.
#[derive(Debug, Clone)]
pub struct NewOutgoing {
    pub kind: &'static str,
    pub chat_id: i64,
    pub ref_id: Option<i64>,
    pub text: Option<String>,
    pub markup: Option<String>,
    pub dedupe_key: String,
    /// Whose data it carries: the recipient's rights are checked again when it is sent.
    pub audience: Audience,
    /// A domain [`Notice`](crate::domain::notice::Notice) as JSON, rendered when sent.
    pub notice: Option<String>,
}

/// An item claimed for sending.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    pub kind: String,
    pub chat_id: i64,
    pub ref_id: Option<i64>,
    pub text: Option<String>,
    pub markup: Option<String>,
    pub attempts: i64,
    /// [`Audience::key`] as stored.
    pub audience: Option<String>,
    pub notice: Option<String>,
    /// Whom it was for, when passed on to the colleague covering their leave.
    pub for_id: Option<i64>,
}

/// Queues one [`NewOutgoing`]: kind, chat, ref, text, markup, dedupe key, due ($7), created
/// ($8), audience ($9), notice ($10). The same event is never queued twice.
pub(super) const OUTBOX_INSERT: &str = "INSERT INTO outbox (kind, chat_id, ref_id, text, markup, dedupe_key, \
    next_attempt_at, created_at, audience, notice) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
    ON CONFLICT (dedupe_key) DO NOTHING";

/// Queues `$item` (a [`NewOutgoing`]) through `$executor` (an open transaction, so it is saved
/// with the change it reports), due at `$due`; yields the rows added (0 when queued before).
macro_rules! queue_item {
    ($executor:expr, $item:expr, $due:expr, $now:expr) => {
        sqlx::query($crate::store::delivery::OUTBOX_INSERT)
            .bind($item.kind)
            .bind($item.chat_id)
            .bind($item.ref_id)
            .bind($item.text.as_deref())
            .bind($item.markup.as_deref())
            .bind(&$item.dedupe_key)
            .bind($crate::store::sql::secs($due))
            .bind($crate::store::sql::secs($now))
            .bind($item.audience.key())
            .bind($item.notice.as_deref())
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    };
}
pub(super) use queue_item;

#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Moves follow-ups due by `now` to "sent" and queues their reminders, in one transaction.
    async fn queue_due_followups(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<u64>;
    async fn enqueue(&self, items: &[NewOutgoing], now: DateTime<Utc>) -> StoreResult<u64>;
    /// Claims up to `limit` items ready at `now` for `lease_secs`.
    async fn claim_outbox(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        lease_secs: i64,
        limit: i64,
    ) -> StoreResult<Vec<Outgoing>>;
    async fn outbox_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// Holds a claimed item longer (a large report takes a while to build), so no other
    /// instance takes it over meanwhile; `false` when the claim was lost already.
    async fn extend_claim(&self, id: i64, instance: &str, until: DateTime<Utc>) -> StoreResult<bool>;
    async fn outbox_retry(&self, id: i64, at: DateTime<Utc>, error: &str) -> StoreResult<()>;
    async fn outbox_failed(&self, id: i64, error: &str) -> StoreResult<()>;
    /// Items by state, for tests and operators.
    async fn outbox_counts(&self) -> StoreResult<Vec<(String, i64)>>;
    /// How many items are due to be sent by `now` or are being sent (a held lead's card, due
    /// later, is not).
    async fn outbox_due(&self, now: DateTime<Utc>) -> StoreResult<i64>;
    async fn followup(&self, id: i64) -> StoreResult<Option<Followup>>;
    /// Moves an open follow-up of `owner` to `due` (snooze or "tomorrow").
    async fn reschedule_followup(
        &self,
        id: i64,
        owner: TelegramId,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// The owner's open follow-ups due before `until`, soonest first.
    async fn agenda(&self, owner: TelegramId, until: DateTime<Utc>) -> StoreResult<Vec<Followup>>;
    /// Claims the digest of a division's local day; `true` for the first claimant only.
    async fn claim_digest_day(&self, region: &str, local_date: &str, now: DateTime<Utc>)
    -> StoreResult<bool>;
    async fn set_unreachable(&self, id: TelegramId, unreachable: bool) -> StoreResult<bool>;
}

const FOLLOWUP_SELECT: &str = "SELECT f.id, f.prospect_id, p.name AS prospect_name, p.inn AS prospect_inn, \
    p.region_code, p.contact_person, p.phone, f.agreed, f.due_at, f.owner_id, u.full_name AS owner_name, \
    u.lang AS owner_lang, r.tz AS owner_tz, f.state \
    FROM followups f JOIN prospects p ON p.id = f.prospect_id JOIN users u ON u.telegram_id = f.owner_id \
    LEFT JOIN regions r ON r.code = u.region_code";

#[derive(sqlx::FromRow)]
struct FollowupRow {
    id: i64,
    prospect_id: i64,
    prospect_name: String,
    prospect_inn: String,
    region_code: String,
    contact_person: Option<String>,
    phone: Option<String>,
    agreed: String,
    due_at: i64,
    owner_id: i64,
    owner_name: String,
    owner_lang: String,
    owner_tz: Option<String>,
    state: String,
}

impl TryFrom<FollowupRow> for Followup {
    type Error = StoreError;

    fn try_from(row: FollowupRow) -> Result<Self, Self::Error> {
        Ok(Followup {
            id: row.id,
            prospect: ProspectId(row.prospect_id),
            prospect_name: row.prospect_name,
            prospect_inn: row.prospect_inn,
            region: RegionCode::parse(&row.region_code)
                .map_err(|_| StoreError::Corrupt(format!("follow-up {}", row.id)))?,
            contact_person: row.contact_person,
            phone: row.phone,
            agreed: row.agreed,
            due_at: instant(row.due_at),
            owner: TelegramId::new(row.owner_id)
                .map_err(|_| StoreError::Corrupt(format!("follow-up {}", row.id)))?,
            owner_name: row.owner_name,
            owner_lang: row.owner_lang.parse().unwrap_or(Lang::Ru),
            owner_tz: row.owner_tz,
            state: row.state,
        })
    }
}

#[async_trait]
impl DeliveryStore for SqlStore {
    async fn queue_due_followups(&self, now: DateTime<Utc>, limit: i64) -> StoreResult<u64> {
        let lock = match self.pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let claim = format!(
            "UPDATE followups SET state = 'sent', updated_at = $1 WHERE id IN (SELECT id FROM followups \
             WHERE state IN ('pending', 'snoozed') AND due_at <= $1 ORDER BY due_at LIMIT $2 {lock}) \
             AND state IN ('pending', 'snoozed') RETURNING id, owner_id, due_at"
        );
        let queue = "INSERT INTO outbox (kind, chat_id, ref_id, dedupe_key, next_attempt_at, created_at, audience) \
                     VALUES ('reminder', $1, $2, $3, $4, $4, (SELECT p.region_code FROM followups f \
                     JOIN prospects p ON p.id = f.prospect_id WHERE f.id = $2)) ON CONFLICT (dedupe_key) DO NOTHING";
        let queued = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let due: Vec<(i64, i64, i64)> = sqlx::query_as(&claim).bind(secs(now)).bind(limit).fetch_all(&mut *tx).await?;
            for (id, owner, due_at) in &due {
                sqlx::query(queue)
                    .bind(owner)
                    .bind(id)
                    .bind(format!("followup:{id}:{due_at}"))
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(due.len() as u64)
        }.await)?;
        Ok(queued)
    }

    async fn enqueue(&self, items: &[NewOutgoing], now: DateTime<Utc>) -> StoreResult<u64> {
        let queued = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let mut queued = 0;
            for item in items {
                queued += queue_item!(&mut *tx, item, now, now)?;
            }
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(queued)
        }.await)?;
        Ok(queued)
    }

    async fn claim_outbox(
        &self,
        instance: &str,
        now: DateTime<Utc>,
        lease_secs: i64,
        limit: i64,
    ) -> StoreResult<Vec<Outgoing>> {
        let lock = match self.pool {
            Pool::Sqlite(_) => "",
            Pool::Postgres(_) => "FOR UPDATE SKIP LOCKED",
        };
        let ready =
            "((state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND claimed_until < $1))";
        let sql = format!(
            "UPDATE outbox SET state = 'sending', claimed_by = $2, claimed_until = $3, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE {ready} ORDER BY next_attempt_at, id LIMIT $4 {lock}) \
             AND {ready} RETURNING id, kind, chat_id, ref_id, text, markup, attempts, audience, notice, for_id"
        );
        let mut items: Vec<Outgoing> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(secs(now))
            .bind(instance)
            .bind(secs(now) + lease_secs)
            .bind(limit)
            .fetch_all(p)
            .await)?;
        items.sort_by_key(|i| i.id);
        Ok(items)
    }

    async fn extend_claim(&self, id: i64, instance: &str, until: DateTime<Utc>) -> StoreResult<bool> {
        let sql =
            "UPDATE outbox SET claimed_until = $3 WHERE id = $1 AND claimed_by = $2 AND state = 'sending'";
        let extended = on_pool!(self, p => sqlx::query(sql)
            .bind(id)
            .bind(instance)
            .bind(secs(until))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(extended == 1)
    }

    async fn outbox_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "UPDATE outbox SET state = 'sent', sent_at = $2, claimed_by = NULL, claimed_until = NULL \
                   WHERE id = $1";
        on_pool!(self, p => sqlx::query(sql).bind(id).bind(secs(now)).execute(p).await.map(drop))?;
        Ok(())
    }

    async fn outbox_retry(&self, id: i64, at: DateTime<Utc>, error: &str) -> StoreResult<()> {
        let sql = "UPDATE outbox SET state = 'pending', next_attempt_at = $2, last_error = $3, \
                   claimed_by = NULL, claimed_until = NULL WHERE id = $1";
        on_pool!(self, p => sqlx::query(sql).bind(id).bind(secs(at)).bind(error).execute(p).await.map(drop))?;
        Ok(())
    }

    async fn outbox_failed(&self, id: i64, error: &str) -> StoreResult<()> {
        let sql = "UPDATE outbox SET state = 'failed', last_error = $2, claimed_by = NULL, claimed_until = NULL \
                   WHERE id = $1";
        on_pool!(self, p => sqlx::query(sql).bind(id).bind(error).execute(p).await.map(drop))?;
        Ok(())
    }

    async fn outbox_counts(&self) -> StoreResult<Vec<(String, i64)>> {
        let sql = "SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state";
        Ok(on_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await)?)
    }

    async fn outbox_due(&self, now: DateTime<Utc>) -> StoreResult<i64> {
        let sql = "SELECT COUNT(*) FROM outbox WHERE state = 'sending' \
                   OR (state = 'pending' AND next_attempt_at <= $1)";
        Ok(on_pool!(self, p => sqlx::query_scalar(sql).bind(secs(now)).fetch_one(p).await)?)
    }

    async fn followup(&self, id: i64) -> StoreResult<Option<Followup>> {
        let sql = format!("{FOLLOWUP_SELECT} WHERE f.id = $1");
        let row: Option<FollowupRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?;
        row.map(Followup::try_from).transpose()
    }

    async fn reschedule_followup(
        &self,
        id: i64,
        owner: TelegramId,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE followups SET state = 'snoozed', due_at = $3, updated_at = $4 \
                   WHERE id = $1 AND owner_id = $2 AND state IN ('pending', 'sent', 'snoozed')";
        let changed = on_pool!(self, p => sqlx::query(sql)
            .bind(id)
            .bind(owner.get())
            .bind(secs(due))
            .bind(secs(now))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }

    async fn agenda(&self, owner: TelegramId, until: DateTime<Utc>) -> StoreResult<Vec<Followup>> {
        let sql = format!(
            "{FOLLOWUP_SELECT} WHERE f.owner_id = $1 AND f.state IN ('pending', 'sent', 'snoozed') \
             AND f.due_at < $2 ORDER BY f.due_at, f.id LIMIT 50"
        );
        let rows: Vec<FollowupRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(owner.get()).bind(secs(until)).fetch_all(p).await)?;
        rows.into_iter().map(Followup::try_from).collect()
    }

    async fn claim_digest_day(
        &self,
        region: &str,
        local_date: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO digest_days (region_code, local_date, created_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (region_code, local_date) DO NOTHING";
        let claimed = on_pool!(self, p => sqlx::query(sql)
            .bind(region)
            .bind(local_date)
            .bind(secs(now))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(claimed == 1)
    }

    async fn set_unreachable(&self, id: TelegramId, unreachable: bool) -> StoreResult<bool> {
        let sql = "UPDATE users SET unreachable = $2 WHERE telegram_id = $1 AND unreachable <> $2";
        let changed = on_pool!(self, p => sqlx::query(sql)
            .bind(id.get())
            .bind(unreachable)
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(changed == 1)
    }
}
