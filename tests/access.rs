//! Who gets in: whitelisted people get their role's menu and commands; strangers, disabled
//! people and group chats get nothing but one polite refusal (audited).

mod support;

use std::time::Duration;

use chrono::Duration as Span;
use prospect_diary::domain::access::{Lang, Role};
use prospect_diary::domain::audit::user_subject;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::store::Store;
use serde_json::json;

const QUIET: Duration = Duration::from_millis(800);

fn chat_scope(id: i64) -> serde_json::Value {
    json!({"type": "chat", "chat_id": id})
}

both_backends! {
    async fn whitelisted_user_gets_greeting_role_region_and_menu(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;

        let reply = app.say(&anna, "/start").await;

        assert!(reply.visible.contains("Здравствуйте, Анна Петрова!"), "{}", reply.visible);
        assert!(reply.visible.contains("Роль: специалист по привлечению"), "{}", reply.visible);
        assert!(reply.visible.contains("Москва (MSK)"), "{}", reply.visible);
        assert!(reply.keyboard().contains(&"❓ Помощь".to_owned()), "{:?}", reply.keyboard());
        assert!(!reply.keyboard().iter().any(|b| b.contains("Пользователи")));
        let commands = app.tg.eventually("Anna's commands", |tg| tg.commands(chat_scope(1001), None)).await;
        assert!(commands.contains(&"help".to_owned()) && !commands.contains(&"users".to_owned()), "{commands:?}");
        app.finish().await;
    }

    async fn help_and_command_scopes_follow_the_role(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        let help = app.say(&admin, "/help").await;
        assert!(help.visible.contains("/users"), "{}", help.visible);
        app.say(&admin, "/start").await;

        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let help = app.say(&anna, "/help").await;
        assert!(help.visible.contains("/lang") && !help.visible.contains("/users"), "{}", help.visible);
        let refused = app.say(&anna, "/users").await;
        assert_eq!(refused.visible, "Эта команда вам недоступна.");

        app.say(&anna, "/start").await;
        let admin_cmds = app.tg.eventually("admin's commands", |tg| tg.commands(chat_scope(9001), None)).await;
        let anna_cmds = app.tg.eventually("Anna's commands", |tg| tg.commands(chat_scope(1001), None)).await;
        assert!(admin_cmds.contains(&"users".to_owned()), "{admin_cmds:?}");
        assert!(!anna_cmds.contains(&"users".to_owned()), "{anna_cmds:?}");
        assert_eq!(app.tg.commands(json!({"type": "default"}), None), Some(vec!["start".to_owned()]));
        app.finish().await;
    }

    async fn language_switch_is_remembered(app) {
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let oleg = app.add_user(1002, "Олег Ким", Role::Manager, Some("VVO")).await;
        let menu = app.say(&oleg, "/lang").await;
        app.tg.press(&oleg, &menu, &menu.button("English"));
        let done = app.tg.next(oleg.id).await;
        assert_eq!(done.visible, "Interface language: English.");
        app.tg.wait_callbacks_answered().await;

        app.restart().await;
        let hello = app.say(&oleg, "/start").await;
        assert!(hello.visible.starts_with("Hello, Олег Ким!"), "{}", hello.visible);
        assert!(hello.visible.contains("division manager"), "{}", hello.visible);
        let user = app.store.user(TelegramId::new(1002).unwrap()).await.unwrap().unwrap();
        assert_eq!(user.lang, Lang::En);
        let back = app.say(&oleg, "/lang ru").await;
        assert_eq!(back.visible, "Язык интерфейса: русский.");
        app.finish().await;
    }

    async fn a_stranger_is_refused_once_an_hour_and_every_attempt_is_audited(app) {
        let stranger = app.tg.user(555, "Незнакомец");
        let refusal = app.say(&stranger, "/start").await;
        assert!(refusal.visible.contains("нет доступа"), "{}", refusal.visible);
        assert!(refusal.visible.contains("555"), "{}", refusal.visible);

        app.tg.send_text(&stranger, "/help");
        app.tg.send_text(&stranger, "покажите карточку");
        app.tg.assert_silent(555, QUIET).await;

        app.clock.advance(Span::minutes(61));
        let again = app.say(&stranger, "ещё раз").await;
        assert!(again.visible.contains("нет доступа"));
        let trail = app.store.audit_by_actor(TelegramId::new(555).unwrap()).await.unwrap();
        assert_eq!(trail.iter().filter(|r| r.action == "access_refused").count(), 4, "{trail:?}");
        app.finish().await;
    }

    async fn a_disabled_user_is_refused_like_a_stranger(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        prospect_diary::cli::user(
            app.store.as_ref(),
            prospect_diary::cli::UserCommand::Disable { telegram_id: "1001".into(), reassign_to: None },
            support::start_time(),
        )
        .await
        .unwrap();

        let refusal = app.say(&anna, "/help").await;
        assert!(refusal.visible.contains("нет доступа"), "{}", refusal.visible);
        app.tg.send_text(&anna, "/start");
        app.tg.assert_silent(1001, QUIET).await;
        let trail = app.store.audit_by_subject(&user_subject(TelegramId::new(1001).unwrap())).await.unwrap();
        assert!(trail.iter().any(|r| r.action == "user_disabled"));
        let attempts = app.store.audit_by_actor(TelegramId::new(1001).unwrap()).await.unwrap();
        let refused: Vec<_> = attempts.iter().filter(|r| r.action == "access_refused").collect();
        assert_eq!(refused.len(), 2, "{attempts:?}");
        assert!(refused.iter().all(|r| r.details.as_deref() == Some("message, disabled")));
        // Their role's command menu is taken away with the first refusal.
        app.tg.eventually("commands cleared", |tg| tg.commands(chat_scope(1001), None).is_none().then_some(())).await;
        app.finish().await;
    }

    async fn a_forged_button_press_from_a_stranger_changes_nothing(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;

        // The stranger forges admin payloads under the only message they have: the refusal.
        let stranger = app.tg.user(555, "Незнакомец");
        let refusal = app.say(&stranger, "/start").await;
        app.tg.press(&stranger, &refusal, &support::data("u:a:1001:0"));
        app.tg.press(&stranger, &refusal, &support::data("u:pl:1001:admin:-"));
        app.tg.press(&stranger, &refusal, &support::data("acc:ok:555"));
        app.tg.wait_callbacks_answered().await;

        let anna = app.store.user(TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
        assert!(anna.active);
        assert_eq!(anna.role, Role::Specialist);
        assert!(app.store.user(TelegramId::new(555).unwrap()).await.unwrap().is_none());
        app.tg.assert_silent(555, QUIET).await;
        let refused = app.tg.calls_of("answerCallbackQuery");
        assert_eq!(refused.len(), 3);
        assert!(refused.iter().all(|c| c.params["text"] == "Нет доступа к боту."), "{refused:?}");
        app.finish().await;
    }

    async fn button_presses_in_groups_are_answered_and_change_nothing(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.tg.add_group(-100777, "Курилка", true);
        app.tg.send_in_group(&admin, -100777, "/users");
        app.tg.wait_drained().await;
        let fake = prospect_diary::telegram_fake::Outgoing {
            kind: prospect_diary::telegram_fake::OutgoingKind::Message,
            chat_id: -100777,
            message_id: 1,
            text: String::new(),
            visible: String::new(),
            reply_markup: None,
            file_name: None,
            file: None,
        };
        app.tg.press(&admin, &fake, &support::data("u:add"));
        app.tg.wait_callbacks_answered().await;
        app.tg.assert_silent(-100777, QUIET).await;
        app.tg.assert_silent(9001, Duration::from_millis(10)).await;
        app.finish().await;
    }

    async fn group_chats_get_silence(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.tg.add_group(-100777, "Курилка", true);
        app.tg.send_in_group(&admin, -100777, "/start");
        let stranger = app.tg.user(555, "Незнакомец");
        app.tg.send_in_group(&stranger, -100777, "/help");
        app.tg.wait_drained().await;
        app.tg.assert_silent(-100777, QUIET).await;
        app.tg.assert_silent(555, Duration::from_millis(10)).await;
        app.finish().await;
    }

    async fn an_update_delivered_twice_is_handled_once(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        let update = app.tg.send_text(&admin, "/users add");
        let ask = app.tg.next(admin.id).await;
        assert!(ask.visible.contains("Telegram ID"), "{}", ask.visible);
        app.tg.wait_drained().await;
        let mut marked = false;
        for _ in 0..100 {
            marked = app.store.is_handled(update).await.unwrap();
            if marked { break }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(marked, "update {update} is marked handled");

        app.tg.redeliver(update);
        app.tg.wait_drained().await;
        app.tg.assert_silent(admin.id, QUIET).await;
        app.finish().await;
    }

    async fn cancel_leaves_any_flow(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.say(&admin, "/users add").await;
        let cancelled = app.say(&admin, "/cancel").await;
        assert_eq!(cancelled.visible, "Действие отменено.");
        let nothing = app.say(&admin, "/cancel").await;
        assert_eq!(nothing.visible, "Сейчас нечего отменять.");
        let plain = app.say(&admin, "12345").await;
        assert!(plain.visible.contains("/help"), "{}", plain.visible);
        app.finish().await;
    }
}
