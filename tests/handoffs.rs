//! Hand-offs end to end (SPEC §6): a positive entry or the card's button hands a company off;
//! the specialist picks the lead's facts with buttons, and its card goes to the credit officers'
//! chat with them (or without them once the wait is over: never lost); only the division's
//! officers and manager may act on it; the first Take wins; decline and lost ask for a reason in
//! private; waiting leads are reminded and escalated; and nothing typed by people ever reaches
//! the group.

mod support;

use std::time::Duration;

use chrono::Duration as Span;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::handoff::{self, Closing, HandoffFilter, HandoffState, Route};
use prospect_diary::domain::ids::{RegionCode, TelegramId};
use prospect_diary::domain::prospect::{Product, ProspectId, Status};
use prospect_diary::store::{DeliveryStore, HandoffStore, ProspectStore, Store};
use prospect_diary::telegram_fake::{Outgoing, TgUser};
use support::TestApp;

const CREDIT_CHAT: i64 = -100500;
const VVO_CHAT: i64 = -100900;

/// What a specialist typed about a call: people's names and phones in shapes no pattern
/// catches (dots as separators, a secretary's name, a husband's).
const SUMMARY: &str = "Нужен кредит на пополнение оборотных средств, 30 млн. Петр Смирнов ждёт звонка по \
                       +7 912 345-67-45, тел. 8.912.555.01.77, пишите на smirnov@romashka.ru. Секретарь \
                       Мухина Агафья; муж Никодим просил не звонить после 18.";

struct People {
    anna: TgUser,
    ivan: TgUser,
    boris: TgUser,
    vera: TgUser,
    misha: TgUser,
    far: TgUser,
    stranger: TgUser,
}

/// Moscow with a credit route, Vladivostok with its own; people of every kind; one company
/// with a contact person, phone and e-mail.
async fn setup(app: &TestApp) -> (People, i64) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
    app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", true);
    app.tg.add_group(VVO_CHAT, "Кредиты Владивосток", true);
    for (region, product, chat_id) in
        [("MSK", Product::Credit, CREDIT_CHAT), ("VVO", Product::Credit, VVO_CHAT)]
    {
        let route = Route { region: RegionCode::parse(region).unwrap(), product, chat_id };
        prospect_diary::domain::handoff::set_route(app.store.as_ref(), &route, None, support::start_time())
            .await
            .unwrap();
    }
    let people = People {
        anna: app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await,
        ivan: app.add_user(1002, "Иван Сидоров", Role::Specialist, Some("MSK")).await,
        boris: app.add_user(3001, "Борис Кредитов", Role::CreditOfficer, Some("MSK")).await,
        vera: app.add_user(3002, "Вера Займова", Role::CreditOfficer, Some("MSK")).await,
        misha: app.add_user(4001, "Михаил Главный", Role::Manager, Some("MSK")).await,
        far: app.add_user(3003, "Олег Дальний", Role::CreditOfficer, Some("VVO")).await,
        stranger: app.tg.user(9999, "Чужой"),
    };
    for p in [&people.anna, &people.ivan, &people.boris, &people.vera, &people.misha, &people.far] {
        app.tg.open_chat(p);
    }
    let id = app
        .add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("+7 912 345-67-45"), Some("Пётр Смирнов"))
        .await;
    let user = app.store.user(TelegramId::new(1001).unwrap()).await.unwrap().unwrap();
    prospect_diary::domain::prospects::edit(
        app.store.as_ref(),
        &user,
        ProspectId(id),
        prospect_diary::domain::fields::Field::named("email").unwrap(),
        Some("smirnov@romashka.ru"),
        support::start_time(),
    )
    .await
    .unwrap();
    (people, id)
}

/// `/log` with a positive call about credit and no next contact; returns the bot's messages
/// after saving: the saved line, the card, the question about the lead's facts.
async fn log_positive(app: &TestApp, who: &TgUser, id: i64, summary: &str) -> Vec<Outgoing> {
    let kinds = app.say(who, &format!("/log {id}")).await;
    app.tg.press(who, &kinds, &kinds.button("Звонок"));
    let outcomes = app.tg.next(who.id).await;
    app.tg.press(who, &outcomes, &outcomes.button("Положительный"));
    app.tg.next(who.id).await;
    let products = app.say(who, summary).await;
    app.tg.press(who, &products, &products.button("Кредит"));
    let products = app.tg.next(who.id).await;
    app.tg.press(who, &products, &products.button("Готово"));
    let when = app.tg.next(who.id).await;
    app.tg.press(who, &when, &when.button("Без следующего контакта"));
    let confirm = app.tg.next(who.id).await;
    app.tg.press(who, &confirm, &confirm.button("Записать"));
    let mut after = vec![];
    for _ in 0..3 {
        after.push(app.tg.next(who.id).await);
    }
    after
}

/// Picks the lead's facts on its question, one button a step (by label); returns the closing
/// message once the last is picked.
async fn pick_facts(app: &TestApp, who: &TgUser, question: &Outgoing, labels: &[&str]) -> Outgoing {
    let mut shown = question.clone();
    for label in labels {
        app.tg.press(who, &shown, &shown.button(label));
        shown = app.tg.next(who.id).await;
    }
    shown
}

/// Waits until the outbox has nothing left to send.
async fn outbox_idle(app: &TestApp) {
    for _ in 0..750 {
        let counts = app.store.outbox_counts().await.unwrap();
        if !counts.iter().any(|(state, n)| (state == "pending" || state == "sending") && *n > 0) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the outbox was not delivered within 15 s: {:?}", app.store.outbox_counts().await);
}

/// The next message to `chat` that `wanted` accepts; the ones before it are skipped.
async fn until(app: &TestApp, chat: i64, wanted: impl Fn(&Outgoing) -> bool) -> Outgoing {
    loop {
        let next = app.tg.next(chat).await;
        if wanted(&next) {
            return next;
        }
    }
}

/// The answer to the latest button press, once it is there.
async fn answer_after(app: &TestApp, from: usize) -> Vec<String> {
    app.tg.wait_callbacks_answered().await;
    app.tg.callback_answers_since(from).0
}

/// Where the next press's answer will be, once every earlier press is answered.
async fn answers_so_far(app: &TestApp) -> usize {
    app.tg.wait_callbacks_answered().await;
    app.tg.callback_answers_since(0).1
}

async fn state_of(app: &TestApp, id: i64) -> HandoffState {
    app.store.handoff(id).await.unwrap().unwrap().state
}

/// Nothing the bot sent to a group carries the contact person, the phone or the e-mail, nor
/// anything of what people typed in the entries (`SUMMARY`).
fn assert_no_personal_data_in_groups(app: &TestApp) {
    let (all, _) = app.tg.outgoing_since(0);
    let groups: Vec<&Outgoing> = all.iter().filter(|o| o.chat_id < 0).collect();
    assert!(!groups.is_empty(), "something was sent to a group");
    for o in groups {
        for secret in [
            "Пётр",
            "Смирнов",
            "9123456745",
            "912 345",
            "345-67-45",
            "smirnov@",
            "romashka.ru",
            "П. Смирнов",
            "Смирнов П.",
            "Мухин",
            "Агафь",
            "Никодим",
            "8.912",
            "555.01.77",
            "оборотных",
            "ждёт звонка",
        ] {
            assert!(!o.text.contains(secret), "{secret:?} reached group {}: {}", o.chat_id, o.text);
        }
    }
}

both_backends! {
    async fn of_two_takes_at_the_same_moment_exactly_one_succeeds_in_the_store(app) {
        let (people, id) = setup(&app).await;
        let anna = app.store.user(TelegramId::new(people.anna.id).unwrap()).await.unwrap().unwrap();
        let now = support::start_time();
        for round in 0..5 {
            let h = prospect_diary::domain::handoff::hand_off(
                app.store.as_ref(), &anna, ProspectId(id), Product::Credit, now,
            )
            .await
            .unwrap();
            let record = |who: i64| {
                prospect_diary::domain::audit::AuditRecord::new(
                    now,
                    Some(TelegramId::new(who).unwrap()),
                    prospect_diary::domain::audit::AuditAction::HandoffTaken,
                )
            };
            let (boris, vera) = (TelegramId::new(people.boris.id).unwrap(), TelegramId::new(people.vera.id).unwrap());
            let (for_boris, for_vera) = (record(people.boris.id), record(people.vera.id));
            let (a, b) = tokio::join!(
                app.store.take_handoff(h.id, boris, now, &for_boris, &[]),
                app.store.take_handoff(h.id, vera, now, &for_vera, &[]),
            );
            assert!(a.unwrap() ^ b.unwrap(), "round {round}: exactly one take succeeds");
            let taken = app.store.handoff(h.id).await.unwrap().unwrap();
            assert_eq!(taken.state, HandoffState::Accepted);
            // Closed, so the next round can hand the company off again.
            let holder = taken.taken_by.unwrap();
            let closing = record(holder.get());
            let closed = app.store.finish_handoff(
                h.id, HandoffState::Accepted, HandoffState::Lost, holder, Some("тест"), now, &closing, &[],
            )
            .await
            .unwrap();
            assert!(closed);
        }
        app.finish().await;
    }

    async fn a_positive_entry_hands_off_and_the_first_of_two_officers_takes_it(app) {
        let (people, id) = setup(&app).await;
        let after = log_positive(&app, &people.anna, id, SUMMARY).await;
        assert_eq!(after[0].visible, "Запись добавлена в дневник.");
        assert!(after[1].visible.contains("Статус: передан в кредитный отдел"), "{}", after[1].visible);
        assert!(after[1].visible.contains("Заявки в кредитный отдел:"), "{}", after[1].visible);
        let handoffs = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap();
        assert_eq!(handoffs.len(), 1);
        let hid = handoffs[0].id;
        // The lead's facts are asked last, with buttons; its card waits for them.
        let question = &after[2];
        assert!(question.visible.starts_with(&format!("📨 Заявка № {hid} в кредитный отдел: ООО «Ромашка», кредит.")), "{}", question.visible);
        assert!(question.visible.contains("Если не ответить за 10 минут, заявка уйдёт с тем, что выбрано."), "{}", question.visible);
        assert!(question.visible.ends_with("Какую сумму обсуждали?"), "{}", question.visible);
        let labels: Vec<String> = question.buttons().into_iter().map(|(label, _)| label).collect();
        assert_eq!(
            labels,
            ["до 5 млн ₽", "5–30 млн ₽", "30–100 млн ₽", "свыше 100 млн ₽", "не обсуждали", "Отправить без уточнений"]
        );
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(300)).await;
        app.tg.press(&people.anna, question, &question.button("5–30 млн ₽"));
        let term = app.tg.next(people.anna.id).await;
        assert!(term.visible.ends_with("Сумма: 5–30 млн ₽\nНа какой срок?"), "{}", term.visible);
        // Someone else's lead is not theirs to describe: a forged press changes nothing.
        let elsewhere = app.say(&people.ivan, "/handoffs").await;
        let from = answers_so_far(&app).await;
        app.tg.press(&people.ivan, &elsewhere, &support::data(&format!("h:f:{hid}:t:gt3")));
        assert_eq!(answer_after(&app, from).await, vec!["Эта кнопка уже неактуальна.".to_owned()]);
        let made = pick_facts(&app, &people.anna, &term, &["1–3 года", "срочно"]).await;
        assert!(made.visible.starts_with(&format!("📨 Компания ООО «Ромашка» передана в кредитный отдел: кредит, заявка № {hid}.")), "{}", made.visible);
        assert!(made.visible.ends_with("Сумма: 5–30 млн ₽ · срок: 1–3 года · срочность: срочно"), "{}", made.visible);

        // The card in the chat: the facts picked, the company, the specialist, the division, the
        // card's number; nothing of the entry's text.
        let lead = app.tg.next(CREDIT_CHAT).await;
        assert_eq!(
            lead.visible,
            format!(
                "📨 Заявка № {hid}: кредит\nООО «Ромашка», ИНН 7707083893\n\
                 Сумма: 5–30 млн ₽ · срок: 1–3 года · срочность: срочно\n\
                 Специалист: Анна Петрова, Москва, 27.11.2026 10:00. Карточка № {id}"
            )
        );
        assert_eq!(app.tg.outgoing(VVO_CHAT).len(), 0, "another division's chat gets nothing");

        // A specialist, an officer of another division and a stranger change nothing.
        for (who, expected) in [
            (&people.ivan, "Эта кнопка — для кредитных инспекторов и руководителя подразделения."),
            (&people.far, "Эта кнопка — для кредитных инспекторов и руководителя подразделения."),
        ] {
            let from = answers_so_far(&app).await;
            app.tg.press(who, &lead, &lead.button("Взять"));
            assert_eq!(answer_after(&app, from).await, vec![expected.to_owned()]);
        }
        let from = answers_so_far(&app).await;
        app.tg.press(&people.stranger, &lead, &lead.button("Взять"));
        let refused = answer_after(&app, from).await;
        assert_eq!(refused.len(), 1);
        assert_ne!(refused[0], "Заявка закреплена за вами. Карточка — в личном чате.");
        // A forged press on a lead that does not exist.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.boris, &lead, &support::data("h:t:999999"));
        assert_eq!(answer_after(&app, from).await, vec!["Эта кнопка уже неактуальна.".to_owned()]);
        assert_eq!(state_of(&app, hid).await, HandoffState::Pending);
        assert!(app.tg.next_within(CREDIT_CHAT, Duration::from_millis(300)).await.is_none(), "the card is unchanged");

        // Two officers press Take at once: exactly one wins, and the other learns who did.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.boris, &lead, &lead.button("Взять"));
        app.tg.press(&people.vera, &lead, &lead.button("Взять"));
        let answers = answer_after(&app, from).await;
        assert_eq!(answers.len(), 2, "{answers:?}");
        let taken = app.store.handoff(hid).await.unwrap().unwrap();
        assert_eq!(taken.state, HandoffState::Accepted);
        let (winner, loser) = if taken.taken_by.unwrap().get() == people.boris.id {
            (&people.boris, &people.vera)
        } else {
            (&people.vera, &people.boris)
        };
        let winner_name = taken.taken_by_name.clone().unwrap();
        assert!(answers.contains(&"Заявка закреплена за вами. Карточка — в личном чате.".to_owned()), "{answers:?}");
        assert!(answers.contains(&format!("✅ Взята в работу: {winner_name}, 27.11.2026 10:00")), "{answers:?}");
        let edited = app.tg.next(CREDIT_CHAT).await;
        assert!(edited.visible.contains(&format!("✅ Взята в работу: {winner_name}")), "{}", edited.visible);
        assert!(edited.buttons().is_empty(), "no buttons once taken");
        // The winner gets the card in private, with the entry to read, and no warning about the
        // specialist's contact: the lead was handed to them. The loser gets nothing.
        let card = app.tg.next(winner.id).await;
        assert!(card.visible.contains("ООО «Ромашка»"), "{}", card.visible);
        assert!(card.visible.contains("Смирнов П."), "contacts as configured (masked): {}", card.visible);
        assert!(card.visible.contains("Нужен кредит на пополнение оборотных средств"), "{}", card.visible);
        assert!(!card.visible.contains("Согласуйте"), "{}", card.visible);
        let yours = app.tg.next(winner.id).await;
        assert!(yours.visible.starts_with(&format!("Заявка № {hid} закреплена за вами")), "{}", yours.visible);
        app.tg.assert_silent(loser.id, Duration::from_millis(300)).await;
        // The specialist is told.
        let news = app.tg.next(people.anna.id).await;
        assert!(news.visible.contains(&format!("Заявка № {hid}: ООО «Ромашка», кредит.")), "{}", news.visible);
        assert!(news.visible.contains(&format!("Взята в работу: {winner_name}")), "{}", news.visible);

        // The loser cannot close it; the winner closes it as lost with a typed reason.
        let elsewhere = app.say(loser, "/handoffs").await;
        let from = answers_so_far(&app).await;
        app.tg.press(loser, &elsewhere, &support::data(&format!("h:l:{hid}")));
        assert_eq!(answer_after(&app, from).await, vec!["Эта кнопка — для кредитных инспекторов и руководителя подразделения.".to_owned()]);
        // The question can be left: the lead stays taken, and asked again later.
        app.tg.press(winner, &yours, &yours.button("Сделка не состоялась"));
        let ask = app.tg.next(winner.id).await;
        app.tg.press(winner, &ask, &ask.button("Отмена"));
        let left = app.tg.next(winner.id).await;
        assert_eq!(left.visible, format!("Отменено: заявка № {hid} осталась без изменений."));
        assert!(left.buttons().is_empty());
        assert_eq!(state_of(&app, hid).await, HandoffState::Accepted);
        app.tg.press(winner, &yours, &yours.button("Сделка не состоялась"));
        let ask = app.tg.next(winner.id).await;
        assert!(ask.visible.starts_with(&format!("Почему сделка по заявке № {hid} (ООО «Ромашка») не состоялась?")), "{}", ask.visible);
        let saved = app.say(winner, "Клиент получил кредит в другом банке <дешевле>").await;
        assert!(saved.visible.contains("решение сохранено"), "{}", saved.visible);
        assert_eq!(state_of(&app, hid).await, HandoffState::Lost);
        let closed = app.tg.next(CREDIT_CHAT).await;
        assert!(closed.visible.contains("Сделка не состоялась"), "{}", closed.visible);
        // The reason is free text: the group does not get it, the specialist does.
        assert!(!closed.visible.contains("Причина"), "{}", closed.visible);
        let news = app.tg.next(people.anna.id).await;
        assert!(news.visible.contains("Сделка не состоялась"), "{}", news.visible);
        assert!(news.visible.contains("Причина: Клиент получил кредит в другом банке <дешевле>"), "{}", news.visible);
        let prospect = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        assert_eq!(prospect.status, Status::Declined);

        // A colleague of the specialist is still warned before disturbing the company.
        let colleague = app.say(&people.ivan, &format!("/card {id}")).await;
        assert!(colleague.visible.contains("Согласуйте дальнейшие действия с коллегой"), "{}", colleague.visible);

        // The card's history shows it.
        app.tg.send_text(&people.anna, &format!("/card {id}"));
        let card = until(&app, people.anna.id, |o| o.visible.contains("Заявки в кредитный отдел:")).await;
        assert!(card.visible.contains(&format!("№ {hid} · ООО «Ромашка» · кредит · сделка не состоялась")), "{}", card.visible);
        // And head office reads each step in the card's audit trail.
        let head = app.add_user(6001, "Дарья Контролёр", Role::HeadOffice, None).await;
        let trail = app.say(&head, &format!("/audit {id}")).await;
        for step in ["передал в кредитный отдел", "взял заявку в работу", "закрыл заявку"] {
            assert!(trail.visible.contains(step), "{step}: {}", trail.visible);
        }
        assert_no_personal_data_in_groups(&app);
        app.finish().await;
    }

    async fn the_card_button_hands_off_once_and_a_declined_lead_can_be_handed_off_again(app) {
        let (people, id) = setup(&app).await;
        let card = app.say(&people.anna, &format!("/card {id}")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        assert!(choose.visible.contains("По какому продукту передать компанию ООО «Ромашка»?"), "{}", choose.visible);
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        assert!(question.visible.ends_with("Какую сумму обсуждали?"), "{}", question.visible);
        let hid = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap()[0].id;
        // The specialist sends it on without the facts: the card says what was not given.
        app.tg.press(&people.anna, &question, &question.button("Отправить без уточнений"));
        let made = app.tg.next(people.anna.id).await;
        assert!(made.visible.contains("передана в кредитный отдел"), "{}", made.visible);
        assert!(made.visible.ends_with("Сумма: не указано · срок: не указано · срочность: не указано"), "{}", made.visible);
        let lead = app.tg.next(CREDIT_CHAT).await;
        assert!(lead.visible.contains("\nСумма: не указано · срок: не указано · срочность: не указано\n"), "{}", lead.visible);
        // Once the card went, its facts stay as they went.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.anna, &made, &support::data(&format!("h:f:{hid}:a:lt5")));
        assert_eq!(
            answer_after(&app, from).await,
            vec![format!("Заявка № {hid} уже в чате кредитного отдела — с тем, что было выбрано.")]
        );
        assert_eq!(app.store.handoff(hid).await.unwrap().unwrap().facts.amount, None);

        // Never a second open hand-off for the same product: not offered, and a forged press fails.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        assert_eq!(
            answer_after(&app, from).await,
            vec!["Передать нельзя: маршруты не настроены или по всем продуктам уже есть открытые заявки.".to_owned()]
        );
        let from = answers_so_far(&app).await;
        app.tg.press(&people.anna, &choose, &support::data(&format!("h:p:{id}:credit")));
        assert_eq!(
            answer_after(&app, from).await,
            vec!["По этому продукту уже есть открытая заявка.".to_owned()]
        );
        // A product without a route in the division.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.anna, &choose, &support::data(&format!("h:p:{id}:leasing")));
        assert_eq!(
            answer_after(&app, from).await,
            vec!["Для этого продукта в вашем подразделении передача не настроена. Обратитесь к администратору.".to_owned()]
        );
        assert_eq!(app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap().len(), 1);

        // The manager declines in the chat; the reason is asked in private, chosen by a button.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.misha, &lead, &lead.button("Отклонить"));
        assert_eq!(answer_after(&app, from).await, vec!["Укажите причину в личном чате с ботом.".to_owned()]);
        let ask = app.tg.next(people.misha.id).await;
        assert!(ask.visible.starts_with(&format!("Почему отклоняете заявку № {hid}")), "{}", ask.visible);
        // Meanwhile an officer takes it: the decline then changes nothing.
        app.tg.press(&people.boris, &lead, &lead.button("Взять"));
        app.tg.next(CREDIT_CHAT).await;
        let from = answers_so_far(&app).await;
        app.tg.press(&people.misha, &ask, &ask.button("Не наш профиль"));
        let late = answer_after(&app, from).await;
        assert!(late[0].starts_with("✅ Взята в работу: Борис Кредитов"), "{late:?}");
        assert_eq!(state_of(&app, hid).await, HandoffState::Accepted);

        // Boris holds it; he finds it in /handoffs and closes it as won: the company is a client.
        app.tg.send_text(&people.boris, "/handoffs");
        // (the private card and the "yours" message came first)
        let list = until(&app, people.boris.id, |o| o.visible.starts_with("Заявки подразделения:")).await;
        assert!(list.visible.contains(&format!("№ {hid} · ООО «Ромашка» · кредит · в работе")), "{}", list.visible);
        app.tg.press(&people.boris, &list, &list.button(&format!("№{hid}")));
        let view = app.tg.next(people.boris.id).await;
        app.tg.press(&people.boris, &view, &view.button("Сделка состоялась"));
        let done = app.tg.next(people.boris.id).await;
        assert!(done.visible.contains("🏆 Сделка состоялась: Борис Кредитов"), "{}", done.visible);
        assert_eq!(state_of(&app, hid).await, HandoffState::Won);
        let prospect = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        assert_eq!(prospect.status, Status::Client);
        let won = app.tg.next(CREDIT_CHAT).await;
        assert!(won.visible.contains("🏆 Сделка состоялась: Борис Кредитов"), "{}", won.visible);
        app.tg.eventually("the specialist told of the win", |tg| {
            tg.outgoing(people.anna.id).iter().find(|o| o.visible.contains("🏆 Сделка состоялась")).cloned()
        })
        .await;

        // A new hand-off (the client wants more credit) is declined with a typed reason.
        app.tg.send_text(&people.anna, &format!("/card {id}"));
        let card = until(&app, people.anna.id, |o| o.visible.contains("Статус: клиент")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        pick_facts(&app, &people.anna, &question, &["свыше 100 млн ₽", "свыше 3 лет", "не срочно"]).await;
        let lead = until(&app, CREDIT_CHAT, |o| !o.buttons().is_empty()).await;
        assert!(lead.visible.contains("Сумма: свыше 100 млн ₽ · срок: свыше 3 лет · срочность: не срочно"), "{}", lead.visible);
        let second = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap()[0].id;
        assert_ne!(second, hid);
        app.tg.press(&people.vera, &lead, &lead.button("Отклонить"));
        app.tg.next(people.vera.id).await;
        let wrong = app.say(&people.vera, &"я".repeat(501)).await;
        assert_eq!(wrong.visible, "Напишите причину коротко, до 500 символов.");
        let saved = app.say(&people.vera, "Лимит на группу исчерпан").await;
        assert!(saved.visible.contains("Причина: Лимит на группу исчерпан"), "{}", saved.visible);
        assert_eq!(state_of(&app, second).await, HandoffState::Declined);
        let news = app.tg.eventually("the specialist told of the decline", |tg| {
            tg.outgoing(people.anna.id).iter().find(|o| o.visible.contains("❌ Отклонена")).cloned()
        })
        .await;
        assert!(news.visible.contains("Вера Займова") && news.visible.contains("Лимит на группу исчерпан"), "{}", news.visible);
        // A client stays a client when a further lead is declined.
        let prospect = app.store.prospect(ProspectId(id), None).await.unwrap().unwrap();
        assert_eq!(prospect.status, Status::Client);

        app.tg.send_text(&people.anna, "/handoffs");
        let mine = until(&app, people.anna.id, |o| o.visible.starts_with("Мои заявки")).await;
        assert!(mine.visible.starts_with("Мои заявки в кредитный отдел:"), "{}", mine.visible);
        assert!(mine.visible.contains("сделка состоялась") && mine.visible.contains("отклонена"), "{}", mine.visible);
        assert_no_personal_data_in_groups(&app);
        app.finish().await;
    }

    async fn a_lead_nobody_takes_is_reminded_in_the_chat_then_the_manager_is_told_how_long_it_waited(app) {
        let (people, id) = setup(&app).await;
        let user = app.store.user(TelegramId::new(people.anna.id).unwrap()).await.unwrap().unwrap();
        let h = prospect_diary::domain::handoff::hand_off(
            app.store.as_ref(), &user, ProspectId(id), Product::Credit, support::start_time(),
        )
        .await
        .unwrap();
        let ctx = app.ctx(app.store.clone(), "test");
        // Nobody answered the facts question: the card went when the wait was over.
        app.clock.advance(Span::hours(3) + Span::minutes(59));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        let card = app.tg.next(CREDIT_CHAT).await;
        assert!(card.visible.contains("Сумма: не указано · срок: не указано · срочность: не указано"), "{}", card.visible);
        assert_eq!(app.store.handoff(h.id).await.unwrap().unwrap().state, HandoffState::Pending);
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(500)).await;

        // The jobs did not run for a while (an outage): the reminder says how long it really waited.
        app.clock.advance(Span::hours(2));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        let reminder = app.tg.next(CREDIT_CHAT).await;
        assert_eq!(
            reminder.visible,
            format!("⏰ Заявка № {} (ООО «Ромашка», кредит) ждёт решения уже 5 часов. Возьмите её в работу или отклоните, пожалуйста.", h.id)
        );
        app.tg.assert_silent(people.misha.id, Duration::from_millis(500)).await;

        app.clock.advance(Span::hours(16));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        let told = app.tg.next(people.misha.id).await;
        assert!(told.visible.starts_with(&format!("⚠️ Заявка № {} по компании ООО «Ромашка» (кредит, специалист Анна Петрова) уже 21 час не взята в работу.", h.id)), "{}", told.visible);
        app.clock.advance(Span::hours(10));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(500)).await;
        app.tg.assert_silent(people.misha.id, Duration::from_millis(300)).await;
        app.tg.assert_silent(people.boris.id, Duration::from_millis(100)).await;
        assert_eq!(app.tg.outgoing(CREDIT_CHAT).len(), 2, "the card and one reminder");
        assert_no_personal_data_in_groups(&app);
        app.finish().await;
    }

    async fn a_lead_whose_facts_are_not_given_goes_without_them_after_the_wait_or_on_cancel(app) {
        let (people, id) = setup(&app).await;
        let ctx = app.ctx(app.store.clone(), "test");
        let after = log_positive(&app, &people.anna, id, "Клиенту нужен кредит").await;
        let question = &after[2];
        let hid = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap()[0].id;
        // The specialist picks the amount and leaves.
        app.tg.press(&people.anna, question, &question.button("до 5 млн ₽"));
        let term = app.tg.next(people.anna.id).await;
        app.clock.advance(Span::minutes(9));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(500)).await;
        app.clock.advance(Span::minutes(2));
        prospect_diary::jobs::tick(&ctx).await.unwrap();
        let lead = app.tg.next(CREDIT_CHAT).await;
        assert!(lead.visible.contains(&format!("Заявка № {hid}: кредит")), "{}", lead.visible);
        assert!(lead.visible.contains("Сумма: до 5 млн ₽ · срок: не указано · срочность: не указано"), "{}", lead.visible);
        // A late answer changes nothing, and the question closes with what went.
        let from = answers_so_far(&app).await;
        app.tg.press(&people.anna, &term, &term.button("1–3 года"));
        assert_eq!(
            answer_after(&app, from).await,
            vec![format!("Заявка № {hid} уже в чате кредитного отдела — с тем, что было выбрано.")]
        );
        let closed = app.tg.next(people.anna.id).await;
        assert!(closed.visible.ends_with("Сумма: до 5 млн ₽ · срок: не указано · срочность: не указано"), "{}", closed.visible);
        assert!(closed.buttons().iter().all(|(_, data)| data.starts_with(&support::data("h:s:"))), "{:?}", closed.buttons());
        assert_eq!(app.store.handoff(hid).await.unwrap().unwrap().facts.term, None);

        // /cancel sends a waiting lead on at once.
        let other = app.add_prospect(people.anna.id, "ООО «Лютик»", &support::inn(7), None, None).await;
        let card = app.say(&people.anna, &format!("/card {other}")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &question, &question.button("не обсуждали"));
        app.tg.next(people.anna.id).await;
        let second = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(other)), 10).await.unwrap()[0].id;
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(300)).await;
        let cancelled = app.say(&people.anna, "/cancel").await;
        assert_eq!(cancelled.visible, format!("Заявка № {second} отправлена в кредитный отдел с тем, что было выбрано."));
        let lead = app.tg.next(CREDIT_CHAT).await;
        assert!(lead.visible.contains("ООО «Лютик»"), "{}", lead.visible);
        assert!(lead.visible.contains("Сумма: не обсуждали · срок: не указано · срочность: не указано"), "{}", lead.visible);
        assert_eq!(app.say(&people.anna, "/cancel").await.visible, "Сейчас нечего отменять.");
        app.finish().await;
    }

    async fn a_quick_take_then_won_edits_the_card_once_and_telegram_refuses_nothing(app) {
        let (people, id) = setup(&app).await;
        let card = app.say(&people.anna, &format!("/card {id}")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        pick_facts(&app, &people.anna, &question, &["30–100 млн ₽", "до 1 года", "в течение месяца"]).await;
        let lead = app.tg.next(CREDIT_CHAT).await;
        let hid = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap()[0].id;
        // The deliverer has kept the card's message (else a Take now would queue an edit of its own).
        while app.store.handoff(hid).await.unwrap().unwrap().message_id.is_none() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Taken and won in a moment: both edits of the card are queued before either is sent, and
        // each is rendered from the lead as it stands when sent — won.
        let boris = app.store.user(TelegramId::new(people.boris.id).unwrap()).await.unwrap().unwrap();
        let now = app.clock.now();
        let taken = handoff::take(app.store.as_ref(), &boris, hid, now).await.unwrap();
        let won = handoff::close(app.store.as_ref(), &boris, hid, Closing::Won, None, now).await.unwrap();
        app.store.enqueue(&[prospect_diary::domain::notice::lead_edit(&taken), prospect_diary::domain::notice::lead_edit(&won)], now).await.unwrap();
        let edited = app.tg.next(CREDIT_CHAT).await;
        assert_eq!(edited.message_id, lead.message_id);
        assert!(edited.visible.contains("🏆 Сделка состоялась: Борис Кредитов"), "{}", edited.visible);
        outbox_idle(&app).await;
        let refused: Vec<_> = app.tg.calls().into_iter().filter_map(|c| c.error.map(|e| (c.method, e))).collect();
        assert_eq!(refused, vec![], "Telegram refused nothing");
        assert_eq!(app.tg.calls_of("editMessageText").iter().filter(|c| c.params["chat_id"] == CREDIT_CHAT).count(), 1);
        app.tg.assert_silent(CREDIT_CHAT, Duration::from_millis(300)).await;
        app.finish().await;
    }

    async fn a_lead_the_chat_cannot_get_is_reported_to_the_specialist_and_the_manager(app) {
        let (people, id) = setup(&app).await;
        // The bot was removed from the group after the route was set.
        app.tg.add_group(CREDIT_CHAT, "Кредитный отдел Москва", false);
        let card = app.say(&people.anna, &format!("/card {id}")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &question, &question.button("Отправить без уточнений"));
        let expected = "не удалось отправить в чат кредитного отдела -100500";
        let told = until(&app, people.anna.id, |o| o.visible.contains(expected)).await;
        assert!(told.visible.starts_with("⚠️ Заявку №"), "{}", told.visible);
        until(&app, people.misha.id, |o| o.visible.contains(expected)).await;
        app.tg.assert_silent(people.boris.id, Duration::from_millis(300)).await;
        app.finish().await;
    }

    async fn an_officer_who_never_opened_the_bot_is_asked_to_and_still_holds_the_lead(app) {
        let (people, id) = setup(&app).await;
        // A new officer: whitelisted, but has never written to the bot.
        let gleb = app.add_user(3009, "Глеб Новиков", Role::CreditOfficer, Some("MSK")).await;
        let card = app.say(&people.anna, &format!("/card {id}")).await;
        app.tg.press(&people.anna, &card, &card.button("Передать в кредитный отдел"));
        let choose = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &choose, &choose.button("Кредит"));
        let question = app.tg.next(people.anna.id).await;
        app.tg.press(&people.anna, &question, &question.button("Отправить без уточнений"));
        let lead = app.tg.next(CREDIT_CHAT).await;
        let hid = app.store.handoffs(&HandoffFilter::Prospect(ProspectId(id)), 10).await.unwrap()[0].id;

        // Declining needs the private chat: nothing changes, and he is told how to open it.
        let from = answers_so_far(&app).await;
        app.tg.press(&gleb, &lead, &lead.button("Отклонить"));
        assert_eq!(
            answer_after(&app, from).await,
            vec!["Откройте личный чат с ботом, отправьте /start и нажмите эту кнопку ещё раз.".to_owned()]
        );
        assert_eq!(state_of(&app, hid).await, HandoffState::Pending);

        // Taking works in the group; the card waits for him in /handoffs.
        let from = answers_so_far(&app).await;
        app.tg.press(&gleb, &lead, &lead.button("Взять"));
        assert_eq!(
            answer_after(&app, from).await,
            vec!["Заявка закреплена за вами. Чтобы получить карточку, откройте личный чат с ботом и отправьте /start: заявка будет в /handoffs.".to_owned()]
        );
        assert_eq!(state_of(&app, hid).await, HandoffState::Accepted);
        app.tg.send_text(&gleb, "/handoffs");
        let list = until(&app, gleb.id, |o| o.visible.starts_with("Заявки подразделения:")).await;
        assert!(list.visible.contains(&format!("№ {hid} · ООО «Ромашка» · кредит · в работе")), "{}", list.visible);
        app.finish().await;
    }

    async fn handoffs_are_listed_ten_a_page(app) {
        let (people, _) = setup(&app).await;
        let anna = app.store.user(TelegramId::new(people.anna.id).unwrap()).await.unwrap().unwrap();
        for n in 0..12 {
            let id = app.add_prospect(people.anna.id, &format!("ООО «Компания {n}»"), &support::inn(100 + n), None, None).await;
            prospect_diary::domain::handoff::hand_off(
                app.store.as_ref(), &anna, ProspectId(id), Product::Credit, support::start_time(),
            )
            .await
            .unwrap();
        }
        let first = app.say(&people.anna, "/handoffs").await;
        assert_eq!(first.visible.matches(" · кредит · ").count(), 10, "{}", first.visible);
        app.tg.press(&people.anna, &first, &first.button("Далее"));
        let second = app.tg.next(people.anna.id).await;
        assert_eq!(second.visible.matches(" · кредит · ").count(), 2, "{:?} {}", second.kind, second.visible);
        assert!(second.buttons().iter().any(|(label, _)| label.contains("Назад")), "{:?}", second.buttons());
        app.finish().await;
    }

    async fn admins_see_and_set_routes_in_the_chat(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.tg.add_group(-100777, "Лизинг Москва", true);
        app.tg.add_group(-100778, "Без бота", false);
        let admin = app.add_user(5001, "Админ Админов", Role::Admin, None).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let none = app.say(&admin, "/routes").await;
        assert!(none.visible.starts_with("Маршрутов пока нет."), "{}", none.visible);
        let bad = app.say(&admin, "/routes set SPB leasing -100777").await;
        assert_eq!(bad.visible, "Подразделения с кодом «SPB» нет.");
        let bad = app.say(&admin, "/routes set MSK leasing 12345").await;
        assert_eq!(bad.visible, "ID чата — отрицательное число, например -1001234567890.");
        let bad = app.say(&admin, "/routes set MSK leasing -100778").await;
        assert_eq!(bad.visible, "Бот не видит чат -100778. Добавьте бота в группу и повторите.");
        let bad = app.say(&admin, "/routes set MSK gold -100777").await;
        assert!(bad.visible.starts_with("Задать маршрут: /routes set"), "{}", bad.visible);
        let saved = app.say(&admin, "/routes set msk leasing -100777").await;
        assert_eq!(saved.visible, "Маршрут сохранён: MSK · лизинг → «Лизинг Москва» (-100777).");
        let list = app.say(&admin, "/routes").await;
        assert!(list.visible.contains("MSK · лизинг → -100777"), "{}", list.visible);
        let trail = app.store.audit_by_subject("route:MSK:leasing").await.unwrap();
        assert_eq!(trail[0].actor.map(|a| a.get()), Some(5001));
        let refused = app.say(&anna, "/routes").await;
        assert_eq!(refused.visible, "Эта команда вам недоступна.");
        app.finish().await;
    }
}
