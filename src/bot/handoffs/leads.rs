//! How hand-offs read: the questions about a new lead's facts, the lead card in the credit
//! officers' chat, its state once someone acted, lines of `/handoffs`, and the notices to the
//! specialist. The lead card goes to a group, so it never carries personal data (SPEC §6, §10):
//! no contact person, phone or e-mail, a sole proprietor's name and INN hidden, and no text
//! typed by people — the client's need is told by the facts the specialist picked with buttons;
//! the officer reads the entries on the card, in private.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::HandoffButton;
use crate::bot::Ctx;
use crate::bot::buttons::Press;
use crate::bot::cards::CardButton;
use crate::bot::render::{product, when};
use crate::bot::ui::grid;
use crate::domain::access::{Lang, Region};
use crate::domain::handoff::{
    self, AmountBand, FACTS_WAIT_MINUTES, Fact, Handoff, HandoffState, LeadFacts, Question, TermBand, Urgency,
};
use crate::i18n::Args;

/// Group chats read the bot in Russian, the language of the bank's staff.
pub const GROUP_LANG: Lang = Lang::Ru;

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

/// The people's names that free text about the lead must not carry: a sole proprietor's own
/// (phones and e-mails go whatever the names).
fn people_of(h: &Handoff) -> Vec<&str> {
    crate::domain::privacy::people(None, &h.prospect_name, h.inn.as_str())
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

/// A fact's label: «до 5 млн ₽», «1–3 года», «срочно».
pub fn fact_name(ctx: &Ctx, lang: Lang, fact: Fact) -> String {
    let id = match fact {
        Fact::Amount(band) => format!("lead-amount-{band}"),
        Fact::Term(band) => format!("lead-term-{band}"),
        Fact::Urgency(urgency) => format!("lead-urgency-{urgency}"),
    };
    ctx.i18n.t(lang, &id)
}

/// Amount, term and urgency on one line; «не указано» for what was not given.
pub fn facts_line(ctx: &Ctx, lang: Lang, facts: &LeadFacts) -> String {
    let name = |fact: Option<Fact>| match fact {
        Some(fact) => fact_name(ctx, lang, fact),
        None => ctx.i18n.t(lang, "lead-fact-unknown"),
    };
    ctx.i18n.get(
        lang,
        "lead-facts",
        Args::new()
            .text("amount", name(facts.amount.map(Fact::Amount)))
            .text("term", name(facts.term.map(Fact::Term)))
            .text("urgency", name(facts.urgency.map(Fact::Urgency))),
    )
}

/// The question about a held lead's next fact, under what was picked so far; `None` once
/// every fact is picked.
pub fn fact_question(ctx: &Ctx, lang: Lang, h: &Handoff) -> Option<(String, InlineKeyboardMarkup)> {
    let question = h.facts.next_question()?;
    let (key, facts): (&str, Vec<Fact>) = match question {
        Question::Amount => {
            ("handoff-ask-amount", AmountBand::ALL.iter().map(|b| Fact::Amount(*b)).collect())
        }
        Question::Term => ("handoff-ask-term", TermBand::ALL.iter().map(|b| Fact::Term(*b)).collect()),
        Question::Urgency => {
            ("handoff-ask-urgency", Urgency::ALL.iter().map(|u| Fact::Urgency(*u)).collect())
        }
    };
    let mut lines = vec![
        ctx.i18n.get(
            lang,
            "handoff-facts-intro",
            Args::new()
                .text("id", h.id.to_string())
                .text("name", name_of(ctx, h))
                .text("product", product(ctx, lang, h.product))
                .num("minutes", FACTS_WAIT_MINUTES),
        ),
        String::new(),
    ];
    let picked = [
        h.facts.amount.map(|b| ("handoff-picked-amount", Fact::Amount(b))),
        h.facts.term.map(|b| ("handoff-picked-term", Fact::Term(b))),
    ];
    for (key, fact) in picked.into_iter().flatten() {
        lines.push(ctx.i18n.get(lang, key, Args::new().text("value", fact_name(ctx, lang, fact))));
    }
    lines.push(ctx.i18n.t(lang, key));
    let buttons = facts.into_iter().map(|f| HandoffButton::Fact(h.id, f).button(fact_name(ctx, lang, f)));
    let mut markup = grid(buttons.collect(), 2);
    markup.inline_keyboard.push(vec![HandoffButton::Send(h.id).button(ctx.i18n.t(lang, "handoff-send-now"))]);
    Some((lines.join("\n"), markup))
}

/// What the specialist reads once the lead went (or is about to go) to the chat: where, with
/// which facts, and a button to follow it.
pub fn handed_off(ctx: &Ctx, lang: Lang, h: &Handoff) -> (String, InlineKeyboardMarkup) {
    let text = ctx.i18n.get(
        lang,
        "handoff-made",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name_of(ctx, h))
            .text("product", product(ctx, lang, h.product)),
    );
    let text = format!("{text}\n{}", facts_line(ctx, lang, &h.facts));
    (text, InlineKeyboardMarkup::new([[show_button(ctx, lang, h)]]))
}

/// The next question about a held lead, or its closing line.
pub fn facts_message(ctx: &Ctx, lang: Lang, h: &Handoff) -> (String, InlineKeyboardMarkup) {
    fact_question(ctx, lang, h).unwrap_or_else(|| handed_off(ctx, lang, h))
}

/// The lead's text: product, company, INN, the facts picked, the specialist, the division, the
/// card; in a group (`public`) the outcome's reason is left out.
pub fn lead_text(ctx: &Ctx, lang: Lang, h: &Handoff, region: &Region, public: bool) -> String {
    let tz = region.tz.tz();
    let (name, inn) = company(ctx, lang, h);
    let mut lines = vec![
        ctx.i18n.get(
            lang,
            "lead-title",
            Args::new().text("id", h.id.to_string()).text("product", product(ctx, lang, h.product)),
        ),
        ctx.i18n.get(lang, "lead-company", Args::new().text("name", name).text("inn", inn)),
        facts_line(ctx, lang, &h.facts),
    ];
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

/// The lead card left in a division's chat after its company moved to `region` (its name): what
/// the lead was, and that it went to that division's credit unit or was `closed`.
pub fn lead_moved(ctx: &Ctx, h: &Handoff, region: &str, closed: bool) -> String {
    let lang = GROUP_LANG;
    let (name, inn) = company(ctx, lang, h);
    let title = Args::new().text("id", h.id.to_string()).text("product", product(ctx, lang, h.product));
    let moved = Args::new().text("region", region);
    [
        ctx.i18n.get(lang, "lead-title", title),
        ctx.i18n.get(lang, "lead-company", Args::new().text("name", name).text("inn", inn)),
        String::new(),
        ctx.i18n.get(lang, if closed { "lead-moved-closed" } else { "lead-moved" }, moved),
    ]
    .join("\n")
}

/// The lead card as the chat sees it; Take and Decline while it waits.
pub fn lead_card(ctx: &Ctx, h: &Handoff, region: &Region) -> (String, InlineKeyboardMarkup) {
    let lang = GROUP_LANG;
    let markup = if h.state == HandoffState::Pending {
        InlineKeyboardMarkup::new([[
            HandoffButton::Take(h.id).button(ctx.i18n.t(lang, "lead-take")),
            HandoffButton::Decline(h.id).button(ctx.i18n.t(lang, "lead-decline")),
        ]])
    } else {
        InlineKeyboardMarkup::default()
    };
    (lead_text(ctx, lang, h, region, true), markup)
}

/// The reminder in the chat for a lead nobody took within the agreed hours, saying how long it
/// has waited by `now`.
pub fn lead_reminder(ctx: &Ctx, h: &Handoff, now: DateTime<Utc>) -> String {
    let (name, _) = company(ctx, GROUP_LANG, h);
    ctx.i18n.get(
        GROUP_LANG,
        "lead-reminder",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name)
            .text("product", product(ctx, GROUP_LANG, h.product))
            .num("hours", handoff::waited_hours(h, now)),
    )
}

/// The manager's notice of a lead nobody took within twice the agreed hours, saying how long it
/// has waited by `now`.
pub fn lead_overdue(
    ctx: &Ctx,
    lang: Lang,
    h: &Handoff,
    now: DateTime<Utc>,
) -> (String, InlineKeyboardMarkup) {
    let text = ctx.i18n.get(
        lang,
        "lead-overdue",
        Args::new()
            .text("id", h.id.to_string())
            .text("name", name_of(ctx, h))
            .text("product", product(ctx, lang, h.product))
            .text("who", &h.from_name)
            .num("hours", handoff::waited_hours(h, now)),
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
        CardButton::Open(h.prospect.0).button(ctx.i18n.t(lang, "card-open")),
        show_button(ctx, lang, h),
    ]]);
    (lines.join("\n"), markup)
}

pub fn show_button(ctx: &Ctx, lang: Lang, h: &Handoff) -> InlineKeyboardButton {
    HandoffButton::Show(h.id).button(ctx.i18n.get(
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
    HandoffButton::Show(h.id).button(label.chars().take(60).collect::<String>())
}
