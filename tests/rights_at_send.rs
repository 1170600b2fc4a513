//! Rights are checked when a message is sent, not only when it was queued (SPEC §2): nothing
//! goes to a disabled person, a person moved to another division gets nothing about the old
//! one, and an inactive owner's reminder goes to the division's manager, marked whose it was.

mod support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use prospect_diary::domain::access::{Audience, Placement, Role};
use prospect_diary::domain::directory;
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::store::{DeliveryStore, NewOutgoing};
use prospect_diary::telegram_fake::TgUser;
use support::TestApp;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn disable(app: &TestApp, id: i64) {
    directory::set_active(app.store.as_ref(), TelegramId::new(id).unwrap(), false, None, app.clock_now())
        .await
        .unwrap();
}

async fn move_to(app: &TestApp, id: i64, region: &str) {
    let placement = Placement::new(Role::Specialist, Some(RegionCode::parse(region).unwrap())).unwrap();
    directory::change_placement(
        app.store.as_ref(),
        TelegramId::new(id).unwrap(),
        &placement,
        None,
        app.clock_now(),
    )
    .await
    .unwrap();
}

trait Now {
    fn clock_now(&self) -> DateTime<Utc>;
}

impl Now for TestApp {
    fn clock_now(&self) -> DateTime<Utc> {
        use prospect_diary::clock::Clock;
        self.clock.now()
    }
}

/// A notice of `kind` about `audience`'s data, queued for `chat` as the jobs queue them.
fn item(kind: &'static str, chat: i64, audience: Audience, key: &str) -> NewOutgoing {
    NewOutgoing {
        kind,
        chat_id: chat,
        ref_id: None,
        text: Some(format!("Сообщение «{key}»")),
        markup: None,
        dedupe_key: key.to_owned(),
        audience,
        notice: None,
    }
}

/// Moscow and Vladivostok; Anna a specialist and Boris the manager in Moscow, both in the bot.
async fn two_divisions(app: &TestApp) -> (TgUser, TgUser) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
    let anna = app.add_user(1001, "Петрова Анна Сергеевна", Role::Specialist, Some("MSK")).await;
    let boris = app.add_user(3001, "Борисов Борис Борисович", Role::Manager, Some("MSK")).await;
    app.say(&anna, "/start").await;
    app.say(&boris, "/start").await;
    (anna, boris)
}

both_backends! {
    async fn a_disabled_owners_reminder_goes_to_the_manager_marked_whose_it_was(app) {
        let (anna, boris) = two_divisions(&app).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("89123456789"), Some("Сидоров Иван Петрович")).await;
        app.schedule(1001, id, at("2026-11-28T07:00:00Z")).await;
        disable(&app, 1001).await;

        app.clock.set(at("2026-11-28T07:00:10Z"));
        let reminder = app.tg.next(boris.id).await;
        assert!(reminder.visible.contains("Передано вам как руководителю"), "{}", reminder.visible);
        assert!(reminder.visible.contains("Петрова Анна Сергеевна"), "whose it was: {}", reminder.visible);
        assert!(reminder.visible.contains("ООО «Ромашка»"), "{}", reminder.visible);
        assert!(reminder.visible.contains("Сидоров И., +7 9** ***-**-89"), "{}", reminder.visible);
        let labels: Vec<String> = reminder.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["✍️ Записать контакт", "Открыть карточку"], "moving it is the owner's to do");
        app.tg.assert_silent(anna.id, Duration::from_millis(2000)).await;
        app.tg.assert_silent(boris.id, Duration::from_millis(500)).await;
        app.finish().await;
    }

    async fn a_person_moved_to_another_division_gets_no_reminder_about_the_old_one(app) {
        let (anna, boris) = two_divisions(&app).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        app.schedule(1001, id, at("2026-11-28T07:00:00Z")).await;
        move_to(&app, 1001, "VVO").await;

        app.clock.set(at("2026-11-28T07:00:10Z"));
        let reminder = app.tg.next(boris.id).await;
        assert!(reminder.visible.contains("ООО «Ромашка»"), "{}", reminder.visible);
        app.tg.assert_silent(anna.id, Duration::from_millis(2000)).await;
        app.finish().await;
    }

    async fn nothing_queued_reaches_a_person_disabled_or_moved_since(app) {
        let (anna, boris) = two_divisions(&app).await;
        let olga = app.add_user(4001, "Ольгина Ольга Олеговна", Role::HeadOffice, None).await;
        let irina = app.add_user(5001, "Админова Ирина Ивановна", Role::Admin, None).await;
        for person in [&olga, &irina] {
            app.say(person, "/start").await;
        }
        disable(&app, 3001).await;
        disable(&app, 4001).await;
        move_to(&app, 1001, "VVO").await;
        let msk = || Audience::Region(RegionCode::parse("MSK").unwrap());
        let items = [
            // The owner's notice and the digest of a person moved to Vladivostok.
            item("notice", anna.id, msk(), "notice-moved"),
            item("digest", anna.id, msk(), "digest-moved"),
            // The weekly report of a manager and of head office, both disabled since.
            item("notice", boris.id, msk(), "report-summary-disabled"),
            item("report", boris.id, msk(), "report-file-disabled"),
            item("notice", olga.id, Audience::AllRegions, "head-office-disabled"),
            // Client data never goes to an admin.
            item("notice", irina.id, msk(), "admin-client-data"),
        ];
        app.store.enqueue(&items, app.clock_now()).await.unwrap();
        // What the people may still get goes out, after all of the above.
        let vvo = Audience::Region(RegionCode::parse("VVO").unwrap());
        app.store.enqueue(&[item("notice", anna.id, vvo, "anna-new-division"), item("notice", irina.id, Audience::Staff, "admin-staff")], app.clock_now()).await.unwrap();

        let anna_got = app.tg.next(anna.id).await;
        assert_eq!(anna_got.visible, "Сообщение «anna-new-division»");
        let irina_got = app.tg.next(irina.id).await;
        assert_eq!(irina_got.visible, "Сообщение «admin-staff»");
        for person in [&anna, &boris, &olga, &irina] {
            app.tg.assert_silent(person.id, Duration::from_millis(700)).await;
        }
        let counts = app.store.outbox_counts().await.unwrap();
        let failed = counts.iter().find(|(state, _)| state == "failed").map(|(_, n)| *n);
        assert_eq!(failed, Some(6), "the six withheld items are kept as failed, not sent: {counts:?}");
        app.finish().await;
    }
}
