//! A file of clients sent to the bot (issue 13): a manager (their division) or head office (any)
//! sends an `.xlsx` or `.csv`; the bot answers with the preview, the error workbook and the
//! buttons «Загрузить» / «Отмена». The file waits in the database (`transfer::pending`), so a
//! press is checked there: a repeated or forged one saves nothing. Files with contacts do not
//! travel through Telegram in `mask` and `hide` modes (SPEC §10): there the bot does not even
//! download the file and points to the page's upload form (`web/import.rs`), or to the
//! operator's command line when the page is not published.

use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MessageId, WebAppInfo};

use super::buttons::{Press, buttons};
use super::gate::Caller;
use super::reply::{self, Answer};
use super::{Ctx, HandlerResult, reports};
use crate::domain::import::may_import;
use crate::domain::privacy::ContactsInChat;
use crate::domain::prospects::BaseError;
use crate::i18n::{Args, count, escape_html};
use crate::transfer::pending::{self, Confirmed};
use crate::transfer::{ImportError, words};

buttons! {
    /// The decision on a file sent for import, by its number in `pending_imports`.
    pub enum ImportButton {
        Save(id: i64) = "s",
        Cancel(id: i64) = "c",
    }
}

/// The largest file Telegram lets a bot download.
const MAX_DOWNLOAD: u32 = 20 * 1024 * 1024;

pub async fn on_document(bot: Bot, ctx: Ctx, caller: Caller, msg: Message) -> HandlerResult {
    let Some(document) = msg.document() else { return Ok(()) };
    let lang = caller.user.lang;
    let say = |id: &str| ctx.i18n.t(lang, id);
    if !may_import(&caller.user) {
        reply::send(&bot, caller.chat, say("import-not-allowed")).await?;
        return Ok(());
    }
    if ctx.config.contacts_in_chat != ContactsInChat::Show {
        // The file stays where it is; the page takes it over HTTPS, from the phone to the bank.
        match ctx.config.import_page() {
            Some(url) => {
                let button = InlineKeyboardButton::web_app(say("import-page-button"), WebAppInfo { url });
                let markup = InlineKeyboardMarkup::new([[button]]);
                reply::send_with(&bot, caller.chat, say("import-use-page"), markup).await?;
            }
            None => {
                reply::send(&bot, caller.chat, say("import-use-cli")).await?;
            }
        }
        return Ok(());
    }
    if document.file.size > MAX_DOWNLOAD {
        reply::send(&bot, caller.chat, say("import-too-large")).await?;
        return Ok(());
    }
    let file = bot.get_file(document.file.id.clone()).await?;
    let mut content = Vec::with_capacity(document.file.size as usize);
    bot.download_file(&file.path, &mut content).await?;
    let name = document.file_name.clone().unwrap_or_else(|| "file".into());
    let now = ctx.clock.now();
    let offer = match pending::offer(ctx.store.as_ref(), &ctx.i18n, &caller.user, &name, &content, now).await
    {
        Ok(offer) => offer,
        Err(ImportError::File(problem)) => {
            reply::send(&bot, caller.chat, escape_html(&words::file_problem(&ctx.i18n, lang, &problem)))
                .await?;
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    };
    let mut lines = vec![words::preview(&ctx.i18n, lang, &offer.outcome, false)];
    if !offer.unknown.is_empty() {
        let columns = offer.unknown.join(", ");
        lines.push(ctx.i18n.get(lang, "import-unknown-columns", Args::new().text("columns", columns)));
    }
    if offer.outcome.warnings > 0 {
        let n = offer.outcome.warnings;
        lines.push(ctx.i18n.get(
            lang,
            "import-similar",
            Args::new().num("count", n as i64).markup("count_text", count(n)),
        ));
    }
    if let Some(book) = offer.errors {
        let stem = name.rsplit_once('.').map(|(stem, _)| stem).unwrap_or(&name);
        let file_name = format!("{stem}.errors.xlsx");
        reports::send_file(
            &bot,
            caller.chat,
            book,
            file_name,
            say("import-errors-caption"),
            false,
            say("file-too-large"),
        )
        .await?;
    }
    if offer.outcome.new == 0 {
        lines.push(say("import-nothing"));
        reply::send(&bot, caller.chat, lines.join("\n")).await?;
        return Ok(());
    }
    let markup = InlineKeyboardMarkup::new([[
        ImportButton::Save(offer.id).button(say("import-button-save")),
        ImportButton::Cancel(offer.id).button(say("import-button-cancel")),
    ]]);
    reply::send_with(&bot, caller.chat, lines.join("\n"), markup).await?;
    Ok(())
}

pub async fn on_button(
    bot: Bot,
    ctx: Ctx,
    caller: Caller,
    message: Option<MessageId>,
    button: ImportButton,
) -> anyhow::Result<Answer> {
    let lang = caller.user.lang;
    let store = ctx.store.as_ref();
    let refused = |err: ImportError| match err {
        ImportError::Base(BaseError::NotAllowed) => Ok(Answer::alert(ctx.i18n.t(lang, "button-not-allowed"))),
        other => Err(anyhow::Error::from(other)),
    };
    match button {
        ImportButton::Save(id) => {
            match pending::confirm(store, &ctx.i18n, &caller.user, id, ctx.clock.now()).await {
                Ok(Confirmed::Saved(written)) => {
                    let text = ctx.i18n.get(
                        lang,
                        "import-saved",
                        Args::new()
                            .num("created", written.created as i64)
                            .markup("created_text", count(written.created)),
                    );
                    reply::close(&bot, caller.chat, message, text).await?;
                    Ok(Answer::done())
                }
                Ok(Confirmed::Stale) => Ok(Answer::stale(&ctx, lang)),
                Err(err) => refused(err),
            }
        }
        ImportButton::Cancel(id) => match pending::cancel(store, &caller.user, id).await {
            Ok(true) => {
                reply::close(&bot, caller.chat, message, ctx.i18n.t(lang, "import-cancelled")).await?;
                Ok(Answer::done())
            }
            Ok(false) => Ok(Answer::stale(&ctx, lang)),
            Err(err) => refused(err),
        },
    }
}
