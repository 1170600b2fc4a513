//! How prospects, entries and dates read in a chat. Everything typed by people is escaped
//! here; personal data reads as `domain::privacy` decides for `CONTACTS_IN_CHAT` (SPEC §10).

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo};

use super::Ctx;
use super::buttons::Press;
use super::cards::CardButton;
use super::diary::LogButton;
use super::handoffs::HandoffButton;
use crate::domain::access::{Lang, User};
use crate::domain::diary::{Collision, Entry, Kind, Outcome};
use crate::domain::fields::{self, FIELDS, FieldKind, FieldSpec, Placement};
use crate::domain::privacy::Disclosure;
use crate::domain::prospect::{Product, Prospect, Status};
use crate::domain::prospects::{Card, may_edit, may_log};
use crate::domain::worktime::MoveReason;
use crate::i18n::{Args, escape_html, local_datetime};

pub fn when(at: DateTime<Utc>, tz: Tz) -> String {
    local_datetime(at, tz)
}

/// A next contact moved off a day off: «Перенесено на 11.01.2027 10:00 — праздники.»
pub fn moved(ctx: &Ctx, lang: Lang, at: DateTime<Utc>, tz: Tz, reason: MoveReason) -> String {
    let reason = match reason {
        MoveReason::Holiday => "holiday",
        MoveReason::Weekend => "weekend",
    };
    ctx.i18n.get(lang, "when-moved", Args::new().text("when", when(at, tz)).text("reason", reason))
}

pub fn status(ctx: &Ctx, lang: Lang, status: Status) -> String {
    ctx.i18n.t(lang, &format!("status-{status}"))
}

pub fn product(ctx: &Ctx, lang: Lang, product: Product) -> String {
    ctx.i18n.t(lang, &format!("product-{product}"))
}

pub fn products(ctx: &Ctx, lang: Lang, products: &[Product]) -> String {
    if products.is_empty() {
        return ctx.i18n.t(lang, "none-yet");
    }
    products.iter().map(|p| product(ctx, lang, *p)).collect::<Vec<_>>().join(", ")
}

pub fn kind(ctx: &Ctx, lang: Lang, kind: Kind) -> String {
    ctx.i18n.t(lang, &format!("kind-{kind}"))
}

pub fn outcome(ctx: &Ctx, lang: Lang, outcome: Outcome) -> String {
    ctx.i18n.t(lang, &format!("outcome-{outcome}"))
}

pub fn field(ctx: &Ctx, lang: Lang, field: &FieldSpec) -> String {
    ctx.i18n.t(lang, &field.label())
}

/// How personal data reads in this bot's messages (SPEC §10).
pub fn disclosure(ctx: &Ctx) -> Disclosure {
    ctx.config.disclosure()
}

/// A prospect's name as a chat may show it: a sole proprietor's name is a person's.
pub fn company(ctx: &Ctx, p: &Prospect) -> String {
    disclosure(ctx).company(p.name.as_str(), p.inn.as_str())
}

/// The people's names that free text about `p` must not carry: the contact person's, and a
/// sole proprietor's own.
pub fn people_of(p: &Prospect) -> Vec<&str> {
    crate::domain::privacy::people(p.details.contact_person.as_deref(), p.name.as_str(), p.inn.as_str())
}

/// One line per detail that is filled in, placed as the field table says: the requisites on
/// one line, a field that qualifies another after that one's value («Петров И., директор»).
fn details_lines(ctx: &Ctx, lang: Lang, p: &Prospect) -> Vec<String> {
    let named = |chosen: &[Product]| products(ctx, lang, chosen);
    let shown = fields::shown(&FIELDS, |f| p.stored(f), disclosure(ctx), &named);
    let mut lines: Vec<String> = vec![];
    let mut requisites = None;
    for s in &shown {
        let label = field(ctx, lang, s.field);
        if s.in_app {
            lines.push(ctx.i18n.t(lang, "contact-in-app"));
            continue;
        }
        match s.field.card {
            Placement::Title => {}
            Placement::Requisites if s.field.kind == FieldKind::Inn => {
                requisites = Some(lines.len());
                lines.push(ctx.i18n.get(lang, "card-requisites", Args::new().text("inn", &s.text)));
            }
            Placement::Requisites => {
                if let Some(line) = requisites.and_then(|i| lines.get_mut(i)) {
                    line.push_str(&format!(" · {label} {}", escape_html(&s.text)));
                }
            }
            Placement::Line if s.field.qualifies.is_some() => {}
            Placement::Line => {
                let qualifiers = shown.iter().filter(|q| q.field.qualifies == Some(s.field.code));
                let text = qualifiers.fold(s.text.clone(), |text, q| format!("{text}, {}", q.text));
                lines.push(format!("{label}: {}", escape_html(&text)));
            }
        }
    }
    lines
}

pub fn collision_line(ctx: &Ctx, lang: Lang, tz: Tz, c: &Collision) -> String {
    ctx.i18n.get(
        lang,
        "card-collision",
        Args::new()
            .text("who", &c.author_name)
            .text("when", when(c.happened_at, tz))
            .text("outcome", outcome(ctx, lang, c.outcome)),
    )
}

/// An entry's first line: when, how, with what outcome, by whom.
pub fn entry_header(ctx: &Ctx, lang: Lang, tz: Tz, e: &Entry) -> String {
    format!(
        "• {} · {} · {} — {}",
        when(e.happened_at, tz),
        kind(ctx, lang, e.kind),
        outcome(ctx, lang, e.outcome),
        escape_html(&e.author_name)
    )
}

/// An entry's header and summary about `p`; the summary redacted as the bank configured, and
/// cut to `limit` characters.
pub fn entry_text(ctx: &Ctx, lang: Lang, tz: Tz, p: &Prospect, e: &Entry, limit: usize) -> (String, bool) {
    let summary = disclosure(ctx).free_text(&e.summary, &people_of(p));
    let cut = summary.chars().count() > limit;
    let summary: String = summary.chars().take(limit).collect();
    let text = format!(
        "{}\n{}{}",
        entry_header(ctx, lang, tz, e),
        escape_html(&summary),
        if cut { "…" } else { "" }
    );
    (text, cut)
}

/// A label with its first letter in capitals, for buttons.
pub fn capitalized(text: String) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

/// The card: data, status, owner, next contact, completeness, a colleague's recent contact,
/// the last entries, and the buttons the reader may use.
pub fn card(
    ctx: &Ctx,
    user: &User,
    tz: Tz,
    region_label: &str,
    card: &Card,
) -> (String, InlineKeyboardMarkup) {
    let lang = user.lang;
    let p = &card.prospect;
    let mut parts = vec![];
    if let Some(c) = &card.collision {
        parts.push(collision_line(ctx, lang, tz, c));
    }
    let mut head = vec![ctx.i18n.get(
        lang,
        "card-title",
        Args::new().text("name", company(ctx, p)).text("id", p.id.to_string()),
    )];
    head.extend(details_lines(ctx, lang, p));
    head.push(ctx.i18n.get(lang, "card-status", Args::new().text("status", status(ctx, lang, p.status))));
    head.push(ctx.i18n.get(
        lang,
        "card-owner",
        Args::new().text("owner", &p.owner_name).text("region", region_label),
    ));
    let next = match p.next_contact {
        Some(at) => {
            let key = if at < ctx.clock.now() { "card-next-overdue" } else { "card-next" };
            ctx.i18n.get(lang, key, Args::new().text("when", when(at, tz)))
        }
        None => ctx.i18n.get(lang, "card-next", Args::new().text("when", ctx.i18n.t(lang, "none-yet"))),
    };
    head.push(next);
    head.push(ctx.i18n.get(
        lang,
        "card-completeness",
        Args::new().num("percent", i64::from(p.completeness())),
    ));
    parts.push(head.join("\n"));
    if !card.handoffs.is_empty() {
        let mut lines = vec![ctx.i18n.t(lang, "card-handoffs")];
        lines.extend(card.handoffs.iter().map(|h| super::handoffs::leads::list_line(ctx, lang, tz, h)));
        parts.push(lines.join("\n"));
    }
    if card.recent.is_empty() {
        parts.push(ctx.i18n.t(lang, "card-no-entries"));
    } else {
        let mut recent = vec![ctx.i18n.t(lang, "card-recent")];
        recent.extend(card.recent.iter().map(|e| entry_text(ctx, lang, tz, p, e, 300).0));
        parts.push(recent.join("\n"));
    }
    let id = p.id.0;
    let mut rows: Vec<Vec<InlineKeyboardButton>> = vec![];
    if may_log(user, p) {
        rows.push(vec![
            LogButton::Start(id).button(ctx.i18n.t(lang, "card-log")),
            LogButton::Schedule(id).button(ctx.i18n.t(lang, "card-schedule")),
        ]);
    }
    if may_log(user, p) {
        rows.push(vec![HandoffButton::HandOff(id).button(ctx.i18n.t(lang, "card-hand-off"))]);
    }
    let mut row = vec![CardButton::History(id, 0).button(ctx.i18n.t(lang, "card-history"))];
    if may_edit(user, p) {
        row.push(CardButton::Edit(id).button(ctx.i18n.t(lang, "card-edit")));
    }
    rows.push(row);
    if crate::domain::portfolio::may_reassign(user, p) {
        rows.push(vec![CardButton::Reassign(id).button(ctx.i18n.t(lang, "card-reassign"))]);
    }
    rows.extend(contacts_button(ctx, lang, id).map(|b| vec![b]));
    (parts.join("\n\n"), InlineKeyboardMarkup::new(rows))
}

/// «📇 Контакты»: the card's full contacts on the bank's own page, not through Telegram (SPEC
/// §10); none when the page is not published or contacts are shown in chat anyway.
pub fn contacts_button(ctx: &Ctx, lang: Lang, prospect: i64) -> Option<InlineKeyboardButton> {
    let url = ctx.config.contacts_page(prospect)?;
    Some(InlineKeyboardButton::web_app(ctx.i18n.t(lang, "app-contacts-button"), WebAppInfo { url }))
}

/// How long a result's label may be before a phone's screen cuts it.
const LIST_LABEL_CHARS: usize = 64;

/// A result row: name, status and next contact, said as such (and marked when overdue).
pub fn list_button(ctx: &Ctx, lang: Lang, tz: Tz, p: &Prospect) -> InlineKeyboardButton {
    let next = p.next_contact.map(|at| format!(" · {}", next_label(ctx, lang, tz, at))).unwrap_or_default();
    let tail = format!(" · {}{next}", status(ctx, lang, p.status));
    // A long name gives way, so the status and the date always read whole.
    let room = LIST_LABEL_CHARS.saturating_sub(tail.chars().count()).max(28);
    let name = company(ctx, p);
    let name = if name.chars().count() > room {
        format!("{}…", name.chars().take(room - 1).collect::<String>())
    } else {
        name
    };
    CardButton::Open(p.id.0).button(format!("{name}{tail}"))
}

/// `след. контакт 05.12 10:00` (the year only when it is not this one), or overdue.
fn next_label(ctx: &Ctx, lang: Lang, tz: Tz, at: DateTime<Utc>) -> String {
    let now = ctx.clock.now();
    let local = at.with_timezone(&tz);
    let format = if local.year() == now.with_timezone(&tz).year() { "%d.%m %H:%M" } else { "%d.%m.%Y %H:%M" };
    let key = if at < now { "list-next-overdue" } else { "list-next" };
    ctx.i18n.get(lang, key, Args::new().text("when", local.format(format).to_string()))
}
