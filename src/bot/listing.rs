//! «Выгрузить все записи» under a report whose entries did not go into its workbook: the press
//! checks the rights again and starts the listing in the background on this instance; a
//! progress line is edited in place at most every `LISTING_PROGRESS_MS` (2 s); the files are
//! sent as they are ready. `/cancel` ends it from any instance. If this instance stops, the
//! listing is lost (its lease runs out, and the person may press again).

use std::sync::Arc;

use chrono::NaiveDate;
use teloxide::prelude::*;
use teloxide::types::{InputFile, MessageId, ParseMode};

use super::gate::Caller;
use super::reply::{self, Answer};
use super::{Ctx, reports};
use crate::domain::ids::RegionCode;
use crate::domain::report::{MAX_PERIOD_DAYS, Period, ReportScope};
use crate::i18n::Args;
use crate::reports::listing::{self, Listing, Progress};
use crate::reports::xlsx::Part;

/// The press on «Выгрузить все записи» of `region` (every division: `None`) over the local
/// days `first..=last`.
pub async fn on_press(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    region: Option<RegionCode>,
    first: NaiveDate,
    last: NaiveDate,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let scope = region.map_or(ReportScope::All, ReportScope::Region);
    if !scope.allowed_for(&caller.user) {
        return Ok(Answer::alert(ctx.i18n.t(lang, "listing-not-allowed")));
    }
    if last < first || (last - first).num_days() + 1 > MAX_PERIOD_DAYS {
        return Ok(Answer::stale(ctx, lang));
    }
    let period = Period::days(first, last, caller.tz());
    let holder = format!("{}/{}", ctx.config.instance_id, uuid::Uuid::new_v4().simple());
    let Some(job) = Listing::start(ctx.store.as_ref(), &caller.user, holder, scope, period).await? else {
        return Ok(Answer::alert(ctx.i18n.t(lang, "listing-busy")));
    };
    let line = progress_text(ctx, caller, 0);
    let started = match reply::send(bot, caller.chat, line).await {
        Ok(message) => message,
        Err(e) => {
            job.finish(ctx.store.as_ref()).await?;
            return Err(e);
        }
    };
    let (bot, ctx, caller) = (bot.clone(), ctx.clone(), caller.clone());
    tokio::spawn(async move {
        let line = started.id;
        let outcome = run(&bot, &ctx, &caller, &job, line).await;
        if let Err(e) = job.finish(ctx.store.as_ref()).await {
            tracing::warn!(error = %e, "cannot free a listing's lease; it runs out by itself");
        }
        let lang = caller.user.lang;
        let text = match outcome {
            Ok(Outcome::Done { rows, files }) => ctx.i18n.get(
                lang,
                "listing-done",
                Args::new().num("count", rows as i64).num("files", i64::from(files)),
            ),
            Ok(Outcome::Empty) => ctx.i18n.t(lang, "listing-empty"),
            Ok(Outcome::Cancelled) => ctx.i18n.t(lang, "listing-cancelled"),
            Err(e) => {
                let reference = uuid::Uuid::new_v4().simple().to_string();
                tracing::error!(error = %format!("{e:#}"), reference = %&reference[..8], "a listing failed");
                ctx.i18n.t(lang, "listing-failed")
            }
        };
        if let Err(e) = reply::edit(&bot, caller.chat, line, text, None).await {
            tracing::warn!(error = %e, "cannot show how a listing ended");
        }
    });
    Ok(Answer::done())
}

enum Outcome {
    Done { rows: u64, files: u32 },
    Empty,
    Cancelled,
}

fn progress_text(ctx: &Ctx, caller: &Caller, percent: i64) -> String {
    ctx.i18n.get(caller.user.lang, "listing-progress", Args::new().num("percent", percent))
}

async fn run(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    job: &Listing,
    line: MessageId,
) -> anyhow::Result<Outcome> {
    let total = job.count(ctx.store.as_ref()).await?;
    if total == 0 {
        return Ok(Outcome::Empty);
    }
    let reader = reports::reader(ctx, caller);
    // On record before anything leaves, as every export is.
    job.record(ctx.store.as_ref(), &caller.user, &reader, total, ctx.clock.now()).await?;
    let progress = Arc::new(Progress::default());
    let limits = listing::telegram_limits(ctx.config.listing_file_rows);
    let (mut parts, building) = job.build(ctx.store.clone(), &reader, limits, progress.clone());
    let _stop = StopOnDrop(progress.clone());
    let (cancelled_tx, mut cancelled) = tokio::sync::watch::channel(false);
    let (ended_tx, ended) = tokio::sync::watch::channel(false);
    // Renews the lease (a cancelled listing finds it gone) and edits the progress line.
    let watching = tokio::spawn(watch(
        bot.clone(),
        ctx.clone(),
        caller.clone(),
        job.clone(),
        line,
        (progress.clone(), total),
        cancelled_tx,
        ended,
    ));
    let watching = AbortOnDrop(Some(watching));
    let scope_name = crate::reports::scope_name(ctx.store.as_ref(), &job.scope)
        .await?
        .unwrap_or_else(|| reader.t("report-scope-all"));
    let mut files = 0;
    loop {
        let part = tokio::select! {
            part = parts.recv() => part,
            _ = cancelled.wait_for(|c| *c) => None,
        };
        let Some(part) = part else { break };
        files = part.number;
        let sending = send_part(bot, ctx, caller, job, &scope_name, part);
        tokio::select! {
            sent = sending => sent?,
            _ = cancelled.wait_for(|c| *c) => break,
        }
    }
    // The watcher ends its edit in hand, so none lands after the line's last words.
    let _ = ended_tx.send(true);
    watching.finish().await;
    drop(parts);
    if *cancelled.borrow() {
        progress.stop();
        let _ = building.await;
        return Ok(Outcome::Cancelled);
    }
    let rows = building.await??;
    Ok(Outcome::Done { rows, files })
}

/// Every `config.listing_progress_every` until `ended`: renews the listing's lease — gone means
/// cancelled, and `cancelled` says so — and shows the percentage when it changed.
#[allow(clippy::too_many_arguments)]
async fn watch(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    job: Listing,
    line: MessageId,
    (progress, total): (Arc<Progress>, u64),
    cancelled: tokio::sync::watch::Sender<bool>,
    mut ended: tokio::sync::watch::Receiver<bool>,
) {
    let mut shown = 0;
    let mut every = tokio::time::interval(ctx.config.listing_progress_every);
    every.tick().await;
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = ended.wait_for(|e| *e) => return,
        }
        match job.still_wanted(ctx.store.as_ref()).await {
            Ok(true) => {}
            Ok(false) => {
                progress.stop();
                let _ = cancelled.send(true);
                return;
            }
            Err(e) => tracing::warn!(error = %e, "cannot renew a listing's lease"),
        }
        let percent = progress.percent(total);
        if percent != shown && !*ended.borrow() {
            shown = percent;
            let text = progress_text(&ctx, &caller, percent);
            if let Err(e) = reply::edit(&bot, caller.chat, line, text, None).await {
                tracing::warn!(error = %e, "cannot show a listing's progress");
            }
        }
    }
}

/// Stops the file's writer however the listing ends (a failed send included).
struct StopOnDrop(Arc<Progress>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.stop();
    }
}

async fn send_part(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    job: &Listing,
    scope_name: &str,
    part: Part,
) -> anyhow::Result<()> {
    let lang = caller.user.lang;
    let split = !(part.number == 1 && part.last);
    let word = ctx.i18n.t(lang, "listing-file-part");
    let name = listing::file_name(&job.scope, &job.period, split.then_some((word.as_str(), part.number)));
    let caption = ctx.i18n.get(
        lang,
        "listing-caption",
        Args::new()
            .text("period", job.period.label())
            .text("scope", scope_name)
            .num("part", if split { i64::from(part.number) } else { 0 })
            .num("count", i64::from(part.rows)),
    );
    if part.file.len() as u64 > listing::MAX_UPLOAD {
        tracing::warn!(bytes = part.file.len(), %name, "a listing's file is over Telegram's upload limit");
        let text = format!("{caption}\n\n{}", ctx.i18n.t(lang, "file-too-large"));
        reply::send(bot, caller.chat, text).await?;
        return Ok(());
    }
    let file = InputFile::memory(part.file).file_name(name);
    let request = bot.send_document(caller.chat, file).caption(caption).parse_mode(ParseMode::Html);
    reply::retrying(|| request.clone().send()).await?;
    Ok(())
}

/// Stops the watcher if the listing fails on the way; `finish` waits for it to end by itself.
struct AbortOnDrop(Option<tokio::task::JoinHandle<()>>);

impl AbortOnDrop {
    async fn finish(mut self) {
        if let Some(handle) = self.0.take() {
            let _ = handle.await;
        }
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        if let Some(handle) = &self.0 {
            handle.abort();
        }
    }
}

/// `/cancel`: ends the caller's listing wherever it runs; the line to add to the answer, if
/// one was running.
pub async fn cancel(ctx: &Ctx, caller: &Caller) -> anyhow::Result<Option<String>> {
    let cancelled = listing::cancel(ctx.store.as_ref(), caller.user.telegram_id).await?;
    Ok(cancelled.then(|| ctx.i18n.t(caller.user.lang, "listing-cancelled")))
}
