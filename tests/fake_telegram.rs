//! The fake Telegram is as strict as Telegram: these tests talk to it with teloxide's own client
//! and check the limits and error texts of `shared/botapi/limits.json`.

use std::time::Duration;

use prospect_diary::telegram_fake::{Failure, FakeTelegram, TOKEN};
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, InputFile, ParseMode};
use teloxide::{ApiError, RequestError};

async fn setup() -> (FakeTelegram, Bot) {
    let tg = FakeTelegram::start().await.unwrap();
    let bot = Bot::new(TOKEN).set_api_url(tg.url().parse().unwrap());
    (tg, bot)
}

fn api_error(result: Result<impl std::fmt::Debug, RequestError>) -> ApiError {
    match result {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn over_long_text_is_refused_and_4096_characters_pass() {
    let (tg, bot) = setup().await;
    let anna = tg.user(1, "Анна");
    tg.send_text(&anna, "/start");
    let chat = ChatId(1);
    assert_eq!(api_error(bot.send_message(chat, "я".repeat(4097)).await), ApiError::MessageIsTooLong);
    bot.send_message(chat, "я".repeat(4096)).await.unwrap();
    // Markup does not count towards the limit; the visible text does.
    let bold = format!("<b>{}</b>", "я".repeat(4096));
    bot.send_message(chat, bold).parse_mode(ParseMode::Html).await.unwrap();
    let err = api_error(bot.send_message(chat, " ").await);
    assert_eq!(err, ApiError::Unknown("Bad Request: text must be non-empty".into()));
}

#[tokio::test]
async fn bad_html_and_markdown_are_refused_with_telegrams_words() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let err =
        api_error(bot.send_message(ChatId(1), "ООО \"Рога & <Копыта>\"").parse_mode(ParseMode::Html).await);
    match err {
        ApiError::CantParseEntities(text) => {
            assert!(text.contains("Unsupported start tag"), "{text}")
        }
        other => panic!("{other:?}"),
    }
    let err = api_error(bot.send_message(ChatId(1), "<b>bold</i>").parse_mode(ParseMode::Html).await);
    assert!(matches!(err, ApiError::CantParseEntities(_)), "{err:?}");
    let err =
        api_error(bot.send_message(ChatId(1), "Итого: 1.5 млн").parse_mode(ParseMode::MarkdownV2).await);
    assert!(matches!(err, ApiError::CantParseEntities(_)), "{err:?}");
    let fine = "ООО &quot;Рога &amp; &lt;Копыта&gt;&quot;";
    bot.send_message(ChatId(1), fine).parse_mode(ParseMode::Html).await.unwrap();
    assert_eq!(tg.outgoing(1).last().unwrap().visible, "ООО \"Рога & <Копыта>\"");
}

#[tokio::test]
async fn callback_data_must_be_1_to_64_bytes() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let keyboard = |data: String| InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("x", data)]]);
    let err = api_error(bot.send_message(ChatId(1), "a").reply_markup(keyboard("x".repeat(65))).await);
    assert_eq!(err, ApiError::ButtonDataInvalid);
    let err = api_error(bot.send_message(ChatId(1), "a").reply_markup(keyboard(String::new())).await);
    assert_eq!(err, ApiError::ButtonDataInvalid);
    bot.send_message(ChatId(1), "a").reply_markup(keyboard("я".repeat(32))).await.unwrap();
}

#[tokio::test]
async fn an_identical_edit_is_not_modified_and_a_missing_message_is_not_found() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let sent = bot.send_message(ChatId(1), "раз").await.unwrap();
    bot.edit_message_text(ChatId(1), sent.id, "два").await.unwrap();
    let err = api_error(bot.edit_message_text(ChatId(1), sent.id, "два").await);
    assert_eq!(err, ApiError::MessageNotModified);
    let err = api_error(bot.edit_message_text(ChatId(1), teloxide::types::MessageId(999), "x").await);
    assert_eq!(err, ApiError::MessageToEditNotFound);
}

#[tokio::test]
async fn users_who_never_started_or_blocked_the_bot_answer_403() {
    let (tg, bot) = setup().await;
    // Telegram's current text; teloxide 0.17 still expects the old "Unauthorized: …" one.
    let err = api_error(bot.send_message(ChatId(42), "привет").await);
    assert_eq!(err, ApiError::Unknown("Forbidden: bot can't initiate conversation with a user".into()));
    tg.send_text(&tg.user(42, "Олег"), "/start");
    bot.send_message(ChatId(42), "привет").await.unwrap();
    tg.block(42);
    let err = api_error(bot.send_message(ChatId(42), "привет").await);
    assert_eq!(err, ApiError::BotBlocked);
    let err = api_error(bot.send_message(ChatId(-100500), "группа").await);
    assert_eq!(err, ApiError::ChatNotFound);
}

#[tokio::test]
async fn rate_limits_answer_429_with_retry_after() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    tg.fail_next(Some("sendMessage"), 1, Failure::RetryAfter(3));
    match bot.send_message(ChatId(1), "a").await {
        Err(RequestError::RetryAfter(secs)) => assert_eq!(secs.seconds(), 3),
        other => panic!("{other:?}"),
    }
    bot.send_message(ChatId(1), "a").await.unwrap();
    let refused = &tg.calls_of("sendMessage")[0];
    assert_eq!(refused.error.as_deref(), Some("Too Many Requests: retry after 3"));
}

#[tokio::test]
async fn a_wrong_token_is_unauthorized() {
    let (tg, _) = setup().await;
    let stranger = Bot::new("1:WRONG").set_api_url(tg.url().parse().unwrap());
    assert_eq!(api_error(stranger.get_me().await), ApiError::InvalidToken);
}

#[tokio::test]
async fn updates_follow_offsets_and_a_second_poller_conflicts() {
    let (tg, bot) = setup().await;
    let anna = tg.user(1, "Анна");
    let first = tg.send_text(&anna, "раз");
    tg.send_text(&anna, "два");
    let updates = bot.get_updates().await.unwrap();
    assert_eq!(updates.len(), 2);
    let again = bot.get_updates().offset(first as i32 + 1).await.unwrap();
    assert_eq!(again.len(), 1, "the first update was confirmed by the offset");

    let waiting = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().offset(first as i32 + 2).timeout(5).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let _second = bot.get_updates().offset(first as i32 + 2).timeout(0).await.unwrap();
    let err = api_error(waiting.await.unwrap());
    assert!(matches!(err, ApiError::TerminatedByOtherGetUpdates), "{err:?}");
}

#[tokio::test]
async fn files_are_stored_and_can_be_downloaded() {
    use teloxide::net::Download;
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let sent = bot
        .send_document(ChatId(1), InputFile::memory(b"report".to_vec()).file_name("report.xlsx"))
        .caption("Отчёт")
        .await
        .unwrap();
    let document = sent.document().unwrap();
    let file = bot.get_file(document.file.id.clone()).await.unwrap();
    let mut bytes = vec![];
    bot.download_file(&file.path, &mut bytes).await.unwrap();
    assert_eq!(bytes, b"report");
    let err = api_error(
        bot.send_document(ChatId(1), InputFile::memory(b"x".to_vec()).file_name("a.txt"))
            .caption("я".repeat(1025))
            .await,
    );
    assert_eq!(err, ApiError::Unknown("Bad Request: message caption is too long".into()));
    let err = api_error(
        bot.send_photo(ChatId(1), InputFile::memory(b"not a png".to_vec()).file_name("a.png")).await,
    );
    assert_eq!(err, ApiError::ImageProcessFailed);
}

#[tokio::test]
async fn get_chat_knows_groups_the_bot_is_in() {
    let (tg, bot) = setup().await;
    tg.add_group(-100200, "Кредитный отдел", true);
    tg.add_group(-100300, "Чужая группа", false);
    let chat = bot.get_chat(ChatId(-100200)).await.unwrap();
    assert_eq!(chat.title(), Some("Кредитный отдел"));
    let err = api_error(bot.get_chat(ChatId(-100300)).await);
    assert_eq!(err, ApiError::Unknown("Forbidden: bot is not a member of the supergroup chat".into()));
    assert_eq!(api_error(bot.get_chat(ChatId(-1)).await), ApiError::ChatNotFound);
}

#[tokio::test]
async fn set_my_commands_checks_names_and_answering_a_callback_twice_fails() {
    let (tg, bot) = setup().await;
    let anna = tg.user(1, "Анна");
    tg.send_text(&anna, "/start");
    let bad = vec![teloxide::types::BotCommand::new("Bad-Name", "описание")];
    let err = api_error(bot.set_my_commands(bad).await);
    assert_eq!(err, ApiError::Unknown("Bad Request: BOT_COMMAND_INVALID".into()));
    let sent = bot
        .send_message(ChatId(1), "a")
        .reply_markup(InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("x", "x")]]))
        .await
        .unwrap();
    let out = tg.outgoing(1).into_iter().find(|o| o.message_id == i64::from(sent.id.0)).unwrap();
    tg.press(&anna, &out, "x");
    let updates = bot.get_updates().await.unwrap();
    let query = updates
        .iter()
        .find_map(|u| match &u.kind {
            teloxide::types::UpdateKind::CallbackQuery(q) => Some(q.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(tg.unanswered_callbacks().len(), 1);
    bot.answer_callback_query(query.id.clone()).await.unwrap();
    assert!(tg.unanswered_callbacks().is_empty());
    assert!(bot.answer_callback_query(query.id).await.is_err());
}

#[tokio::test]
async fn flood_limits_answer_429_per_chat_and_overall() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let mut limited = None;
    for n in 0..10 {
        if let Err(e) = bot.send_message(ChatId(1), format!("{n}")).await {
            limited = Some((n, e));
            break;
        }
    }
    match limited {
        Some((n, RequestError::RetryAfter(secs))) => {
            assert!((1..=6).contains(&n), "a short burst only, limited at {n}");
            assert!(secs.seconds() >= 1);
        }
        other => panic!("expected 429 within 10 quick messages to one chat, got {other:?}"),
    }
    for id in 100..140 {
        tg.send_text(&tg.user(id, "X"), "/start");
    }
    let mut overall = 0;
    for id in 100..140 {
        match bot.send_message(ChatId(id), "x").await {
            Ok(_) => overall += 1,
            Err(RequestError::RetryAfter(_)) => break,
            Err(e) => panic!("{e:?}"),
        }
    }
    assert!(overall < 35, "about 30 a second overall, sent {overall}");
}

#[tokio::test]
async fn multipart_captions_stay_text() {
    let (tg, bot) = setup().await;
    tg.send_text(&tg.user(1, "Анна"), "/start");
    let sent = bot
        .send_document(ChatId(1), InputFile::memory(b"x".to_vec()).file_name("a.txt"))
        .caption("2026")
        .await
        .unwrap();
    assert_eq!(sent.caption(), Some("2026"));
}
