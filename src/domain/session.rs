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
    let entry = store.user(id).await?;
    admit_entry(store, entry).await
}

/// As [`admit`], given the person's whitelist entry as it was read when their update was
/// claimed ([`start_update`]), in the same step.
pub async fn admit_entry(store: &dyn Store, entry: Option<User>) -> StoreResult<Admission> {
    match entry {
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

/// Audits a request to the webhook that did not carry the secret (`why`: "missing" or
/// "wrong"), from `peer`; nothing in it was handled.
pub async fn webhook_refused(
    store: &dyn Store,
    why: &str,
    peer: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let record = AuditRecord::new(now, None, AuditAction::WebhookRefused)
        .details(format!("secret {why}, from {peer}"));
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

/// What claiming an update found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateClaim {
    /// This instance holds it now and handles it.
    Claimed,
    /// It was handled already (a channel delivered it again): skip it.
    Handled,
    /// Another instance holds it and has not finished: it is not handled here, and the channel
    /// is told to deliver it again later.
    InHand,
}

/// Claims update `update` for `holder` until `until`, atomically, before it is handled.
pub async fn claim_update(
    store: &dyn Store,
    update: i64,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<UpdateClaim> {
    store.claim_update(update, holder, now, until).await
}

/// The person an update is from, whose turn it takes: their lease ([`person_lease`]), this
/// handling's name on it, and who they are.
#[derive(Debug, Clone, Copy)]
pub struct Turn<'a> {
    pub lease: &'a str,
    pub holder: &'a str,
    pub person: TelegramId,
}

/// What starting an update found.
#[derive(Debug, Clone)]
pub struct Started {
    pub claim: UpdateClaim,
    /// Whether the person's turn was taken with the claim (`false` with no person, or when
    /// their previous update is still in hand: then it is waited for apart).
    pub turn: bool,
    /// With the turn taken: the person's whitelist entry (`None`: a stranger), read in the same
    /// step, so the gate need not read it again.
    pub entry: Option<User>,
}

/// Claims update `update` for `holder` until `until`, takes its person's turn and reads their
/// whitelist entry, in one step: one statement on PostgreSQL; on SQLite, which one process
/// serves, the claim and the turn in memory and one read. Of two instances (or two deliveries)
/// claiming at once exactly one gets the update; the turn is taken only with it.
pub async fn start_update(
    store: &dyn Store,
    update: i64,
    holder: &str,
    turn: Option<&Turn<'_>>,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<Started> {
    store.start_update(update, holder, turn, now, until).await
}

/// Marks `holder`'s claimed update handled and gives the person's turn up, in one step.
pub async fn end_update(
    store: &dyn Store,
    update: i64,
    holder: &str,
    turn: Option<&Turn<'_>>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    store.end_update(update, holder, turn, now).await
}

/// Keeps `holder`'s claims alive while the update is still being handled: the update's and its
/// person's (`person`, when it has one).
pub async fn renew_claims(
    store: &dyn Store,
    update: i64,
    person: Option<&str>,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<()> {
    store.renew_update(update, holder, until).await?;
    if let Some(person) = person {
        store.take_lease(person, holder, now, until).await?;
    }
    Ok(())
}

/// Marks `holder`'s claimed update handled, once its handling is over.
pub async fn handled(store: &dyn Store, update: i64, holder: &str, now: DateTime<Utc>) -> StoreResult<()> {
    store.finish_update(update, holder, now).await
}

/// Gives the claim up after a failure, so the channel's next delivery is handled.
pub async fn release_update(store: &dyn Store, update: i64, holder: &str) -> StoreResult<()> {
    store.release_update(update, holder).await
}

/// The lease that keeps one person's updates one at a time across instances.
pub fn person_lease(person: TelegramId) -> String {
    format!("person:{}", person.get())
}

/// Takes the person's lease for `holder` (one update in hand), `true` when it was free.
pub async fn take_person(
    store: &dyn Store,
    lease: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<bool> {
    store.take_lease(lease, holder, now, until).await
}

/// Lets the person's next update be handled.
pub async fn free_person(store: &dyn Store, lease: &str, holder: &str) -> StoreResult<()> {
    store.release_lease(lease, holder).await
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

/// The lease of the one instance that long-polls the channel (Telegram lets only one).
pub const POLLER_LEASE: &str = "poller";

/// Takes or renews the poller's lease for `instance` until `until`; `true` while it is ours.
pub async fn take_poller(
    store: &dyn Store,
    instance: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> StoreResult<bool> {
    store.take_lease(POLLER_LEASE, instance, now, until).await
}

/// Gives the poller's lease up (a clean stop), so another instance polls at once.
pub async fn leave_poller(store: &dyn Store, instance: &str) -> StoreResult<()> {
    store.release_lease(POLLER_LEASE, instance).await
}

/// The instance polling now, if any.
pub async fn poller(store: &dyn Store, now: DateTime<Utc>) -> StoreResult<Option<String>> {
    store.lease_holder(POLLER_LEASE, now).await
}

/// Whether `instance` is the one polling now (for `/readyz` and the log).
pub async fn polls_here(store: &dyn Store, instance: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    Ok(poller(store, now).await?.as_deref() == Some(instance))
}
