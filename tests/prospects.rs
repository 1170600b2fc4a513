//! The prospect base end to end: registering with every check, duplicates by INN (same and
//! other division) and by similar name, finding, opening cards, editing, and forged presses.

mod support;

use std::time::Duration;

use prospect_diary::domain::access::Role;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::domain::prospect::{Product, ProspectId};
use prospect_diary::store::{ProspectStore, Store};
use support::{TestApp, inn};

const QUIET: Duration = Duration::from_millis(500);

async fn divisions(app: &TestApp) {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
}

async fn answers(app: &TestApp) -> Vec<String> {
    app.tg.wait_callbacks_answered().await;
    app.tg
        .calls_of("answerCallbackQuery")
        .iter()
        .map(|c| c.params["text"].as_str().unwrap_or_default().to_owned())
        .collect()
}

both_backends! {
    async fn a_specialist_registers_a_prospect_and_every_mistake_is_asked_again(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/start").await;

        let ask = app.say(&anna, "➕ Новая компания").await;
        assert!(ask.visible.contains("название компании"), "{}", ask.visible);
        let ask_inn = app.say(&anna, "ООО \"Рога & <Копыта>\" 🦌").await;
        assert!(ask_inn.visible.contains("ИНН"), "{}", ask_inn.visible);
        // Starting another flow midway would lose the form: the bot asks to finish it first.
        let busy = app.say(&anna, "/log").await;
        assert_eq!(busy.visible, "Сначала завершите текущее действие или отмените его командой /cancel.");
        app.say(&anna, "/start").await;
        app.say(&anna, "1234567890").await;
        let again = app.tg.next(anna.id).await;
        assert!(again.visible.starts_with("Введите ИНН"), "the same question again: {}", again.visible);
        let ask_kpp = app.say(&anna, "7707083893").await;
        assert!(ask_kpp.visible.contains("КПП"), "{}", ask_kpp.visible);
        app.say(&anna, "12345").await;
        app.tg.next(anna.id).await;
        let ask_ogrn = app.say(&anna, "773601001").await;
        assert!(ask_ogrn.visible.contains("ОГРН"));
        app.tg.press(&anna, &ask_ogrn, &ask_ogrn.button("Пропустить"));
        let ask_industry = app.tg.next(anna.id).await;
        assert!(ask_industry.visible.contains("отрасль"), "{}", ask_industry.visible);
        let ask_city = app.say(&anna, "Торговля 🚚").await;
        app.tg.press(&anna, &ask_city, &ask_city.button("Пропустить"));
        app.tg.next(anna.id).await;
        let ask_position = app.say(&anna, "Иван Сергеевич Петров").await;
        assert!(ask_position.visible.contains("должность"), "{}", ask_position.visible);
        let ask_phone = app.say(&anna, "Директор 👔").await;
        assert!(ask_phone.visible.contains("телефон"));
        let wrong = app.say(&anna, "позвоните мне").await;
        assert!(wrong.visible.starts_with("Телефон — российский номер"), "{}", wrong.visible);
        app.tg.next(anna.id).await;
        let ask_email = app.say(&anna, "8 (912) 345-67-89").await;
        assert!(ask_email.visible.contains("e-mail"), "{}", ask_email.visible);
        let wrong = app.say(&anna, "ivan@").await;
        assert!(wrong.visible.contains("name@example.ru"), "{}", wrong.visible);
        app.tg.next(anna.id).await;
        let products = app.say(&anna, "Ivan@Roga.ru").await;
        app.tg.press(&anna, &products, &products.button("Кредит"));
        let toggled = app.tg.next(anna.id).await;
        assert!(toggled.buttons().iter().any(|(label, _)| label == "✅ Кредит"), "{:?}", toggled.buttons());
        app.tg.press(&anna, &toggled, &toggled.button("РКО"));
        let toggled = app.tg.next(anna.id).await;
        app.tg.press(&anna, &toggled, &toggled.button("Готово"));
        let summary = app.tg.next(anna.id).await;
        assert!(summary.visible.contains("ООО \"Рога & <Копыта>\" 🦌"), "{}", summary.visible);
        assert!(summary.visible.contains("кредит, РКО"), "{}", summary.visible);

        // Change one field from the summary and come back to it.
        app.tg.press(&anna, &summary, &summary.button("Изменить поле"));
        let fields = app.tg.next(anna.id).await;
        app.tg.press(&anna, &fields, &fields.button("Город"));
        let ask_city = app.tg.next(anna.id).await;
        assert!(ask_city.visible.contains("город"), "{}", ask_city.visible);
        let summary = app.say(&anna, "Тверь 🏙").await;
        assert!(summary.visible.contains("Город: Тверь 🏙"), "{}", summary.visible);

        app.tg.press(&anna, &summary, &summary.button("Сохранить"));
        let saved = app.tg.next(anna.id).await;
        assert_eq!(saved.visible, "Карточка компании сохранена.");
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.contains("ООО \"Рога & <Копыта>\" 🦌 · № 1"), "{}", card.visible);
        assert!(card.visible.contains("+7 9** ***-**-89"), "contacts are masked: {}", card.visible);
        assert!(card.visible.contains("Петров И., Директор 👔"), "{}", card.visible);
        assert!(card.visible.contains("i***@roga.ru"), "{}", card.visible);
        assert!(!card.visible.contains("912"), "{}", card.visible);
        assert!(card.visible.contains("Заполненность карточки: 83 %"), "{}", card.visible);
        assert!(card.visible.contains("Статус: новый"), "{}", card.visible);

        let saved = app.store.prospect(ProspectId(1), None).await.unwrap().unwrap();
        assert_eq!(saved.details.phone.unwrap().as_str(), "+79123456789");
        assert_eq!(saved.details.kpp.unwrap().as_str(), "773601001");
        assert_eq!(saved.details.products, vec![Product::Credit, Product::Settlement]);
        assert_eq!(saved.details.city.as_deref(), Some("Тверь 🏙"));
        let trail = app.store.audit_by_subject("prospect:1").await.unwrap();
        assert!(trail.iter().any(|r| r.action == "prospect_created"));
        assert!(trail.iter().any(|r| r.action == "card_viewed"));
        app.finish().await;
    }

    async fn the_same_inn_shows_the_card_here_and_only_the_division_elsewhere(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let boris = app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
        let oleg = app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
        app.add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("89123456789"), Some("Иван Сидоров")).await;

        app.say(&boris, "/new").await;
        app.say(&boris, "Ромашка").await;
        let here = app.say(&boris, "7707083893").await;
        assert!(here.visible.contains("уже есть в базе подразделения"), "{}", here.visible);
        let card = app.tg.next(boris.id).await;
        assert!(card.visible.contains("ООО «Ромашка»"), "{}", card.visible);

        app.say(&oleg, "/new").await;
        app.say(&oleg, "Ромашка Восток").await;
        let elsewhere = app.say(&oleg, "7707083893").await;
        assert!(elsewhere.visible.contains("подразделение «Москва», ответственный — Анна Петрова"), "{}", elsewhere.visible);
        app.tg.assert_silent(oleg.id, QUIET).await;
        assert!(app.tg.outgoing(oleg.id).iter().all(|m| !m.visible.contains("Сидоров") && !m.visible.contains("**")));
        let _ = anna;
        app.finish().await;
    }

    async fn similar_names_and_phones_are_offered_before_saving(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.add_prospect(1001, "ООО «Ромашка»", &inn(1), None, None).await;
        app.say(&anna, "/new").await;
        // A different ending: still offered as a possible duplicate.
        app.say(&anna, "Ромашки").await;
        let mut question = app.say(&anna, &inn(2)).await;
        for _ in 0..8 {
            if question.visible.contains("Отметьте продукты") { break; }
            app.tg.press(&anna, &question, &question.button("Пропустить"));
            question = app.tg.next(anna.id).await;
        }
        app.tg.press(&anna, &question, &question.button("Готово"));
        let summary = app.tg.next(anna.id).await;
        app.tg.press(&anna, &summary, &summary.button("Сохранить"));
        let alikes = app.tg.next(anna.id).await;
        assert!(alikes.visible.contains("Похожие карточки"), "{}", alikes.visible);
        app.tg.press(&anna, &alikes, &alikes.button("ООО «Ромашка»"));
        let opened = app.tg.next(anna.id).await;
        assert!(opened.visible.contains("№ 1"), "{}", opened.visible);
        app.tg.press(&anna, &alikes, &alikes.button("Всё равно сохранить"));
        assert_eq!(app.tg.next(anna.id).await.visible, "Карточка компании сохранена.");
        let saved = app.tg.next(anna.id).await;
        assert!(saved.visible.contains("Ромашки · № 2"), "{}", saved.visible);
        app.finish().await;
    }

    async fn find_searches_names_inns_phones_and_contacts_in_the_division_only(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
        let boss = app.add_user(3001, "Дарья Волкова", Role::HeadOffice, None).await;
        app.add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("+7 912 345-67-89"), Some("Иван Сидоров")).await;
        app.add_prospect(2001, "Ромашка Восток", &inn(7), None, None).await;
        for n in 0..12 {
            app.add_prospect(1001, &format!("Альфа-{n:02}"), &inn(100 + n), None, None).await;
        }

        let found = app.say(&anna, "/find ромашка").await;
        assert_eq!(found.buttons().len(), 1, "{:?}", found.buttons());
        assert!(found.buttons()[0].0.starts_with("ООО «Ромашка»"));
        for query in ["/find 7707083893", "/find 8 (912) 345 67 89", "/find СИДОРОВ", "/find romashka ООО «РОМАШКА»"] {
            let found = app.say(&anna, query).await;
            let expected = if query.contains("romashka") { 0 } else { 1 };
            assert_eq!(found.buttons().iter().filter(|(l, _)| l.contains("Ромашка")).count(), expected, "{query}: {:?}", found.visible);
        }
        let nothing = app.say(&anna, "/find восток").await;
        assert_eq!(nothing.visible, "Ничего не найдено.");
        // Three letters or more are looked for anywhere in the name; one or two at its beginning.
        let start = app.say(&anna, "/find Ром").await;
        assert_eq!(start.buttons().iter().filter(|(l, _)| l.contains("Ромашка")).count(), 1, "{:?}", start.visible);
        let inside = app.say(&anna, "/find маш").await;
        assert_eq!(inside.buttons().iter().filter(|(l, _)| l.contains("Ромашка")).count(), 1, "{:?}", inside.visible);
        let four = app.say(&anna, "/find омаш").await;
        assert_eq!(four.buttons().iter().filter(|(l, _)| l.contains("Ромашка")).count(), 1, "{:?}", four.visible);
        let two = app.say(&anna, "/find Ро").await;
        assert_eq!(two.buttons().iter().filter(|(l, _)| l.contains("Ромашка")).count(), 1, "{:?}", two.visible);
        let two_inside = app.say(&anna, "/find ма").await;
        assert!(!two_inside.buttons().iter().any(|(l, _)| l.contains("Ромашка")), "{:?}", two_inside.visible);

        let page = app.say(&anna, "/find альфа").await;
        assert_eq!(page.buttons().iter().filter(|(l, _)| l.starts_with("Альфа")).count(), 10);
        app.tg.press(&anna, &page, &page.button("Далее"));
        let second = app.tg.next(anna.id).await;
        assert_eq!(second.buttons().iter().filter(|(l, _)| l.starts_with("Альфа")).count(), 2, "{:?}", second.buttons());

        let all = app.say(&boss, "/find ромашка").await;
        assert_eq!(all.buttons().len(), 2, "head office sees every division");
        let searches = app.store.audit_by_actor(TelegramId::new(1001).unwrap()).await.unwrap();
        assert!(searches.iter().filter(|r| r.action == "searched").count() >= 6);
        app.finish().await;
    }

    async fn cards_open_by_number_or_inn_and_forged_presses_show_nothing(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let boris = app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
        let oleg = app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
        let boss = app.add_user(3001, "Дарья Волкова", Role::HeadOffice, None).await;
        let mine = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let far = app.add_prospect(2001, "Восток", &inn(7), None, Some("Пётр Тайный")).await;

        let card = app.say(&anna, &format!("/card {mine}")).await;
        assert!(card.visible.contains("ООО «Ромашка»"));
        assert!(card.buttons().iter().any(|(l, _)| l.contains("Изменить")));
        let by_inn = app.say(&anna, "/card 7707083893").await;
        assert!(by_inn.visible.contains(&format!("№ {mine}")));
        let hidden = app.say(&anna, &format!("/card {far}")).await;
        assert_eq!(hidden.visible, "Карточка не найдена или недоступна вам.");

        // A colleague sees the card but may not edit it; head office only reads.
        let colleague = app.say(&boris, &format!("/card {mine}")).await;
        assert!(!colleague.buttons().iter().any(|(l, _)| l.contains("Изменить")));
        assert!(colleague.buttons().iter().any(|(l, _)| l.contains("Записать контакт")));
        let read_only = app.say(&boss, &format!("/card {mine}")).await;
        assert!(!read_only.buttons().iter().any(|(l, _)| l.contains("Изменить") || l.contains("Записать")));

        for forged in [format!("c:o:{far}"), format!("c:h:{far}:0"), format!("c:e:{far}"), format!("l:on:{far}"), format!("c:ef:{far}:phone")] {
            app.tg.press(&anna, &card, &support::data(&forged));
        }
        for forged in [format!("c:e:{mine}"), format!("c:ef:{mine}:name")] {
            app.tg.press(&boris, &colleague, &support::data(&forged));
        }
        app.tg.press(&boss, &read_only, &support::data(&format!("l:on:{mine}")));
        let stranger = app.tg.user(555, "Незнакомец");
        let refusal = app.say(&stranger, "/start").await;
        app.tg.press(&stranger, &refusal, &support::data(&format!("c:o:{mine}")));
        app.tg.press(&oleg, &app.say(&oleg, "/start").await, &support::data(&format!("c:o:{mine}")));
        let texts = answers(&app).await;
        assert_eq!(texts.iter().filter(|t| t.as_str() == "Карточка не найдена или недоступна вам.").count(), 6, "{texts:?}");
        assert_eq!(texts.iter().filter(|t| t.as_str() == "Это действие с карточкой вам недоступно.").count(), 3, "{texts:?}");
        assert_eq!(texts.iter().filter(|t| t.as_str() == "Нет доступа к боту.").count(), 1, "{texts:?}");
        assert!(app.tg.outgoing(555).iter().all(|m| !m.visible.contains("Ромашка")));
        app.tg.assert_silent(anna.id, QUIET).await;
        assert!(app.tg.outgoing(anna.id).iter().all(|m| !m.visible.contains("Тайный")));
        app.finish().await;
    }

    async fn a_mistyped_inn_and_an_ogrn_of_the_wrong_kind_are_explained_as_such(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        app.say(&anna, "/new").await;
        app.say(&anna, "ИП Пупкин").await;
        // Only the check digit is wrong (…893 is right): the person is told just that.
        let typo = app.say(&anna, "7707083894").await;
        assert_eq!(typo.visible, "В ИНН не сходится контрольная цифра — вероятно, опечатка. Проверьте номер и введите его ещё раз.");
        app.tg.next(anna.id).await;
        let short = app.say(&anna, "77070838").await;
        assert_eq!(short.visible, "ИНН — 10 цифр для организации или 12 для ИП, с верными контрольными цифрами.");
        app.tg.next(anna.id).await;
        // A sole proprietor: a company's 13-digit OGRN is refused, the 15-digit OGRNIP taken.
        let ask_ogrn = app.say(&anna, "500100732259").await;
        assert!(ask_ogrn.visible.contains("ОГРН"), "{}", ask_ogrn.visible);
        let wrong = app.say(&anna, "1027700132195").await;
        assert_eq!(wrong.visible, "У индивидуального предпринимателя (ИНН из 12 цифр) — ОГРНИП из 15 цифр, а введён ОГРН организации из 13 цифр. Проверьте номер.");
        let again = app.tg.next(anna.id).await;
        assert!(again.visible.starts_with("Введите ОГРН"), "{}", again.visible);
        let ask_industry = app.say(&anna, "304500116000157").await;
        assert!(ask_industry.visible.contains("отрасль"), "{}", ask_industry.visible);
        app.say(&anna, "/cancel").await;

        // A company's card: a sole proprietor's OGRNIP is refused when editing too.
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let card = app.say(&anna, &format!("/card {id}")).await;
        app.tg.press(&anna, &card, &card.button("Изменить"));
        let fields = app.tg.next(anna.id).await;
        app.tg.press(&anna, &fields, &fields.button("ОГРН"));
        app.tg.next(anna.id).await;
        let wrong = app.say(&anna, "304500116000157").await;
        assert!(wrong.visible.starts_with("У организации (ИНН из 10 цифр) — ОГРН из 13 цифр, а введён ОГРНИП предпринимателя из 15 цифр."), "{}", wrong.visible);
        assert_eq!(wrong.buttons().len(), 2, "{:?}", wrong.buttons());
        assert_eq!(app.say(&anna, "1027700132195").await.visible, "Изменения сохранены.");
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.contains("ОГРН 1027700132195"), "{}", card.visible);
        app.finish().await;
    }

    async fn menu_labels_typed_without_their_emoji_are_the_menu_items(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let ask = app.say(&anna, "Новая компания").await;
        assert!(ask.visible.starts_with("Введите название компании"), "{}", ask.visible);
        // Inside a flow the same words are an answer: a company may be called «Поиск».
        let ask_inn = app.say(&anna, "Поиск").await;
        assert!(ask_inn.visible.starts_with("Введите ИНН"), "{}", ask_inn.visible);
        app.say(&anna, "/cancel").await;
        let mine = app.say(&anna, "  мои   КОМПАНИИ ").await;
        assert_eq!(mine.visible, "У вас пока нет компаний. Добавить — /new.");
        let find = app.say(&anna, "Поиск").await;
        assert!(find.visible.starts_with("Что найти?"), "{}", find.visible);
        app.say(&anna, "/cancel").await;
        // «е» for «ё», and another role's item is refused as the command would be.
        assert_eq!(app.say(&anna, "Отчет").await.visible, "Эта команда вам недоступна.");
        assert_eq!(app.say(&anna, "Новая").await.visible, "Не удалось распознать сообщение. Список команд — /help.");
        app.finish().await;
    }

    async fn owners_and_managers_edit_cards_and_every_change_is_audited(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let olga = app.add_user(1009, "Ольга Руководитель", Role::Manager, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;

        let card = app.say(&anna, &format!("/card {id}")).await;
        app.tg.press(&anna, &card, &card.button("Изменить"));
        let fields = app.tg.next(anna.id).await;
        app.tg.press(&anna, &fields, &fields.button("Телефон"));
        app.tg.next(anna.id).await;
        let wrong = app.say(&anna, "123").await;
        assert!(wrong.visible.starts_with("Телефон — российский номер"), "{}", wrong.visible);
        // Asked again with the same buttons: the field can still be cleared or the edit left.
        let labels: Vec<String> = wrong.buttons().into_iter().map(|(l, _)| l).collect();
        assert_eq!(labels, ["Очистить поле", "Отмена"], "{}", wrong.visible);
        let saved = app.say(&anna, "+7 (999) 000-11-22").await;
        assert_eq!(saved.visible, "Изменения сохранены.");
        let card = app.tg.next(anna.id).await;
        assert!(card.visible.contains("+7 9** ***-**-22"), "{}", card.visible);

        let card = app.say(&olga, &format!("/card {id}")).await;
        app.tg.press(&olga, &card, &card.button("Изменить"));
        let fields = app.tg.next(olga.id).await;
        app.tg.press(&olga, &fields, &fields.button("Продукты"));
        let products = app.tg.next(olga.id).await;
        app.tg.press(&olga, &products, &products.button("Лизинг"));
        let products = app.tg.next(olga.id).await;
        app.tg.press(&olga, &products, &products.button("Готово"));
        let card = app.tg.next(olga.id).await;
        assert!(card.visible.contains("Продукты: лизинг"), "{}", card.visible);

        let trail = app.store.audit_by_subject(&format!("prospect:{id}")).await.unwrap();
        let edits: Vec<_> = trail.iter().filter(|r| r.action == "card_edited").collect();
        assert_eq!(edits.len(), 2);
        assert_eq!(edits[0].details.as_deref(), Some("Phone: \"\" -> \"+79990001122\""));
        assert_eq!(edits[1].actor, Some(TelegramId::new(1009).unwrap()));
        app.finish().await;
    }

    async fn a_button_from_the_release_before_the_versioned_format_is_no_longer_valid(app) {
        divisions(&app).await;
        let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
        let id = app.add_prospect(1001, "ООО «Ромашка»", "7707083893", None, None).await;
        let hello = app.say(&anna, "/start").await;
        let before = app.tg.outgoing(anna.id).len();

        // "Open card" as the release before the versioned format wrote it, still in the chat.
        app.tg.press(&anna, &hello, &format!("c:o:{id}"));
        assert_eq!(answers(&app).await, vec!["Эта кнопка уже неактуальна.".to_owned()]);
        app.tg.assert_silent(anna.id, QUIET).await;
        assert_eq!(app.tg.outgoing(anna.id).len(), before);

        // The same button as this release writes it opens the card.
        app.tg.press(&anna, &hello, &support::data(&format!("c:o:{id}")));
        app.tg
            .eventually("the card", |tg| tg.outgoing(anna.id).iter().any(|m| m.visible.contains("Ромашка")).then_some(()))
            .await;
        app.finish().await;
    }
}
