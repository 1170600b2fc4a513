//! How hand-offs read: the lead card in the credit officers' chat, its state once someone acted,
//! lines of `/handoffs`, and the notices to the specialist. The lead card goes to a group, so
//! it never carries personal data (SPEC §10): no contact person, phone or e-mail, and a sole
//! proprietor's name and INN are hidden.

use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::Ctx;
use super::keyboards::Action;
use super::render::{product, when};
use crate::domain::access::{Lang, Region};
use crate::domain::handoff::{self, Handoff, HandoffState};
use crate::i18n::{Args, escape_html};

/// Group chats read the bot in Russian, the language of the bank's staff.
pub const GROUP_LANG: Lang = Lang::Ru;

/// How much of the client's need the lead card quotes.
const NEED_LIMIT: usize = 1500;

/// The reasons offered as buttons (Fluent ids); any other reason can be typed.
pub const DECLINE_REASONS: &[&str] =
    &["reason-not-profile", "reason-risk", "reason-documents", "reason-not-ready"];
pub const LOST_REASONS: &[&str] =
    &["reason-client-refused", "reason-competitor", "reason-risk", "reason-documents"];

pub fn reasons(lost: bool) -> &'static [&'static str] {
    if lost { LOST_REASONS } else { DECLINE_REASONS }
}

pub fn state_name(ctx: &Ctx, lang: Lang, state: HandoffState) -> String {
    ctx.i18n.t(lang, &format!("handoff-state-{state}"))
}

/// The company as a private chat may show it: a sole proprietor's name masked (SPEC §10).
pub fn name_of(ctx: &Ctx, h: &Handoff) -> String {
    ctx.config.disclosure().company(&h.prospect_name, h.inn.as_str())
}

/// The people's names that free text about the lead must not carry.
fn people_of(h: &Handoff) -> Vec<&str> {
    let mut names: Vec<&str> = h.contact_person.iter().map(String::as_str).collect();
    if h.inn.is_sole_proprietor() {
        names.push(&h.prospect_name);
    }
    names
}

/// The company as a group may see it: a sole proprietor is a person, so neither name nor INN.
pub fn company(ctx: &Ctx, lang: Lang, h: &Handoff) -> (String, String) {
    if h.inn.is_sole_proprietor() {
        (ctx.i18n.t(lang, "lead-sole-proprietor"), h.inn.masked())
    } else {
        (h.prospect_name.clone(), h.inn.as_str().to_owned())
    }
}

/// Who acted on the lead, when, and why: empty while it waits. In a group (`public`) the
/// reason is left out: it is free text, and may name people.
pub fn outcome_line(ctx: &Ctx, lang: Lang, tz: Tz, h: &Handoff, public: bool) -> Option<String> {
    let args = |who: Option<&String>, at: Option<chrono::DateTime<chrono::Utc>>| {
        Args::new()
            .text("who", who.cloned().unwrap_or_default())
            .text("when", at.map(|t| when(t, tz)).unwrap_or_default())
            .text(
                "reason",
                ctx.config.disclosure().free_text(h.reason.as_deref().unwrap_or_default(), &people_of(h)),
            )
    };
    let (id, who, at) = match h.state {
        HandoffState::Pending => return None,
        HandoffState::Accepted => ("lead-taken", h.taken_by_name.as_ref(), h.taken_at),
        HandoffState::Declined if public => ("lead-declined-public", h.closed_by_name.as_ref(), h.closed_at),
        HandoffState::Declined => ("lead-declined", h.closed_by_name.as_ref(), h.closed_at),
        HandoffState::Won => ("lead-won", h.closed_by_name.as_ref(), h.closed_at),
        HandoffState::Lost if public => ("lead-lost-public", h.closed_by_name.as_ref(), h.closed_at),
        HandoffState::Lost => ("lead-lost", h.closed_by_name.as_ref(), h.closed_at),
        HandoffState::Expired => ("lead-expired", None, h.closed_at),
    };
    Some(ctx.i18n.get(lang, id, args(who, at)))
}

/// The lead's text: product, company, INN, the need, the specialist, the division, the card.
/// For a group (`public`) the need is stripped of phones, e-mails and people's names.
pub fn lead_text(ctx: &Ctx, lang: Lang, h: &Handoff, region: &Region, public: bool) -> String {
    let tz = region.tz.tz();
    let (name, inn) = company(ctx, lang, h);
    let need = if public {
        handoff::public_text(&h.need, &people_of(h), &ctx.i18n.t(lang, "lead-hidden"))
    } else {
        ctx.config.disclosure().free_text(&h.need, &people_of(h))
    };
    let cut = need.chars().count() > NEED_LIMIT;
    let need: String = need.chars().take(NEED_LIMIT).collect();
    let mut lines = vec![
        ctx.i18n.get(
            lang,
            "lead-title",
            Args::new().text("id", h.id.to_string()).text("product", product(ctx, lang, h.product)),
        ),
        ctx.i18n.get(lang, "lead-company", Args::new().text("name", name).text("inn", inn)),
    ];
    if !need.is_empty() {
        let need = format!("{}{}", escape_html(&need), if cut { "…" } else { "" });
        lines.push(format!("{}\n{need}", ctx.i18n.t(lang, "lead-need")));
    }
    lines.push(
        ctx.i18n.get(
            lang,
            "lead-from",
            Args::new()
                .text("who", &h.from_name)
                .text("region", region.name.as_str())
                .text("when", when(h.created_at, tz))
                .text("card", h.prospect.to_string()),
        ),
    );
    if let Some(line) = outcome_line(ctx, lang, tz, h, public) {
        lines.push(String::new());
        lines.push(line);
    }
    lines.join("\n")
}

/// The lead card as the chat sees it; Take and Decline while it waits.
pub fn lead_card(ctx: &Ctx, h: &Handoff, region: &Region) -> (String, InlineKeyboardMarkup) {
    let lang = GROUP_LANG;
    let markup = if h.state == HandoffState::Pending {
        InlineKeyboardMarkup::new([[
            Action::Take(h.id).button(ctx.i18n.t(lang, "lead-take")),
            Action::Decline(h.id).button(ctx.i18n.t(lang, "lead-decline")),
        ]])
    } else {
        InlineKeyboardMarkup::default()
    };
    (lead_text(ctx, lang, h, region, true), markup)
}

/// The reminder in the chat for a lead nobody took within the agreed hours.
pub fn lead_reminder(ctx: &Ctx, h: &Handoff, hours: u32) -> String {
    let (name, _) = company(ctx, GROUP_LANG, h);
    ctx.i18n.get(
        GROUP_LANG,
        "lead-reminder",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name)
            .text("product", product(ctx, GROUP_LANG, h.product))
            .num("hours", i64::from(hours)),
    )
}

/// The manager's notice of a lead nobody took within twice the agreed hours.
pub fn lead_overdue(ctx: &Ctx, lang: Lang, h: &Handoff, hours: u32) -> (String, InlineKeyboardMarkup) {
    let text = ctx.i18n.get(
        lang,
        "lead-overdue",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name_of(ctx, h))
            .text("product", product(ctx, lang, h.product))
            .text("who", &h.from_name)
            .num("hours", i64::from(hours)),
    );
    let markup = InlineKeyboardMarkup::new([[show_button(ctx, lang, h)]]);
    (text, markup)
}

/// What the specialist is told when their lead was taken, declined, won or lost.
pub fn specialist_notice(ctx: &Ctx, lang: Lang, tz: Tz, h: &Handoff) -> (String, InlineKeyboardMarkup) {
    let mut lines = vec![
        ctx.i18n.get(
            lang,
            "handoff-news",
            Args::new()
                .text("id", h.id.to_string())
                .text("name", name_of(ctx, h))
                .text("product", product(ctx, lang, h.product)),
        ),
    ];
    lines.extend(outcome_line(ctx, lang, tz, h, false));
    let markup = InlineKeyboardMarkup::new([[
        Action::Open(h.prospect.0).button(ctx.i18n.t(lang, "card-open")),
        show_button(ctx, lang, h),
    ]]);
    (lines.join("\n"), markup)
}

pub fn show_button(ctx: &Ctx, lang: Lang, h: &Handoff) -> InlineKeyboardButton {
    Action::HandoffShow(h.id).button(ctx.i18n.get(
        lang,
        "handoff-show",
        Args::new().text("id", h.id.to_string()),
    ))
}

/// A line of `/handoffs` and of a card: number, company, product, state, since when.
pub fn list_line(ctx: &Ctx, lang: Lang, tz: Tz, h: &Handoff) -> String {
    let at = h.closed_at.or(h.taken_at).unwrap_or(h.created_at);
    ctx.i18n.get(
        lang,
        "handoff-line",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name_of(ctx, h))
            .text("product", product(ctx, lang, h.product))
            .text("state", state_name(ctx, lang, h.state))
            .text("when", when(at, tz)),
    )
}

/// A lead's button in `/handoffs`.
pub fn list_button(ctx: &Ctx, lang: Lang, h: &Handoff) -> InlineKeyboardButton {
    let label = format!(
        "№{} · {} · {} · {}",
        h.id,
        name_of(ctx, h),
        product(ctx, lang, h.product),
        state_name(ctx, lang, h.state)
    );
    Action::HandoffShow(h.id).button(label.chars().take(60).collect::<String>())
}
