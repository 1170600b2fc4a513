//! The Monday report (SPEC §7): from 09:00 local on Monday (on the first working day of the
//! week when Monday is a holiday), last week's activity report goes to
//! each division's managers (their division) and, once, to head office (every division, on
//! Moscow time). Claimed per scope and ISO week, so several instances queue it once.
//!
//! The summary is queued as text, with the report it sums up named beside it; the workbook and
//! the chart are queued as `report` items that name the report, and are built when they are
//! sent. Each is sent once. A report passed on to the colleague covering a leave is told in
//! the language of that colleague, who reads it, as every covered message is.

use chrono::{Datelike, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use teloxide::prelude::*;

use crate::ctx::Ctx;
use crate::domain::access::{Lang, Role, User, manages};
use crate::domain::report::{ActivityReport, Period, ReportScope};
use crate::domain::worktime::Calendar;
use crate::reports::{self, Reader, text};
use crate::store::{NewOutgoing, Outgoing};

/// The outbox kind of a report file built at send time.
pub const KIND: &str = "report";
/// The outbox kind of the report's text summary.
pub const SUMMARY_KIND: &str = "report_summary";

/// Whether an outbox item is a part of the Monday report.
pub fn is_report(kind: &str) -> bool {
    kind == KIND || kind == SUMMARY_KIND
}

/// What a `report` item sends: which report, for whom, which file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReportSpec {
    pub scope: ReportScope,
    pub period: Period,
    pub lang: Lang,
    pub tz: String,
    /// `workbook` or `chart`.
    pub part: String,
}

impl ReportSpec {
    /// The time zone the report was queued in.
    fn zone(&self) -> anyhow::Result<Tz> {
        self.tz.parse().map_err(|_| anyhow::anyhow!("a stored report names zone {}", self.tz))
    }
}

/// What a `report_summary` item holds: the summary as its addressee reads it, and the report
/// it sums up (part `summary`), to tell it again in the language of a colleague covering.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummarySpec {
    pub text: String,
    pub report: ReportSpec,
}

/// The summary of `report` as `reader` reads it.
fn summary(reader: &Reader, report: &ActivityReport) -> String {
    format!("{}\n{}", reader.t("report-weekly"), text::activity(reader, report))
}

fn reader(ctx: &Ctx, lang: Lang, tz: Tz) -> Reader {
    Reader { lang, tz, disclosure: ctx.config.disclosure(), i18n: ctx.i18n.clone() }
}

/// From 09:00 on the week's first working day of the bank's calendar: Monday, or the day after
/// the holidays when Monday is one.
fn due(now: chrono::DateTime<Utc>, tz: Tz, calendar: &Calendar) -> bool {
    let local = now.with_timezone(&tz);
    let today = local.date_naive();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_working = monday.iter_days().take(7).find(|d| calendar.is_working_day(*d));
    first_working == Some(today) && local.time() >= NaiveTime::from_hms_opt(9, 0, 0).expect("a time")
}

/// Queues the Monday reports that came due and were not queued yet.
pub async fn queue(ctx: &Ctx) -> anyhow::Result<()> {
    let now = ctx.clock.now();
    let users = ctx.store.users().await?;
    let calendar = ctx.store.calendar().await?;
    let mut scopes: Vec<(ReportScope, Tz, Vec<&User>)> = vec![];
    for region in ctx.store.regions().await? {
        let managers = users.iter().filter(|u| manages(u, &region.code)).collect();
        scopes.push((ReportScope::Region(region.code.clone()), region.tz.tz(), managers));
    }
    let head_office = users.iter().filter(|u| u.active && u.role == Role::HeadOffice).collect();
    scopes.push((ReportScope::All, chrono_tz::Europe::Moscow, head_office));
    for (scope, tz, people) in scopes {
        if !due(now, tz, &calendar) {
            continue;
        }
        let period = Period::previous_week(now, tz);
        let week = period.iso_week();
        if !ctx.store.claim_report_week(scope.key(), &week, now).await? {
            continue;
        }
        if people.is_empty() {
            continue;
        }
        let report = reports::activity(ctx.store.as_ref(), scope.clone(), period.clone(), now).await?;
        let mut items = vec![];
        for person in people {
            let reader = reader(ctx, person.lang, tz);
            let chat = person.telegram_id.get();
            let key = format!("weekly:{}:{week}:{chat}", scope.key());
            let spec = |part: &str| ReportSpec {
                scope: scope.clone(),
                period: period.clone(),
                lang: person.lang,
                tz: tz.name().to_owned(),
                part: part.to_owned(),
            };
            let summary = SummarySpec { text: summary(&reader, &report), report: spec("summary") };
            items.push(NewOutgoing {
                kind: SUMMARY_KIND,
                chat_id: chat,
                ref_id: None,
                text: Some(serde_json::to_string(&summary)?),
                markup: None,
                dedupe_key: format!("{key}:summary"),
                audience: scope.audience(),
                notice: None,
            });
            for part in ["workbook", "chart"] {
                items.push(NewOutgoing {
                    kind: KIND,
                    chat_id: chat,
                    ref_id: None,
                    text: Some(serde_json::to_string(&spec(part))?),
                    markup: None,
                    dedupe_key: format!("{key}:{part}"),
                    audience: scope.audience(),
                    notice: None,
                });
            }
        }
        ctx.store.enqueue(&items, now).await?;
    }
    Ok(())
}

/// The text of a summary item in `lang` (`None`: its addressee's): as queued when it is in that
/// language, else told again from the report it names. An item queued as bare text, before
/// the report was named beside it, goes as it is.
pub async fn summary_text(ctx: &Ctx, item: &Outgoing, lang: Option<Lang>) -> anyhow::Result<Option<String>> {
    let Some(queued) = item.text.as_deref() else { return Ok(None) };
    let Ok(spec) = serde_json::from_str::<SummarySpec>(queued) else { return Ok(Some(queued.to_owned())) };
    let lang = lang.unwrap_or(spec.report.lang);
    if lang == spec.report.lang {
        return Ok(Some(spec.text));
    }
    let report = spec.report;
    let tz = report.zone()?;
    let activity =
        reports::activity(ctx.store.as_ref(), report.scope, report.period, ctx.clock.now()).await?;
    Ok(Some(summary(&reader(ctx, lang, tz), &activity)))
}

/// Builds and sends one report file; the outer error is ours, the inner one Telegram's.
pub async fn send(
    bot: &Bot,
    ctx: &Ctx,
    item: &Outgoing,
) -> anyhow::Result<Result<(), teloxide::RequestError>> {
    let spec: ReportSpec = serde_json::from_str(item.text.as_deref().unwrap_or_default())?;
    let tz = spec.zone()?;
    // Passed on to a colleague covering a leave: in the colleague's language, the mark too.
    let lang = super::render::cover_lang(ctx, item).await?.unwrap_or(spec.lang);
    let reader = reader(ctx, lang, tz);
    let report =
        reports::activity(ctx.store.as_ref(), spec.scope.clone(), spec.period.clone(), ctx.clock.now())
            .await?;
    let mut caption = format!("{} · {}", reader.t("report-weekly"), text::activity_caption(&reader, &report));
    if let Some(mark) = super::render::for_whom(ctx, item, lang).await? {
        caption = format!("{mark}\n{caption}");
    }
    let chat = ChatId(item.chat_id);
    let slug = spec.period.slug();
    let sent = if spec.part == "chart" {
        let chart = text::activity_chart(&reader, &report)?;
        let name = reports::file_name("report", &spec.scope, &slug, "png");
        crate::bot::send_file(bot, chat, chart, name, caption, true, reader.t("file-too-large")).await
    } else {
        let workbook = reports::activity_workbook(ctx.store.clone(), &report, &reader, true).await?;
        let name = reports::file_name("report", &spec.scope, &slug, "xlsx");
        crate::bot::send_file(bot, chat, workbook, name, caption, false, reader.t("file-too-large")).await
    };
    Ok(sent.map(drop))
}
