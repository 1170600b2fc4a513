//! The texts of reminders, digests and `/today`, in the reader's language and division's zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use crate::bot::keyboards::Action;
use crate::bot::leads;
use crate::bot::render::when;
use crate::ctx::Ctx;
use crate::domain::access::{Lang, User};
use crate::domain::followup::{Followup, minutes_late};
use crate::domain::handoff::{Handoff, HandoffState};
use crate::domain::ids::TelegramId;
use crate::domain::notice::{self, Notice};
use crate::i18n::{Args, escape_html};
use crate::store::Outgoing;

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
    now: DateTime<Utc>,
) -> (String, InlineKeyboardMarkup) {
    let lang = cover.map_or(f.owner_lang, |m| m.lang);
    let pd = ctx.config.disclosure();
    let mut lines = vec![];
    if cover.is_some() {
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
        Action::LogOn(pid).button(ctx.i18n.t(lang, "card-log")),
        Action::Open(pid).button(ctx.i18n.t(lang, "card-open")),
    ]];
    rows.extend(crate::bot::render::contacts_button(ctx, lang, pid).map(|b| vec![b]));
    // Moving the follow-up is its owner's to do.
    if cover.is_none() {
        rows.push(vec![
            Action::Snooze(f.id).button(ctx.i18n.t(lang, "reminder-snooze")),
            Action::Tomorrow(f.id).button(ctx.i18n.t(lang, "reminder-tomorrow")),
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
            .text("product", crate::bot::render::product(ctx, lang, h.product))
            .text("chat", h.chat_id.to_string()),
    )
}

/// A claimed item as it goes out: a new message (a reply, perhaps), or an edit of one.
pub struct Rendered {
    pub text: String,
    pub markup: Option<InlineKeyboardMarkup>,
    /// The message to edit instead of sending a new one.
    pub edit: Option<i32>,
    /// The message a new one answers (a reminder under its lead card).
    pub reply_to: Option<i32>,
}

impl Rendered {
    fn message(text: String, markup: Option<InlineKeyboardMarkup>) -> Self {
        Self { text, markup, edit: None, reply_to: None }
    }
}

/// Renders a claimed item; `None` when there is nothing to send any more.
pub async fn outgoing(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Rendered>> {
    if item.kind == "reminder" {
        let Some(id) = item.ref_id else { return Ok(None) };
        let Some(followup) = ctx.store.followup(id).await? else { return Ok(None) };
        if followup.state != "sent" {
            return Ok(None);
        }
        // A copy for a manager covering an owner who can no longer get it.
        let cover = if followup.owner.get() == item.chat_id {
            None
        } else {
            let Ok(id) = TelegramId::new(item.chat_id) else { return Ok(None) };
            let Some(manager) = ctx.store.user(id).await? else { return Ok(None) };
            Some(manager)
        };
        let (text, markup) = reminder(ctx, &followup, cover.as_ref(), ctx.clock.now());
        return Ok(Some(Rendered::message(text, Some(markup))));
    }
    if LEAD_KINDS.contains(&item.kind.as_str()) {
        return lead_item(ctx, item).await;
    }
    if item.kind == notice::KIND {
        let Some(notice) = item.notice.as_deref().and_then(Notice::parse) else { return Ok(None) };
        let Ok(id) = TelegramId::new(item.chat_id) else { return Ok(None) };
        let Some(reader) = ctx.store.user(id).await? else { return Ok(None) };
        let rendered = crate::bot::notices::render(ctx, notice, &reader).await?;
        return Ok(rendered.map(|(text, markup)| Rendered::message(text, Some(markup))));
    }
    let markup = item.markup.as_deref().and_then(|m| serde_json::from_str(m).ok());
    Ok(item.text.clone().map(|text| Rendered::message(text, markup)))
}

/// The outbox items about a hand-off: the lead card, its later state, the chat's reminder, and
/// the manager's notice.
pub const LEAD_KINDS: &[&str] = &["lead", "lead_edit", "lead_reminder", "lead_overdue"];

/// The hand-off an outbox item is about, if it still exists.
pub(super) async fn handoff_of(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Handoff>> {
    Ok(match item.ref_id {
        Some(id) => ctx.store.handoff(id).await?,
        None => None,
    })
}

/// A hand-off item, rendered as the lead stands when it is sent. A reminder or a manager's
/// notice about a lead taken meanwhile is not sent at all, and nothing goes to a chat that is
/// no longer a hand-off chat (its route was moved): client data only goes where it is routed.
async fn lead_item(ctx: &Ctx, item: &Outgoing) -> anyhow::Result<Option<Rendered>> {
    let Some(h) = handoff_of(ctx, item).await? else { return Ok(None) };
    let to_chat = item.kind != "lead_overdue";
    if to_chat && !ctx.store.is_handoff_chat(h.chat_id).await? {
        tracing::warn!(
            handoff = h.id,
            chat = h.chat_id,
            "the lead's chat is no longer routed; not written to"
        );
        return Ok(None);
    }
    let now = ctx.clock.now();
    let message = h.message_id.and_then(|m| i32::try_from(m).ok());
    let rendered = match item.kind.as_str() {
        "lead" | "lead_edit" => {
            let Some(region) = ctx.store.region(&h.region).await? else { return Ok(None) };
            let (text, markup) = leads::lead_card(ctx, &h, &region);
            let mut rendered = Rendered::message(text, Some(markup));
            if item.kind == "lead_edit" {
                // Not posted yet: the card will show the new state when it is.
                let Some(message) = message else { return Ok(None) };
                rendered.edit = Some(message);
            }
            rendered
        }
        _ if h.state != HandoffState::Pending => return Ok(None),
        "lead_reminder" => {
            let mut rendered = Rendered::message(leads::lead_reminder(ctx, &h, now), None);
            rendered.reply_to = message;
            rendered
        }
        _ => {
            let lang = match TelegramId::new(item.chat_id) {
                Ok(id) => ctx.store.user(id).await?.map(|u| u.lang).unwrap_or_default(),
                Err(_) => Lang::default(),
            };
            let (text, markup) = leads::lead_overdue(ctx, lang, &h, now);
            Rendered::message(text, Some(markup))
        }
    };
    Ok(Some(rendered))
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
            let mut row = vec![Action::Open(f.prospect.0).button(label)];
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
