//! Admins manage the whitelist from the chat with the same checks as the operator CLI;
//! a half-filled flow survives a restart; nobody else can touch the whitelist.

mod support;

use std::time::Duration;

use prospect_diary::cli::{self, UserCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::audit::user_subject;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::store::Store;

async fn user(app: &support::TestApp, id: i64) -> Option<prospect_diary::domain::access::User> {
    app.store.user(TelegramId::new(id).unwrap()).await.unwrap()
}

both_backends! {
    async fn an_admin_adds_a_user_step_by_step_and_mistakes_are_asked_again(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;

        let list = app.say(&admin, "👥 Пользователи").await;
        assert!(list.visible.contains("Пользователи: 2"), "{}", list.visible);
        app.tg.press(&admin, &list, &list.button("Добавить"));
        let ask_id = app.tg.next(admin.id).await;
        assert!(ask_id.visible.contains("Telegram ID"));

        let wrong = app.say(&admin, "не число").await;
        assert!(wrong.visible.starts_with("Telegram ID — это положительное целое число"), "{}", wrong.visible);
        assert!(wrong.visible.contains("Введите Telegram ID"), "the question is asked again: {}", wrong.visible);
        let taken = app.say(&admin, "1001").await;
        assert!(taken.visible.contains("уже есть в списке"), "{}", taken.visible);

        let ask_name = app.say(&admin, " 2002 ").await;
        assert!(ask_name.visible.contains("ФИО"), "{}", ask_name.visible);
        let bad_name = app.say(&admin, "Я").await;
        assert!(bad_name.visible.contains("от 2 до 128 символов"), "{}", bad_name.visible);
        let roles = app.say(&admin, "Сидоров Пётр <Главный> & Co").await;
        assert!(roles.visible.contains("Сидоров Пётр <Главный> & Co"), "typed text is shown as typed: {}", roles.visible);

        app.tg.press(&admin, &roles, &roles.button("специалист"));
        let regions = app.tg.next(admin.id).await;
        assert!(regions.visible.contains("подразделение"), "{}", regions.visible);
        app.tg.press(&admin, &regions, &regions.button("VVO"));
        let confirm = app.tg.next(admin.id).await;
        assert!(confirm.visible.contains("Проверьте данные") && confirm.visible.contains("VVO"), "{}", confirm.visible);
        app.tg.press(&admin, &confirm, &confirm.button("Сохранить"));
        let saved = app.tg.next(admin.id).await;
        assert!(saved.visible.contains("добавлен"), "{}", saved.visible);
        app.tg.wait_callbacks_answered().await;

        let petr = user(&app, 2002).await.expect("saved");
        assert_eq!(petr.full_name.as_str(), "Сидоров Пётр <Главный> & Co");
        assert_eq!(petr.role, Role::Specialist);
        assert_eq!(petr.region.unwrap().as_str(), "VVO");
        assert_eq!(petr.added_by, Some(TelegramId::new(9001).unwrap()));
        let trail = app.store.audit_by_subject(&user_subject(TelegramId::new(2002).unwrap())).await.unwrap();
        assert_eq!(trail[0].action, "user_added");
        assert_eq!(trail[0].actor, Some(TelegramId::new(9001).unwrap()));

        let newcomer = app.tg.user(2002, "Пётр");
        let hello = app.say(&newcomer, "/start").await;
        assert!(hello.visible.contains("Владивосток (VVO)"), "{}", hello.visible);
        app.finish().await;
    }

    async fn an_admin_changes_role_and_region_and_disables_a_user(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;

        let list = app.say(&admin, "/users").await;
        app.tg.press(&admin, &list, &list.button("Анна Петрова"));
        let card = app.tg.next(admin.id).await;
        assert!(card.visible.contains("Москва") || card.visible.contains("MSK"), "{}", card.visible);
        app.tg.press(&admin, &card, &card.button("Изменить роль"));
        let roles = app.tg.next(admin.id).await;
        app.tg.press(&admin, &roles, &roles.button("руководитель"));
        let updated = app.tg.next(admin.id).await;
        assert!(updated.visible.contains("руководитель подразделения"), "{}", updated.visible);

        app.tg.press(&admin, &updated, &updated.button("Изменить подразделение"));
        let regions = app.tg.next(admin.id).await;
        app.tg.press(&admin, &regions, &regions.button("VVO"));
        let moved = app.tg.next(admin.id).await;
        assert!(moved.visible.contains("VVO"), "{}", moved.visible);

        app.tg.press(&admin, &moved, &moved.button("Отключить"));
        let disabled = app.tg.next(admin.id).await;
        assert!(disabled.visible.contains("отключён"), "{}", disabled.visible);
        app.tg.wait_callbacks_answered().await;

        let anna = user(&app, 1001).await.unwrap();
        assert_eq!((anna.role, anna.region.unwrap().as_str().to_owned(), anna.active), (Role::Manager, "VVO".to_owned(), false));
        let actions: Vec<String> = app.store.audit_by_subject(&user_subject(anna.telegram_id)).await.unwrap()
            .into_iter().map(|r| r.action).collect();
        assert_eq!(actions, ["user_added", "user_placement_changed", "user_placement_changed", "user_disabled"]);
        app.finish().await;
    }

    async fn only_admins_touch_the_whitelist_even_with_forged_buttons(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.add_user(1003, "Борис Орлов", Role::Manager, Some("MSK")).await;
        let list = app.say(&admin, "/users").await;

        let refused = app.say(&anna, "/users add").await;
        assert_eq!(refused.visible, "Эта команда вам недоступна.");
        let hello = app.say(&anna, "/start").await;
        for forged in ["u:a:1003:0", "u:pl:1001:admin:-", "u:fs", "u:s:1003", "garbage", "u:pl:1001:manager:NOPE"] {
            app.tg.press(&anna, &hello, &support::data(forged));
        }
        app.tg.wait_callbacks_answered().await;
        let alerts = app.tg.calls_of("answerCallbackQuery");
        assert!(alerts.iter().all(|c| c.params["show_alert"] == true), "{alerts:?}");
        assert!(user(&app, 1003).await.unwrap().active);
        assert_eq!(user(&app, 1001).await.unwrap().role, Role::Specialist);

        // An admin's forged press with a division that does not exist changes nothing either.
        app.tg.press(&admin, &list, &support::data("u:pl:1001:manager:NOPE"));
        app.tg.wait_callbacks_answered().await;
        assert_eq!(user(&app, 1001).await.unwrap().role, Role::Specialist);
        let last = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(last.params["text"], "Подразделение NOPE не найдено.");
        // A specialist without a division is refused too, whatever the button says.
        app.tg.press(&admin, &list, &support::data("u:pl:1003:specialist:-"));
        app.tg.wait_callbacks_answered().await;
        assert_eq!(user(&app, 1003).await.unwrap().role, Role::Manager);
        let last = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert!(last.params["text"].as_str().unwrap().contains("нужно выбрать подразделение"), "{last:?}");
        // Nor can an admin disable themselves.
        app.tg.press(&admin, &list, &support::data("u:a:9001:0"));
        app.tg.wait_callbacks_answered().await;
        assert!(user(&app, 9001).await.unwrap().active);
        app.tg.assert_silent(1001, Duration::from_millis(300)).await;
        app.finish().await;
    }

    async fn a_restart_in_the_middle_of_a_flow_resumes_it(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let admin = app.add_user(9001, "Ирина Админова", Role::Admin, None).await;
        app.say(&admin, "/users add").await;
        app.say(&admin, "3003").await;

        app.restart().await;

        let roles = app.say(&admin, "Волкова Дарья").await;
        assert!(roles.visible.contains("Сотрудник: Волкова Дарья. Выберите роль:"), "{}", roles.visible);
        app.tg.press(&admin, &roles, &roles.button("сотрудник головного офиса"));
        let confirm = app.tg.next(admin.id).await;
        assert!(confirm.visible.contains("3003"), "{}", confirm.visible);
        app.tg.press(&admin, &confirm, &confirm.button("Сохранить"));
        app.tg.next(admin.id).await;
        app.tg.wait_callbacks_answered().await;
        let darya = user(&app, 3003).await.unwrap();
        assert_eq!((darya.role, darya.region), (Role::HeadOffice, None));
        app.finish().await;
    }

    async fn the_cli_refuses_what_makes_no_sense_and_saves_nothing(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let now = support::start_time();
        let add = |id: &str, role: &str, region: Option<&str>| UserCommand::Add {
            telegram_id: id.into(),
            name: "Тест Тестов".into(),
            role: role.into(),
            region: region.map(str::to_owned),
        };
        let store = app.store.as_ref();
        let err = cli::user(store, add("10", "boss", Some("MSK")), now).await.unwrap_err();
        assert!(err.to_string().contains("a role is one of"), "{err}");
        let err = cli::user(store, add("10", "specialist", Some("NOPE")), now).await.unwrap_err();
        assert!(err.to_string().contains("there is no region NOPE"), "{err}");
        let err = cli::user(store, add("10", "specialist", None), now).await.unwrap_err();
        assert!(err.to_string().contains("works in a region"), "{err}");
        let err = cli::user(store, add("10", "admin", Some("MSK")), now).await.unwrap_err();
        assert!(err.to_string().contains("not tied to a region"), "{err}");
        let err = cli::user(store, add("-1", "admin", None), now).await.unwrap_err();
        assert!(err.to_string().contains("positive whole number"), "{err}");
        assert!(app.store.users().await.unwrap().is_empty());

        cli::user(store, add("10", "credit_officer", Some("msk")), now).await.unwrap();
        let err = cli::user(store, add("10", "manager", Some("MSK")), now).await.unwrap_err();
        assert!(err.to_string().contains("already in the whitelist"), "{err}");
        let listed = cli::user(store, UserCommand::List, now).await.unwrap();
        assert!(listed.contains("10\tТест Тестов\tcredit_officer\tMSK\tactive"), "{listed}");
        let err = cli::region(store, cli::RegionCommand::Add { code: "msk".into(), name: "Москва".into(), tz: "Europe/Moscow".into() }, now).await.unwrap_err();
        assert!(err.to_string().contains("already exists"), "{err}");
        let err = cli::region(store, cli::RegionCommand::Add { code: "KHV".into(), name: "Хабаровск".into(), tz: "Khabarovsk".into() }, now).await.unwrap_err();
        assert!(err.to_string().contains("IANA"), "{err}");
        app.finish().await;
    }
}
