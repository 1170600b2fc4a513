//! A stranger asks for access from the refusal; admins approve (choosing role and division) or
//! reject; the person is told. At most one request a day.

mod support;

use std::time::Duration;

use chrono::Duration as Span;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::store::Store;

both_backends! {
    async fn a_stranger_requests_access_and_an_admin_approves_it(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.say(&admin, "/start").await;
        let stranger = app.tg.user(555, "Пётр");

        let refusal = app.say(&stranger, "/start").await;
        app.tg.press(&stranger, &refusal, &refusal.button("Запросить доступ"));
        let request = app.tg.next(admin.id).await;
        assert!(request.visible.contains("Пётр @user555"), "{}", request.visible);
        assert!(request.visible.contains("555"), "{}", request.visible);
        app.tg.wait_callbacks_answered().await;
        let answer = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(answer.params["text"], "Запрос отправлен администратору. Мы сообщим о решении.");

        app.tg.press(&stranger, &refusal, &refusal.button("Запросить доступ"));
        app.tg.wait_callbacks_answered().await;
        let again = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert!(again.params["text"].as_str().unwrap().contains("через сутки"), "{again:?}");
        app.tg.assert_silent(admin.id, Duration::from_millis(300)).await;

        app.tg.press(&admin, &request, &request.button("Одобрить"));
        let roles = app.tg.next(admin.id).await;
        assert!(roles.visible.contains("Сотрудник: Пётр. Выберите роль:"), "{}", roles.visible);
        app.tg.press(&admin, &roles, &roles.button("специалист"));
        let regions = app.tg.next(admin.id).await;
        app.tg.press(&admin, &regions, &regions.button("MSK"));
        let confirm = app.tg.next(admin.id).await;
        app.tg.press(&admin, &confirm, &confirm.button("Сохранить"));
        let granted = app.tg.next(555).await;
        assert_eq!(granted.visible, "Доступ к боту открыт. Нажмите /start, чтобы начать работу.");
        let hello = app.say(&stranger, "/start").await;
        assert!(hello.visible.contains("Москва (MSK)"), "{}", hello.visible);

        app.tg.press(&admin, &request, &request.button("Отклонить"));
        app.tg.wait_callbacks_answered().await;
        let late = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(late.params["text"], "Этот запрос уже рассмотрен.");
        app.finish().await;
    }

    async fn a_rejected_request_is_told_and_can_be_repeated_next_day(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.say(&admin, "/start").await;
        let stranger = app.tg.user(556, "Мария");
        let refusal = app.say(&stranger, "привет").await;
        app.tg.press(&stranger, &refusal, &refusal.button("Запросить доступ"));
        let request = app.tg.next(admin.id).await;

        app.tg.press(&admin, &request, &request.button("Отклонить"));
        let denied = app.tg.next(556).await;
        assert_eq!(denied.visible, "К сожалению, в доступе к боту отказано.");
        let edited = app.tg.next(admin.id).await;
        assert_eq!(edited.visible, "Запрос от Мария отклонён.");
        assert!(edited.buttons().is_empty());
        let trail = app.store.audit_by_actor(TelegramId::new(9001).unwrap()).await.unwrap();
        assert!(trail.iter().any(|r| r.action == "access_request_rejected"));

        app.clock.advance(Span::hours(25));
        app.tg.press(&stranger, &refusal, &refusal.button("Запросить доступ"));
        let renewed = app.tg.next(admin.id).await;
        assert!(renewed.visible.contains("Мария"), "{}", renewed.visible);
        app.finish().await;
    }

    async fn a_disabled_user_gets_no_request_button_and_a_forged_request_is_ignored(app) {
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        let boris = app.add_user(1003, "Борис Орлов", Role::HeadOffice, None).await;
        let hello = app.say(&boris, "/start").await;
        prospect_diary::domain::directory::set_active(app.store.as_ref(), TelegramId::new(1003).unwrap(), false, None, support::start_time()).await.unwrap();

        let refusal = app.say(&boris, "/help").await;
        assert!(refusal.buttons().is_empty(), "{:?}", refusal.buttons());
        app.tg.press(&boris, &hello, &support::data("acc:req"));
        app.tg.wait_callbacks_answered().await;
        assert!(app.store.access_request(TelegramId::new(1003).unwrap()).await.unwrap().is_none());
        app.tg.assert_silent(admin.id, Duration::from_millis(500)).await;

        // A stranger cannot approve themselves with a forged admin button.
        let stranger = app.tg.user(557, "Хакер");
        let refusal = app.say(&stranger, "/start").await;
        app.tg.press(&stranger, &refusal, &support::data("acc:ok:557"));
        app.tg.wait_callbacks_answered().await;
        assert!(app.store.user(TelegramId::new(557).unwrap()).await.unwrap().is_none());
        app.finish().await;
    }
}
