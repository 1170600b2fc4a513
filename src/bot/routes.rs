//! `/routes` for admins: which chat gets each division's hand-offs, per product, and setting
//! one (`/routes set MSK credit -1001234567890`) with the same check as the operator CLI:
//! Telegram must confirm that the bot is in that group.

use teloxide::prelude::*;

use super::gate::Caller;
use super::{Ctx, HandlerResult, render, reply};
use crate::domain::access::Lang;
use crate::domain::handoff::{self, Route};
use crate::domain::ids::RegionCode;
use crate::domain::prospect::Product;
use crate::i18n::Args;

pub async fn open(bot: &Bot, ctx: &Ctx, caller: &Caller, args: &str) -> HandlerResult {
    let words: Vec<&str> = args.split_whitespace().collect();
    let text = match words.as_slice() {
        [] => list(ctx, caller.user.lang).await?,
        [set, region, product, chat] if set.eq_ignore_ascii_case("set") => {
            set_route(bot, ctx, caller, region, product, chat).await?
        }
        _ => usage(ctx, caller.user.lang),
    };
    reply::send(bot, caller.chat, text).await?;
    Ok(())
}

fn usage(ctx: &Ctx, lang: Lang) -> String {
    let products = Product::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
    ctx.i18n.get(lang, "routes-usage", Args::new().text("products", products))
}

async fn list(ctx: &Ctx, lang: Lang) -> anyhow::Result<String> {
    let routes = handoff::routes(ctx.store.as_ref()).await?;
    let mut lines = vec![];
    if routes.is_empty() {
        lines.push(ctx.i18n.t(lang, "routes-none"));
    } else {
        lines.push(ctx.i18n.t(lang, "routes-title"));
        lines.extend(routes.iter().map(|r| {
            ctx.i18n.get(
                lang,
                "routes-line",
                Args::new()
                    .text("region", r.region.as_str())
                    .text("product", render::product(ctx, lang, r.product))
                    .text("chat", r.chat_id.to_string()),
            )
        }));
    }
    lines.push(String::new());
    lines.push(usage(ctx, lang));
    Ok(lines.join("\n"))
}

async fn set_route(
    bot: &Bot,
    ctx: &Ctx,
    caller: &Caller,
    region: &str,
    product: &str,
    chat: &str,
) -> anyhow::Result<String> {
    let lang = caller.user.lang;
    let Ok(region) = RegionCode::parse(region) else {
        return Ok(ctx.i18n.get(lang, "routes-bad-region", Args::new().text("region", region)));
    };
    if !handoff::region_exists(ctx.store.as_ref(), &region).await? {
        return Ok(ctx.i18n.get(lang, "routes-bad-region", Args::new().text("region", region.as_str())));
    }
    let Ok(product) = product.to_ascii_lowercase().parse::<Product>() else {
        return Ok(usage(ctx, lang));
    };
    let Some(chat_id) = chat.parse::<i64>().ok().filter(|id| *id < 0) else {
        return Ok(ctx.i18n.t(lang, "routes-bad-chat"));
    };
    let title = match check_route_chat(bot, chat_id).await {
        ChatCheck::Group(title) => title,
        ChatCheck::Unreachable => {
            return Ok(ctx.i18n.get(
                lang,
                "routes-unreachable",
                Args::new().text("chat", chat_id.to_string()),
            ));
        }
        ChatCheck::NotGroup => {
            return Ok(ctx.i18n.get(lang, "routes-not-group", Args::new().text("chat", chat_id.to_string())));
        }
    };
    let route = Route { region, product, chat_id };
    handoff::set_route(ctx.store.as_ref(), &route, Some(caller.user.telegram_id), ctx.clock.now()).await?;
    Ok(ctx.i18n.get(
        lang,
        "routes-saved",
        Args::new()
            .text("region", route.region.as_str())
            .text("product", render::product(ctx, lang, product))
            .text("title", title)
            .text("chat", chat_id.to_string()),
    ))
}

/// What Telegram says of a chat meant to receive hand-offs.
pub enum ChatCheck {
    /// A group the bot is in, with its title.
    Group(String),
    /// The bot is not in it, or it does not exist.
    Unreachable,
    /// A private chat or a channel.
    NotGroup,
}

/// Asks Telegram (`getChat`) whether the bot is in the chat and whether it is a group.
pub async fn check_route_chat(bot: &teloxide::Bot, chat_id: i64) -> ChatCheck {
    use teloxide::requests::Requester;
    match bot.get_chat(teloxide::types::ChatId(chat_id)).await {
        Ok(chat) if chat.is_group() || chat.is_supergroup() => {
            ChatCheck::Group(chat.title().unwrap_or_default().to_owned())
        }
        Ok(_) => ChatCheck::NotGroup,
        Err(e) => {
            tracing::info!(chat_id, error = %e, "the chat for a route cannot be reached");
            ChatCheck::Unreachable
        }
    }
}
