//! How follow-ups read: a reminder's push, `/today` and the morning digest, in the reader's
//! language and division's zone; and the notices the jobs send about people and lead cards.
//! The jobs render with these; the bot's own `/today` too.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::Ctx;
use super::buttons::Press;
use super::cards::CardButton;
use super::diary::LogButton;
use super::reminders::ReminderButton;
use super::render::when;
use crate::domain::access::{Lang, User};
use crate::domain::followup::{Followup, minutes_late};
use crate::i18n::{Args, escape_html};

fn zone(f: &Followup) -> Tz {
    f.owner_tz.as_deref().and_then(|tz| tz.parse().ok()).unwrap_or(chrono_tz::Europe::Moscow)
}

/// "2 часа 15 минут" / "40 минут".
fn late_text(ctx: &Ctx, lang: Lang, minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    let hours = ctx.i18n.get(lang, "late-hours", Args::new().num("count", h));
    let mins = ctx.i18n.get(lang, "late-minutes", Args::new().num("count", m));
    match (h, m) {
        (0, _) => mins,
        (_, 0) => hours,
        _ => format!("{hours} {mins}"),
    }
}

/// A follow-up's company as a chat may show it: a sole proprietor's name is a person's.
fn company(ctx: &Ctx, f: &Followup) -> String {
    ctx.config.disclosure().company(&f.prospect_name, &f.prospect_inn)
}

/// What was agreed, as a chat may show it: phones, e-mails and the people's names redacted.
fn agreed(ctx: &Ctx, f: &Followup) -> String {
    let names =
        crate::domain::privacy::people(f.contact_person.as_deref(), &f.prospect_name, &f.prospect_inn);
    ctx.config.disclosure().free_text(&f.agreed, &names)
}

/// The push for a follow-up: company, contact and phone, what was agreed, how late. `cover` is
/// the manager it goes to when its owner can no longer get it (SPEC §2), marked whose it was.
pub fn reminder(
    ctx: &Ctx,
    f: &Followup,
    cover: Option<&User>,
    away: bool,
    now: DateTime<Utc>,
) -> (String, InlineKeyboardMarkup) {
    let lang = cover.map_or(f.owner_lang, |m| m.lang);
    let pd = ctx.config.disclosure();
    let mut lines = vec![];
    // The colleague covering the owner's leave, or a manager covering an owner who left.
    if away {
        let owner = crate::domain::portfolio::on_behalf_of(&f.owner_name, lang);
        lines.push(ctx.i18n.get(lang, "reminder-away", Args::new().text("owner", owner)));
    } else if cover.is_some() {
        lines.push(ctx.i18n.get(lang, "reminder-cover", Args::new().text("owner", &f.owner_name)));
    }
    lines.push(ctx.i18n.get(
        lang,
        "reminder-title",
        Args::new().text("name", company(ctx, f)).text("id", f.prospect.to_string()),
    ));
    let person = f.contact_person.as_deref().and_then(|p| pd.person(p));
    let phone = f.phone.as_deref().and_then(|p| pd.phone_text(p));
    let contact: Vec<String> = [person, phone].into_iter().flatten().collect();
    if pd.contact_in_app(&[f.contact_person.is_some(), f.phone.is_some()]) {
        lines.push(ctx.i18n.t(lang, "contact-in-app"));
    } else if !contact.is_empty() {
        lines.push(ctx.i18n.get(lang, "reminder-contact", Args::new().text("contact", contact.join(", "))));
    }
    if !f.agreed.is_empty() {
        lines.push(ctx.i18n.get(lang, "reminder-agreed", Args::new().text("agreed", agreed(ctx, f))));
    }
    lines.push(ctx.i18n.get(lang, "reminder-due", Args::new().text("when", when(f.due_at, zone(f)))));
    let late = minutes_late(f.due_at, now);
    if late >= 5 {
        lines.push(ctx.i18n.get(lang, "reminder-late", Args::new().text("late", late_text(ctx, lang, late))));
    }
    let pid = f.prospect.0;
    let mut rows = vec![vec![
        LogButton::Start(pid).button(ctx.i18n.t(lang, "card-log")),
        CardButton::Open(pid).button(ctx.i18n.t(lang, "card-open")),
    ]];
    rows.extend(super::render::contacts_button(ctx, lang, pid).map(|b| vec![b]));
    // Moving the follow-up is its owner's to do.
    if cover.is_none() {
        rows.push(vec![
            ReminderButton::Snooze(f.id).button(ctx.i18n.t(lang, "reminder-snooze")),
            ReminderButton::Tomorrow(f.id).button(ctx.i18n.t(lang, "reminder-tomorrow")),
        ]);
    }
    let markup = InlineKeyboardMarkup::new(rows);
    (lines.join("\n"), markup)
}

/// The notice that a lead card could not be posted to its chat.
pub fn lead_undelivered(ctx: &Ctx, lang: Lang, h: &crate::domain::handoff::Handoff) -> String {
    ctx.i18n.get(
        lang,
        "lead-undelivered",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", ctx.config.disclosure().company(&h.prospect_name, h.inn.as_str()))
            .text("product", super::render::product(ctx, lang, h.product))
            .text("chat", h.chat_id.to_string()),
    )
}

/// One line per contact: time, company, what was agreed; overdue ones marked.
fn agenda_lines(ctx: &Ctx, lang: Lang, tz: Tz, agenda: &[Followup], now: DateTime<Utc>) -> Vec<String> {
    agenda
        .iter()
        .take(20)
        .map(|f| {
            let overdue = if f.due_at < now {
                format!(" — {}", ctx.i18n.t(lang, "today-overdue"))
            } else {
                String::new()
            };
            let agreed: String = agreed(ctx, f).chars().take(80).collect();
            let agreed =
                if agreed.is_empty() { String::new() } else { format!(": {}", escape_html(&agreed)) };
            format!("• {} <b>{}</b>{agreed}{overdue}", when(f.due_at, tz), escape_html(&company(ctx, f)))
        })
        .collect()
}

/// One row per company (the first ten): open its card, and «📇» beside it for its contacts on
/// the bank's page when that is published — the contact to call is one tap away.
fn open_buttons(ctx: &Ctx, agenda: &[Followup]) -> InlineKeyboardMarkup {
    let buttons: Vec<Vec<InlineKeyboardButton>> = agenda
        .iter()
        .take(10)
        .map(|f| {
            let label: String = company(ctx, f).chars().take(50).collect();
            let mut row = vec![CardButton::Open(f.prospect.0).button(label)];
            row.extend(
                ctx.config
                    .contacts_page(f.prospect.0)
                    .map(|url| InlineKeyboardButton::web_app("📇", teloxide::types::WebAppInfo { url })),
            );
            row
        })
        .collect();
    InlineKeyboardMarkup::new(buttons)
}

/// `/today`: today's contacts and the overdue ones, in order.
pub fn today(
    ctx: &Ctx,
    lang: Lang,
    tz: Tz,
    agenda: &[Followup],
    now: DateTime<Utc>,
) -> (String, InlineKeyboardMarkup) {
    if agenda.is_empty() {
        return (ctx.i18n.t(lang, "today-none"), InlineKeyboardMarkup::default());
    }
    let mut lines = vec![ctx.i18n.t(lang, "today-title")];
    lines.extend(agenda_lines(ctx, lang, tz, agenda, now));
    (lines.join("\n"), open_buttons(ctx, agenda))
}

/// The morning digest: counts, then the list.
pub fn digest(
    ctx: &Ctx,
    lang: Lang,
    tz: Tz,
    agenda: &[Followup],
    now: DateTime<Utc>,
) -> (String, InlineKeyboardMarkup) {
    let overdue = agenda.iter().filter(|f| f.due_at < now).count() as i64;
    let today = agenda.len() as i64 - overdue;
    let mut lines =
        vec![ctx.i18n.get(lang, "digest-title", Args::new().num("today", today).num("overdue", overdue))];
    lines.extend(agenda_lines(ctx, lang, tz, agenda, now));
    lines.push(ctx.i18n.t(lang, "digest-more"));
    (lines.join("\n"), open_buttons(ctx, agenda))
}

pub fn unreachable_notice(ctx: &Ctx, lang: Lang, user: &User) -> String {
    ctx.i18n.get(lang, "unreachable-manager", Args::new().text("name", user.full_name.as_str()))
}
