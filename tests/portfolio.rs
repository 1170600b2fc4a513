//! People leave and portfolios move (SPEC §2), end to end on both backends: a manager gives a
//! card to a colleague and both are told; a whole portfolio is spread across the division;
//! disabling a person who holds work is refused until it is handed over, and afterwards their
//! reminders reach the new owner and the lead they held is back in the credit chat's queue.

mod support;

use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use prospect_diary::cli::{self, UserCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::handoff::{self, HandoffState, Route};
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Product, ProspectId};
use prospect_diary::store::{DeliveryStore, HandoffStore, ProspectStore, Store};
use support::{TestApp, inn, start_time};

const CREDIT_CHAT: i64 = -100500;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn tid(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

async fn owner_of(app: &TestApp, card: i64) -> i64 {
    app.store.prospect(ProspectId(card), None).await.unwrap().unwrap().owner.get()
}

/// The answers to the presses made since `from`, once every press is answered.
async fn answers_since(app: &TestApp, from: usize) -> Vec<String> {
    app.tg.wait_callbacks_answered().await;
    app.tg.callback_answers_since(from).0
}

async fn answers_so_far(app: &TestApp) -> usize {
    app.tg.wait_callbacks_answered().await;
    app.tg.callback_answers_since(0).1
}

both_backends! {
    async fn a_manager_gives_a_card_to_a_colleague_and_both_are_told(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let misha = app.add_user(2001, "Миронов Михаил Олегович", Role::Manager, Some("MSK")).await;
        for who in [&anna, &ivan, &misha] {
            app.say(who, "/start").await;
        }
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;

        // A specialist's card has no such button; the manager's has.
        let own = app.say(&anna, &format!("/card {card}")).await;
        assert!(own.buttons().iter().all(|(label, _)| !label.contains("Передать другому")));
        let opened = app.say(&misha, &format!("/card {card}")).await;
        app.tg.press(&misha, &opened, &opened.button("Передать другому"));
        let people = app.tg.next(misha.id).await;
        assert!(people.visible.starts_with("Кому передать карточку ООО «Ромашка»? Сейчас её ведёт Петрова Анна Сергеевна."), "{}", people.visible);
        let labels: Vec<String> = people.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Миронов Михаил Олегович", "Сидоров Иван Петрович", "← К карточке"]);

        app.tg.press(&misha, &people, &people.button("Сидоров"));
        let done = app.tg.next(misha.id).await;
        assert_eq!(done.visible, "Карточка ООО «Ромашка» передана. Теперь её ведёт Сидоров Иван Петрович.");
        let told_new = app.tg.next(ivan.id).await;
        assert_eq!(
            told_new.visible,
            format!("Вам передана карточка ООО «Ромашка» (№ {card}). Прежний ответственный — Петрова Анна Сергеевна.")
        );
        assert!(told_new.button("Открыть карточку").starts_with(&support::data("c:o:")));
        let told_old = app.tg.next(anna.id).await;
        assert_eq!(
            told_old.visible,
            format!("Карточка ООО «Ромашка» (№ {card}) передана коллеге. Теперь её ведёт Сидоров Иван Петрович.")
        );
        assert_eq!(owner_of(&app, card).await, 1002);
        // The next contact went with the card.
        assert_eq!(app.store.agenda(tid(1002), at("2026-12-31T00:00:00Z")).await.unwrap().len(), 1);
        assert!(app.store.agenda(tid(1001), at("2026-12-31T00:00:00Z")).await.unwrap().is_empty());
        let trail = app.store.audit_by_subject(&format!("prospect:{card}")).await.unwrap();
        let line = trail.iter().find(|r| r.action == "card_reassigned").expect("audited");
        assert_eq!(line.actor, Some(tid(2001)));
        assert_eq!(line.details.as_deref(), Some("1001 -> 1002 (MSK -> MSK)"));

        // The same press again is stale; a specialist's forged press changes nothing.
        let from = answers_so_far(&app).await;
        app.tg.press(&misha, &people, &people.button("Сидоров"));
        assert_eq!(
            answers_since(&app, from).await,
            ["Карточки уже переданы или изменились, ничего не сделано. Откройте их заново."]
        );
        let from = answers_so_far(&app).await;
        app.tg.press(&anna, &own, &support::data(&format!("c:rt:{card}:1001")));
        assert_eq!(answers_since(&app, from).await, ["Это действие вам недоступно."]);
        let from = answers_so_far(&app).await;
        app.tg.press(&misha, &people, &support::data(&format!("c:rt:{card}:999")));
        assert_eq!(
            answers_since(&app, from).await,
            ["Этому сотруднику передать карточки нельзя: нужен активный специалист или руководитель того же подразделения."]
        );
        assert_eq!(owner_of(&app, card).await, 1002);
        app.finish().await;
    }

    async fn a_whole_portfolio_is_spread_across_three_specialists(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let mut others = vec![];
        for (id, name) in [(1002, "Сидоров Иван Петрович"), (1003, "Орлов Борис Ильич"), (1004, "Жукова Вера Павловна")] {
            let who = app.add_user(id, name, Role::Specialist, Some("MSK")).await;
            app.say(&who, "/start").await;
            others.push(who);
        }
        app.add_user(2001, "Миронов Михаил Олегович", Role::Manager, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let mut cards = vec![];
        for n in 0..7 {
            let card = app.add_prospect(1001, &format!("Компания {n}"), &inn(n), None, None).await;
            app.schedule(1001, card, at("2026-11-30T07:00:00Z") + Span::hours(i64::from(n))).await;
            cards.push(card);
        }
        // A manager of another kind of move is not needed: the operator spreads them.
        let spread = UserCommand::Reassign { from: "1001".into(), to: None, spread: true };
        let out = cli::user(app.store.as_ref(), spread, start_time()).await.unwrap();
        assert!(out.starts_with("7 cards of user 1001 moved:"), "{out}");
        let mut counts = vec![];
        for id in [1002, 1003, 1004] {
            let mut n = 0;
            for card in &cards {
                if owner_of(&app, *card).await == id {
                    n += 1;
                }
            }
            counts.push(n);
            let due = app.store.agenda(tid(id), at("2026-12-31T00:00:00Z")).await.unwrap().len();
            assert_eq!(due, n, "each card's next contact went with it");
        }
        assert_eq!(counts, [3, 2, 2]);
        for (who, n) in others.iter().zip(counts) {
            let told = app.tg.next(who.id).await;
            let cards = if n == 3 { "3 карточки" } else { "2 карточки" };
            assert_eq!(
                told.visible,
                format!("Вам переданы карточки сотрудника Петрова Анна Сергеевна: {cards}, запланированных контактов — {n}. Они уже в «Мои компании».")
            );
        }
        let told = app.tg.next(anna.id).await;
        assert!(told.visible.starts_with("Ваши карточки переданы коллеге"), "{}", told.visible);
        // Nothing left to move: said so, nothing written.
        let again = UserCommand::Reassign { from: "1001".into(), to: Some("1002".into()), spread: false };
        let out = cli::user(app.store.as_ref(), again, start_time()).await.unwrap();
        assert_eq!(out, "user 1001 owns no cards: nothing to move");
        app.finish().await;
    }

    async fn disabling_someone_who_holds_work_is_refused_then_done_with_a_hand_over(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", true);
        let route = Route { region: RegionCode::parse("MSK").unwrap(), product: Product::Credit, chat_id: CREDIT_CHAT };
        handoff::set_route(app.store.as_ref(), &route, None, start_time()).await.unwrap();
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let boris = app.add_user(3001, "Кредитов Борис Ильич", Role::CreditOfficer, Some("MSK")).await;
        app.add_user(3002, "Займова Вера Павловна", Role::CreditOfficer, Some("MSK")).await;
        let admin = app.add_user(9001, "Админова Ирина Львовна", Role::Admin, None).await;
        for who in [&anna, &ivan, &boris, &admin] {
            app.say(who, "/start").await;
        }
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let lead_card = app.add_prospect(1001, "ООО «Лютик»", &inn(3), None, None).await;
        app.schedule(1001, card, at("2026-11-27T09:00:00Z")).await;
        // Boris takes Anna's lead.
        let anna_user = app.store.user(tid(1001)).await.unwrap().unwrap();
        let boris_user = app.store.user(tid(3001)).await.unwrap().unwrap();
        let now = start_time();
        let lead = handoff::hand_off(app.store.as_ref(), &anna_user, ProspectId(lead_card), Product::Credit, now).await.unwrap();
        handoff::release(app.store.as_ref(), &lead, now).await.unwrap();
        let posted = app.tg.next(CREDIT_CHAT).await;
        assert!(posted.visible.starts_with(&format!("📨 Заявка № {}", lead.id)), "{}", posted.visible);
        handoff::take(app.store.as_ref(), &boris_user, lead.id, now).await.unwrap();

        // Refused, saying how much and how to hand it over; nothing changes.
        let disable = |id: &str, to: Option<&str>| UserCommand::Disable {
            telegram_id: id.into(),
            reassign_to: to.map(str::to_owned),
        };
        let err = cli::user(app.store.as_ref(), disable("1001", None), now).await.unwrap_err().to_string();
        assert!(err.contains("still holds work: 2 cards, 1 open follow-ups, 0 taken leads"), "{err}");
        assert!(err.contains("--reassign-to ID"), "{err}");
        let err = cli::user(app.store.as_ref(), disable("3001", None), now).await.unwrap_err().to_string();
        assert!(err.contains("0 cards, 0 open follow-ups, 1 taken leads"), "{err}");
        assert!(app.store.user(tid(1001)).await.unwrap().unwrap().active);
        // The admin's chat refuses the same way.
        let list = app.say(&admin, "/users").await;
        app.tg.press(&admin, &list, &list.button("Петрова Анна"));
        let person = app.tg.next(admin.id).await;
        app.tg.press(&admin, &person, &person.button("Отключить"));
        let refused = app.tg.next(admin.id).await;
        assert!(refused.visible.starts_with("За сотрудником ещё числятся: 2 карточки, запланированных контактов — 1, взятых заявок — 0."), "{}", refused.visible);
        let offered: Vec<String> = refused.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(offered, ["Передать всё и отключить: Сидоров Иван Петрович", "« К списку"]);
        assert!(app.store.user(tid(1001)).await.unwrap().unwrap().active);

        // With a hand-over, both in one step.
        let out = cli::user(app.store.as_ref(), disable("1001", Some("1002")), now).await.unwrap();
        assert!(out.starts_with("user 1001 disabled; 2 cards and 1 open follow-ups handed over to 1002"), "{out}");
        assert!(!app.store.user(tid(1001)).await.unwrap().unwrap().active);
        assert_eq!(owner_of(&app, card).await, 1002);
        assert_eq!(owner_of(&app, lead_card).await, 1002);
        let told = app.tg.next(ivan.id).await;
        assert!(told.visible.starts_with("Вам переданы карточки сотрудника Петрова Анна Сергеевна: 2 карточки"), "{}", told.visible);
        let later = now + Span::hours(1);
        app.clock.set(later);
        let out = cli::user(app.store.as_ref(), disable("3001", Some("3002")), later).await.unwrap();
        assert!(out.contains("1 taken leads back in the credit chat's queue"), "{out}");

        // The lead is pending again, waiting from now (its SLA counts from here), and a new card
        // for it is in the chat, to be taken.
        let back = app.store.handoff(lead.id).await.unwrap().unwrap();
        assert_eq!((back.state, back.taken_by), (HandoffState::Pending, None));
        assert_eq!((back.created_at, back.waiting_since), (now, later));
        let again = loop {
            let next = app.tg.next(CREDIT_CHAT).await;
            if next.buttons().iter().any(|(label, _)| label.contains("Взять")) {
                break next;
            }
        };
        assert!(again.visible.starts_with(&format!("📨 Заявка № {}", lead.id)), "{}", again.visible);
        // Vera takes it in this round: the new card in the chat is edited to show it.
        let vera = app.store.user(tid(3002)).await.unwrap().unwrap();
        handoff::take(app.store.as_ref(), &vera, lead.id, later).await.unwrap();
        let edited = app.tg.next(CREDIT_CHAT).await;
        assert!(edited.visible.contains("Займова Вера Павловна"), "{}", edited.visible);

        // Anna's reminder reaches Ivan, and nothing goes to her.
        app.clock.set(at("2026-11-27T09:00:10Z"));
        let reminder = app.tg.next(ivan.id).await;
        assert!(reminder.visible.starts_with("🔔 Пора связаться: ООО «Ромашка»"), "{}", reminder.visible);
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;
        app.finish().await;
    }
}

both_backends! {
    async fn an_admin_previews_and_confirms_a_portfolio_move_in_the_chat(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let vera = app.add_user(1003, "Жукова Вера Павловна", Role::Specialist, Some("MSK")).await;
        let admin = app.add_user(9001, "Админова Ирина Львовна", Role::Admin, None).await;
        for who in [&anna, &ivan, &vera, &admin] {
            app.say(who, "/start").await;
        }
        for n in 0..3 {
            let card = app.add_prospect(1001, &format!("Компания {n}"), &inn(n), None, None).await;
            app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;
        }
        let list = app.say(&admin, "/users").await;
        app.tg.press(&admin, &list, &list.button("Петрова Анна"));
        let person = app.tg.next(admin.id).await;
        app.tg.press(&admin, &person, &person.button("Передать все карточки"));
        let ask = app.tg.next(admin.id).await;
        assert_eq!(
            ask.visible,
            "Кому передать карточки сотрудника Петрова Анна Сергеевна? Карточек: 3, запланированных контактов: 3."
        );
        let labels: Vec<String> = ask.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Жукова Вера Павловна", "Сидоров Иван Петрович", "⚖️ Распределить поровну между специалистами", "« К списку"]);
        app.tg.press(&admin, &ask, &ask.button("Распределить"));
        let preview = app.tg.next(admin.id).await;
        assert_eq!(
            preview.visible,
            "Проверьте, как будут переданы карточки сотрудника Петрова Анна Сергеевна:\n\
             • Сидоров Иван Петрович: 2 карточки, запланированных контактов — 2\n\
             • Жукова Вера Павловна: 1 карточка, запланированных контактов — 1"
        );
        // Nothing moves before «Подтвердить».
        assert_eq!(app.store.agenda(tid(1001), at("2026-12-31T00:00:00Z")).await.unwrap().len(), 3);
        app.tg.press(&admin, &preview, &preview.button("Подтвердить"));
        let done = app.tg.next(admin.id).await;
        assert!(done.visible.starts_with("Карточки переданы: 3."), "{}", done.visible);
        assert_eq!(app.store.agenda(tid(1002), at("2026-12-31T00:00:00Z")).await.unwrap().len(), 2);
        assert_eq!(app.store.agenda(tid(1003), at("2026-12-31T00:00:00Z")).await.unwrap().len(), 1);
        let told = app.tg.next(vera.id).await;
        assert!(told.visible.starts_with("Вам переданы карточки сотрудника Петрова Анна Сергеевна: 1 карточка"), "{}", told.visible);
        // Pressed again, the preview's button finds nothing left to move.
        let from = answers_so_far(&app).await;
        app.tg.press(&admin, &preview, &preview.button("Подтвердить"));
        assert_eq!(answers_since(&app, from).await, ["Передавать нечего: карточек у сотрудника нет."]);
        // A specialist's forged press is refused.
        let mine = app.say(&ivan, "/my").await;
        let from = answers_so_far(&app).await;
        app.tg.press(&ivan, &mine, &support::data("u:cs:1002"));
        assert_eq!(answers_since(&app, from).await, ["Это действие вам недоступно."]);
        app.finish().await;
    }
}

both_backends! {
    async fn an_away_persons_reminders_go_to_the_cover_and_come_back_after(app) {
        use prospect_diary::domain::diary::{Kind, NewEntry, Outcome};
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        app.add_user(1003, "Жукова Вера Павловна", Role::Specialist, Some("MSK")).await;
        for who in [&anna, &ivan] {
            app.say(who, "/start").await;
        }
        let during = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let after = app.add_prospect(1001, "ООО «Лютик»", &inn(3), None, None).await;
        app.schedule(1001, during, at("2026-11-30T07:00:00Z")).await;
        app.schedule(1001, after, at("2026-12-03T07:00:00Z")).await;

        let away = |cover: &str, from: &str, to: &str| UserCommand::Away {
            telegram_id: "1001".into(),
            from: from.into(),
            to: to.into(),
            cover: cover.into(),
        };
        let store = app.store.as_ref();
        let err = cli::user(store, away("1001", "30.11.2026", "02.12.2026"), start_time()).await.unwrap_err();
        assert!(err.to_string().contains("cannot cover"), "{err}");
        let err = cli::user(store, away("1002", "02.12.2026", "30.11.2026"), start_time()).await.unwrap_err();
        assert!(err.to_string().contains("ends before it starts"), "{err}");
        let out = cli::user(store, away("1002", "30.11.2026", "02.12.2026"), start_time()).await.unwrap();
        assert_eq!(out, "user 1001 away 30.11.2026 - 02.12.2026: reminders and notices go to 1002 meanwhile");

        // During the leave: the reminder goes to Ivan, marked whose it is, without the buttons
        // that move Anna's follow-up.
        app.clock.set(at("2026-11-30T07:00:10Z"));
        let reminder = app.tg.next(ivan.id).await;
        assert!(
            reminder.visible.starts_with("↪️ За Петрову А.: на время отпуска коллеги напоминания приходят вам.\n🔔 Пора связаться: ООО «Ромашка»"),
            "{}",
            reminder.visible
        );
        assert!(reminder.buttons().iter().all(|(label, _)| !label.contains("Через час")));
        // A colleague's entry on Anna's card: the notice goes to Ivan too.
        let vera = app.store.user(tid(1003)).await.unwrap().unwrap();
        let entry = NewEntry {
            prospect: ProspectId(after),
            author: tid(1003),
            kind: Kind::Call,
            outcome: Outcome::Neutral,
            summary: "Перезвонить".into(),
            products: vec![],
            happened_at: at("2026-11-30T07:00:10Z"),
            next_contact: None,
        };
        prospect_diary::domain::prospects::log_entry(store, &vera, &entry, at("2026-11-30T07:00:10Z")).await.unwrap();
        let notice = app.tg.next(ivan.id).await;
        assert!(
            notice.visible.starts_with("↪️ За Петрову А. (коллега в отпуске):\nНовая запись в дневнике по вашей компании ООО «Лютик»"),
            "{}",
            notice.visible
        );
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;

        // After it: Anna's own again.
        app.clock.set(at("2026-12-03T07:00:10Z"));
        let back = app.tg.next(anna.id).await;
        assert!(back.visible.starts_with("🔔 Пора связаться: ООО «Лютик»"), "{}", back.visible);
        app.tg.assert_silent(ivan.id, Duration::from_millis(1500)).await;
        app.finish().await;
    }
}

both_backends! {
    async fn head_office_moves_a_card_to_another_division(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let oleg = app.add_user(2001, "Ким Олег Романович", Role::Specialist, Some("VVO")).await;
        let hq = app.add_user(5001, "Главная Ольга Ивановна", Role::HeadOffice, None).await;
        for who in [&anna, &oleg, &hq] {
            app.say(who, "/start").await;
        }
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;

        let opened = app.say(&hq, &format!("/card {card}")).await;
        app.tg.press(&hq, &opened, &opened.button("Передать другому"));
        let divisions = app.tg.next(hq.id).await;
        assert_eq!(divisions.visible, "В какое подразделение передать карточку ООО «Ромашка»?");
        app.tg.press(&hq, &divisions, &divisions.button("VVO"));
        let people = app.tg.next(hq.id).await;
        let labels: Vec<String> = people.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Ким Олег Романович", "← К карточке"]);
        app.tg.press(&hq, &people, &people.button("Ким"));
        let done = app.tg.next(hq.id).await;
        assert_eq!(done.visible, "Карточка ООО «Ромашка» передана. Теперь её ведёт Ким Олег Романович.");
        let p = app.store.prospect(ProspectId(card), None).await.unwrap().unwrap();
        assert_eq!((p.owner.get(), p.region.as_str()), (2001, "VVO"));
        assert_eq!(app.store.agenda(tid(2001), at("2026-12-31T00:00:00Z")).await.unwrap().len(), 1);
        let told = app.tg.next(oleg.id).await;
        assert!(told.visible.starts_with("Вам передана карточка ООО «Ромашка»"), "{}", told.visible);
        let told = app.tg.next(anna.id).await;
        assert!(told.visible.starts_with("Карточка ООО «Ромашка»"), "{}", told.visible);
        // The card is now Vladivostok's: Anna no longer sees it.
        let gone = app.say(&anna, &format!("/card {card}")).await;
        assert_eq!(gone.visible, "Карточка не найдена или недоступна вам.");
        app.finish().await;
    }
}

both_backends! {
    async fn an_admin_marks_a_leave_in_the_chat(app) {
        use prospect_diary::store::PortfolioStore;
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let admin = app.add_user(9001, "Админова Ирина Львовна", Role::Admin, None).await;
        app.say(&admin, "/start").await;
        let list = app.say(&admin, "/users").await;
        app.tg.press(&admin, &list, &list.button("Петрова Анна"));
        let person = app.tg.next(admin.id).await;
        app.tg.press(&admin, &person, &person.button("Отпуск"));
        let ask = app.tg.next(admin.id).await;
        assert!(ask.visible.starts_with("Напишите первый и последний день отпуска сотрудника Петрова Анна Сергеевна"), "{}", ask.visible);
        let wrong = app.say(&admin, "с понедельника").await;
        assert!(wrong.visible.starts_with("Не удалось прочитать даты"), "{}", wrong.visible);
        assert!(wrong.visible.contains("Напишите первый и последний день"), "asked again: {}", wrong.visible);
        let backwards = app.say(&admin, "02.12.2026 30.11.2026").await;
        assert!(backwards.visible.starts_with("Отпуск не может закончиться раньше"), "{}", backwards.visible);
        let covers = app.say(&admin, "30.11.2026 – 02.12.2026").await;
        assert!(covers.visible.starts_with("Кто замещает сотрудника Петрова Анна Сергеевна с 30.11.2026 по 02.12.2026?"), "{}", covers.visible);
        let labels: Vec<String> = covers.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Сидоров Иван Петрович", "« К списку"]);
        app.tg.press(&admin, &covers, &covers.button("Сидоров"));
        let done = app.tg.next(admin.id).await;
        assert!(done.visible.starts_with("Отпуск отмечен: с 30.11.2026 по 02.12.2026, замещает Сидоров Иван Петрович."), "{}", done.visible);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(app.store.cover_on(tid(1001), day).await.unwrap(), Some(tid(1002)));
        let after = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(app.store.cover_on(tid(1001), after).await.unwrap(), None);
        app.finish().await;
    }
}
