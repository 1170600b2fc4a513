//! Hand-offs and their routes in SQL. A state changes only from the state the caller saw
//! (`WHERE state = …`), so of two officers taking the same lead at once exactly one succeeds;
//! the prospect's status moves with the hand-off in the same transaction. A new hand-off's lead
//! card is queued in the transaction that makes it, due when the wait for the specialist's facts
//! ends; ending the hold early only makes it due now. A lead is never lost between the two.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::error::ErrorKind;

use super::delivery::queue_item;
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, instant, kind_of, on_pool, secs, with_audit};
use super::{NewOutgoing, StoreError, StoreResult};
use crate::domain::access::AccessError;
use crate::domain::audit::AuditRecord;
use crate::domain::handoff::{
    Fact, Handoff, HandoffFilter, HandoffState, LeadFacts, NewHandoff, Route, Waiting,
};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::prospect::{Product, ProspectId};
use crate::domain::requisites::Inn;

/// Makes `$new` (a [`NewHandoff`]) in the open transaction `$tx`, unless the prospect has an
/// open hand-off of that product (one made by a colleague at the same moment included: the
/// conflict is skipped, so it never fails the entry around it): the hand-off, the prospect's status, and its lead card queued
/// for when the wait for the specialist's facts ends. Yields the new id, or `None`.
macro_rules! insert_handoff {
    ($tx:ident, $new:expr, $now:expr) => {
        async {
            let insert = "INSERT INTO handoffs (prospect_id, product, region_code, from_id, chat_id, \
                held_until, created_at) SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 \
                FROM handoffs WHERE prospect_id = $1 AND product = $2 AND state IN ('pending', 'accepted')) \
                ON CONFLICT (prospect_id, product) WHERE state IN ('pending', 'accepted') DO NOTHING \
                RETURNING id";
            // A client who wants one more product stays a client.
            let status = "UPDATE prospects SET status = 'handed_off', updated_at = $2 \
                WHERE id = $1 AND status NOT IN ('client', 'archived')";
            let new: &$crate::domain::handoff::NewHandoff = $new;
            let id: Option<i64> = sqlx::query_scalar(insert)
                .bind(new.prospect.0)
                .bind(new.product.as_str())
                .bind(new.region.as_str())
                .bind(new.from.get())
                .bind(new.chat_id)
                .bind($crate::store::sql::secs(new.held_until))
                .bind($crate::store::sql::secs($now))
                .fetch_optional(&mut *$tx)
                .await?;
            if let Some(id) = id {
                let at = $crate::store::sql::secs($now);
                sqlx::query(status).bind(new.prospect.0).bind(at).execute(&mut *$tx).await?;
                let card = $crate::domain::notice::lead_card(id, new.chat_id, &new.region);
                $crate::store::delivery::queue_item!(&mut *$tx, card, new.held_until, $now)?;
            }
            Ok::<Option<i64>, sqlx::Error>(id)
        }
        .await
    };
}
pub(super) use insert_handoff;

#[async_trait]
pub trait HandoffStore: Send + Sync {
    /// Sets where a division's hand-offs of a product go, with its audit line.
    async fn set_route(
        &self,
        route: &Route,
        by: Option<TelegramId>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn routes(&self) -> StoreResult<Vec<Route>>;
    async fn route(&self, region: &RegionCode, product: Product) -> StoreResult<Option<Route>>;
    /// Whether a chat is one that some route sends hand-offs to.
    async fn is_handoff_chat(&self, chat_id: i64) -> StoreResult<bool>;

    /// Saves a hand-off and marks the prospect handed off; `Duplicate` when one is open already.
    async fn create_handoff(
        &self,
        new: &NewHandoff,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<Handoff>;
    async fn handoff(&self, id: i64) -> StoreResult<Option<Handoff>>;
    async fn handoffs(&self, filter: &HandoffFilter, limit: i64) -> StoreResult<Vec<Handoff>> {
        self.handoffs_page(filter, 0, limit).await
    }
    /// `limit` hand-offs of a list from `offset`, in the list's order.
    async fn handoffs_page(
        &self,
        filter: &HandoffFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>>;
    /// Takes a pending hand-off for `by`; `false` when it is no longer pending.
    async fn take_handoff(
        &self,
        id: i64,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool>;
    /// Moves a hand-off from `from` to a final state (declined, won, lost); `false` when it was
    /// no longer in `from`. Won makes the prospect a client; the last open one declined or lost
    /// makes it declined.
    #[allow(clippy::too_many_arguments)]
    async fn finish_handoff(
        &self,
        id: i64,
        from: HandoffState,
        to: HandoffState,
        by: TelegramId,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool>;
    /// Ends a pending hand-off nobody took in time, or that cannot reach its chat; the company is
    /// interested again, so it can be handed off again. Its audit line and `notices` are written
    /// in the same transaction. `false`, and nothing written, when it was no longer pending.
    async fn expire_handoff(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool>;
    /// Pending hand-offs whose card reached the chat before `before`, oldest first.
    async fn pending_handoffs(&self, before: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Handoff>>;
    /// Records the lead card's message in the chat, so it can be edited later.
    /// `false`, and nothing kept, when the lead went to another chat meanwhile (its company
    /// moved to another division).
    async fn set_handoff_message(&self, id: i64, chat_id: i64, message_id: i64) -> StoreResult<bool>;
    /// Records one fact of a lead whose card is still held; `false` when it is not held any more.
    async fn set_handoff_fact(&self, id: i64, fact: Fact, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Ends the hold of a lead and queues its card (`card`), in one transaction; `false` when it
    /// was not held any more (released by someone else, or never held).
    async fn release_handoff(&self, id: i64, card: &NewOutgoing, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Held leads: those whose wait is over by `due_by` (when given), of `from` (when given).
    async fn held_handoffs(
        &self,
        due_by: Option<DateTime<Utc>>,
        from: Option<TelegramId>,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>>;
    /// What the lead card in the chat shows now (as last sent), if it was sent.
    async fn lead_card_shown(&self, id: i64) -> StoreResult<Option<String>>;
    async fn set_lead_card_shown(&self, id: i64, shown: &str) -> StoreResult<()>;
    /// Pending hand-offs made before `before` whose `stage` has not happened yet.
    async fn waiting_handoffs(
        &self,
        before: DateTime<Utc>,
        stage: Waiting,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>>;
    async fn mark_waiting(&self, id: i64, stage: Waiting, now: DateTime<Utc>) -> StoreResult<()>;
}

const HANDOFF_SELECT: &str = "SELECT h.id, h.prospect_id, p.name AS prospect_name, p.inn, h.product, \
    h.region_code, h.from_id, f.full_name AS from_name, h.chat_id, h.message_id, h.amount, h.term, h.urgency, \
    h.held_until, h.state, \
    h.taken_by, t.full_name AS taken_by_name, h.taken_at, c.full_name AS closed_by_name, h.closed_at, h.reason, h.created_at, \
    COALESCE(h.queued_at, h.created_at) AS waiting_since \
    FROM handoffs h JOIN prospects p ON p.id = h.prospect_id JOIN users f ON f.telegram_id = h.from_id \
    LEFT JOIN users t ON t.telegram_id = h.taken_by \
    LEFT JOIN users c ON c.telegram_id = h.closed_by";

#[derive(sqlx::FromRow)]
struct HandoffRow {
    id: i64,
    prospect_id: i64,
    prospect_name: String,
    inn: String,
    product: String,
    region_code: String,
    from_id: i64,
    from_name: String,
    chat_id: i64,
    message_id: Option<i64>,
    amount: Option<String>,
    term: Option<String>,
    urgency: Option<String>,
    held_until: Option<i64>,
    state: String,
    taken_by: Option<i64>,
    taken_by_name: Option<String>,
    taken_at: Option<i64>,
    closed_by_name: Option<String>,
    closed_at: Option<i64>,
    reason: Option<String>,
    created_at: i64,
    waiting_since: i64,
}

impl TryFrom<HandoffRow> for Handoff {
    type Error = StoreError;

    fn try_from(r: HandoffRow) -> Result<Self, Self::Error> {
        let corrupt = || StoreError::Corrupt(format!("hand-off {}", r.id));
        Ok(Handoff {
            id: r.id,
            prospect: ProspectId(r.prospect_id),
            prospect_name: r.prospect_name.clone(),
            inn: Inn::parse(&r.inn).map_err(|_| corrupt())?,
            product: r.product.parse().map_err(|_| corrupt())?,
            region: RegionCode::parse(&r.region_code).map_err(|_| corrupt())?,
            from: TelegramId::new(r.from_id).map_err(|_| corrupt())?,
            from_name: r.from_name.clone(),
            chat_id: r.chat_id,
            message_id: r.message_id,
            facts: LeadFacts {
                amount: r.amount.as_deref().map(str::parse).transpose().map_err(|_| corrupt())?,
                term: r.term.as_deref().map(str::parse).transpose().map_err(|_| corrupt())?,
                urgency: r.urgency.as_deref().map(str::parse).transpose().map_err(|_| corrupt())?,
            },
            held_until: r.held_until.map(instant),
            state: r.state.parse().map_err(|_| corrupt())?,
            taken_by: r.taken_by.map(TelegramId::new).transpose().map_err(|_| corrupt())?,
            taken_by_name: r.taken_by_name,
            taken_at: r.taken_at.map(instant),
            closed_by_name: r.closed_by_name,
            closed_at: r.closed_at.map(instant),
            reason: r.reason,
            created_at: instant(r.created_at),
            waiting_since: instant(r.waiting_since),
        })
    }
}

fn rows(rows: Vec<HandoffRow>) -> StoreResult<Vec<Handoff>> {
    rows.into_iter().map(Handoff::try_from).collect()
}

#[derive(sqlx::FromRow)]
struct RouteRow {
    region_code: String,
    product: String,
    chat_id: i64,
}

impl TryFrom<RouteRow> for Route {
    type Error = StoreError;

    fn try_from(r: RouteRow) -> Result<Self, Self::Error> {
        let corrupt = || StoreError::Corrupt(format!("route {} {}", r.region_code, r.product));
        Ok(Route {
            region: RegionCode::parse(&r.region_code).map_err(|_| corrupt())?,
            product: r.product.parse().map_err(|_| corrupt())?,
            chat_id: r.chat_id,
        })
    }
}

fn waiting_column(stage: Waiting) -> &'static str {
    match stage {
        Waiting::Reminder => "reminded_at",
        Waiting::Escalation => "escalated_at",
    }
}

#[async_trait]
impl HandoffStore for SqlStore {
    async fn set_route(
        &self,
        route: &Route,
        by: Option<TelegramId>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let sql = "INSERT INTO routes (region_code, product, chat_id, updated_by, updated_at) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (region_code, product) DO UPDATE SET \
                   chat_id = excluded.chat_id, updated_by = excluded.updated_by, updated_at = excluded.updated_at";
        let result = with_audit!(self, audit, |tx| sqlx::query(sql)
            .bind(route.region.as_str())
            .bind(route.product.as_str())
            .bind(route.chat_id)
            .bind(by.map(TelegramId::get))
            .bind(secs(now))
            .execute(&mut *tx)
            .await
            .map(drop));
        match result {
            Err(e) if kind_of(&e) == Some(ErrorKind::ForeignKeyViolation) => {
                Err(AccessError::UnknownRegion(route.region.clone()).into())
            }
            other => Ok(other?),
        }
    }

    async fn routes(&self) -> StoreResult<Vec<Route>> {
        let sql = "SELECT region_code, product, chat_id FROM routes ORDER BY region_code, product";
        let rows: Vec<RouteRow> = on_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await)?;
        rows.into_iter().map(Route::try_from).collect()
    }

    async fn route(&self, region: &RegionCode, product: Product) -> StoreResult<Option<Route>> {
        let sql = "SELECT region_code, product, chat_id FROM routes WHERE region_code = $1 AND product = $2";
        let row: Option<RouteRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(region.as_str())
            .bind(product.as_str())
            .fetch_optional(p)
            .await)?;
        row.map(Route::try_from).transpose()
    }

    async fn is_handoff_chat(&self, chat_id: i64) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM routes WHERE chat_id = $1";
        let count: i64 = on_pool!(self, p => sqlx::query_scalar(sql).bind(chat_id).fetch_one(p).await)?;
        Ok(count > 0)
    }

    async fn create_handoff(
        &self,
        new: &NewHandoff,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<Handoff> {
        let result = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let id = insert_handoff!(tx, new, now)?;
            // An open one exists: nothing is written, not even the audit line.
            if id.is_some() {
                insert_audit!(&mut *tx, audit)?;
                tx.commit().await?;
            }
            Ok::<Option<i64>, sqlx::Error>(id)
        }
        .await);
        let id = match result {
            Ok(Some(id)) => id,
            Ok(None) => return Err(StoreError::Duplicate("handoffs_open_unique")),
            Err(e) if kind_of(&e) == Some(ErrorKind::UniqueViolation) => {
                return Err(StoreError::Duplicate("handoffs_open_unique"));
            }
            Err(e) => return Err(e.into()),
        };
        self.handoff(id).await?.ok_or_else(|| StoreError::Corrupt(format!("hand-off {id} vanished")))
    }

    async fn handoff(&self, id: i64) -> StoreResult<Option<Handoff>> {
        let sql = format!("{HANDOFF_SELECT} WHERE h.id = $1");
        let row: Option<HandoffRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await)?;
        row.map(Handoff::try_from).transpose()
    }

    async fn handoffs_page(
        &self,
        filter: &HandoffFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>> {
        let found: Vec<HandoffRow> = match filter {
            HandoffFilter::Prospect(id) => {
                let sql = format!(
                    "{HANDOFF_SELECT} WHERE h.prospect_id = $1 ORDER BY h.created_at DESC, h.id DESC \
                     LIMIT $2 OFFSET $3"
                );
                on_pool!(self, p => sqlx::query_as(&sql).bind(id.0).bind(limit).bind(offset).fetch_all(p).await)?
            }
            HandoffFilter::From(user) => {
                let sql = format!(
                    "{HANDOFF_SELECT} WHERE h.from_id = $1 ORDER BY h.created_at DESC, h.id DESC \
                     LIMIT $2 OFFSET $3"
                );
                on_pool!(self, p => sqlx::query_as(&sql)
                    .bind(user.get())
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(p)
                    .await)?
            }
            HandoffFilter::Queue { region, holder } => {
                let sql = format!(
                    "{HANDOFF_SELECT} WHERE h.region_code = $1 AND (h.state = 'pending' OR (h.state = 'accepted' \
                     AND (CAST($2 AS BIGINT) IS NULL OR h.taken_by = $2))) ORDER BY h.created_at, h.id LIMIT $3 OFFSET $4"
                );
                on_pool!(self, p => sqlx::query_as(&sql)
                    .bind(region.as_str())
                    .bind(holder.map(TelegramId::get))
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(p)
                    .await)?
            }
        };
        rows(found)
    }

    async fn take_handoff(
        &self,
        id: i64,
        by: TelegramId,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoffs SET state = 'accepted', taken_by = $2, taken_at = $3 \
                   WHERE id = $1 AND state = 'pending'";
        let taken = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let taken = sqlx::query(sql).bind(id).bind(by.get()).bind(secs(now)).execute(&mut *tx).await?;
            if taken.rows_affected() == 0 {
                return Ok(false);
            }
            insert_audit!(&mut *tx, audit)?;
            for item in notices {
                queue_item!(&mut *tx, item, now, now)?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await)?;
        Ok(taken)
    }

    async fn finish_handoff(
        &self,
        id: i64,
        from: HandoffState,
        to: HandoffState,
        by: TelegramId,
        reason: Option<&str>,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoffs SET state = $3, closed_by = $4, closed_at = $5, reason = $6 \
                   WHERE id = $1 AND state = $2 RETURNING prospect_id";
        let status = match to {
            HandoffState::Won => "UPDATE prospects SET status = 'client', updated_at = $2 WHERE id = $1",
            _ => {
                "UPDATE prospects SET status = 'declined', updated_at = $2 WHERE id = $1 \
                 AND status = 'handed_off' AND NOT EXISTS (SELECT 1 FROM handoffs \
                 WHERE prospect_id = $1 AND state IN ('pending', 'accepted'))"
            }
        };
        let finished = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let prospect: Option<i64> = sqlx::query_scalar(sql)
                .bind(id)
                .bind(from.as_str())
                .bind(to.as_str())
                .bind(by.get())
                .bind(secs(now))
                .bind(reason)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(prospect) = prospect else { return Ok(false) };
            sqlx::query(status).bind(prospect).bind(secs(now)).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit)?;
            for item in notices {
                queue_item!(&mut *tx, item, now, now)?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await)?;
        Ok(finished)
    }

    async fn expire_handoff(
        &self,
        id: i64,
        now: DateTime<Utc>,
        audit: &AuditRecord,
        notices: &[NewOutgoing],
    ) -> StoreResult<bool> {
        let sql = "UPDATE handoffs SET state = 'expired', closed_at = $2 WHERE id = $1 AND state = 'pending' \
                   RETURNING prospect_id";
        let status = "UPDATE prospects SET status = 'interested', updated_at = $2 WHERE id = $1 \
                      AND status = 'handed_off' AND NOT EXISTS (SELECT 1 FROM handoffs \
                      WHERE prospect_id = $1 AND state IN ('pending', 'accepted'))";
        let expired = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let prospect: Option<i64> =
                sqlx::query_scalar(sql).bind(id).bind(secs(now)).fetch_optional(&mut *tx).await?;
            let Some(prospect) = prospect else { return Ok(false) };
            sqlx::query(status).bind(prospect).bind(secs(now)).execute(&mut *tx).await?;
            insert_audit!(&mut *tx, audit)?;
            for item in notices {
                queue_item!(&mut *tx, item, now, now)?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await)?;
        Ok(expired)
    }

    async fn pending_handoffs(&self, before: DateTime<Utc>, limit: i64) -> StoreResult<Vec<Handoff>> {
        let sql = format!(
            "{HANDOFF_SELECT} WHERE h.state = 'pending' AND COALESCE(h.queued_at, h.created_at) <= $1 \
             AND h.held_until IS NULL ORDER BY h.created_at, h.id LIMIT $2"
        );
        let found: Vec<HandoffRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(secs(before)).bind(limit).fetch_all(p).await)?;
        rows(found)
    }

    async fn set_handoff_message(&self, id: i64, chat_id: i64, message_id: i64) -> StoreResult<bool> {
        let sql = "UPDATE handoffs SET message_id = $2 WHERE id = $1 AND chat_id = $3";
        let kept = on_pool!(self, p => sqlx::query(sql).bind(id).bind(message_id).bind(chat_id).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(kept > 0)
    }

    async fn waiting_handoffs(
        &self,
        before: DateTime<Utc>,
        stage: Waiting,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>> {
        let column = waiting_column(stage);
        let sql = format!(
            "{HANDOFF_SELECT} WHERE h.state = 'pending' AND COALESCE(h.queued_at, h.created_at) <= $1 \
             AND h.{column} IS NULL \
             AND h.held_until IS NULL ORDER BY h.created_at, h.id LIMIT $2"
        );
        let found: Vec<HandoffRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(secs(before)).bind(limit).fetch_all(p).await)?;
        rows(found)
    }

    async fn mark_waiting(&self, id: i64, stage: Waiting, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = format!("UPDATE handoffs SET {} = $2 WHERE id = $1", waiting_column(stage));
        on_pool!(self, p => sqlx::query(&sql).bind(id).bind(secs(now)).execute(p).await.map(drop))?;
        Ok(())
    }

    async fn set_handoff_fact(&self, id: i64, fact: Fact, now: DateTime<Utc>) -> StoreResult<bool> {
        let (column, value) = match fact {
            Fact::Amount(band) => ("amount", band.as_str()),
            Fact::Term(band) => ("term", band.as_str()),
            Fact::Urgency(urgency) => ("urgency", urgency.as_str()),
        };
        // Once the wait is over the card may be going out: what it shows no longer changes.
        let sql = format!("UPDATE handoffs SET {column} = $2 WHERE id = $1 AND held_until > $3");
        let set = on_pool!(self, p => sqlx::query(&sql)
            .bind(id)
            .bind(value)
            .bind(secs(now))
            .execute(p)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(set > 0)
    }

    async fn release_handoff(&self, id: i64, card: &NewOutgoing, now: DateTime<Utc>) -> StoreResult<bool> {
        let release = "UPDATE handoffs SET held_until = NULL WHERE id = $1 AND held_until IS NOT NULL";
        // The card was queued with the hand-off, due when the wait ends: it is due now. (A lead
        // held before cards were queued so gets its card here.)
        let now_due = "UPDATE outbox SET next_attempt_at = $2 WHERE dedupe_key = $1 AND state = 'pending' \
                       AND next_attempt_at > $2";
        let released = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            if sqlx::query(release).bind(id).execute(&mut *tx).await?.rows_affected() == 0 {
                return Ok(false);
            }
            queue_item!(&mut *tx, card, now, now)?;
            sqlx::query(now_due).bind(&card.dedupe_key).bind(secs(now)).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }
        .await)?;
        Ok(released)
    }

    async fn held_handoffs(
        &self,
        due_by: Option<DateTime<Utc>>,
        from: Option<TelegramId>,
        limit: i64,
    ) -> StoreResult<Vec<Handoff>> {
        let sql = format!(
            "{HANDOFF_SELECT} WHERE h.held_until IS NOT NULL AND (CAST($1 AS BIGINT) IS NULL OR h.held_until <= $1) \
             AND (CAST($2 AS BIGINT) IS NULL OR h.from_id = $2) ORDER BY h.held_until, h.id LIMIT $3"
        );
        let found: Vec<HandoffRow> = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(due_by.map(secs))
            .bind(from.map(TelegramId::get))
            .bind(limit)
            .fetch_all(p)
            .await)?;
        rows(found)
    }

    async fn lead_card_shown(&self, id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT card_shown FROM handoffs WHERE id = $1";
        let shown: Option<Option<String>> =
            on_pool!(self, p => sqlx::query_scalar(sql).bind(id).fetch_optional(p).await)?;
        Ok(shown.flatten())
    }

    async fn set_lead_card_shown(&self, id: i64, shown: &str) -> StoreResult<()> {
        let sql = "UPDATE handoffs SET card_shown = $2 WHERE id = $1";
        on_pool!(self, p => sqlx::query(sql).bind(id).bind(shown).execute(p).await.map(drop))?;
        Ok(())
    }
}
