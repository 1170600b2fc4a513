//! Working time end to end (SPEC §6): the bank's calendar loaded from the official production
//! calendar file; the hand-off SLA counted in the division's working hours, over weekends and
//! holidays; a lead nobody took expiring after its working days; and a next contact chosen as
//! «завтра» landing on a working day, with the person told it moved.

mod support;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Moscow;
use prospect_diary::cli::{self, HolidaysCommand, RegionCommand};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::handoff::{self, HandoffState, Route, Waiting};
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Product, ProspectId};
use prospect_diary::store::{HandoffStore, Store};
use prospect_diary::telegram_fake::TgUser;
use support::{TestApp, inn};

const CREDIT_CHAT: i64 = -100500;

/// Moscow time as an instant: `msk("04.12.2026 17:00")`.
fn msk(text: &str) -> DateTime<Utc> {
    let naive = chrono::NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M").unwrap();
    Moscow.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
}

/// A month's Saturdays and Sundays as the calendar file lists them.
fn weekends(year: i32, month: u32) -> String {
    NaiveDate::from_ymd_opt(year, month, 1)
        .unwrap()
        .iter_days()
        .take_while(|d| d.month() == month)
        .filter(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .map(|d| d.day().to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The production calendar file for 2026 and 2027 as the open-data portal publishes it: a day
/// off on Thursday 31.12.2026 (transferred), the New Year holidays 01–08.01.2027 and the
/// weekends; the totals columns the reader ignores.
fn calendar_file() -> String {
    let mut file = String::from(
        "Год/Месяц,Январь,Февраль,Март,Апрель,Май,Июнь,Июль,Август,Сентябрь,Октябрь,Ноябрь,Декабрь,\
         Всего рабочих дней,Всего праздничных и выходных дней\n",
    );
    for year in [2026, 2027] {
        let mut months: Vec<String> = (1..=12).map(|m| weekends(year, m)).collect();
        if year == 2026 {
            months[11].push_str(",31+");
        } else {
            months[0] = "1,2,3,4,5,6,7,8,9,10,16,17,23,24,30,31".into();
        }
        let cells: Vec<String> = months.iter().map(|m| format!("\"{m}\"")).collect();
        file.push_str(&format!("{year},{},247,118\n", cells.join(",")));
    }
    file
}

struct People {
    anna: TgUser,
    boris: TgUser,
    misha: TgUser,
}

/// Moscow with its credit chat, a specialist, an officer and a manager, and the calendar
/// loaded from its file through the operator's command.
async fn setup(app: &TestApp) -> People {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", true);
    let route =
        Route { region: RegionCode::parse("MSK").unwrap(), product: Product::Credit, chat_id: CREDIT_CHAT };
    handoff::set_route(app.store.as_ref(), &route, None, support::start_time()).await.unwrap();
    let people = People {
        anna: app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await,
        boris: app.add_user(3001, "Борис Кредитов", Role::CreditOfficer, Some("MSK")).await,
        misha: app.add_user(4001, "Михаил Руков", Role::Manager, Some("MSK")).await,
    };
    for person in [&people.anna, &people.boris, &people.misha] {
        app.tg.open_chat(person);
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("calendar.csv");
    std::fs::write(&path, calendar_file()).unwrap();
    let loaded = cli::holidays(
        app.store.as_ref(),
        HolidaysCommand::Import { file: path.clone() },
        support::start_time(),
    )
    .await
    .unwrap();
    assert_eq!(
        loaded,
        "2026: 1 holidays on weekdays, 0 working weekend days, 0 shortened days\n\
         2027: 6 holidays on weekdays, 0 working weekend days, 0 shortened days"
    );
    // The same file again changes nothing.
    cli::holidays(app.store.as_ref(), HolidaysCommand::Import { file: path }, support::start_time())
        .await
        .unwrap();
    let list =
        cli::holidays(app.store.as_ref(), HolidaysCommand::List { year: Some(2027) }, support::start_time())
            .await
            .unwrap();
    assert_eq!(list.lines().count(), 6, "{list}");
    people
}

/// Anna hands a new company off at `at`; its card reaches the chat after the facts' wait.
async fn lead_at(app: &TestApp, people: &People, name: &str, n: u32, at: DateTime<Utc>) -> i64 {
    let id = app.add_prospect(people.anna.id, name, &inn(n), None, None).await;
    app.clock.set(at);
    let user = app.store.user(TelegramId::new(people.anna.id).unwrap()).await.unwrap().unwrap();
    let h = handoff::hand_off(app.store.as_ref(), &user, ProspectId(id), Product::Credit, at).await.unwrap();
    app.clock.set(at + chrono::Duration::minutes(11));
    tick(app).await;
    app.tg
        .eventually("the lead card in the chat", |tg| {
            tg.outgoing(CREDIT_CHAT).into_iter().find(|o| o.visible.contains(&format!("Заявка № {}", h.id)))
        })
        .await;
    h.id
}

async fn tick(app: &TestApp) {
    let ctx = app.ctx(app.store.clone(), "test");
    prospect_diary::jobs::tick(&ctx).await.unwrap();
    app.tg.wait_drained().await;
}

/// Whether lead `id` is still waiting for its SLA reminder (nothing queued for it yet).
async fn unreminded(app: &TestApp, id: i64) -> bool {
    let later = msk("01.01.2030 00:00");
    app.store.waiting_handoffs(later, Waiting::Reminder, 500).await.unwrap().iter().any(|h| h.id == id)
}

/// The chat's SLA reminders about lead `id` so far.
fn reminders_in(tg: &prospect_diary::telegram_fake::FakeTelegram, id: i64) -> usize {
    let head = format!("⏰ Заявка № {id} ");
    tg.outgoing(CREDIT_CHAT).iter().filter(|o| o.visible.starts_with(&head)).count()
}

both_backends! {
    async fn the_sla_counts_working_hours_over_the_weekend_and_the_holidays_loaded_from_the_file(app) {
        let people = setup(&app).await;
        // Friday 17:00 + 4 working hours: one on Friday, three on Monday morning.
        let friday = lead_at(&app, &people, "ООО «Пятница»", 1, msk("04.12.2026 17:00")).await;
        for at in ["05.12.2026 12:00", "06.12.2026 23:00", "07.12.2026 11:59"] {
            app.clock.set(msk(at));
            tick(&app).await;
            assert!(unreminded(&app, friday).await, "no reminder at {at}");
        }
        app.clock.set(msk("07.12.2026 12:00"));
        tick(&app).await;
        app.tg.eventually("the reminder on Monday at noon", |tg| {
            tg.outgoing(CREDIT_CHAT).into_iter().find(|o| o.visible.starts_with(&format!("⏰ Заявка № {friday} ")))
        })
        .await;
        let boris = app.store.user(TelegramId::new(people.boris.id).unwrap()).await.unwrap().unwrap();
        handoff::take(app.store.as_ref(), &boris, friday, msk("07.12.2026 12:01")).await.unwrap();

        // Wednesday 30.12 17:00: 31.12 and 01–10.01 are off by the file; Monday 11.01 at noon.
        let new_year = lead_at(&app, &people, "ООО «Ёлка»", 2, msk("30.12.2026 17:00")).await;
        for at in ["31.12.2026 12:00", "05.01.2027 12:00", "11.01.2027 11:59"] {
            app.clock.set(msk(at));
            tick(&app).await;
            assert!(unreminded(&app, new_year).await, "no reminder at {at}");
        }
        app.clock.set(msk("11.01.2027 12:00"));
        tick(&app).await;
        assert!(!unreminded(&app, new_year).await);
        app.tg.eventually("the reminder after the holidays", |tg| (reminders_in(tg, new_year) == 1).then_some(())).await;
        // Twice the SLA (8 working hours) tells the manager: Monday 11.01 at 16:00.
        assert!(!app.tg.outgoing(people.misha.id).iter().any(|o| o.visible.contains(&format!("Заявка № {new_year} по компании"))));
        app.clock.set(msk("11.01.2027 16:00"));
        tick(&app).await;
        app.tg.eventually("the manager told", |tg| {
            tg.outgoing(people.misha.id).into_iter().find(|o| o.visible.contains(&format!("Заявка № {new_year} по компании")))
        })
        .await;
        app.finish().await;
    }

    async fn a_lead_nobody_takes_expires_after_its_working_days_and_can_be_handed_off_again(app) {
        let people = setup(&app).await;
        let id = lead_at(&app, &people, "ООО «Ромашка»", 3, msk("04.12.2026 10:00")).await;
        // Five working days: Friday 11.12 at 10:00.
        app.clock.set(msk("11.12.2026 09:59"));
        tick(&app).await;
        assert_eq!(app.store.handoff(id).await.unwrap().unwrap().state, HandoffState::Pending);
        app.clock.set(msk("11.12.2026 10:00"));
        tick(&app).await;
        assert_eq!(app.store.handoff(id).await.unwrap().unwrap().state, HandoffState::Expired);
        let expired = "⌛ Срок заявки истёк 11.12.2026 10:00: её никто не взял. Компанию можно передать снова.";
        let card = app.tg.eventually("the card in the chat says so", |tg| {
            tg.outgoing(CREDIT_CHAT)
                .into_iter()
                .find(|o| o.visible.contains(&format!("Заявка № {id}")) && o.visible.contains(expired))
        })
        .await;
        assert!(card.visible.contains(expired), "{}", card.visible);
        assert!(card.buttons().is_empty(), "nobody can take an expired lead: {:?}", card.reply_markup);
        for person in [&people.anna, &people.misha] {
            app.tg.eventually("the specialist and the manager told", |tg| {
                tg.outgoing(person.id).into_iter().find(|o| o.visible.contains(expired))
            })
            .await;
        }
        // Nobody is told twice, and the company can be handed off again.
        tick(&app).await;
        assert_eq!(app.tg.outgoing(people.anna.id).iter().filter(|o| o.visible.contains(expired)).count(), 1);
        let anna = app.store.user(TelegramId::new(people.anna.id).unwrap()).await.unwrap().unwrap();
        let prospect = app.store.handoff(id).await.unwrap().unwrap().prospect;
        let again = handoff::hand_off(app.store.as_ref(), &anna, prospect, Product::Credit, msk("11.12.2026 11:00"))
            .await
            .unwrap();
        assert_ne!(again.id, id);
        let trail = app.store.audit_by_subject(&format!("prospect:{}", prospect.0)).await.unwrap();
        assert!(trail.iter().any(|a| a.action == "handoff_expired" && a.actor.is_none()), "{trail:?}");
        app.finish().await;
    }

    async fn tomorrow_on_the_last_working_day_of_the_year_lands_in_january_and_the_person_is_told(app) {
        let people = setup(&app).await;
        let id = app.add_prospect(people.anna.id, "ООО «Ромашка»", &inn(4), None, None).await;
        app.clock.set(msk("30.12.2026 10:00"));
        let card = app.say(&people.anna, &format!("/card {id}")).await;
        app.tg.press(&people.anna, &card, &card.button("Назначить контакт"));
        app.tg.next(people.anna.id).await;
        app.tg.send_text(&people.anna, "завтра 15:00");
        let moved = app.tg.next(people.anna.id).await;
        assert_eq!(moved.visible, "Перенесено на 11.01.2027 15:00 — праздничные дни.");
        let saved = app.tg.next(people.anna.id).await;
        assert_eq!(saved.visible, "Следующий контакт назначен на 11.01.2027 15:00.");

        // A date typed as such is the person's choice and stays.
        app.tg.press(&people.anna, &card, &card.button("Назначить контакт"));
        app.tg.next(people.anna.id).await;
        let saved = app.say(&people.anna, "31.12.2026 15:00").await;
        assert_eq!(saved.visible, "Следующий контакт назначен на 31.12.2026 15:00.");

        // The operator's working hours for the division, checked as typed.
        let set = |hours: &str| RegionCommand::Set { code: "MSK".into(), hours: hours.into() };
        let now = support::start_time();
        assert_eq!(cli::region(app.store.as_ref(), set("10:00-19:00"), now).await.unwrap(), "region MSK: working hours 10:00-19:00");
        let err = cli::region(app.store.as_ref(), set("19:00-10:00"), now).await.unwrap_err();
        assert!(err.to_string().contains("09:00-18:00"), "{err}");
        let listed = cli::region(app.store.as_ref(), RegionCommand::List, now).await.unwrap();
        assert_eq!(listed, "MSK\tМосква\tEurope/Moscow\t10:00-19:00");
        app.finish().await;
    }
}
