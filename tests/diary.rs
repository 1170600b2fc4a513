//! The diary end to end: an entry step by step with its next contact (typed, quick buttons or
//! the calendar), status moving on, the colleague warning and the owner's message, /my order.

mod support;

use chrono::Duration as Span;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::prospect::{ProspectId, Status};
use prospect_diary::store::{DiaryStore, ProspectStore, Store};
use support::{TestApp, inn};

async fn setup(app: &TestApp) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
}

/// The first message to `user` after they write `text` that `wanted` accepts.
async fn answer(
    app: &TestApp,
    user: &prospect_diary::telegram_fake::TgUser,
    text: &str,
    wanted: impl Fn(&prospect_diary::telegram_fake::Outgoing) -> bool,
) -> prospect_diary::telegram_fake::Outgoing {
    app.tg.send_text(user, text);
    loop {
        let next = app.tg.next(user.id).await;
        if wanted(&next) {
            return next;
        }
    }
}

both_backends! {
    async fn an_entry_is_written_step_by_step_and_the_next_contact_is_read_in_the_region_zone(app) {
        setup(&app).await;
        let oleg = app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
        let id = app.add_prospect(2001, "ООО «Ромашка»", "7707083893", None, None).await;

        let kinds = app.say(&oleg, &format!("/log {id}")).await;
        assert!(kinds.visible.contains("ООО «Ромашка»: как связывались?"), "{}", kinds.visible);
        app.tg.press(&oleg, &kinds, &kinds.button("Встреча"));
        let outcomes = app.tg.next(oleg.id).await;
        app.tg.press(&oleg, &outcomes, &outcomes.button("Положительный"));
        let ask_summary = app.tg.next(oleg.id).await;
        assert!(ask_summary.visible.contains("до 4000 символов"));
        let too_long = "я".repeat(4001);
        let wrong = app.say(&oleg, &too_long).await;
        assert_eq!(wrong.visible, "Описание — от 1 до 4000 символов.");
        app.tg.next(oleg.id).await;
        let long = format!("Договорились <о кредите> & лизинге 🚀 {}", "д".repeat(3950));
        let products = app.say(&oleg, &long).await;
        app.tg.press(&oleg, &products, &products.button("Кредит"));
        let products = app.tg.next(oleg.id).await;
        app.tg.press(&oleg, &products, &products.button("Готово"));
        let when = app.tg.next(oleg.id).await;
        assert!(when.visible.contains("Когда следующий контакт?"));

        let past = app.say(&oleg, "01.01.2020 10:00").await;
        assert_eq!(past.visible, "Это время уже прошло. Укажите будущую дату.");
        app.tg.next(oleg.id).await;
        let nonsense = app.say(&oleg, "когда-нибудь").await;
        assert!(nonsense.visible.starts_with("Не удалось распознать дату"), "{}", nonsense.visible);
        app.tg.next(oleg.id).await;
        let confirm = app.say(&oleg, "25.12 15:30").await;
        assert!(confirm.visible.contains("Встреча, результат: положительный"), "{}", confirm.visible);
        assert!(confirm.visible.contains("Следующий контакт: 25.12.2026 15:30"), "{}", confirm.visible);
        assert!(confirm.visible.contains("<о кредите> & лизинге 🚀"), "{}", confirm.visible);
        assert!(confirm.visible.chars().count() <= 4096);

        app.tg.press(&oleg, &confirm, &confirm.button("Записать"));
        assert_eq!(app.tg.next(oleg.id).await.visible, "Запись добавлена в дневник.");
        let card = app.tg.next(oleg.id).await;
        assert!(card.visible.contains("Статус: заинтересован"), "{}", card.visible);
        assert!(card.visible.contains("Следующий контакт: 25.12.2026 15:30"), "{}", card.visible);

        let saved = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        // 15:30 in Vladivostok (UTC+10) is 05:30 UTC.
        assert_eq!(saved.next_contact.unwrap().to_rfc3339(), "2026-12-25T05:30:00+00:00");
        let entries = app.store.entries(ProspectId(id), 0, 10).await.unwrap();
        assert_eq!(entries[0].summary.chars().count(), long.chars().count());

        // The history shows the long entry cut, with a button for the whole text.
        app.tg.press(&oleg, &card, &card.button("История"));
        let history = app.tg.next(oleg.id).await;
        assert!(history.visible.chars().count() <= 4096);
        app.tg.press(&oleg, &history, &history.button("Полностью"));
        let full = app.tg.next(oleg.id).await;
        assert!(full.visible.contains(&"д".repeat(3950)), "the whole entry");
        app.finish().await;
    }

    async fn quick_buttons_and_the_calendar_pick_the_next_contact(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let log = |kind: &'static str, outcome: &'static str| {
            let app = &app;
            let anna = anna.clone();
            async move {
                let kinds = app.say(&anna, &format!("/log {id}")).await;
                app.tg.press(&anna, &kinds, &kinds.button(kind));
                let outcomes = app.tg.next(anna.id).await;
                app.tg.press(&anna, &outcomes, &outcomes.button(outcome));
                app.tg.next(anna.id).await;
                let products = app.say(&anna, "Звонил, не застал").await;
                app.tg.press(&anna, &products, &products.button("Готово"));
                app.tg.next(anna.id).await
            }
        };

        let when = log("Звонок", "Не удалось связаться").await;
        // It is Friday: «tomorrow» lands on Monday, and the person is told why.
        app.tg.press(&anna, &when, &when.button("Завтра 10:00"));
        let moved = app.tg.next(anna.id).await;
        assert_eq!(moved.visible, "Перенесено на 30.11.2026 10:00 — выходной день.");
        let confirm = app.tg.next(anna.id).await;
        assert!(confirm.visible.contains("Следующий контакт: 30.11.2026 10:00"), "{}", confirm.visible);
        app.tg.press(&anna, &confirm, &confirm.button("Записать"));
        app.tg.next(anna.id).await;
        app.tg.next(anna.id).await;
        assert_eq!(app.store.prospect(ProspectId(id), None).await.unwrap().unwrap().status, Status::InTalks);

        let when = log("E-mail", "Нейтральный").await;
        app.tg.press(&anna, &when, &when.button("Календарь"));
        let month = app.tg.next(anna.id).await;
        assert!(month.buttons().iter().any(|(l, _)| l == "Ноябрь 2026"), "{:?}", month.buttons());
        // A forged past day is refused when its time is chosen.
        app.tg.press(&anna, &month, &support::data("w:d:20261101"));
        let forged = app.tg.next(anna.id).await;
        app.tg.press(&anna, &forged, &support::data("w:t:1000"));
        app.tg.wait_callbacks_answered().await;
        let refused = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(refused.params["text"], "Это время уже прошло. Укажите будущую дату.");
        app.tg.press(&anna, &month, &month.button("›"));
        let december = app.tg.next(anna.id).await;
        app.tg.press(&anna, &december, &support::data("w:d:20261224"));
        let times = app.tg.next(anna.id).await;
        assert!(times.visible.starts_with("ООО «Ромашка», 24.12.2026: выберите время"), "{}", times.visible);
        app.tg.press(&anna, &times, &times.button("14:00"));
        let confirm = app.tg.next(anna.id).await;
        assert!(confirm.visible.contains("Следующий контакт: 24.12.2026 14:00"), "{}", confirm.visible);
        app.tg.press(&anna, &confirm, &support::data("l:x"));
        app.tg.next(anna.id).await;

        let when = log("Другое", "Отрицательный").await;
        app.tg.press(&anna, &when, &when.button("Без следующего контакта"));
        let confirm = app.tg.next(anna.id).await;
        assert!(confirm.visible.contains("Следующий контакт: нет"), "{}", confirm.visible);
        app.tg.press(&anna, &confirm, &confirm.button("Записать"));
        app.tg.next(anna.id).await;
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.contains("Следующий контакт: нет"), "the entry closed the follow-up: {}", card.visible);

        // The card's schedule button sets a contact without an entry.
        app.tg.press(&anna, &card, &card.button("Назначить контакт"));
        let ask = app.tg.next(anna.id).await;
        let done = app.say(&anna, "через 3 дня").await;
        assert_eq!(done.visible, "Следующий контакт назначен на 30.11.2026 10:00.");
        let _ = ask;
        app.finish().await;
    }

    async fn a_colleague_is_warned_and_the_owner_is_told(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let boris = app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;

        let kinds = app.say(&boris, &format!("/log {id}")).await;
        assert!(!kinds.visible.contains("⚠️"));
        app.tg.press(&boris, &kinds, &kinds.button("Звонок"));
        let outcomes = app.tg.next(boris.id).await;
        app.tg.press(&boris, &outcomes, &outcomes.button("Нейтральный"));
        app.tg.next(boris.id).await;
        let products = app.say(&boris, "Попросили перезвонить").await;
        app.tg.press(&boris, &products, &products.button("Готово"));
        let when = app.tg.next(boris.id).await;
        app.tg.press(&boris, &when, &when.button("Без следующего"));
        let confirm = app.tg.next(boris.id).await;
        app.tg.press(&boris, &confirm, &confirm.button("Записать"));

        let told = app.tg.next(anna.id).await;
        assert!(told.visible.contains("Новая запись в дневнике по вашей компании ООО «Ромашка»: Борис Орлов, звонок, результат: нейтральный"), "{}", told.visible);
        app.tg.press(&anna, &told, &told.button("Открыть карточку"));
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.starts_with("⚠️ Последний контакт коллеги с компанией: Борис Орлов, 27.11.2026 10:00, результат: нейтральный"), "{}", card.visible);
        let kinds = app.say(&anna, &format!("/log {id}")).await;
        assert!(kinds.visible.starts_with("⚠️"), "{}", kinds.visible);

        // Past the window, no warning.
        app.tg.press(&anna, &kinds, &support::data("l:x"));
        app.tg.next(anna.id).await;
        app.clock.advance(Span::days(15));
        let card = app.say(&anna, &format!("/card {id}")).await;
        assert!(!card.visible.contains("⚠️"), "{}", card.visible);
        app.finish().await;
    }

    async fn my_prospects_come_overdue_first(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let later = app.add_prospect(1001, "Бета", &inn(1), None, None).await;
        let sooner = app.add_prospect(1001, "Гамма", &inn(2), None, None).await;
        app.add_prospect(1001, "Альфа", &inn(3), None, None).await;
        let now = support::start_time();
        let user = app.store.user(prospect_diary::domain::ids::TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
        prospect_diary::domain::prospects::schedule(app.store.as_ref(), &user, ProspectId(later), now + Span::days(5), now).await.unwrap();
        prospect_diary::domain::prospects::schedule(app.store.as_ref(), &user, ProspectId(sooner), now + Span::hours(1), now).await.unwrap();
        app.clock.advance(Span::hours(2));
        // Гамма's next contact has passed: its reminder comes first, then the list is asked for.
        let reminder = app.tg.next(anna.id).await;
        assert!(reminder.visible.starts_with("🔔 Пора связаться") && reminder.visible.contains("Гамма"), "{}", reminder.visible);

        let mine = app.say(&anna, "📋 Мои компании").await;
        let order: Vec<String> = mine.buttons().into_iter().map(|(l, _)| l).collect();
        assert!(order[0].starts_with("Гамма") && order[1].starts_with("Бета") && order[2].starts_with("Альфа"), "{order:?}");
        app.finish().await;
    }

    async fn a_next_contact_more_than_a_year_ahead_is_confirmed_and_nothing_typed_is_lost(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Бета»", "7707083893", None, None).await;
        let kinds = app.say(&anna, &format!("/log {id}")).await;
        app.tg.press(&anna, &kinds, &kinds.button("Звонок"));
        let outcomes = app.tg.next(anna.id).await;
        app.tg.press(&anna, &outcomes, &outcomes.button("Нейтральный"));
        app.tg.next(anna.id).await;
        let products = app.say(&anna, "Обсудили лизинг, перезвонить после праздников").await;
        app.tg.press(&anna, &products, &products.button("Лизинг"));
        let products = app.tg.next(anna.id).await;
        app.tg.press(&anna, &products, &products.button("Готово"));
        app.tg.next(anna.id).await;

        // A slip of the year is not taken silently: the person is asked.
        let far = app.say(&anna, "01.01.2099 10:00").await;
        assert_eq!(far.visible, "ООО «Бета»: следующий контакт 01.01.2099 10:00 — больше чем через год. Всё верно? Если нет, напишите другую дату или нажмите «Указать другую».");
        let labels: Vec<String> = far.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["✅ Да, верно", "✏️ Указать другую", "Отмена"]);
        app.tg.press(&anna, &far, &far.button("Указать другую"));
        let again = app.tg.next(anna.id).await;
        assert!(again.visible.starts_with("Когда следующий контакт?"), "{}", again.visible);
        // Another far moment, typed at the question, replaces the first; a near one goes on.
        let far = app.say(&anna, "01.02.2099").await;
        assert!(far.visible.contains("01.02.2099 10:00 — больше чем через год"), "{}", far.visible);
        let confirm = app.say(&anna, "25.12 15:30").await;
        assert!(confirm.visible.contains("Следующий контакт: 25.12.2026 15:30"), "{}", confirm.visible);
        app.tg.press(&anna, &confirm, &support::data("l:x"));
        app.tg.next(anna.id).await;

        // Confirmed, the far moment is kept with everything typed before it.
        let kinds = app.say(&anna, &format!("/log {id}")).await;
        app.tg.press(&anna, &kinds, &kinds.button("Встреча"));
        let outcomes = app.tg.next(anna.id).await;
        app.tg.press(&anna, &outcomes, &outcomes.button("Нейтральный"));
        app.tg.next(anna.id).await;
        let products = app.say(&anna, "Договор на 2099 год").await;
        app.tg.press(&anna, &products, &products.button("Готово"));
        let when = app.tg.next(anna.id).await;
        // The calendar leads to the same question.
        app.tg.press(&anna, &when, &support::data("w:c:209901"));
        let month = app.tg.next(anna.id).await;
        app.tg.press(&anna, &month, &support::data("w:d:20990105"));
        let times = app.tg.next(anna.id).await;
        app.tg.press(&anna, &times, &times.button("11:00"));
        let far = app.tg.next(anna.id).await;
        assert!(far.visible.contains("05.01.2099 11:00 — больше чем через год"), "{}", far.visible);
        // The confirmation cannot be skipped by a forged Save.
        app.tg.press(&anna, &far, &support::data("l:save"));
        app.tg.wait_callbacks_answered().await;
        assert_eq!(app.store.entry_count(ProspectId(id)).await.unwrap(), 0);
        app.tg.press(&anna, &far, &far.button("Да, верно"));
        let confirm = app.tg.next(anna.id).await;
        assert!(confirm.visible.contains("Встреча, результат: нейтральный"), "{}", confirm.visible);
        assert!(confirm.visible.contains("Договор на 2099 год"), "{}", confirm.visible);
        assert!(confirm.visible.contains("Следующий контакт: 05.01.2099 11:00"), "{}", confirm.visible);
        app.tg.press(&anna, &confirm, &confirm.button("Записать"));
        assert_eq!(app.tg.next(anna.id).await.visible, "Запись добавлена в дневник.");
        let card = app.tg.next(anna.id).await;
        let saved = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        assert_eq!(saved.next_contact.unwrap().to_rfc3339(), "2099-01-05T08:00:00+00:00");

        // Scheduling from the card asks the same, and keeps the moment once confirmed.
        app.tg.press(&anna, &card, &card.button("Назначить контакт"));
        app.tg.next(anna.id).await;
        let far = app.say(&anna, "01.01.2099").await;
        assert!(far.visible.starts_with("ООО «Бета»: следующий контакт 01.01.2099 10:00 — больше чем через год"), "{}", far.visible);
        app.tg.press(&anna, &far, &far.button("Указать другую"));
        let again = app.tg.next(anna.id).await;
        assert!(again.visible.starts_with("ООО «Бета»: когда связаться?"), "{}", again.visible);
        let far = app.say(&anna, "01.01.2099").await;
        app.tg.press(&anna, &far, &far.button("Да, верно"));
        assert_eq!(app.tg.next(anna.id).await.visible, "Следующий контакт назначен на 01.01.2099 10:00.");
        let saved = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        assert_eq!(saved.next_contact.unwrap().to_rfc3339(), "2099-01-01T07:00:00+00:00");
        app.finish().await;
    }

    async fn the_date_picker_keeps_the_company_in_its_question(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Бета»", "7707083893", None, None).await;
        let card = app.say(&anna, &format!("/card {id}")).await;
        app.tg.press(&anna, &card, &card.button("Назначить контакт"));
        let ask = app.tg.next(anna.id).await;
        assert!(ask.visible.starts_with("ООО «Бета»: когда связаться?"), "{}", ask.visible);
        app.tg.press(&anna, &ask, &ask.button("Календарь"));
        let month = app.tg.next(anna.id).await;
        assert!(month.visible.starts_with("ООО «Бета»: выберите день следующего контакта"), "{}", month.visible);
        app.tg.press(&anna, &month, &month.button("›"));
        let december = app.tg.next(anna.id).await;
        assert!(december.visible.starts_with("ООО «Бета»:"), "{}", december.visible);
        app.tg.press(&anna, &december, &support::data("w:d:20261224"));
        let times = app.tg.next(anna.id).await;
        assert!(times.visible.starts_with("ООО «Бета», 24.12.2026: выберите время"), "{}", times.visible);
        let done = app.say(&anna, "15:30").await;
        assert_eq!(done.visible, "Следующий контакт назначен на 24.12.2026 15:30.");
        app.finish().await;
    }

    async fn a_button_that_starts_a_flow_waits_for_the_one_in_progress(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Бета»", "7707083893", None, None).await;
        let card = app.say(&anna, &format!("/card {id}")).await;
        let ask_card = app.say(&anna, "/log").await;
        assert_eq!(ask_card.visible, "Укажите номер карточки или ИНН компании, например 12.");

        app.tg.press(&anna, &card, &card.button("Назначить контакт"));
        app.tg.wait_callbacks_answered().await;
        let answered = app.tg.calls_of("answerCallbackQuery");
        let busy = answered.last().unwrap();
        assert_eq!(busy.params["text"], "Сначала завершите текущее действие или отмените его командой /cancel.");
        assert_eq!(busy.params["show_alert"], true);
        // The flow in progress still takes what is typed next.
        let kinds = app.say(&anna, &id.to_string()).await;
        assert!(kinds.visible.starts_with("ООО «Бета»: как связывались?"), "{}", kinds.visible);

        app.say(&anna, "/cancel").await;
        app.tg.press(&anna, &card, &card.button("Назначить контакт"));
        let ask = app.tg.next(anna.id).await;
        assert!(ask.visible.starts_with("ООО «Бета»: когда связаться?"), "{}", ask.visible);
        app.finish().await;
    }

    async fn overdue_next_contacts_are_marked_and_list_dates_say_what_they_are(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let later = app.add_prospect(1001, "Бета", &inn(1), None, None).await;
        let sooner = app.add_prospect(1001, "Гамма", &inn(2), None, None).await;
        let now = support::start_time();
        let user = app.store.user(prospect_diary::domain::ids::TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
        prospect_diary::domain::prospects::schedule(app.store.as_ref(), &user, ProspectId(later), now + Span::days(5), now).await.unwrap();
        prospect_diary::domain::prospects::schedule(app.store.as_ref(), &user, ProspectId(sooner), now + Span::hours(1), now).await.unwrap();

        let card = app.say(&anna, &format!("/card {sooner}")).await;
        assert!(card.visible.contains("Следующий контакт: 27.11.2026 11:00\n"), "not overdue yet: {}", card.visible);
        app.clock.advance(Span::hours(2));
        // The reminder of the overdue contact may come in between: answers are picked by kind.
        let found = answer(&app, &anna, "/find гамма", |o| o.visible.starts_with("Найдено")).await;
        assert_eq!(found.buttons()[0].0, "Гамма · новый · ⚠️ контакт просрочен: 27.11 11:00");
        let found = answer(&app, &anna, "/find бета", |o| o.visible.starts_with("Найдено")).await;
        assert_eq!(found.buttons()[0].0, "Бета · новый · след. контакт 02.12 10:00");
        let card = answer(&app, &anna, &format!("/card {sooner}"), |o| o.visible.contains("Гамма · №")).await;
        assert!(card.visible.contains("Следующий контакт: 27.11.2026 11:00 — ⚠️ просрочен"), "{}", card.visible);
        let card = answer(&app, &anna, &format!("/card {later}"), |o| o.visible.contains("Бета · №")).await;
        assert!(!card.visible.contains("просрочен"), "{}", card.visible);
        app.finish().await;
    }

    async fn log_steps_cannot_be_forged(app) {
        setup(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let hello = app.say(&anna, "/start").await;
        for forged in ["l:save", "l:k:call", "w:t:1000", "w:q:t", "n:save", "c:ed"] {
            app.tg.press(&anna, &hello, &support::data(forged));
        }
        app.tg.wait_callbacks_answered().await;
        let texts: Vec<_> = app.tg.calls_of("answerCallbackQuery").iter().map(|c| c.params["text"].clone()).collect();
        assert!(texts.iter().all(|t| t == "Эта кнопка уже неактуальна."), "{texts:?}");
        assert_eq!(app.store.entry_count(ProspectId(id)).await.unwrap(), 0);
        app.finish().await;
    }
}
