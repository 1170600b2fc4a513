//! Counting the SQL statements and transactions an update costs, for the benchmark and tests:
//! a `tracing` layer that counts sqlx's statement events (target `sqlx::query`) and the store's
//! transaction events ([`TX_TARGET`]) inside the span every update is handled in
//! ([`UPDATE_SPAN`]), and the updates whose handling has ended.
//!
//! Off, it enables nothing, so sqlx does not even format its log line; switched on
//! ([`Counter::set_on`]) around a measured stretch of one person's updates, its figures divided
//! by the updates handled are the cost of one. Statements outside any update (background jobs,
//! the lease renewals) are counted apart.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span;
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::LookupSpan;

/// The span each update is handled in (`bot::once`).
pub const UPDATE_SPAN: &str = "update";
/// The target of the event the store emits when it opens a transaction.
pub const TX_TARGET: &str = "prospect_diary::store::tx";
const SQLX_TARGET: &str = "sqlx::query";

/// What was counted since the last [`Counter::take`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Updates whose handling ended.
    pub updates: u64,
    /// Statements run while an update was handled (transaction control not included).
    pub statements: u64,
    /// Transactions opened while an update was handled.
    pub transactions: u64,
    /// Statements run outside any update (jobs, renewals).
    pub outside: u64,
}

#[derive(Default)]
struct Inner {
    on: AtomicBool,
    /// The first words of each statement run in an update, counted, when asked for.
    detail: AtomicBool,
    seen: std::sync::Mutex<std::collections::BTreeMap<String, u64>>,
    updates: AtomicU64,
    statements: AtomicU64,
    transactions: AtomicU64,
    outside: AtomicU64,
}

/// The counting layer; clones share their figures.
#[derive(Clone, Default)]
pub struct Counter(Arc<Inner>);

impl Counter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts or stops counting.
    pub fn set_on(&self, on: bool) {
        self.0.on.store(on, Ordering::SeqCst);
    }

    /// The figures so far, and zero for the next stretch.
    pub fn take(&self) -> Counts {
        Counts {
            updates: self.0.updates.swap(0, Ordering::SeqCst),
            statements: self.0.statements.swap(0, Ordering::SeqCst),
            transactions: self.0.transactions.swap(0, Ordering::SeqCst),
            outside: self.0.outside.swap(0, Ordering::SeqCst),
        }
    }

    /// Also keeps the first words of each statement run in an update ([`Counter::take_detail`]).
    pub fn set_detail(&self, on: bool) {
        self.0.detail.store(on, Ordering::SeqCst);
    }

    /// The first words of the statements run in updates since the last call, and how often.
    pub fn take_detail(&self) -> Vec<(String, u64)> {
        let mut seen = self.0.seen.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *seen).into_iter().collect()
    }

    /// Updates whose handling ended since the last `take`.
    pub fn updates(&self) -> u64 {
        self.0.updates.load(Ordering::SeqCst)
    }
}

fn watched(meta: &Metadata<'_>) -> bool {
    meta.target() == SQLX_TARGET || meta.target() == TX_TARGET || meta.name() == UPDATE_SPAN
}

/// Reads the statement's summary (its first words) from sqlx's event.
#[derive(Default)]
struct Summary(String);

impl Visit for Summary {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_owned();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}");
        }
    }
}

impl<S> Layer<S> for Counter
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if watched(meta) { Interest::sometimes() } else { Interest::never() }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        watched(meta) && self.0.on.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let in_update =
            ctx.event_scope(event).is_some_and(|mut scope| scope.any(|s| s.name() == UPDATE_SPAN));
        if event.metadata().target() == TX_TARGET {
            if in_update {
                self.0.transactions.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let mut summary = Summary::default();
        event.record(&mut summary);
        let word =
            summary.0.trim_start_matches('"').split_whitespace().next().unwrap_or_default().to_uppercase();
        if matches!(word.as_str(), "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE") {
            return;
        }
        let counter = if in_update { &self.0.statements } else { &self.0.outside };
        counter.fetch_add(1, Ordering::Relaxed);
        if in_update && self.0.detail.load(Ordering::Relaxed) {
            let mut seen = self.0.seen.lock().unwrap_or_else(|e| e.into_inner());
            *seen.entry(summary.0.trim_matches('"').to_owned()).or_default() += 1;
        }
    }

    fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
        if ctx.span(&id).is_some_and(|s| s.name() == UPDATE_SPAN) {
            self.0.updates.fetch_add(1, Ordering::SeqCst);
        }
    }
}
