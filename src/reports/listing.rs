//! The diary listing of a period as a file of its own, built in the background (SPEC §7, §11):
//! a whole bank's month is most of a report's time, so `/report` sends the figures at once and
//! the listing follows on request. One listing at a time per person across instances: it is a
//! lease (`listing:<telegram id>`) in the store, renewed while the listing runs on the instance
//! that started it; ending the lease from any instance cancels it. Nothing here knows Telegram.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::xlsx::{self, Part, PartLimits};
use super::{CHANNEL_ROWS, Reader};
use crate::domain::access::User;
use crate::domain::audit::AuditAction;
use crate::domain::ids::TelegramId;
use crate::domain::report::{Period, ReportScope};
use crate::store::{Store, StoreResult};

/// How long a listing's lease lasts unless renewed: an instance that died lets its person
/// start another after this long.
pub const LEASE_SECS: i64 = 30;

/// Telegram's limit on a file a bot sends.
pub const MAX_UPLOAD: u64 = 50 * 1024 * 1024;

/// How much text one file may hold before compression: the diary's text compresses at least
/// this many times in a workbook (the benchmark's month: 6.7 times — 150 MB of text made a
/// 23.3 MB file), so a file stays under Telegram's 50 MB. A file over it anyway is not sent;
/// the person is told why.
const TEXT_PER_FILE_BYTE: u64 = 3;

/// The limits a listing sent through Telegram keeps: Excel's rows (or fewer, `rows`), and
/// Telegram's 50 MB.
pub fn telegram_limits(rows: u32) -> PartLimits {
    PartLimits { rows: rows.clamp(1, xlsx::MAX_DATA_ROWS), text_bytes: MAX_UPLOAD * TEXT_PER_FILE_BYTE }
}

fn lease(person: TelegramId) -> String {
    format!("listing:{}", person.get())
}

/// A listing started by one person, held under their lease by `holder` (unique per listing).
#[derive(Debug, Clone)]
pub struct Listing {
    pub person: TelegramId,
    pub holder: String,
    pub scope: ReportScope,
    pub period: Period,
}

impl Listing {
    /// Starts `user`'s listing of `scope` over `period`, unless one of theirs runs already
    /// (on any instance): then `None`.
    pub async fn start(
        store: &dyn Store,
        user: &User,
        holder: String,
        scope: ReportScope,
        period: Period,
    ) -> StoreResult<Option<Listing>> {
        let now = Utc::now();
        let until = now + chrono::Duration::seconds(LEASE_SECS);
        let person = user.telegram_id;
        Ok(store.take_lease(&lease(person), &holder, now, until).await?.then_some(Listing {
            person,
            holder,
            scope,
            period,
        }))
    }

    /// Renews the lease; `false` when the listing was cancelled (its lease ended).
    pub async fn still_wanted(&self, store: &dyn Store) -> StoreResult<bool> {
        let until = Utc::now() + chrono::Duration::seconds(LEASE_SECS);
        store.renew_lease(&lease(self.person), &self.holder, until).await
    }

    /// Lets the person start another.
    pub async fn finish(&self, store: &dyn Store) -> StoreResult<()> {
        store.release_lease(&lease(self.person), &self.holder).await
    }

    /// How many entries the listing holds.
    pub async fn count(&self, store: &dyn Store) -> StoreResult<u64> {
        store.count_entries(self.scope.region_filter(), self.period.from, self.period.to).await
    }

    /// Puts the listing on record before any of it leaves, as an export is.
    pub async fn record(
        &self,
        store: &dyn Store,
        user: &User,
        reader: &Reader,
        entries: u64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        let details = format!(
            "diary entries {}: {entries}, contacts {}",
            self.period.slug(),
            reader.disclosure.described()
        );
        super::record(store, user, AuditAction::Exported, &self.scope, details, now).await
    }

    /// Builds the listing's files on a blocking thread while the store streams the entries;
    /// each file comes out of the returned receiver as soon as it is saved. `progress.written`
    /// counts the rows; setting `progress.stop` (or dropping the receiver) ends it early.
    pub fn build(
        &self,
        store: Arc<dyn Store>,
        reader: &Reader,
        limits: PartLimits,
        progress: Arc<Progress>,
    ) -> (mpsc::Receiver<Part>, tokio::task::JoinHandle<anyhow::Result<u64>>) {
        let (entries_tx, entries_rx) = mpsc::channel(CHANNEL_ROWS);
        // One file waits while the one before it is sent: memory holds two at most.
        let (parts_tx, parts_rx) = mpsc::channel(1);
        let region = self.scope.region_filter().map(str::to_owned);
        let (from, to) = (self.period.from, self.period.to);
        let reading =
            tokio::spawn(async move { store.stream_entries(region.as_deref(), from, to, entries_tx).await });
        let reader = reader.clone();
        let writing = tokio::task::spawn_blocking(move || {
            xlsx::entry_parts(&reader, entries_rx, limits, &progress.written, &progress.stop, |part| {
                parts_tx.blocking_send(part).is_ok()
            })
        });
        let done = tokio::spawn(async move {
            let (read, written) = tokio::join!(reading, writing);
            let rows = written??;
            read??;
            Ok(rows)
        });
        (parts_rx, done)
    }
}

/// How far a listing is, and the switch that stops it.
#[derive(Debug, Default)]
pub struct Progress {
    pub written: AtomicU64,
    pub stop: AtomicBool,
}

impl Progress {
    /// Whole percent of `total` written, 0 to 100.
    pub fn percent(&self, total: u64) -> i64 {
        let written = self.written.load(Ordering::Relaxed);
        (written.min(total) * 100).checked_div(total).map_or(100, |p| p as i64)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Cancels `person`'s listing, wherever it runs (its instance sees the lease gone at its next
/// renewal); `true` when one was running.
pub async fn cancel(store: &dyn Store, person: TelegramId) -> StoreResult<bool> {
    store.end_lease(&lease(person), Utc::now()).await
}

/// `entries_ALL_2026-10-01_2026-10-31.xlsx`, or with `_часть_2` (`part_word`) when split.
pub fn file_name(scope: &ReportScope, period: &Period, part: Option<(&str, u32)>) -> String {
    match part {
        None => super::file_name("entries", scope, &period.slug(), "xlsx"),
        Some((word, n)) => {
            super::file_name("entries", scope, &format!("{}_{word}_{n}", period.slug()), "xlsx")
        }
    }
}
