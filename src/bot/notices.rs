//! How the domain's notices read in Telegram. The jobs render each one when it is sent, in the
//! reader's language, from what is stored then; `None` when what it reported is gone.

use teloxide::types::InlineKeyboardMarkup;

use super::buttons::Press;
use super::cards::CardButton;
use super::handoffs::leads;
use super::{Ctx, render};
use crate::domain::access::User;
use crate::domain::diary::Entry;
use crate::domain::directory;
use crate::domain::notice::{self, Loaded, Notice};
use crate::domain::prospect::Prospect;
use crate::i18n::Args;

/// `notice` as `reader` gets it.
pub async fn render(
    ctx: &Ctx,
    notice: Notice,
    reader: &User,
) -> anyhow::Result<Option<(String, InlineKeyboardMarkup)>> {
    Ok(match notice::load(ctx.store.as_ref(), notice).await? {
        None => None,
        Some(Loaded::ColleagueEntry(prospect, entry)) => {
            Some(colleague_entry(ctx, reader, &prospect, &entry))
        }
        Some(Loaded::LeadNews(h)) => {
            let tz = match &reader.region {
                Some(code) => directory::region(ctx.store.as_ref(), code).await?.map(|r| r.tz.tz()),
                None => None,
            };
            Some(leads::specialist_notice(ctx, reader.lang, tz.unwrap_or(chrono_tz::Europe::Moscow), &h))
        }
        Some(Loaded::CardMoved { prospect, from, to, to_id }) => {
            let lang = reader.lang;
            let args = Args::new()
                .text("name", render::company(ctx, &prospect))
                .text("id", prospect.id.to_string())
                .text("from", from)
                .text("to", to);
            let mine = reader.telegram_id == to_id;
            let text = ctx.i18n.get(lang, if mine { "card-moved-to-you" } else { "card-moved-away" }, args);
            let markup = if mine {
                InlineKeyboardMarkup::new([[
                    CardButton::Open(prospect.id.0).button(ctx.i18n.t(lang, "card-open"))
                ]])
            } else {
                InlineKeyboardMarkup::default()
            };
            Some((text, markup))
        }
        Some(Loaded::PortfolioMoved { from, to, to_id, cards, followups }) => {
            let args =
                Args::new().text("from", from).text("to", to).num("cards", cards).num("followups", followups);
            let key =
                if reader.telegram_id == to_id { "portfolio-moved-to-you" } else { "portfolio-moved-away" };
            Some((ctx.i18n.get(reader.lang, key, args), InlineKeyboardMarkup::default()))
        }
    })
}

/// A colleague wrote an entry on the reader's card (SPEC §5).
fn colleague_entry(
    ctx: &Ctx,
    reader: &User,
    prospect: &Prospect,
    entry: &Entry,
) -> (String, InlineKeyboardMarkup) {
    let lang = reader.lang;
    let text = ctx.i18n.get(
        lang,
        "log-owner-told",
        Args::new()
            .text("author", entry.author_name.as_str())
            .text("name", render::company(ctx, prospect))
            .text("kind", render::kind(ctx, lang, entry.kind))
            .text("outcome", render::outcome(ctx, lang, entry.outcome)),
    );
    let markup =
        InlineKeyboardMarkup::new([[CardButton::Open(prospect.id.0).button(ctx.i18n.t(lang, "card-open"))]]);
    (text, markup)
}
