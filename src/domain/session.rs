//! Who is calling and what their conversation holds, for any channel (SPEC §2): the caller's
//! whitelist entry and division, refusals (each audited; told at most once an interval),
//! updates already handled (a channel may deliver one again after a crash), and the state of a
//! flow in progress, kept as the channel writes it.

use chrono::{DateTime, Utc};

use super::access::{Region, User};
use super::audit::{AuditAction, AuditRecord};
use super::ids::TelegramId;
use crate::store::{Store, StoreResult};

/// A whitelisted, active person and their division.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub region: Option<Region>,
}

/// Whether a person gets in.
#[derive(Debug, Clone)]
pub enum Admission {
    Admitted(Box<Session>),
    /// A stranger (`None`) or a disabled person.
    Refused(Option<Box<User>>),
}

/// Lets `id` in when the whitelist holds them and they are active. A person who had blocked
/// the bot and now writes to it is reachable again.
pub async fn admit(store: &dyn Store, id: TelegramId) -> StoreResult<Admission> {
    match store.user(id).await? {
        Some(user) if user.active => {
            if user.unreachable
                && let Err(e) = store.set_unreachable(user.telegram_id, false).await
            {
                tracing::warn!(error = %e, "cannot mark a person reachable again");
            }
            let region = match &user.region {
                Some(code) => store.region(code).await.ok().flatten(),
                None => None,
            };
            Ok(Admission::Admitted(Box::new(Session { user, region })))
        }
        known => Ok(Admission::Refused(known.map(Box::new))),
    }
}

/// Audits a refused update (`what`: "message" or "button").
pub async fn refused(
    store: &dyn Store,
    id: TelegramId,
    disabled: bool,
    what: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let record = AuditRecord::new(now, Some(id), AuditAction::AccessRefused)
        .details(format!("{what}{}", if disabled { ", disabled" } else { "" }));
    store.audit(&record).await
}

/// Whether the refused person is to be told now: once since `since`, so a stranger writing a
/// hundred messages gets one answer.
pub async fn tell_refusal(
    store: &dyn Store,
    id: TelegramId,
    now: DateTime<Utc>,
    since: DateTime<Utc>,
) -> StoreResult<bool> {
    store.claim_refusal_notice(id, now, since).await
}

/// Whether update `update` was handled already.
pub async fn handled_before(store: &dyn Store, update: i64) -> StoreResult<bool> {
    store.is_handled(update).await
}

/// Marks update `update` handled, once its handling is over.
pub async fn handled(store: &dyn Store, update: i64, now: DateTime<Utc>) -> StoreResult<()> {
    store.mark_handled(update, now).await
}

/// The flow in progress in `chat`, as the channel wrote it.
pub async fn flow(store: &dyn Store, chat: i64) -> StoreResult<Option<String>> {
    store.dialogue(chat).await
}

/// Keeps the flow in progress in `chat`.
pub async fn keep_flow(store: &dyn Store, chat: i64, state: &str, now: DateTime<Utc>) -> StoreResult<()> {
    store.set_dialogue(chat, state, now).await
}

/// Ends the flow in progress in `chat`.
pub async fn end_flow(store: &dyn Store, chat: i64) -> StoreResult<()> {
    store.remove_dialogue(chat).await
}
