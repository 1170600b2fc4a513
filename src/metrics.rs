//! What the service reports to Prometheus (`GET /metrics`), in one place: every figure has a
//! named function here, so a call site is one line and the names are written once.
//!
//! The recorder is process-wide (the `metrics` facade has one, as `tracing` has one
//! subscriber): `install` puts it in place once, and several apps in one process (the tests)
//! share it. Counters and histograms are recorded where things happen; the gauges that read the
//! database (outbox, hand-offs past the SLA, the pool) are refreshed when `/metrics` is scraped.

use std::sync::OnceLock;
use std::time::Duration;

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::clock::Clock;
use crate::config::Config;
use crate::store::Store;

const UPDATES: &str = "prospect_diary_updates_total";
const UPDATE_SECONDS: &str = "prospect_diary_update_handling_seconds";
const SENDS: &str = "prospect_diary_telegram_sends_total";
const REMINDERS_SENT: &str = "prospect_diary_reminders_sent_total";
const REMINDERS_LATE: &str = "prospect_diary_reminders_late_total";
const REMINDER_LATENESS: &str = "prospect_diary_reminder_lateness_seconds";
const OUTBOX_DEPTH: &str = "prospect_diary_outbox_depth";
const OUTBOX_OLDEST: &str = "prospect_diary_outbox_oldest_age_seconds";
const HANDOFFS_PAST_SLA: &str = "prospect_diary_handoffs_past_sla";
const POOL_IN_USE: &str = "prospect_diary_db_pool_in_use";
const POOL_SIZE: &str = "prospect_diary_db_pool_size";
const SCRAPE_ERRORS: &str = "prospect_diary_metrics_refresh_errors_total";

/// A reminder sent more than this after it was due counts as late (the jobs look every
/// `JOBS_INTERVAL_SECS`, 15 s by default).
const LATE_AFTER: Duration = Duration::from_secs(60);

/// How long a scrape waits for the database before rendering the gauges it has.
const REFRESH_TIMEOUT: Duration = Duration::from_secs(3);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder (once per process) and returns its handle; `None` when
/// another recorder was installed first, and then nothing is exported.
pub fn install() -> Option<PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let built = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(UPDATE_SECONDS.to_owned()),
                    &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
                )
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full(REMINDER_LATENESS.to_owned()),
                        &[1.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 4.0 * 3600.0, 24.0 * 3600.0],
                    )
                })
                .and_then(PrometheusBuilder::install_recorder);
            match built {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are not exported: cannot install the recorder");
                    None
                }
            }
        })
        .clone()
}

/// What became of an update.
#[derive(Debug, Clone, Copy)]
pub enum UpdateOutcome {
    /// A handler took it and finished.
    Handled,
    /// A handler took it and failed.
    Failed,
    /// No handler took it: a repeat delivery, a stranger refused, a group the bot ignores.
    Skipped,
}

impl UpdateOutcome {
    fn label(self) -> &'static str {
        match self {
            Self::Handled => "handled",
            Self::Failed => "failed",
            Self::Skipped => "skipped",
        }
    }
}

/// One update handled: its kind (`message`, `callback_query`, …), outcome and handling time.
pub fn update_handled(kind: &'static str, outcome: UpdateOutcome, took: Duration) {
    counter!(UPDATES, "kind" => kind, "outcome" => outcome.label()).increment(1);
    histogram!(UPDATE_SECONDS, "kind" => kind).record(took.as_secs_f64());
}

/// How one attempt to send an outbox item to Telegram went.
#[derive(Debug, Clone, Copy)]
pub enum SendResult {
    Sent,
    /// A network error or a Telegram outage; tried again later.
    Retried,
    /// 429 Too Many Requests.
    TooManyRequests,
    /// 403 and the like: the person blocked the bot, the bot left the group.
    Forbidden,
    /// Telegram refused the message itself.
    Failed,
}

pub fn message_send(result: SendResult) {
    let label = match result {
        SendResult::Sent => "sent",
        SendResult::Retried => "retried",
        SendResult::TooManyRequests => "429",
        SendResult::Forbidden => "403",
        SendResult::Failed => "failed",
    };
    counter!(SENDS, "result" => label).increment(1);
}

/// A reminder went out `late` after it was due (zero or negative: on time).
pub fn reminder_sent(late: chrono::Duration) {
    let late = late.to_std().unwrap_or_default();
    counter!(REMINDERS_SENT).increment(1);
    histogram!(REMINDER_LATENESS).record(late.as_secs_f64());
    if late > LATE_AFTER {
        counter!(REMINDERS_LATE).increment(1);
    }
}

/// Reads the gauges that live in the database and renders every figure in Prometheus' text
/// format. A database that does not answer leaves those gauges as last read.
pub async fn render(
    handle: &PrometheusHandle,
    store: &dyn Store,
    clock: &dyn Clock,
    config: &Config,
) -> String {
    match tokio::time::timeout(REFRESH_TIMEOUT, refresh(store, clock, config)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            counter!(SCRAPE_ERRORS).increment(1);
            tracing::warn!(error = %e, "metrics: cannot read the outbox and hand-off figures");
        }
        Err(_) => {
            counter!(SCRAPE_ERRORS).increment(1);
            tracing::warn!("metrics: the database did not answer in time");
        }
    }
    handle.run_upkeep();
    handle.render()
}

async fn refresh(store: &dyn Store, clock: &dyn Clock, config: &Config) -> anyhow::Result<()> {
    let pool = store.pool_usage();
    gauge!(POOL_IN_USE).set(f64::from(pool.in_use));
    gauge!(POOL_SIZE).set(f64::from(pool.size));
    let now = clock.now();
    let outbox = store.outbox_backlog(now).await?;
    gauge!(OUTBOX_DEPTH).set(outbox.depth as f64);
    gauge!(OUTBOX_OLDEST).set(outbox.oldest_age_secs as f64);
    let sla = chrono::Duration::hours(config.handoff_sla_hours.into());
    gauge!(HANDOFFS_PAST_SLA).set(store.handoffs_waiting_since(now - sla).await? as f64);
    Ok(())
}
