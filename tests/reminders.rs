//! Reminders, /today, the morning digest and delivery that loses nothing: at the right local
//! time in every zone, snoozed, caught up after downtime, through outages and 429s, and each
//! sent exactly once even with two instances on one database.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::jobs::{self, Deliverer};
use prospect_diary::store::{DeliveryStore, Store};
use prospect_diary::telegram_fake::Failure;
use support::{TestApp, inn};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn divisions(app: &TestApp) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
}

both_backends! {
    async fn reminders_arrive_at_the_local_time_of_each_division(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let oleg = app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
        app.say(&anna, "/start").await;
        app.say(&oleg, "/start").await;
        let msk = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("89123456789"), Some("Иван Сидоров")).await;
        let vvo = app.add_prospect(2001, "Восток", &inn(5), None, None).await;
        // Tomorrow 10:00 local: 07:00 UTC in Moscow, 00:00 UTC in Vladivostok.
        app.schedule(1001, msk, at("2026-11-28T07:00:00Z")).await;
        app.schedule(2001, vvo, at("2026-11-28T00:00:00Z")).await;

        app.clock.set(at("2026-11-27T23:59:00Z"));
        app.tg.assert_silent(oleg.id, Duration::from_millis(2500)).await;
        app.clock.set(at("2026-11-28T00:00:30Z"));
        let reminder = app.tg.next(oleg.id).await;
        assert!(reminder.visible.starts_with("🔔 Пора связаться: Восток"), "{}", reminder.visible);
        assert!(reminder.visible.contains("Срок: 28.11.2026 10:00"), "{}", reminder.visible);
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;

        app.clock.set(at("2026-11-28T07:00:10Z"));
        let reminder = app.tg.next(anna.id).await;
        assert!(reminder.visible.contains("ООО «Ромашка»"), "{}", reminder.visible);
        assert!(reminder.visible.contains("Контакт: Сидоров И., +7 9** ***-**-89"), "{}", reminder.visible);
        assert!(reminder.visible.contains("Срок: 28.11.2026 10:00"), "{}", reminder.visible);
        assert!(!reminder.visible.contains("опозданием"));
        let labels: Vec<String> = reminder.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["✍️ Записать контакт", "Открыть карточку", "⏰ Через час", "📅 Завтра 10:00"]);
        app.finish().await;
    }

    async fn snooze_and_tomorrow_move_the_reminder(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, id, at("2026-11-27T08:00:00Z")).await;
        app.clock.set(at("2026-11-27T08:00:05Z"));
        let reminder = app.tg.next(anna.id).await;

        app.tg.press(&anna, &reminder, &reminder.button("Через час"));
        let moved = app.tg.next(anna.id).await;
        assert_eq!(moved.visible, "Перенесено на 27.11.2026 12:00.");
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;
        app.clock.set(at("2026-11-27T09:00:10Z"));
        let again = app.tg.next(anna.id).await;
        assert!(again.visible.contains("Срок: 27.11.2026 12:00"), "{}", again.visible);

        // It is Friday: tomorrow is Saturday, so the contact lands on Monday, and says why.
        app.tg.press(&anna, &again, &again.button("Завтра 10:00"));
        let moved = app.tg.next(anna.id).await;
        assert_eq!(moved.visible, "Перенесено на 30.11.2026 10:00 — выходной день.");
        let today = app.say(&anna, "/today").await;
        assert_eq!(today.visible, "На сегодня контактов нет, просроченных тоже.");

        // Someone else's follow-up cannot be moved by a forged press.
        let boris = app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
        let hello = app.say(&boris, "/start").await;
        let followup = again.button("Завтра").trim_start_matches(&support::data("r:t:")).to_owned();
        app.tg.press(&boris, &hello, &support::data(&format!("r:s:{followup}")));
        app.tg.wait_callbacks_answered().await;
        let refused = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(refused.params["text"], "Это действие с карточкой вам недоступно.");
        app.finish().await;
    }

    async fn today_and_the_morning_digest_list_what_is_due_and_idle_people_get_nothing(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let idle = app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        app.say(&idle, "/start").await;
        let late = app.add_prospect(1001, "Альфа", &inn(1), None, None).await;
        let soon = app.add_prospect(1001, "Бета", &inn(2), None, None).await;
        let later = app.add_prospect(1001, "Гамма", &inn(3), None, None).await;
        // Monday 30.11: Альфа was due on Friday, Бета at 15:00 today, Гамма tomorrow.
        app.schedule(1001, late, at("2026-11-27T12:00:00Z")).await;
        app.schedule(1001, soon, at("2026-11-30T12:00:00Z")).await;
        app.schedule(1001, later, at("2026-12-01T12:00:00Z")).await;
        app.clock.set(at("2026-11-27T11:00:00Z"));
        app.tg.assert_silent(anna.id, Duration::from_millis(1200)).await;

        // Friday's reminder goes out; then the weekend passes: no digest on Saturday or Sunday.
        app.clock.set(at("2026-11-27T12:00:30Z"));
        let friday = app.tg.next(anna.id).await;
        assert!(friday.visible.contains("Альфа"));
        app.clock.set(at("2026-11-28T06:30:00Z"));
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;
        app.clock.set(at("2026-11-30T05:59:00Z"));
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;

        // Monday 09:00 in Moscow (06:00 UTC): the digest.
        app.clock.set(at("2026-11-30T06:00:20Z"));
        let digest = app.tg.next(anna.id).await;
        assert!(digest.visible.starts_with("Доброе утро! Контактов на сегодня: 1, просроченных: 1."), "{}", digest.visible);
        assert!(digest.visible.contains("27.11.2026 15:00 Альфа — просрочено"), "{}", digest.visible);
        assert!(digest.visible.contains("30.11.2026 15:00 Бета"), "{}", digest.visible);
        assert!(!digest.visible.contains("Гамма"));
        app.tg.assert_silent(idle.id, Duration::from_millis(1500)).await;
        app.tg.assert_silent(anna.id, Duration::from_millis(1200)).await;

        let today = app.say(&anna, "📅 На сегодня").await;
        let lines: Vec<&str> = today.visible.lines().collect();
        assert_eq!(lines[0], "Контакты на сегодня и просроченные:");
        assert!(lines[1].contains("Альфа") && lines[2].contains("Бета") && lines.len() == 3, "{lines:?}");
        app.finish().await;
    }

    async fn reminders_due_during_downtime_are_sent_once_at_start_marked_late(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let a = app.add_prospect(1001, "Альфа", &inn(1), None, None).await;
        let b = app.add_prospect(1001, "Бета", &inn(2), None, None).await;
        app.schedule(1001, a, at("2026-11-27T08:00:00Z")).await;
        app.schedule(1001, b, at("2026-11-27T09:00:00Z")).await;

        app.stop_app().await;
        app.clock.set(at("2026-11-27T11:15:00Z"));
        app.restart().await;
        let first = app.tg.next(anna.id).await;
        let second = app.tg.next(anna.id).await;
        assert!(first.visible.contains("Альфа") && second.visible.contains("Бета"), "{} / {}", first.visible, second.visible);
        assert!(first.visible.contains("с опозданием на 3 часа 15 минут"), "{}", first.visible);
        assert!(second.visible.contains("с опозданием на 2 часа 15 минут"), "{}", second.visible);
        app.restart().await;
        app.tg.assert_silent(anna.id, Duration::from_millis(2500)).await;
        app.finish().await;
    }

    async fn an_outage_and_a_429_delay_delivery_but_lose_nothing_and_send_nothing_twice(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;
        let a = app.add_prospect(1001, "Альфа", &inn(1), None, None).await;
        let b = app.add_prospect(1001, "Бета", &inn(2), None, None).await;
        app.schedule(1001, a, at("2026-11-27T08:00:00Z")).await;
        app.schedule(1001, b, at("2026-11-27T08:00:00Z")).await;
        app.tg.fail_next(Some("sendMessage"), 2, Failure::Status(502));

        app.clock.set(at("2026-11-27T08:00:10Z"));
        // Each 502 costs teloxide's own 10 s pause; retries come due as the clock moves on.
        let mut got = vec![];
        for _ in 0..12 {
            app.clock.advance(Span::minutes(1));
            while let Some(m) = app.tg.next_within(anna.id, Duration::from_secs(5)).await {
                got.push(m.visible);
            }
            if got.len() >= 2 {
                break;
            }
        }
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got.iter().filter(|m| m.contains("Альфа")).count(), 1);
        assert_eq!(got.iter().filter(|m| m.contains("Бета")).count(), 1);
        let failed = app.tg.calls_of("sendMessage").into_iter().filter(|c| c.error.is_some()).count();
        assert_eq!(failed, 2);

        // A 429: the item waits Telegram's retry_after, then goes out once.
        let c = app.add_prospect(1001, "Гамма", &inn(3), None, None).await;
        app.schedule(1001, c, app_now(&app) + Span::seconds(30)).await;
        app.tg.fail_next(Some("sendMessage"), 1, Failure::RetryAfter(2));
        app.clock.advance(Span::minutes(1));
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;
        app.clock.advance(Span::seconds(3));
        let third = app.tg.next(anna.id).await;
        assert!(third.visible.contains("Гамма"));
        app.tg.assert_silent(anna.id, Duration::from_millis(1500)).await;
        let counts = app.store.outbox_counts().await.unwrap();
        assert_eq!(counts, vec![("sent".to_owned(), 3)]);
        app.finish().await;
    }

    async fn a_person_who_blocked_the_bot_is_marked_unreachable_and_the_manager_told(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let olga = app.add_user(1009, "Ольга Руководитель", Role::Manager, Some("MSK")).await;
        app.say(&anna, "/start").await;
        app.say(&olga, "/start").await;
        let id = app.add_prospect(1001, "Альфа", &inn(1), None, None).await;
        app.schedule(1001, id, at("2026-11-27T08:00:00Z")).await;
        app.tg.block(anna.id);
        app.clock.set(at("2026-11-27T08:00:10Z"));

        let told = app.tg.next(olga.id).await;
        assert_eq!(told.visible, "Сотрудник Анна Петрова заблокировал бота и не получает напоминаний. Пожалуйста, свяжитесь с ним.");
        let user = app.store.user(TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
        assert!(user.unreachable);
        app.clock.advance(Span::hours(1));
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let tries: Vec<_> = app.tg.calls_of("sendMessage").into_iter().filter(|c| c.params["chat_id"] == 1001 && c.error.is_some()).collect();
        assert_eq!(tries.len(), 1, "no retries to a person who blocked the bot: {tries:?}");

        // Writing to the bot again makes them reachable.
        app.say(&anna, "/help").await;
        let user = app.store.user(TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
        assert!(!user.unreachable);
        app.finish().await;
    }

    async fn two_instances_on_one_database_deliver_a_thousand_reminders_exactly_once(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        // The running app is stopped: two bare instances share the work.
        app.stop_app().await;
        app.tg.set_rate_limits(false);
        seed_thousand(&app).await;
        app.clock.set(at("2026-11-27T09:00:00Z"));

        let mut handles = vec![];
        for name in ["alpha", "beta"] {
            let store: Arc<dyn Store> = Arc::new(prospect_diary::store::connect(app.db_url()).await.unwrap());
            let ctx = app.ctx(store.clone(), name);
            let bot = prospect_diary::app::make_bot(&app.config);
            handles.push(tokio::spawn(async move {
                let deliverer = Deliverer::new(name, 1000);
                let mut idle = 0;
                while idle < 3 {
                    jobs::tick(&ctx).await.unwrap();
                    if deliverer.deliver_once(&bot, &ctx).await.unwrap() == 0 {
                        idle += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    } else {
                        idle = 0;
                    }
                }
            }));
        }
        for handle in handles {
            tokio::time::timeout(Duration::from_secs(240), handle).await.expect("delivery finishes").unwrap();
        }
        let sent = app.tg.calls_of("sendMessage");
        assert_eq!(sent.len(), 1000, "each reminder once");
        let mut chats: Vec<i64> = sent.iter().map(|c| c.params["chat_id"].as_i64().unwrap()).collect();
        chats.sort();
        chats.dedup();
        assert_eq!(chats.len(), 1000);
        assert_eq!(app.store.outbox_counts().await.unwrap(), vec![("sent".to_owned(), 1000)]);
        app.finish().await;
    }
}

fn app_now(app: &TestApp) -> DateTime<Utc> {
    use prospect_diary::clock::Clock;
    app.clock.now()
}

/// A thousand specialists, each with a card and a follow-up due at 08:00 UTC.
async fn seed_thousand(app: &TestApp) {
    use prospect_diary::domain::access::NewUser;
    use prospect_diary::domain::audit::{AuditAction, AuditRecord};
    use prospect_diary::domain::ids::{FullName, RegionCode};
    let note = AuditRecord::new(support::start_time(), None, AuditAction::UserAdded);
    for n in 0..1000 {
        let id = 10_000 + n;
        let user = NewUser::new(
            TelegramId::new(id).unwrap(),
            FullName::parse(&format!("Специалист {n}")).unwrap(),
            Role::Specialist,
            Some(RegionCode::parse("MSK").unwrap()),
            None,
        )
        .unwrap();
        app.store.add_user(&user, support::start_time(), &note).await.unwrap();
        app.tg.open_chat(&app.tg.user(id, "Специалист"));
        let prospect =
            app.add_prospect(id, &format!("Компания {n}"), &inn(1000 + n as u32), None, None).await;
        app.schedule(id, prospect, at("2026-11-27T08:00:00Z")).await;
    }
}
