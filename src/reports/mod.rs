//! Report files for any channel (SPEC §7): the activity and data-quality reports as an `.xlsx`
//! workbook, a PNG chart and a short HTML summary, and the export of cards as a workbook.
//!
//! Figures come from the store's `GROUP BY` queries; listings are streamed from the store
//! through a bounded channel into a constant-memory worksheet on a blocking thread, so a month
//! over millions of entries is written with flat memory.

pub mod chart;
pub mod listing;
pub mod text;
pub mod xlsx;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::domain::access::Lang;
use crate::domain::privacy::Disclosure;
use crate::domain::report::{ActivityReport, Period, QualityReport, ReportScope};
use crate::i18n::I18n;
use crate::store::Store;

/// How many rows a listing channel holds: enough to keep both sides busy, little memory.
const CHANNEL_ROWS: usize = 4096;

/// Who reads the files: their language and zone, and whether contacts may be shown in full.
#[derive(Clone)]
pub struct Reader {
    pub lang: Lang,
    pub tz: Tz,
    /// How personal data reads in the file (SPEC §10): a file sent through Telegram follows
    /// the same rules as a message.
    pub disclosure: Disclosure,
    pub i18n: Arc<I18n>,
}

impl Reader {
    pub fn t(&self, id: &str) -> String {
        self.i18n.t(self.lang, id)
    }
}

/// The activity report's figures.
pub async fn activity(
    store: &dyn Store,
    scope: ReportScope,
    period: Period,
    now: DateTime<Utc>,
) -> anyhow::Result<ActivityReport> {
    let rows = store.activity(scope.region_filter(), period.from, period.to, now).await?;
    Ok(ActivityReport { scope, period, at: now, rows })
}

/// The data-quality report's figures.
pub async fn quality(
    store: &dyn Store,
    scope: ReportScope,
    now: DateTime<Utc>,
) -> anyhow::Result<QualityReport> {
    let buckets = store.quality(scope.region_filter(), now).await?;
    Ok(QualityReport::from_buckets(scope, now, &buckets))
}

/// The activity workbook: figures from `report`, the period's hand-offs streamed, and its diary
/// entries too when `with_entries` (else they are a listing of their own, `listing`).
pub async fn activity_workbook(
    store: Arc<dyn Store>,
    report: &ActivityReport,
    reader: &Reader,
    with_entries: bool,
) -> anyhow::Result<Vec<u8>> {
    let (entries_tx, entries_rx) = tokio::sync::mpsc::channel(CHANNEL_ROWS);
    let (handoffs_tx, handoffs_rx) = tokio::sync::mpsc::channel(CHANNEL_ROWS);
    let region = report.scope.region_filter().map(str::to_owned);
    let (from, to) = (report.period.from, report.period.to);
    // Entries first, then hand-offs: the writer reads them in that order.
    let reading = tokio::spawn(async move {
        if with_entries {
            store.stream_entries(region.as_deref(), from, to, entries_tx).await?;
        } else {
            drop(entries_tx);
        }
        store.stream_handoffs(region.as_deref(), from, to, handoffs_tx).await?;
        Ok::<_, crate::store::StoreError>(())
    });
    let (report, reader) = (report.clone(), reader.clone());
    let entries = with_entries.then_some(entries_rx);
    let writing = tokio::task::spawn_blocking(move || xlsx::activity(&report, &reader, entries, handoffs_rx));
    let (read, written) = tokio::join!(reading, writing);
    let bytes = written??;
    read??;
    Ok(bytes)
}

/// Whether `/report` lists the period's entries in its own workbook: up to `inline` of them
/// (a division's month); past that they are a listing of their own, built on request.
pub fn lists_entries(report: &ActivityReport, inline: u32) -> bool {
    report.totals().contacts_total() <= i64::from(inline)
}

/// The export of a division's (or every) cards.
pub async fn export_workbook(
    store: Arc<dyn Store>,
    scope: ReportScope,
    reader: &Reader,
) -> anyhow::Result<(Vec<u8>, u64)> {
    let (tx, rx) = tokio::sync::mpsc::channel(CHANNEL_ROWS);
    let region = scope.region_filter().map(str::to_owned);
    let reading = tokio::spawn(async move { store.stream_prospects(region.as_deref(), tx).await });
    let reader = reader.clone();
    let writing = tokio::task::spawn_blocking(move || xlsx::export(&reader, rx));
    let (read, written) = tokio::join!(reading, writing);
    let (bytes, rows) = written??;
    read??;
    Ok((bytes, rows))
}

/// `report_MSK_2026-11-23_2026-11-29.xlsx`.
pub fn file_name(kind: &str, scope: &ReportScope, tail: &str, extension: &str) -> String {
    format!("{kind}_{}_{tail}.{extension}", scope.key())
}

/// Puts a report or an export on record: `action` by `user` over `scope`.
pub async fn record(
    store: &dyn Store,
    user: &crate::domain::access::User,
    action: crate::domain::audit::AuditAction,
    scope: &ReportScope,
    details: String,
    now: DateTime<Utc>,
) -> crate::store::StoreResult<()> {
    let record = crate::domain::audit::AuditRecord::new(now, Some(user.telegram_id), action)
        .subject(format!("region:{}", scope.key()))
        .details(details);
    store.audit(&record).await
}

/// The name a file and a caption give a scope: the division's name, or `all` for the bank.
pub async fn scope_name(store: &dyn Store, scope: &ReportScope) -> crate::store::StoreResult<Option<String>> {
    Ok(match scope {
        ReportScope::All => None,
        ReportScope::Region(code) => {
            Some(store.region(code).await?.map_or_else(|| code.to_string(), |r| r.name.as_str().to_owned()))
        }
    })
}

/// Head office's `/audit`: a card named by its number or INN, in any division.
pub async fn card_for_audit(
    store: &dyn Store,
    text: &str,
) -> crate::store::StoreResult<Option<crate::domain::prospect::Prospect>> {
    use crate::domain::prospect::ProspectId;
    let text = text.trim();
    let digits = text.chars().all(|c| c.is_ascii_digit());
    if digits
        && (text.len() == 10 || text.len() == 12)
        && let Ok(inn) = crate::domain::requisites::Inn::parse(text)
    {
        return store.prospect_by_inn_anywhere(&inn).await;
    }
    match text.parse::<i64>() {
        Ok(id) if id > 0 && digits => store.prospect(ProspectId(id), None).await,
        _ => Ok(None),
    }
}

/// One page of a card's audit trail, newest first, and how many lines it has; the reading is
/// itself put on record when `record` (the first page of an `/audit`).
pub async fn audit_trail(
    store: &dyn Store,
    user: &crate::domain::access::User,
    card: &crate::domain::prospect::Prospect,
    offset: i64,
    limit: i64,
    now: Option<DateTime<Utc>>,
) -> crate::store::StoreResult<(Vec<crate::store::AuditLine>, i64)> {
    let subject = format!("prospect:{}", card.id);
    let page = store.audit_page(&subject, offset, limit).await?;
    if let Some(now) = now {
        let record = crate::domain::audit::AuditRecord::new(
            now,
            Some(user.telegram_id),
            crate::domain::audit::AuditAction::AuditViewed,
        )
        .subject(subject);
        store.audit(&record).await?;
    }
    Ok(page)
}
