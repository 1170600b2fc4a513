//! `/report`, `/quality`, `/audit` and `/export` in Telegram: each checks the caller's rights
//! again (buttons are forgeable), asks `crate::reports` for the figures and files, and sends
//! them. Nothing here computes a number.

use chrono::NaiveDate;
use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode, WebAppInfo,
};

use super::buttons::{Press, buttons};
use super::gate::Caller;
use super::reply::Answer;
use super::{Ctx, HandlerResult, render, reply};
use crate::domain::audit::AuditAction;
use crate::domain::directory;
use crate::domain::ids::RegionCode;
use crate::domain::prospect::Prospect;
use crate::domain::report::{Period, PeriodError, ReportScope};
use crate::i18n::{Args, escape_html, local_datetime};
use crate::reports::{self, Reader, text};

buttons! {
    /// The audit trail's pages and the export's choice of division.
    pub enum ReportButton {
        AuditPage(prospect: i64, page: u32) = "a",
        /// Export one division, or every one (`None`).
        Export(region: Option<RegionCode>) = "x",
        /// «Выгрузить все записи»: the diary listing of a division (every one: `None`) over
        /// the local days `first..=last`.
        Entries(region: Option<RegionCode>, first: NaiveDate, last: NaiveDate) = "e",
    }
}

/// Lines of the audit trail on one page.
const AUDIT_PAGE: i64 = 10;

pub(super) fn reader(ctx: &Ctx, caller: &Caller) -> Reader {
    Reader {
        lang: caller.user.lang,
        tz: caller.tz(),
        disclosure: ctx.config.disclosure(),
        i18n: ctx.i18n.clone(),
    }
}

async fn refuse(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    reply::send(bot, caller.chat, ctx.i18n.t(caller.user.lang, "not-allowed")).await?;
    Ok(())
}

/// The largest file a bot may send through Telegram's Bot API.
const MAX_UPLOAD: usize = 50 * 1024 * 1024;

/// Sends a file; a caption is HTML and at most 1024 characters. A file Telegram would refuse
/// (over 50 MB) is not sent: the caption goes out with `too_large`, which says what to do.
pub async fn send_file(
    bot: &Bot,
    chat: ChatId,
    bytes: Vec<u8>,
    name: String,
    caption: String,
    photo: bool,
    too_large: String,
) -> Result<Message, teloxide::RequestError> {
    if bytes.len() > MAX_UPLOAD {
        tracing::warn!(bytes = bytes.len(), %name, "a file is over Telegram's upload limit");
        return bot.send_message(chat, format!("{caption}\n\n{too_large}")).parse_mode(ParseMode::Html).await;
    }
    let file = InputFile::memory(bytes).file_name(name);
    let caption: String = caption.chars().take(1024).collect();
    if photo {
        bot.send_photo(chat, file).caption(caption).parse_mode(ParseMode::Html).await
    } else {
        bot.send_document(chat, file).caption(caption).parse_mode(ParseMode::Html).await
    }
}

fn too_large(ctx: &Ctx, caller: &Caller) -> String {
    ctx.i18n.t(caller.user.lang, "file-too-large")
}

fn explain_period(ctx: &Ctx, caller: &Caller, err: PeriodError) -> String {
    let id = match err {
        PeriodError::Unreadable => "report-err-unreadable",
        PeriodError::Reversed => "report-err-reversed",
        PeriodError::TooLong => "report-err-too-long",
    };
    ctx.i18n.t(caller.user.lang, id)
}

/// `/report [period]`: the summary, the workbook and the chart.
pub async fn report(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    let Some(scope) = ReportScope::of(&caller.user) else { return refuse(bot, ctx, caller).await };
    let now = ctx.clock.now();
    let period = match Period::parse(args, now, caller.tz()) {
        Ok(period) => period,
        Err(err) => {
            reply::send(bot, caller.chat, explain_period(ctx, caller, err)).await?;
            return Ok(());
        }
    };
    let reader = reader(ctx, caller);
    let report = reports::activity(ctx.store.as_ref(), scope.clone(), period, now).await?;
    reply::send(bot, caller.chat, text::activity(&reader, &report)).await?;
    // A bank's month of entries would take most of a minute: they follow on request.
    let with_entries = reports::lists_entries(&report, ctx.config.report_inline_entries);
    let workbook = reports::activity_workbook(ctx.store.clone(), &report, &reader, with_entries).await?;
    let caption = text::activity_caption(&reader, &report);
    let name = reports::file_name("report", &scope, &report.period.slug(), "xlsx");
    send_file(bot, caller.chat, workbook, name, caption.clone(), false, too_large(ctx, caller)).await?;
    let chart = text::activity_chart(&reader, &report)?;
    let name = reports::file_name("report", &scope, &report.period.slug(), "png");
    send_file(bot, caller.chat, chart, name, caption, true, too_large(ctx, caller)).await?;
    if !with_entries {
        let lang = caller.user.lang;
        let region = scope.region_filter().and_then(|code| RegionCode::parse(code).ok());
        let button = ReportButton::Entries(region, report.period.first, report.period.last)
            .button(ctx.i18n.t(lang, "listing-button"));
        let offer =
            ctx.i18n.get(lang, "listing-offer", Args::new().num("count", report.totals().contacts_total()));
        reply::send_with(bot, caller.chat, offer, InlineKeyboardMarkup::new([[button]])).await?;
    }
    let details = format!("activity {}", report.period.slug());
    reports::record(ctx.store.as_ref(), &caller.user, AuditAction::ReportBuilt, &scope, details, now).await?;
    Ok(())
}

/// `/quality`: the summary and the ranking chart.
pub async fn quality(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    let Some(scope) = ReportScope::of(&caller.user) else { return refuse(bot, ctx, caller).await };
    let now = ctx.clock.now();
    let reader = reader(ctx, caller);
    let report = reports::quality(ctx.store.as_ref(), scope.clone(), now).await?;
    let region_name = caller.region.as_ref().map(|r| r.name.as_str());
    let summary = text::quality(&reader, &report, region_name);
    reply::send(bot, caller.chat, summary).await?;
    let chart = text::quality_chart(&reader, &report, region_name)?;
    let date = now.with_timezone(&caller.tz()).format("%Y-%m-%d").to_string();
    let caption = ctx.i18n.get(
        caller.user.lang,
        "quality-chart-title",
        Args::new().markup("date", now.with_timezone(&caller.tz()).format("%d.%m.%Y").to_string()),
    );
    let name = reports::file_name("quality", &scope, &date, "png");
    send_file(bot, caller.chat, chart, name, caption, true, too_large(ctx, caller)).await?;
    let details = "quality".to_owned();
    reports::record(ctx.store.as_ref(), &caller.user, AuditAction::ReportBuilt, &scope, details, now).await?;
    Ok(())
}

/// `/audit <card number or INN>` (head office only).
pub async fn audit(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    if ReportScope::of(&caller.user) != Some(ReportScope::All) {
        return refuse(bot, ctx, caller).await;
    }
    let lang = caller.user.lang;
    if args.trim().is_empty() {
        reply::send(bot, caller.chat, ctx.i18n.t(lang, "audit-usage")).await?;
        return Ok(());
    }
    let Some(card) = reports::card_for_audit(ctx.store.as_ref(), args).await? else {
        let text = format!("{}\n{}", ctx.i18n.t(lang, "err-not-found"), ctx.i18n.t(lang, "audit-usage"));
        reply::send(bot, caller.chat, text).await?;
        return Ok(());
    };
    let (text, markup) = audit_page(ctx, caller, &card, 0, true).await?;
    reply::send_with(bot, caller.chat, text, markup).await?;
    Ok(())
}

fn action_text(ctx: &Ctx, caller: &Caller, action: &str) -> String {
    const KNOWN: &[&str] = &[
        "prospect_created",
        "card_viewed",
        "contacts_viewed",
        "card_edited",
        "card_reassigned",
        "entry_logged",
        "contact_scheduled",
        "exported",
        "audit_viewed",
        "handed_off",
        "handoff_taken",
        "handoff_declined",
        "handoff_closed",
    ];
    if KNOWN.contains(&action) {
        ctx.i18n.t(caller.user.lang, &format!("audit-action-{action}"))
    } else {
        escape_html(action)
    }
}

/// An audit line's details as a chat may show them (SPEC §10): an edit of a personal field
/// names the field only (its old value may be a name no longer on the card); anything else is
/// redacted as free text.
fn audit_details(ctx: &Ctx, card: &Prospect, details: &str) -> String {
    let pd = render::disclosure(ctx);
    if pd.shows_contacts() {
        return details.to_owned();
    }
    let personal = ["Name:", "ContactPerson:", "Phone:", "Email:"];
    match personal.iter().find(|field| details.starts_with(**field)) {
        Some(field) => field.trim_end_matches(':').to_owned(),
        None => pd.free_text(details, &render::people_of(card)),
    }
}

async fn audit_page(
    ctx: &Ctx,
    caller: &Caller,
    card: &Prospect,
    page: u32,
    first: bool,
) -> anyhow::Result<(String, InlineKeyboardMarkup)> {
    let lang = caller.user.lang;
    let offset = i64::from(page) * AUDIT_PAGE;
    let viewed = first.then(|| ctx.clock.now());
    let (lines, total) =
        reports::audit_trail(ctx.store.as_ref(), &caller.user, card, offset, AUDIT_PAGE, viewed).await?;
    let pages = ((total + AUDIT_PAGE - 1) / AUDIT_PAGE).max(1);
    let mut parts = vec![
        ctx.i18n.get(
            lang,
            "audit-title",
            Args::new()
                .text("name", render::company(ctx, card))
                .text("id", card.id.to_string())
                .num("total", total),
        ),
    ];
    if lines.is_empty() {
        parts.push(ctx.i18n.t(lang, "audit-empty"));
    }
    for line in &lines {
        let who = line.actor_name.clone().unwrap_or_else(|| ctx.i18n.t(lang, "audit-someone"));
        let mut what = action_text(ctx, caller, &line.record.action);
        if let Some(details) = &line.record.details {
            let short: String = audit_details(ctx, card, details).chars().take(80).collect();
            what.push_str(&format!(" ({})", escape_html(&short)));
        }
        parts.push(
            ctx.i18n.get(
                lang,
                "audit-line",
                Args::new()
                    .text("when", local_datetime(line.record.at, caller.tz()))
                    .text("who", who)
                    .markup("what", what),
            ),
        );
    }
    parts.push(ctx.i18n.get(
        lang,
        "audit-page",
        Args::new().num("page", i64::from(page) + 1).num("pages", pages),
    ));
    let mut row: Vec<InlineKeyboardButton> = vec![];
    if page > 0 {
        row.push(ReportButton::AuditPage(card.id.0, page - 1).button(ctx.i18n.t(lang, "audit-prev")));
    }
    if i64::from(page) + 1 < pages {
        row.push(ReportButton::AuditPage(card.id.0, page + 1).button(ctx.i18n.t(lang, "audit-next")));
    }
    Ok((parts.join("\n"), InlineKeyboardMarkup::new([row])))
}

/// `/export`: a manager gets their division at once; head office chooses one, or all.
pub async fn export(bot: &Bot, ctx: &Ctx, caller: &Caller) -> HandlerResult {
    match ReportScope::of(&caller.user) {
        None => refuse(bot, ctx, caller).await,
        Some(scope @ ReportScope::Region(_)) => send_export(bot, ctx, caller, scope).await,
        Some(ReportScope::All) => {
            let lang = caller.user.lang;
            let mut buttons: Vec<InlineKeyboardButton> = directory::regions(ctx.store.as_ref())
                .await?
                .into_iter()
                .map(|r| ReportButton::Export(Some(r.code.clone())).button(r.name.as_str()))
                .collect();
            buttons.push(ReportButton::Export(None).button(ctx.i18n.t(lang, "export-all")));
            let markup = super::ui::grid(buttons, 2);
            reply::send_with(bot, caller.chat, ctx.i18n.t(lang, "export-choose"), markup).await?;
            Ok(())
        }
    }
}

async fn send_export(bot: &Bot, ctx: &Ctx, caller: &Caller, scope: ReportScope) -> HandlerResult {
    let now = ctx.clock.now();
    let reader = reader(ctx, caller);
    let (bytes, count) = reports::export_workbook(ctx.store.clone(), scope.clone(), &reader).await?;
    let scope_name = reports::scope_name(ctx.store.as_ref(), &scope)
        .await?
        .unwrap_or_else(|| ctx.i18n.t(caller.user.lang, "report-scope-all"));
    // Audited before it leaves: an export that was sent is always on record.
    let details = format!("{count} cards, contacts {}", reader.disclosure.described());
    reports::record(ctx.store.as_ref(), &caller.user, AuditAction::Exported, &scope, details, now).await?;
    let caption = ctx.i18n.get(
        caller.user.lang,
        "export-caption",
        Args::new().text("scope", scope_name).num("count", count as i64),
    );
    let date = now.with_timezone(&caller.tz()).format("%Y-%m-%d").to_string();
    let name = reports::file_name("prospects", &scope, &date, "xlsx");
    send_file(bot, caller.chat, bytes, name, caption, false, too_large(ctx, caller)).await?;
    // The contacts themselves go from the bank's own page, never through Telegram (SPEC §10).
    if let Some(url) = ctx.config.export_page(scope.key()) {
        let lang = caller.user.lang;
        let button =
            InlineKeyboardButton::web_app(ctx.i18n.t(lang, "export-full-button"), WebAppInfo { url });
        let markup = InlineKeyboardMarkup::new([[button]]);
        reply::send_with(bot, caller.chat, ctx.i18n.t(lang, "export-full-hint"), markup).await?;
    }
    Ok(())
}

/// Buttons of the audit trail and the export choice; rights are checked again here.
pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: ReportButton,
) -> anyhow::Result<Answer> {
    let (bot, ctx, caller) = (&bot, &ctx, &caller);
    let lang = caller.user.lang;
    match button {
        ReportButton::AuditPage(id, page) => {
            if ReportScope::of(&caller.user) != Some(ReportScope::All) {
                return Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed")));
            }
            let Some(card) = reports::card_for_audit(ctx.store.as_ref(), &id.to_string()).await? else {
                return Ok(Answer::stale(ctx, lang));
            };
            let (text, markup) = audit_page(ctx, caller, &card, page, false).await?;
            reply::show(bot, caller.chat, message, text, markup).await?;
            Ok(Answer::done())
        }
        ReportButton::Export(region) => {
            let scope = match region {
                Some(code) => ReportScope::Region(code),
                None => ReportScope::All,
            };
            if !scope.allowed_for(&caller.user) {
                return Ok(Answer::alert(ctx.i18n.t(lang, "export-not-allowed")));
            }
            reply::close(bot, caller.chat, message, ctx.i18n.t(lang, "export-choose")).await?;
            send_export(bot, ctx, caller, scope).await?;
            Ok(Answer::done())
        }
        ReportButton::Entries(region, first, last) => {
            super::listing::on_press(bot, ctx, caller, region, first, last).await
        }
    }
}
