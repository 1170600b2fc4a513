//! A division's manager acts on their own people from the chat (SPEC §2), and a leave ends
//! early — end to end through the fake Telegram, on both backends: `/users` lists only the
//! manager's division and offers only what a manager may do (the portfolio, a leave and its
//! end); a forged press about anyone else, or for an admin's action, is refused and changes
//! nothing. After a leave ends the person's reminders are theirs again; the Monday report of a
//! manager on leave goes to a cover who may read it, and otherwise waits in their own chat.

mod support;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use prospect_diary::cli::{self, UserCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::domain::prospect::ProspectId;
use prospect_diary::store::{PortfolioStore, ProspectStore, ReportStore, Store};
use prospect_diary::telegram_fake::{Outgoing, OutgoingKind};
use support::{TestApp, inn, start_time};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn tid(n: i64) -> TelegramId {
    TelegramId::new(n).unwrap()
}

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%d.%m.%Y").unwrap()
}

async fn owner_of(app: &TestApp, card: i64) -> i64 {
    app.store.prospect(ProspectId(card), None).await.unwrap().unwrap().owner.get()
}

fn labels(message: &Outgoing) -> Vec<String> {
    message.buttons().into_iter().map(|(label, _)| label).collect()
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

fn away(who: &str, from: &str, to: &str, cover: &str) -> UserCommand {
    UserCommand::Away { telegram_id: who.into(), from: from.into(), to: to.into(), cover: cover.into() }
}

both_backends! {
    async fn a_manager_moves_a_portfolio_and_marks_and_ends_a_leave_for_their_own_people_only(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let misha = app.add_user(2001, "Миронов Михаил Олегович", Role::Manager, Some("MSK")).await;
        app.add_user(3001, "Ким Олег Романович", Role::Specialist, Some("VVO")).await;
        app.add_user(3002, "Ли Вера Павловна", Role::Specialist, Some("VVO")).await;
        app.add_user(9001, "Админова Ирина Львовна", Role::Admin, None).await;
        for who in [&anna, &ivan, &misha] {
            app.say(who, "/start").await;
        }
        let mut cards = vec![];
        for n in 0..2 {
            let card = app.add_prospect(1001, &format!("Компания {n}"), &inn(n), None, None).await;
            app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;
            cards.push(card);
        }
        let oleg_card = app.add_prospect(3001, "ООО «Восток»", &inn(7), None, None).await;

        // Only the manager's division, without the manager, and nothing to add.
        let list = app.say(&misha, "/users").await;
        assert_eq!(list.visible, "Сотрудники подразделения MSK: 2. Выберите сотрудника.");
        assert_eq!(
            labels(&list),
            ["Петрова Анна Сергеевна · специалист по привлечению", "Сидоров Иван Петрович · специалист по привлечению"]
        );
        app.tg.press(&misha, &list, &list.button("Петрова Анна"));
        let person = app.tg.next(misha.id).await;
        assert!(person.visible.contains("Петрова Анна Сергеевна"), "{}", person.visible);
        assert_eq!(labels(&person), ["📦 Передать все карточки", "🌴 Отпуск", "« К списку"]);

        // The whole portfolio to Ivan, previewed and confirmed.
        app.tg.press(&misha, &person, &person.button("Передать все карточки"));
        let ask = app.tg.next(misha.id).await;
        assert_eq!(
            labels(&ask),
            ["Миронов Михаил Олегович", "Сидоров Иван Петрович", "⚖️ Распределить поровну между специалистами", "« К списку"]
        );
        app.tg.press(&misha, &ask, &ask.button("Сидоров"));
        let preview = app.tg.next(misha.id).await;
        assert!(preview.visible.contains("• Сидоров Иван Петрович: 2 карточки"), "{}", preview.visible);
        app.tg.press(&misha, &preview, &preview.button("Подтвердить"));
        let done = app.tg.next(misha.id).await;
        assert!(done.visible.starts_with("Карточки переданы: 2."), "{}", done.visible);
        for card in &cards {
            assert_eq!(owner_of(&app, *card).await, 1002);
        }
        let told = app.tg.next(ivan.id).await;
        assert!(told.visible.starts_with("Вам переданы карточки сотрудника Петрова Анна Сергеевна: 2 карточки"), "{}", told.visible);

        // A leave from today, covered by Ivan; the card shows it and offers to end it.
        app.tg.press(&misha, &done, &done.button("Отпуск"));
        let dates = app.tg.next(misha.id).await;
        assert!(dates.visible.starts_with("Напишите первый и последний день отпуска"), "{}", dates.visible);
        let covers = app.say(&misha, "27.11.2026 04.12.2026").await;
        assert_eq!(labels(&covers), ["Миронов Михаил Олегович", "Сидоров Иван Петрович", "« К списку"]);
        app.tg.press(&misha, &covers, &covers.button("Сидоров"));
        let marked = app.tg.next(misha.id).await;
        assert!(marked.visible.starts_with("Отпуск отмечен: с 27.11.2026 по 04.12.2026, замещает Сидоров Иван Петрович."), "{}", marked.visible);
        assert!(marked.visible.contains("🌴 В отпуске по 04.12.2026, замещает Сидоров Иван Петрович."), "{}", marked.visible);
        assert_eq!(app.store.cover_on(tid(1001), day("27.11.2026")).await.unwrap(), Some(tid(1002)));
        let trail = app.store.audit_by_subject("user:1001").await.unwrap();
        assert!(trail.iter().any(|r| r.action == "user_away" && r.actor == Some(tid(2001))), "{trail:?}");

        app.tg.press(&misha, &marked, &marked.button("Завершить отпуск"));
        let ended = app.tg.next(misha.id).await;
        assert!(
            ended.visible.starts_with("Отпуск сотрудника Петрова Анна Сергеевна завершён досрочно (был отмечен по 04.12.2026)."),
            "{}",
            ended.visible
        );
        assert!(!ended.visible.contains("🌴 В отпуске"), "{}", ended.visible);
        assert!(labels(&ended).iter().all(|l| !l.contains("Завершить отпуск")), "{:?}", labels(&ended));
        assert_eq!(app.store.cover_on(tid(1001), day("27.11.2026")).await.unwrap(), None);
        let trail = app.store.audit_by_subject("user:1001").await.unwrap();
        assert!(trail.iter().any(|r| r.action == "user_back" && r.actor == Some(tid(2001))), "{trail:?}");
        // Pressed again: there is no leave to end.
        let from = answers_so_far(&app).await;
        app.tg.press(&misha, &marked, &marked.button("Завершить отпуск"));
        assert_eq!(answers_since(&app, from).await, ["Сотрудник сегодня не в отпуске: завершать нечего."]);

        // Forged presses: another division's person, or what only an admin does.
        let forged = [
            "u:s:3001",
            "u:pf:3001",
            "u:pt:3001:3002",
            "u:ct:3001:3002",
            "u:cs:3001",
            "u:lv:3001",
            "u:lc:3001:3002:20261127:20261204",
            "u:lb:3001",
            "u:s:2001",
            "u:s:9001",
            "u:a:1002:0",
            "u:rm:1002",
            "u:pl:1002:manager:MSK",
            "u:dt:1002:1001",
            "u:add",
        ];
        for data in forged {
            let from = answers_so_far(&app).await;
            app.tg.press(&misha, &ended, &support::data(data));
            assert_eq!(answers_since(&app, from).await, ["Это действие вам недоступно."], "{data}");
        }
        // A cover from another division is refused by the domain too.
        let from = answers_so_far(&app).await;
        app.tg.press(&misha, &ended, &support::data("u:lc:1002:3001:20261127:20261204"));
        assert_eq!(
            answers_since(&app, from).await,
            ["Замещать может только активный сотрудник того же подразделения."]
        );
        assert_eq!(owner_of(&app, oleg_card).await, 3001);
        assert_eq!(app.store.cover_on(tid(3001), day("30.11.2026")).await.unwrap(), None);
        assert_eq!(app.store.cover_on(tid(1002), day("30.11.2026")).await.unwrap(), None);
        assert!(app.store.user(tid(1002)).await.unwrap().unwrap().active);

        let add = app.say(&misha, "/users add").await;
        assert_eq!(add.visible, "Эта команда вам недоступна.");
        let told = app.tg.next(anna.id).await;
        assert!(told.visible.starts_with("Ваши карточки переданы коллеге Сидоров Иван Петрович"), "{}", told.visible);
        let refused = app.say(&anna, "/users").await;
        assert_eq!(refused.visible, "Эта команда вам недоступна.");
        app.finish().await;
    }
}

both_backends! {
    async fn a_leave_ended_early_brings_the_reminders_back_and_a_managers_report_finds_a_cover_who_may_read_it(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        let misha = app.add_user(2001, "Миронов Михаил Олегович", Role::Manager, Some("MSK")).await;
        let masha = app.add_user(2002, "Зайцева Мария Игоревна", Role::Manager, Some("MSK")).await;
        let vova = app.add_user(3001, "Ким Владимир Олегович", Role::Manager, Some("VVO")).await;
        let oleg = app.add_user(3002, "Ли Олег Романович", Role::Specialist, Some("VVO")).await;
        for who in [&anna, &ivan, &misha, &masha, &vova, &oleg] {
            app.say(who, "/start").await;
        }
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;
        let store = app.store.as_ref();
        let now = start_time();
        let back = |who: &str| UserCommand::Back { telegram_id: who.into() };
        let err = cli::user(store, back("1001"), now).await.unwrap_err().to_string();
        assert_eq!(err, "user 1001 is not away today: there is no leave to end");
        cli::user(store, away("1001", "27.11.2026", "04.12.2026", "1002"), now).await.unwrap();
        cli::user(store, away("2001", "27.11.2026", "04.12.2026", "2002"), now).await.unwrap();
        cli::user(store, away("3001", "27.11.2026", "04.12.2026", "3002"), now).await.unwrap();

        // Anna is back on Saturday: her Monday reminder is hers, not Ivan's.
        let saturday = at("2026-11-28T09:00:00Z");
        let out = cli::user(store, back("1001"), saturday).await.unwrap();
        assert_eq!(
            out,
            "user 1001 back: the leave 27.11.2026 - 04.12.2026 (cover 1002) is over; from today reminders and notices come to them again"
        );
        assert_eq!(app.store.cover_on(tid(1001), day("28.11.2026")).await.unwrap(), None);
        assert_eq!(app.store.cover_on(tid(1001), day("27.11.2026")).await.unwrap(), Some(tid(1002)));

        // Monday 09:00 in Vladivostok: Vladimir's cover is a specialist, who may not read the
        // division's report — it waits in Vladimir's own chat.
        app.clock.set(at("2026-11-30T00:00:05Z"));
        let summary = app.tg.next(vova.id).await;
        assert!(summary.visible.starts_with("📅 Еженедельный отчёт"), "{}", summary.visible);
        assert_eq!(app.tg.next(vova.id).await.kind, OutgoingKind::Document);
        assert_eq!(app.tg.next(vova.id).await.kind, OutgoingKind::Photo);
        app.tg.assert_silent(oleg.id, Duration::from_millis(1000)).await;

        // Monday 09:00 in Moscow: Mikhail's cover is a manager of the division, who gets his
        // report as well as her own, marked whose it is.
        app.clock.set(at("2026-11-30T06:00:05Z"));
        let mut got = vec![];
        for _ in 0..6 {
            got.push(app.tg.next(masha.id).await);
        }
        let summaries: Vec<&Outgoing> = got.iter().filter(|o| o.kind == OutgoingKind::Message).collect();
        assert_eq!(summaries.len(), 2, "{got:?}");
        assert!(
            summaries.iter().any(|o| o.visible.starts_with("↪️ За Миронова М. (коллега в отпуске):\n📅 Еженедельный отчёт")),
            "{summaries:?}"
        );
        assert!(summaries.iter().any(|o| o.visible.starts_with("📅 Еженедельный отчёт")));
        let files: Vec<&Outgoing> = got.iter().filter(|o| o.kind != OutgoingKind::Message).collect();
        assert_eq!(files.iter().filter(|o| o.visible.starts_with("↪️ За Миронова М.")).count(), 2, "{files:?}");
        app.tg.assert_silent(misha.id, Duration::from_millis(1000)).await;

        // Back, Anna has her morning digest (sent at 09:00 with the reports) and her reminder.
        let digest = app.tg.next(anna.id).await;
        assert!(digest.visible.starts_with("Доброе утро! Контактов на сегодня: 1"), "{}", digest.visible);
        app.clock.set(at("2026-11-30T07:00:10Z"));
        let reminder = app.tg.next(anna.id).await;
        assert!(reminder.visible.starts_with("🔔 Пора связаться: ООО «Ромашка»"), "{}", reminder.visible);
        app.tg.assert_silent(ivan.id, Duration::from_millis(1000)).await;
        app.finish().await;
    }
}

both_backends! {
    async fn in_english_a_covered_reminder_names_the_colleague_in_english_order(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let ivan = app.add_user(1002, "Сидоров Иван Петрович", Role::Specialist, Some("MSK")).await;
        for who in [&anna, &ivan] {
            app.say(who, "/start").await;
        }
        app.say(&ivan, "/lang en").await;
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, card, at("2026-11-30T07:00:00Z")).await;
        cli::user(app.store.as_ref(), away("1001", "30.11.2026", "02.12.2026", "1002"), start_time()).await.unwrap();
        app.clock.set(at("2026-11-30T07:00:10Z"));
        let reminder = app.tg.next(ivan.id).await;
        assert!(reminder.visible.starts_with("↪️ For А. Петрова: while your colleague is on leave"), "{}", reminder.visible);
        assert!(!reminder.visible.contains("Петрову"), "{}", reminder.visible);
        app.finish().await;
    }
}

both_backends! {
    async fn a_monday_report_passed_to_an_english_cover_is_in_english_the_mark_too(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        let misha = app.add_user(2001, "Миронов Михаил Олегович", Role::Manager, Some("MSK")).await;
        let masha = app.add_user(2002, "Зайцева Мария Игоревна", Role::Manager, Some("MSK")).await;
        for who in [&misha, &masha] {
            app.say(who, "/start").await;
        }
        app.say(&masha, "/lang en").await;
        cli::user(app.store.as_ref(), away("2001", "27.11.2026", "04.12.2026", "2002"), start_time()).await.unwrap();

        // Monday 09:00 in Moscow: Maria gets her own report and Mikhail's, both in English.
        app.clock.set(at("2026-11-30T06:00:05Z"));
        let mut got = vec![];
        for _ in 0..6 {
            got.push(app.tg.next(masha.id).await);
        }
        let mark = "↪️ For М. Миронов (on leave):\n📅 Weekly report";
        let covered: Vec<&Outgoing> = got.iter().filter(|o| o.visible.starts_with(mark)).collect();
        let of_kind = |kind: OutgoingKind| covered.iter().filter(|o| o.kind == kind).copied().collect::<Vec<_>>();
        let (summary, workbook) = (of_kind(OutgoingKind::Message), of_kind(OutgoingKind::Document));
        let seen: Vec<&str> = got.iter().map(|o| o.visible.as_str()).collect();
        assert_eq!((summary.len(), workbook.len(), of_kind(OutgoingKind::Photo).len()), (1, 1, 1), "{seen:?}");
        for o in &got {
            assert!(!o.visible.contains("Еженедельный") && !o.visible.contains("отпуске"), "{}", o.visible);
        }
        assert!(summary[0].visible.contains("Division: Москва"), "{}", summary[0].visible);
        let cells = support::pd::workbook_cells(workbook[0].file.as_deref().unwrap());
        assert!(cells.iter().any(|c| c == "New prospects"), "{cells:?}");
        assert!(!cells.iter().any(|c| c == "Показатель" || c == "Подразделение"), "{cells:?}");
        app.tg.assert_silent(misha.id, Duration::from_millis(1000)).await;
        app.finish().await;
    }
}

both_backends! {
    async fn a_company_moved_to_another_division_takes_its_waiting_leads_along(app) {
        use prospect_diary::domain::handoff::{self, HandoffState, Route};
        use prospect_diary::domain::ids::RegionCode;
        use prospect_diary::domain::portfolio;
        use prospect_diary::domain::prospect::Product;
        use prospect_diary::store::HandoffStore;
        const MSK_CHAT: i64 = -100500;
        const VVO_CHAT: i64 = -100600;
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
        app.tg.add_group(MSK_CHAT, "Кредитный отдел Москва", true);
        app.tg.add_group(VVO_CHAT, "Кредитный отдел Владивосток", true);
        let now = start_time();
        let store = app.store.as_ref();
        let route = |region: &str, product, chat_id| Route { region: RegionCode::parse(region).unwrap(), product, chat_id };
        // Moscow sends credit and leasing to its chat; Vladivostok only credit.
        handoff::set_route(store, &route("MSK", Product::Credit, MSK_CHAT), None, now).await.unwrap();
        handoff::set_route(store, &route("MSK", Product::Leasing, MSK_CHAT), None, now).await.unwrap();
        handoff::set_route(store, &route("VVO", Product::Credit, VVO_CHAT), None, now).await.unwrap();
        let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
        let boris = app.add_user(3001, "Кредитов Борис Ильич", Role::CreditOfficer, Some("MSK")).await;
        let oleg = app.add_user(2001, "Ким Олег Романович", Role::Specialist, Some("VVO")).await;
        let kira = app.add_user(4001, "Ли Кира Андреевна", Role::CreditOfficer, Some("VVO")).await;
        app.add_user(5001, "Главная Ольга Ивановна", Role::HeadOffice, None).await;
        for who in [&anna, &boris, &oleg, &kira] {
            app.say(who, "/start").await;
        }
        let card = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let anna_user = store.user(tid(1001)).await.unwrap().unwrap();
        let credit = handoff::hand_off(store, &anna_user, ProspectId(card), Product::Credit, now).await.unwrap();
        handoff::release(store, &credit, now).await.unwrap();
        let leasing = handoff::hand_off(store, &anna_user, ProspectId(card), Product::Leasing, now).await.unwrap();
        handoff::release(store, &leasing, now).await.unwrap();
        let first = app.tg.next(MSK_CHAT).await;
        let second = app.tg.next(MSK_CHAT).await;
        let (old_credit, old_leasing) =
            if first.visible.contains(&format!("№ {}", credit.id)) { (first, second) } else { (second, first) };
        assert!(old_credit.visible.starts_with(&format!("📨 Заявка № {}", credit.id)), "{}", old_credit.visible);

        // Head office moves the company to Vladivostok, to Oleg.
        let hq = store.user(tid(5001)).await.unwrap().unwrap();
        let later = now + chrono::Duration::hours(1);
        app.clock.set(later);
        portfolio::reassign_card(store, &hq, ProspectId(card), tid(2001), later).await.unwrap();

        // In Moscow's chat both cards lose their buttons and say where the company went.
        let mut edits = [app.tg.next(MSK_CHAT).await, app.tg.next(MSK_CHAT).await];
        edits.sort_by_key(|e| e.message_id != old_credit.message_id);
        assert_eq!(edits[0].message_id, old_credit.message_id);
        assert!(
            edits[0].visible.ends_with("🔀 Компания передана в подразделение «Владивосток». Заявка ушла в его кредитный отдел."),
            "{}",
            edits[0].visible
        );
        assert_eq!(edits[1].message_id, old_leasing.message_id);
        assert!(edits[1].visible.contains("Заявка закрыта: там этот продукт не направляется в кредитный отдел."), "{}", edits[1].visible);
        assert!(edits.iter().all(|e| e.buttons().is_empty()));

        // The credit lead waits in Vladivostok's chat from now, followed by Oleg; leasing is closed.
        let posted = app.tg.next(VVO_CHAT).await;
        assert!(posted.visible.starts_with(&format!("📨 Заявка № {}", credit.id)), "{}", posted.visible);
        assert!(posted.visible.contains("Специалист: Ким Олег Романович, Владивосток"), "{}", posted.visible);
        let moved = store.handoff(credit.id).await.unwrap().unwrap();
        assert_eq!((moved.state, moved.region.as_str(), moved.chat_id), (HandoffState::Pending, "VVO", VVO_CHAT));
        assert_eq!((moved.from, moved.waiting_since), (tid(2001), later));
        assert_eq!(store.handoff(leasing.id).await.unwrap().unwrap().state, HandoffState::Expired);
        // The activity report still counts both hand-offs as sent by Anna, in Moscow.
        let rows = store.activity(None, now - chrono::Duration::days(1), later, later).await.unwrap();
        let sent: Vec<(String, i64, i64)> =
            rows.iter().filter(|r| r.handoffs_sent > 0).map(|r| (r.region.clone(), r.person_id, r.handoffs_sent)).collect();
        assert_eq!(sent, [("MSK".to_owned(), 1001, 2)]);
        let trail = store.audit_by_subject(&format!("prospect:{card}")).await.unwrap();
        assert!(trail.iter().any(|r| r.action == "handoff_moved"), "{trail:?}");
        assert!(trail.iter().any(|r| r.action == "handoff_expired"), "{trail:?}");

        // Moscow's officer can no longer take it from the old card; Vladivostok's takes it.
        let from = answers_so_far(&app).await;
        app.tg.press(&boris, &old_credit, &old_credit.button("Взять"));
        let refused = answers_since(&app, from).await;
        assert_eq!(refused.len(), 1);
        assert_ne!(store.handoff(credit.id).await.unwrap().unwrap().taken_by, Some(tid(3001)), "{refused:?}");
        app.tg.press(&kira, &posted, &posted.button("Взять"));
        app.tg.wait_callbacks_answered().await;
        let taken = store.handoff(credit.id).await.unwrap().unwrap();
        assert_eq!((taken.state, taken.taken_by), (HandoffState::Accepted, Some(tid(4001))));
        app.finish().await;
    }
}
