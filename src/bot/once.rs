//! Every update handled once, and one person's updates one at a time, whichever of several
//! instances receives them (polling or webhook).
//!
//! Before the routing tree sees an update, its id is claimed in the database (one statement,
//! so of two instances exactly one wins); a second delivery is skipped. With the claim the
//! sender's person lease is taken — or, when another instance handles that person's previous
//! update, waited for — so two steps of one form never read the same dialogue state; and with
//! both, the sender's whitelist entry is read for the gate. Claim, lease and entry are one
//! statement on PostgreSQL; marking the update handled and giving the lease up at the end are
//! one more. SQLite serves one process, which keeps claims and leases in memory: one read at
//! the start, one write (the handled mark) at the end (`store/local.rs`). Claim and lease last
//! `CLAIM_SECS`, renewed while the handler works: a crashed instance's claim runs out and the
//! update's next delivery is handled. A handler that failed because the database did (nothing
//! it wrote was committed) gives the claim up, so the channel's retry is handled; any other
//! failure was already explained to the person and counts as handled.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::ControlFlow;
use std::time::Duration;

use chrono::Utc;
use teloxide::dispatching::{DpHandlerDescription, UpdateHandler};
use teloxide::dptree::di::DependencyMap;
use teloxide::dptree::{self, HandlerDescription, HandlerSignature, Type};
use teloxide::prelude::*;
use teloxide::types::{Me, UpdateKind};
use tracing::Instrument;

use super::Ctx;
use super::gate::Entry;
use crate::domain::ids::TelegramId;
use crate::domain::session::{self, Turn, UpdateClaim};
use crate::store::StoreError;

/// How long a claim (on an update, on a person) lasts unless renewed; a crashed instance's
/// updates are handled again after this.
pub const CLAIM_SECS: i64 = 10;
/// How often a claim is renewed while its update is handled.
const RENEW_EVERY: Duration = Duration::from_secs(3);
/// How long an update waits for its person's previous update, in hand elsewhere, before it
/// gives up (and the channel delivers it again).
const PERSON_WAIT: Duration = Duration::from_secs(30);

/// What became of one delivery of an update.
#[derive(Debug)]
pub enum Outcome {
    Handled,
    /// Handled before: this delivery is a duplicate.
    Duplicate,
    /// Another instance has it in hand (or the person's previous one): deliver it again later.
    Busy,
    /// It could not be handled (the database failed); the claim is given up for a retry.
    Failed(anyhow::Error),
}

/// The routing tree behind the claim and the person's lease, for the polling dispatcher.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let routes = super::router::schema();
    let mut obligations: BTreeMap<Type, &'static std::panic::Location<'static>> = match routes.sig() {
        HandlerSignature::Other { obligations, .. } => obligations.clone(),
        HandlerSignature::Entry => BTreeMap::new(),
    };
    // `handle` reads the sender's whitelist entry with the claim and gives it to the gate.
    obligations.remove(&Type::of::<Entry>());
    obligations.insert(Type::of::<Update>(), std::panic::Location::caller());
    obligations.insert(Type::of::<Ctx>(), std::panic::Location::caller());
    let sig = HandlerSignature::Other {
        obligations,
        guaranteed_outcomes: BTreeSet::new(),
        conditional_outcomes: BTreeSet::new(),
        continues: false,
    };
    dptree::from_fn_with_description(
        DpHandlerDescription::endpoint(),
        move |deps: DependencyMap, _next| {
            let routes = routes.clone();
            async move {
                let ctx = deps.get::<Ctx>();
                let update = deps.get::<Update>();
                // A poller gets no second delivery: an update in hand at an instance that
                // died is waited for until its claim runs out, then handled here.
                let give_up = tokio::time::Instant::now() + Duration::from_secs(2 * CLAIM_SECS as u64);
                loop {
                    match handle(&routes, &ctx, &update, deps.clone()).await {
                        Outcome::Busy if tokio::time::Instant::now() < give_up => {
                            tokio::time::sleep(Duration::from_millis(500)).await;
                        }
                        Outcome::Failed(e) => break ControlFlow::Break(Err(e)),
                        _ => break ControlFlow::Break(Ok(())),
                    }
                }
            }
        },
        sig,
    )
}

/// Checks `routes` as teloxide's dispatcher checks its handler when it is built: that they ask
/// for nothing but what every update is handled with, on either channel — the bot, its own
/// identity, the update and the context — and the whitelist entry `handle` adds. Panics naming
/// what is missing and the line that asks for it.
pub fn type_check(routes: &UpdateHandler<anyhow::Error>) {
    let given =
        [Type::of::<Bot>(), Type::of::<Me>(), Type::of::<Update>(), Type::of::<Ctx>(), Type::of::<Entry>()];
    dptree::type_check(routes.sig(), &DependencyMap::new(), &given);
}

/// Claims `update`, takes its person's lease, and runs `routes` on it; in a span of its own
/// (at `trace`, so the log shows nothing of it) in which the statements it costs are counted
/// (`crate::statements`).
pub async fn handle(
    routes: &UpdateHandler<anyhow::Error>,
    ctx: &Ctx,
    update: &Update,
    deps: DependencyMap,
) -> Outcome {
    handle_in_span(routes, ctx, update, deps).instrument(tracing::trace_span!("update")).await
}

async fn handle_in_span(
    routes: &UpdateHandler<anyhow::Error>,
    ctx: &Ctx,
    update: &Update,
    mut deps: DependencyMap,
) -> Outcome {
    let id = i64::from(update.id.0);
    let instance = ctx.config.instance_id.as_str();
    let now = Utc::now();
    let until = now + chrono::Duration::seconds(CLAIM_SECS);
    // Unique per handling: two updates of one person in one instance wait for each other too.
    let holder = format!("{instance}/{id}");
    let from = sender(update);
    let person = from.map(session::person_lease);
    let turn = person.as_deref().zip(from).map(|(lease, person)| Turn { lease, holder: &holder, person });
    // The claim, the person's turn and their whitelist entry in one step.
    let started =
        match session::start_update(ctx.store.as_ref(), id, instance, turn.as_ref(), now, until).await {
            Ok(started) => started,
            Err(e) => return Outcome::Failed(anyhow::Error::new(e).context("cannot claim the update")),
        };
    match started.claim {
        UpdateClaim::Claimed => {}
        UpdateClaim::Handled => {
            tracing::info!(update_id = id, "update delivered again; skipped");
            return Outcome::Duplicate;
        }
        UpdateClaim::InHand => {
            tracing::info!(update_id = id, "update in hand at another instance; not handled here");
            return Outcome::Busy;
        }
    }
    let mut entry = if turn.is_some() { Entry::Read(started.entry) } else { Entry::Unread };
    if let Some(turn) = &turn
        && !started.turn
    {
        // The person's previous update is in hand: wait for it, then read the whitelist afresh.
        entry = Entry::Unread;
        match wait_for_person(ctx, turn.lease, &holder).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(update_id = id, "the person's previous update is still in hand elsewhere");
                release(ctx, id).await;
                return Outcome::Busy;
            }
            Err(e) => {
                release(ctx, id).await;
                return Outcome::Failed(anyhow::Error::new(e).context("cannot take the person's lease"));
            }
        }
    }
    deps.insert(entry);
    let renewing = AbortOnDrop(tokio::spawn({
        let (store, instance, person, holder) =
            (ctx.store.clone(), instance.to_owned(), person.clone(), holder.clone());
        async move {
            let mut every = tokio::time::interval(RENEW_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                let now = Utc::now();
                let until = now + chrono::Duration::seconds(CLAIM_SECS);
                // The update's claim is the instance's; the person's lease is this handling's.
                if let Err(e) = store.renew_update(id, &instance, until).await {
                    tracing::warn!(error = %e, "cannot renew an update's claim");
                }
                if let Some(lease) = &person
                    && let Err(e) = session::take_person(store.as_ref(), lease, &holder, now, until).await
                {
                    tracing::warn!(error = %e, "cannot renew a person's lease");
                }
            }
        }
    }));
    let result = match routes.dispatch(deps).await {
        ControlFlow::Break(result) => result,
        ControlFlow::Continue(_) => Ok(()),
    };
    drop(renewing);
    let outcome = match result {
        Err(e) if database_failed(&e) => {
            release(ctx, id).await;
            Outcome::Failed(e)
        }
        other => {
            if let Err(e) = other {
                tracing::warn!(update_id = id, error = %e, "an update handler failed; counted as handled");
            }
            // Marked handled and the person's turn given up in one step.
            match session::end_update(ctx.store.as_ref(), id, instance, turn.as_ref(), Utc::now()).await {
                Ok(()) => return Outcome::Handled,
                Err(e) => tracing::warn!(error = %e, "cannot mark the update handled"),
            }
            Outcome::Handled
        }
    };
    if let Some(lease) = &person
        && let Err(e) = session::free_person(ctx.store.as_ref(), lease, &holder).await
    {
        tracing::warn!(error = %e, "cannot free a person's lease; it runs out by itself");
    }
    outcome
}

/// Stops the renewals when the handling ends, however it ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Waits its turn behind the person's update in hand elsewhere; `false` after `PERSON_WAIT`.
async fn wait_for_person(ctx: &Ctx, lease: &str, holder: &str) -> Result<bool, StoreError> {
    let deadline = tokio::time::Instant::now() + PERSON_WAIT;
    let mut pause = Duration::from_millis(5);
    loop {
        let now = Utc::now();
        let until = now + chrono::Duration::seconds(CLAIM_SECS);
        if session::take_person(ctx.store.as_ref(), lease, holder, now, until).await? {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}

async fn release(ctx: &Ctx, id: i64) {
    if let Err(e) = session::release_update(ctx.store.as_ref(), id, &ctx.config.instance_id).await {
        tracing::warn!(error = %e, "cannot give an update's claim up; it runs out by itself");
    }
}

/// The person an update comes from.
fn sender(update: &Update) -> Option<TelegramId> {
    let from = match &update.kind {
        UpdateKind::Message(m) => m.from.as_ref()?,
        UpdateKind::CallbackQuery(q) => &q.from,
        _ => return None,
    };
    TelegramId::new(from.id.0 as i64).ok()
}

/// Whether the handler failed because the database did: its transaction was not committed, so
/// handling the update again is safe.
fn database_failed(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        matches!(cause.downcast_ref::<StoreError>(), Some(StoreError::Database(_)))
            || cause.downcast_ref::<sqlx::Error>().is_some()
    })
}
