//! Moving work between people in SQL (SPEC §2): cards with their open follow-ups, a person
//! leaving with it, the audit lines and the notices — one transaction. Each card moves only
//! from the owner the move was planned with (`owner_id = from`, which also takes the card's
//! row lock before its follow-ups are touched): a card that changed hands meanwhile spoils the
//! whole move, and nothing of it is written.
//!
//! A card moved to another division takes its leads nobody has taken yet with it: each goes to
//! the new division's credit chat for its product (posted anew, its wait counted from the move,
//! followed by the new owner), or — when that division routes no such product — is closed as
//! expired; either way the card in the old chat is edited to say the company moved. A lead a
//! credit officer already took stays with them.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::StoreResult;
use super::delivery::{NewOutgoing, queue_item};
use super::sql::{BeginWrite, Pool, SqlStore, insert_audit, on_pool, secs};
use crate::domain::access::Audience;
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::prospect::ProspectId;

/// One card to give to another owner (in `region`: head office may move it to another division).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardMove {
    pub prospect: ProspectId,
    pub from: TelegramId,
    pub to: TelegramId,
    pub region: RegionCode,
}

/// A person leaving with the move: disabled in the same transaction, their follow-ups on
/// colleagues' cards given to those cards' owners, the leads they took put back in the chat's
/// queue as new lead cards. Refused (nothing written) if they still own a card afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leaving {
    pub who: TelegramId,
    pub audit: AuditRecord,
}

/// The outbox kind of the edit of a lead card left in the old division's chat by a move: its
/// `text` is a [`LeadMoved`] as JSON.
pub const LEAD_MOVED_KIND: &str = "lead_moved";

/// The reason of a lead closed because its company moved to a division that routes no such
/// product, followed by that division's code.
pub const MOVED_REASON: &str = "moved:";

/// What the edit of a moved lead's old card says: its message, the division the company went
/// to, and whether the lead was closed there for want of a route.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeadMoved {
    pub message: i64,
    pub to: String,
    pub closed: bool,
}

/// What one move writes.
#[derive(Debug, Clone)]
pub struct Transfer {
    pub moves: Vec<CardMove>,
    /// Who moves them (`updated_by` of the cards); the operator's command line has nobody.
    pub by: Option<TelegramId>,
    /// One line per card, and any more the move needs.
    pub audit: Vec<AuditRecord>,
    pub notices: Vec<NewOutgoing>,
    pub leaving: Option<Leaving>,
}

/// A card someone owns, with how many open follow-ups it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCard {
    pub prospect: ProspectId,
    pub region: RegionCode,
    pub followups: i64,
}

/// Everything a person holds: what must be handed over before they may leave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    /// Cards they own, oldest first.
    pub cards: Vec<HeldCard>,
    /// Open follow-ups of theirs on cards they do not own.
    pub other_followups: i64,
    /// Leads they took and have not closed.
    pub leads: i64,
}

impl Holdings {
    pub fn is_empty(&self) -> bool {
        self.cards.is_empty() && self.other_followups == 0 && self.leads == 0
    }

    /// Open follow-ups, on their cards and on others'.
    pub fn followups(&self) -> i64 {
        self.cards.iter().map(|c| c.followups).sum::<i64>() + self.other_followups
    }
}

#[async_trait]
pub trait PortfolioStore: Send + Sync {
    /// Writes a move whole; `false`, and nothing written, when a card changed hands meanwhile
    /// (or a person leaving still owns one).
    async fn transfer(&self, transfer: &Transfer, now: DateTime<Utc>) -> StoreResult<bool>;
    /// What `who` holds now.
    async fn holdings(&self, who: TelegramId) -> StoreResult<Holdings>;
    /// Records a leave, with its audit line.
    async fn add_absence(
        &self,
        absence: &Absence,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Who covers `who` on `day` (the latest leave recorded that includes it).
    async fn cover_on(&self, who: TelegramId, day: NaiveDate) -> StoreResult<Option<TelegramId>>;
    /// The leave `who` is on on `day` (the latest recorded that includes it).
    async fn absence_on(&self, who: TelegramId, day: NaiveDate) -> StoreResult<Option<Absence>>;
    /// Ends every leave of `who` that includes `day` on the day before, with its audit line;
    /// `false`, and nothing written, when there was none.
    async fn end_absence(&self, who: TelegramId, day: NaiveDate, audit: &AuditRecord) -> StoreResult<bool>;
    /// Passes a claimed outbox item on to `cover`, remembering whom it was for; the item itself
    /// is done. One transaction, and never twice for the same cover.
    async fn pass_to_cover(&self, item: i64, cover: TelegramId, now: DateTime<Utc>) -> StoreResult<()>;
}

/// A person away from `from` to `to` (both days included, in their division's zone), covered by
/// `cover`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub who: TelegramId,
    pub cover: TelegramId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<TelegramId>,
}

const OPEN: &str = "('pending', 'sent', 'snoozed')";

#[async_trait]
impl PortfolioStore for SqlStore {
    async fn transfer(&self, t: &Transfer, now: DateTime<Utc>) -> StoreResult<bool> {
        let card = "UPDATE prospects SET owner_id = $3, region_code = $4, updated_by = $5, updated_at = $6 \
                    WHERE id = $1 AND owner_id = $2";
        let followups = format!(
            "UPDATE followups SET owner_id = $2, updated_at = $3 WHERE prospect_id = $1 AND state IN {OPEN}"
        );
        // A follow-up follows its card: the leaver's on colleagues' cards go to those owners.
        let leftovers = format!(
            "UPDATE followups SET owner_id = (SELECT p.owner_id FROM prospects p \
             WHERE p.id = followups.prospect_id), updated_at = $2 WHERE owner_id = $1 AND state IN {OPEN}"
        );
        let still_owns = "SELECT COUNT(*) FROM prospects WHERE owner_id = $1";
        let disable = "UPDATE users SET active = FALSE, updated_at = $2 WHERE telegram_id = $1";
        // A lead the leaver took goes back to the chat's queue: pending again, posted anew.
        let requeue = "UPDATE handoffs SET state = 'pending', taken_by = NULL, taken_at = NULL, \
                       message_id = NULL, card_shown = NULL, reminded_at = NULL, escalated_at = NULL, queued_at = $2 \
                       WHERE taken_by = $1 AND state = 'accepted' RETURNING id, chat_id, region_code";
        // Leads nobody took yet that belong to another division than the card's new one.
        let open_leads = "SELECT id, chat_id, message_id, product, region_code FROM handoffs \
                          WHERE prospect_id = $1 AND state = 'pending' AND region_code <> $2 ORDER BY id";
        let route = "SELECT chat_id FROM routes WHERE region_code = $1 AND product = $2";
        let move_lead = "UPDATE handoffs SET sent_by = COALESCE(sent_by, from_id), \
                         sent_region = COALESCE(sent_region, region_code), \
                         region_code = $2, chat_id = $3, from_id = $4, message_id = NULL, \
                         card_shown = NULL, reminded_at = NULL, escalated_at = NULL, held_until = NULL, queued_at = $5 \
                         WHERE id = $1";
        // Closed for the move: the reason `moved:CODE` makes every later edit of its card say so.
        let close_lead = "UPDATE handoffs SET state = 'expired', closed_at = $2, held_until = NULL, reason = $3 WHERE id = $1";
        let interested = "UPDATE prospects SET status = 'interested', updated_at = $2 WHERE id = $1 \
                          AND status = 'handed_off' AND NOT EXISTS (SELECT 1 FROM handoffs \
                          WHERE prospect_id = $1 AND state IN ('pending', 'accepted'))";
        let written = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            for m in &t.moves {
                let by = t.by.unwrap_or(m.to);
                let moved = sqlx::query(card)
                    .bind(m.prospect.0)
                    .bind(m.from.get())
                    .bind(m.to.get())
                    .bind(m.region.as_str())
                    .bind(by.get())
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if moved == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query(&followups)
                    .bind(m.prospect.0)
                    .bind(m.to.get())
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?;
                let leads: Vec<(i64, i64, Option<i64>, String, String)> =
                    sqlx::query_as(open_leads).bind(m.prospect.0).bind(m.region.as_str()).fetch_all(&mut *tx).await?;
                for (id, old_chat, message, product, old_region) in leads {
                    let chat: Option<i64> = sqlx::query_scalar(route)
                        .bind(m.region.as_str())
                        .bind(&product)
                        .fetch_optional(&mut *tx)
                        .await?;
                    let action = match chat {
                        Some(chat) => {
                            sqlx::query(move_lead)
                                .bind(id)
                                .bind(m.region.as_str())
                                .bind(chat)
                                .bind(m.to.get())
                                .bind(secs(now))
                                .execute(&mut *tx)
                                .await?;
                            let card = NewOutgoing {
                                kind: "lead",
                                chat_id: chat,
                                ref_id: Some(id),
                                text: None,
                                markup: None,
                                dedupe_key: format!("handoff:{id}:lead:moved:{}", secs(now)),
                                audience: Audience::Region(m.region.clone()),
                                notice: None,
                            };
                            queue_item!(&mut *tx, card, now, now)?;
                            AuditAction::HandoffMoved
                        }
                        None => {
                            sqlx::query(close_lead)
                                .bind(id)
                                .bind(secs(now))
                                .bind(format!("{MOVED_REASON}{}", m.region))
                                .execute(&mut *tx)
                                .await?;
                            sqlx::query(interested).bind(m.prospect.0).bind(secs(now)).execute(&mut *tx).await?;
                            AuditAction::HandoffExpired
                        }
                    };
                    if let Some(message) = message {
                        let spec = LeadMoved { message, to: m.region.to_string(), closed: chat.is_none() };
                        let edit = NewOutgoing {
                            kind: LEAD_MOVED_KIND,
                            chat_id: old_chat,
                            ref_id: Some(id),
                            text: serde_json::to_string(&spec).ok(),
                            markup: None,
                            dedupe_key: format!("handoff:{id}:moved:{}", secs(now)),
                            audience: RegionCode::parse(&old_region).map_or(Audience::Staff, Audience::Region),
                            notice: None,
                        };
                        queue_item!(&mut *tx, edit, now, now)?;
                    }
                    let whither = chat.map_or("closed: no route there".to_owned(), |c| format!("chat {c}"));
                    let record = AuditRecord::new(now, t.by, action)
                        .subject(format!("prospect:{}", m.prospect))
                        .details(format!("handoff {id} {product}: {old_region} -> {} ({whither})", m.region));
                    insert_audit!(&mut *tx, &record)?;
                }
            }
            if let Some(leaving) = &t.leaving {
                let who = leaving.who.get();
                let (owned,): (i64,) = sqlx::query_as(still_owns).bind(who).fetch_one(&mut *tx).await?;
                if owned > 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query(&leftovers).bind(who).bind(secs(now)).execute(&mut *tx).await?;
                sqlx::query(disable).bind(who).bind(secs(now)).execute(&mut *tx).await?;
                let leads: Vec<(i64, i64, String)> =
                    sqlx::query_as(requeue).bind(who).bind(secs(now)).fetch_all(&mut *tx).await?;
                for (id, chat_id, region) in leads {
                    let card = NewOutgoing {
                        kind: "lead",
                        chat_id,
                        ref_id: Some(id),
                        text: None,
                        markup: None,
                        dedupe_key: format!("handoff:{id}:lead:again:{}", secs(now)),
                        audience: RegionCode::parse(&region).map_or(Audience::Staff, Audience::Region),
                        notice: None,
                    };
                    queue_item!(&mut *tx, card, now, now)?;
                }
                insert_audit!(&mut *tx, &leaving.audit)?;
            }
            for record in &t.audit {
                insert_audit!(&mut *tx, record)?;
            }
            for notice in &t.notices {
                queue_item!(&mut *tx, notice, now, now)?;
            }
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }.await)?;
        Ok(written)
    }

    async fn add_absence(&self, a: &Absence, now: DateTime<Utc>, audit: &AuditRecord) -> StoreResult<()> {
        let sql = "INSERT INTO absences (user_id, cover_id, from_day, to_day, created_by, created_at) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            sqlx::query(sql)
                .bind(a.who.get())
                .bind(a.cover.get())
                .bind(a.from.to_string())
                .bind(a.to.to_string())
                .bind(a.by.map(TelegramId::get))
                .bind(secs(now))
                .execute(&mut *tx)
                .await?;
            insert_audit!(&mut *tx, audit)?;
            tx.commit().await
        }.await)?;
        Ok(())
    }

    async fn cover_on(&self, who: TelegramId, day: NaiveDate) -> StoreResult<Option<TelegramId>> {
        let sql = "SELECT cover_id FROM absences WHERE user_id = $1 AND from_day <= $2 AND to_day >= $2 \
                   ORDER BY id DESC LIMIT 1";
        let day = day.to_string();
        let row: Option<(i64,)> =
            on_pool!(self, p => sqlx::query_as(sql).bind(who.get()).bind(&day).fetch_optional(p).await)?;
        Ok(row.and_then(|(id,)| TelegramId::new(id).ok()))
    }

    async fn absence_on(&self, who: TelegramId, day: NaiveDate) -> StoreResult<Option<Absence>> {
        let sql = "SELECT cover_id, from_day, to_day, created_by FROM absences \
                   WHERE user_id = $1 AND from_day <= $2 AND to_day >= $2 ORDER BY id DESC LIMIT 1";
        let day = day.to_string();
        let row: Option<(i64, String, String, Option<i64>)> =
            on_pool!(self, p => sqlx::query_as(sql).bind(who.get()).bind(&day).fetch_optional(p).await)?;
        let Some((cover, from, to, by)) = row else { return Ok(None) };
        let corrupt = || super::StoreError::Corrupt(format!("absence of {who}"));
        Ok(Some(Absence {
            who,
            cover: TelegramId::new(cover).map_err(|_| corrupt())?,
            from: from.parse().map_err(|_| corrupt())?,
            to: to.parse().map_err(|_| corrupt())?,
            by: by.and_then(|b| TelegramId::new(b).ok()),
        }))
    }

    async fn end_absence(&self, who: TelegramId, day: NaiveDate, audit: &AuditRecord) -> StoreResult<bool> {
        // The leave ends on the day before: from `day` on the person is back. One that began
        // today is left ending before it starts, which no day matches.
        let sql = "UPDATE absences SET to_day = $3 WHERE user_id = $1 AND from_day <= $2 AND to_day >= $2";
        let yesterday = day.pred_opt().unwrap_or(day).to_string();
        let day = day.to_string();
        let ended = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            let n = sqlx::query(sql)
                .bind(who.get())
                .bind(&day)
                .bind(&yesterday)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            insert_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        }.await)?;
        Ok(ended)
    }

    async fn pass_to_cover(&self, item: i64, cover: TelegramId, now: DateTime<Utc>) -> StoreResult<()> {
        let copy = "INSERT INTO outbox (kind, chat_id, ref_id, text, markup, dedupe_key, next_attempt_at, \
                    created_at, audience, notice, for_id) SELECT kind, $2, ref_id, text, markup, \
                    dedupe_key || ':cover:' || CAST($2 AS TEXT), $3, $3, audience, notice, chat_id \
                    FROM outbox WHERE id = $1 ON CONFLICT (dedupe_key) DO NOTHING";
        let done = "UPDATE outbox SET state = 'sent', sent_at = $2, claimed_by = NULL, \
                    last_error = 'passed to the cover' WHERE id = $1";
        on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            sqlx::query(copy).bind(item).bind(cover.get()).bind(secs(now)).execute(&mut *tx).await?;
            sqlx::query(done).bind(item).bind(secs(now)).execute(&mut *tx).await?;
            tx.commit().await
        }.await)?;
        Ok(())
    }

    async fn holdings(&self, who: TelegramId) -> StoreResult<Holdings> {
        let cards = format!(
            "SELECT p.id, p.region_code, (SELECT COUNT(*) FROM followups f WHERE f.prospect_id = p.id \
             AND f.state IN {OPEN}) FROM prospects p WHERE p.owner_id = $1 ORDER BY p.id"
        );
        let others = format!(
            "SELECT COUNT(*) FROM followups f JOIN prospects p ON p.id = f.prospect_id \
             WHERE f.owner_id = $1 AND p.owner_id <> $1 AND f.state IN {OPEN}"
        );
        let leads = "SELECT COUNT(*) FROM handoffs WHERE taken_by = $1 AND state = 'accepted'";
        let id = who.get();
        let (rows, (other_followups,), (leads,)): (Vec<(i64, String, i64)>, (i64,), (i64,)) = on_pool!(self, p => async {
            let rows = sqlx::query_as(&cards).bind(id).fetch_all(p).await?;
            let others = sqlx::query_as(&others).bind(id).fetch_one(p).await?;
            let leads = sqlx::query_as(leads).bind(id).fetch_one(p).await?;
            Ok::<_, sqlx::Error>((rows, others, leads))
        }.await)?;
        let cards = rows
            .into_iter()
            .map(|(id, region, followups)| {
                let region = RegionCode::parse(&region)
                    .map_err(|_| super::StoreError::Corrupt(format!("prospect {id}: region")))?;
                Ok(HeldCard { prospect: ProspectId(id), region, followups })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Holdings { cards, other_followups, leads })
    }
}
