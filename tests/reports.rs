//! Reports and data-quality control end to end (SPEC §7): a known week of work, then the text
//! summary, the workbook read back, the chart decoded, the rights of each role, the Monday
//! report through the outbox, the audit trail's pages and the audited export.

mod support;

use std::io::Cursor;
use std::sync::Arc;
use std::time::Duration;

use calamine::{Data, Reader};
use chrono::{DateTime, Utc};
use prospect_diary::domain::access::Role;
use prospect_diary::domain::audit::{AuditAction, AuditRecord};
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::jobs;
use prospect_diary::store::Store;
use prospect_diary::telegram_fake::{Outgoing, OutgoingKind, TgUser};
use support::sheets::{sheet, text, workbook};
use support::{TestApp, inn};

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn entry(app: &TestApp, prospect: i64, author: i64, kind: &str, outcome: &str, when: &str) {
    let secs = at(when).timestamp();
    app.exec(&format!(
        "INSERT INTO interactions (prospect_id, author_id, kind, outcome, summary, happened_at, created_at) \
             VALUES ({prospect}, {author}, '{kind}', '{outcome}', 'Обсудили {kind}', {secs}, {secs})"
    ))
    .await;
}

#[allow(clippy::too_many_arguments)]
async fn handoff(
    app: &TestApp,
    prospect: i64,
    product: &str,
    from: i64,
    state: &str,
    created: &str,
    taken: Option<&str>,
    closed: Option<&str>,
) {
    let secs = |t: Option<&str>| t.map(|t| at(t).timestamp().to_string()).unwrap_or_else(|| "NULL".into());
    let taken_by = if taken.is_some() { "1501" } else { "NULL" };
    app.exec(&format!(
        // Reminded and escalated already: these leads are history for the reports, and a
        // manager's escalation notice must not come between a report's messages.
        "INSERT INTO handoffs (prospect_id, product, region_code, from_id, chat_id, state, taken_by, \
             taken_at, closed_at, created_at, reminded_at, escalated_at) VALUES ({prospect}, '{product}', \
             'MSK', {from}, -100, '{state}', {taken_by}, {}, {}, {created}, {created}, {created})",
        secs(taken),
        secs(closed),
        created = at(created).timestamp()
    ))
    .await;
}

/// A follow-up in `state` (`sent`: its reminder went out already).
async fn followup(app: &TestApp, prospect: i64, owner: i64, due: &str, state: &str) {
    let secs = at(due).timestamp();
    app.exec(&format!(
        "INSERT INTO followups (prospect_id, owner_id, due_at, state, created_at, updated_at) \
             VALUES ({prospect}, {owner}, {secs}, '{state}', {secs}, {secs})"
    ))
    .await;
}

struct People {
    anna: TgUser,
    olga: TgUser,
    head: TgUser,
    cards: Vec<i64>,
}

/// The week of 23–29 November 2026 in Moscow, with a second division in Vladivostok.
async fn seed(app: &TestApp) -> People {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("VVO", "Владивосток", "Asia/Vladivostok").await;
    let anna = app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(1003, "Борис Орлов", Role::Specialist, Some("MSK")).await;
    let olga = app.add_user(1009, "Ольга Руководитель", Role::Manager, Some("MSK")).await;
    app.add_user(1501, "Кирилл Кредитов", Role::CreditOfficer, Some("MSK")).await;
    app.add_user(2001, "Олег Ким", Role::Specialist, Some("VVO")).await;
    let head = app.add_user(5001, "Галина Контролёр", Role::HeadOffice, None).await;
    // An old card nobody has called: stale.
    app.clock.set(at("2026-10-01T07:00:00Z"));
    let old = app.add_prospect(1001, "Старая", &inn(5), None, None).await;
    app.clock.set(support::start_time());
    let p1 = app
        .add_prospect(1001, "ООО «Ромашка»", "7707083893", Some("89123456789"), Some("Иван Сидоров"))
        .await;
    let p2 = app.add_prospect(1001, "Бета", &inn(2), None, None).await;
    let p3 = app.add_prospect(1003, "Гамма", &inn(3), None, None).await;
    let p4 = app.add_prospect(2001, "Восток", &inn(4), None, None).await;
    app.exec(&format!(
        "UPDATE prospects SET email = 'ivan@romashka.ru', industry = 'Торговля' WHERE id = {p1}"
    ))
    .await;
    entry(app, p1, 1001, "call", "positive", "2026-11-24T08:00:00Z").await;
    entry(app, p1, 1001, "meeting", "neutral", "2026-11-25T08:00:00Z").await;
    entry(app, p1, 1001, "email", "positive", "2026-11-26T08:00:00Z").await;
    entry(app, p2, 1001, "messenger", "no_answer", "2026-11-26T09:00:00Z").await;
    entry(app, p3, 1003, "call", "negative", "2026-11-24T10:00:00Z").await;
    entry(app, p3, 1003, "other", "positive", "2026-11-25T10:00:00Z").await;
    // The week before, and another division.
    entry(app, p1, 1001, "call", "positive", "2026-11-20T08:00:00Z").await;
    entry(app, p4, 2001, "meeting", "positive", "2026-11-24T01:00:00Z").await;
    handoff(
        app,
        p1,
        "credit",
        1001,
        "won",
        "2026-11-24T09:00:00Z",
        Some("2026-11-24T10:00:00Z"),
        Some("2026-11-26T10:00:00Z"),
    )
    .await;
    handoff(app, p2, "leasing", 1001, "pending", "2026-11-25T09:00:00Z", None, None).await;
    handoff(app, p3, "credit", 1003, "accepted", "2026-11-10T09:00:00Z", Some("2026-11-25T11:00:00Z"), None)
        .await;
    followup(app, p2, 1001, "2026-11-26T07:00:00Z", "sent").await;
    followup(app, p3, 1003, "2026-11-28T07:00:00Z", "pending").await;
    // Everyone has opened the bot, so reminders and digests reach them.
    for (id, name) in [(1001, "Анна"), (1003, "Борис"), (1009, "Ольга"), (2001, "Олег"), (5001, "Галина")]
    {
        app.tg.open_chat(&app.tg.user(id, name));
    }
    People { anna, olga, head, cards: vec![p1, p2, p3, p4, old] }
}

/// The next message to `user` that is not a notice about a waiting lead: the seeded hand-offs
/// nobody took are escalated to the manager whenever the jobs get to them.
async fn next_but_notices(app: &TestApp, user: &TgUser) -> Outgoing {
    loop {
        let next = app.tg.next(user.id).await;
        if !next.visible.starts_with("⚠️ Заявка") {
            return next;
        }
    }
}

/// `user` writes `text`; the bot's answer, past any notice about a waiting lead.
async fn say(app: &TestApp, user: &TgUser, text: &str) -> Outgoing {
    app.tg.send_text(user, text);
    next_but_notices(app, user).await
}

/// The text, the workbook and the chart the bot sends for one command.
async fn three(app: &TestApp, user: &TgUser, command: &str) -> (Outgoing, Outgoing, Outgoing) {
    let text = say(app, user, command).await;
    let document = next_but_notices(app, user).await;
    let photo = next_but_notices(app, user).await;
    assert_eq!(document.kind, OutgoingKind::Document, "{document:?}");
    assert_eq!(photo.kind, OutgoingKind::Photo, "{photo:?}");
    (text, document, photo)
}

fn number(cell: &Data) -> f64 {
    match cell {
        Data::Float(n) => *n,
        Data::Int(n) => *n as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

fn png_size(out: &Outgoing) -> (u32, u32) {
    let bytes = out.file.clone().expect("a picture");
    let decoder = png::Decoder::new(Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut pixels).expect("a decodable frame");
    (info.width, info.height)
}

/// The title a chart carries (the same words it draws at its top).
fn png_title(out: &Outgoing) -> String {
    let bytes = out.file.clone().expect("a picture");
    let reader = png::Decoder::new(Cursor::new(bytes)).read_info().expect("a PNG");
    let info = reader.info();
    let title = info.utf8_text.iter().find(|t| t.keyword == "Title").expect("a title");
    title.get_text().expect("readable text")
}

both_backends! {
    async fn a_manager_gets_the_week_of_their_division_as_text_workbook_and_chart(app) {
        let people = seed(&app).await;
        let (summary, document, photo) = three(&app, &people.olga, "/report").await;
        let s = &summary.visible;
        assert!(s.contains("Отчёт о работе за 23.11.2026–29.11.2026"), "{s}");
        assert!(s.contains("Подразделение: Москва"), "{s}");
        assert!(s.contains("Новых компаний: 3"), "{s}");
        assert!(s.contains("Контактов: 6 (звонки 2, встречи 1, e-mail 1, мессенджеры 1, другое 1)"), "{s}");
        assert!(s.contains("Положительных: 3"), "{s}");
        assert!(s.contains("Передано в кредитный отдел: 2, взято в работу: 2, выиграно: 1"), "{s}");
        assert!(s.contains("Просрочено контактов сейчас: 1"), "{s}");
        assert!(s.contains("• Анна Петрова — новых 2, контактов 4, положительных 2, передано 2, просрочено 1"), "{s}");
        assert!(s.contains("• Борис Орлов — новых 1, контактов 2, положительных 1, передано 0, просрочено 0"), "{s}");
        assert!(!s.contains("Олег"), "another division leaks into the manager's report: {s}");
        assert_eq!(document.file_name.as_deref(), Some("report_MSK_2026-11-23_2026-11-29.xlsx"));

        let mut book = workbook(&document);
        assert_eq!(book.sheet_names(), ["Сводка", "По специалистам", "Записи дневника", "Передачи"]);
        let people_rows = sheet(&mut book, "По специалистам");
        let header: Vec<String> = people_rows[0].iter().map(text).collect();
        assert_eq!(&header[..4], ["Подразделение", "Специалист", "Новые компании", "Звонки"]);
        let anna = people_rows.iter().find(|r| r[1] == Data::String("Анна Петрова".into())).expect("Anna's row");
        let figures: Vec<f64> = anna[2..].iter().map(number).collect();
        assert_eq!(figures, [2.0, 1.0, 1.0, 1.0, 1.0, 0.0, 4.0, 2.0, 2.0, 1.0, 1.0, 1.0]);
        assert_eq!(people_rows.len(), 1 + 3, "Anna, Boris and the manager herself");
        let entries = sheet(&mut book, "Записи дневника");
        assert_eq!(entries.len(), 1 + 6);
        assert_eq!(text(&entries[0][4]), "ИНН");
        assert!(matches!(entries[1][0], Data::DateTime(_)), "{:?}", entries[1][0]);
        assert_eq!(text(&entries[1][3]), "ООО «Ромашка»");
        assert_eq!(text(&entries[1][5]), "звонок");
        // The division reads as on the figure sheets: by name, not by code.
        assert_eq!(text(&entries[0][1]), "Подразделение");
        assert!(entries[1..].iter().all(|r| text(&r[1]) == "Москва"), "{entries:?}");
        let flat: String = entries.iter().flatten().map(|c| c.to_string()).collect();
        assert!(!flat.contains("Сидоров") && !flat.contains("9123456789") && !flat.contains("ivan@"), "contacts leak");
        let handoffs = sheet(&mut book, "Передачи");
        assert_eq!(handoffs.len(), 1 + 3);
        assert!(handoffs[1..].iter().all(|r| text(&r[1]) == "Москва"), "{handoffs:?}");
        assert!(people_rows[1..].iter().all(|r| text(&r[0]) == "Москва"), "{people_rows:?}");
        let summary_rows = sheet(&mut book, "Сводка");
        let contacts = summary_rows.iter().find(|r| r[0] == Data::String("Контакты".into())).unwrap();
        assert_eq!(number(&contacts[1]), 6.0);

        // Readable on a phone: wider than 1000 px; titled with the period and the division.
        let (w, h) = png_size(&photo);
        assert!(w > 1000 && (220..3000).contains(&h), "{w}×{h}");
        assert_eq!(png_title(&photo), "Контакты за 23.11.2026–29.11.2026 — Подразделение: Москва");
        app.finish().await;
    }

    async fn head_office_sees_every_division_and_each_specialist(app) {
        let people = seed(&app).await;
        let (summary, document, photo) = three(&app, &people.head, "/report").await;
        let s = &summary.visible;
        assert!(s.contains("Подразделение: все подразделения"), "{s}");
        assert!(png_title(&photo).ends_with("— Подразделение: все подразделения"), "{}", png_title(&photo));
        assert!(s.contains("Контактов: 7"), "{s}");
        assert!(s.contains("• Москва — новых 3, контактов 6"), "{s}");
        assert!(s.contains("• Владивосток — новых 1, контактов 1"), "{s}");
        let mut book = workbook(&document);
        assert_eq!(book.sheet_names(), ["Сводка", "По подразделениям", "По специалистам", "Записи дневника", "Передачи"]);
        let people_rows = sheet(&mut book, "По специалистам");
        assert!(people_rows.iter().any(|r| r[1] == Data::String("Олег Ким".into())));
        let entries = sheet(&mut book, "Записи дневника");
        assert_eq!(entries.len(), 1 + 7);
        let divisions: std::collections::BTreeSet<String> = entries[1..].iter().map(|r| text(&r[1])).collect();
        assert_eq!(divisions.into_iter().collect::<Vec<_>>(), ["Владивосток", "Москва"]);
        app.finish().await;
    }

    async fn periods_are_read_and_a_wrong_one_is_explained(app) {
        let people = seed(&app).await;
        let (summary, _, _) = three(&app, &people.olga, "/report 20.11.2026 20.11.2026").await;
        assert!(summary.visible.contains("Контактов: 1 (звонки 1"), "{}", summary.visible);
        let wrong = say(&app, &people.olga, "/report 2026-13").await;
        assert!(wrong.visible.starts_with("Не удалось распознать период. Укажите: week"), "{}", wrong.visible);
        let reversed = say(&app, &people.olga, "/report 10.11.2026 01.11.2026").await;
        assert!(reversed.visible.contains("раньше даты начала"), "{}", reversed.visible);
        app.finish().await;
    }

    async fn data_quality_ranks_specialists_with_the_cards_own_completeness(app) {
        let people = seed(&app).await;
        let summary = say(&app, &people.olga, "/quality").await;
        let chart = next_but_notices(&app, &people.olga).await;
        let s = &summary.visible;
        assert!(s.contains("Карточек: 4, средняя полнота 41 %"), "{s}");
        assert!(s.contains("ИНН 100 %, контактное лицо 25 %, телефон 25 %, e-mail 25 %, отрасль 25 %, следующий контакт 50 %"), "{s}");
        assert!(s.contains("Без контакта 30 дней: 1, просрочено контактов: 1"), "{s}");
        let anna = s.find("• Анна Петрова — карточек 3, полнота 44 %, без контакта 1, просрочено 1").expect(s);
        let boris = s.find("• Борис Орлов — карточек 1, полнота 33 %").expect(s);
        assert!(anna < boris, "ranked best first: {s}");
        assert_eq!(chart.kind, OutgoingKind::Photo);
        assert!(png_size(&chart).0 > 1000);
        assert!(png_title(&chart).ends_with("— Подразделение: Москва"), "{}", png_title(&chart));
        // The card shows the same number the report averages.
        let card = app.say(&people.anna, &format!("/card {}", people.cards[0])).await;
        assert!(card.visible.contains("83 %"), "{}", card.visible);

        let summary = app.say(&people.head, "/quality").await;
        app.tg.next(people.head.id).await;
        let msk = summary.visible.find("• Москва — карточек 4, полнота 41 %").expect(&summary.visible);
        let vvo = summary.visible.find("• Владивосток — карточек 1, полнота 16 %").expect(&summary.visible);
        assert!(msk < vvo);
        app.finish().await;
    }

    async fn specialists_are_refused_and_a_forged_export_of_another_division_is_refused(app) {
        let people = seed(&app).await;
        for command in ["/report", "/quality", "/audit 1", "/export"] {
            let refused = app.say(&people.anna, command).await;
            assert_eq!(refused.visible, "Эта команда вам недоступна.", "{command}");
        }
        let audit = say(&app, &people.olga, "/audit 1").await;
        assert_eq!(audit.visible, "Эта команда вам недоступна.");
        app.tg.assert_silent(people.anna.id, Duration::from_millis(500)).await;
        assert!(app.tg.calls_of("sendDocument").is_empty() && app.tg.calls_of("sendPhoto").is_empty());

        let hello = say(&app, &people.olga, "/help").await;
        let before = app.tg.calls_of("sendDocument").len();
        app.tg.press(&people.olga, &hello, &support::data("rp:x:VVO"));
        app.tg.press(&people.olga, &hello, &support::data("rp:x:-"));
        app.tg.wait_callbacks_answered().await;
        let answers: Vec<String> = app.tg.calls_of("answerCallbackQuery").iter()
            .filter_map(|c| c.params["text"].as_str().map(str::to_owned)).collect();
        assert_eq!(answers, ["Выгрузка этого подразделения вам недоступна.", "Выгрузка этого подразделения вам недоступна."]);
        assert_eq!(app.tg.calls_of("sendDocument").len(), before);
        app.finish().await;
    }

    async fn export_sends_the_division_masked_and_is_audited(app) {
        let people = seed(&app).await;
        let export = say(&app, &people.olga, "/export").await;
        assert_eq!(export.kind, OutgoingKind::Document);
        assert_eq!(export.visible, "Компании: Москва, 4 карточки");
        let mut book = workbook(&export);
        let rows = sheet(&mut book, "Компании");
        assert_eq!(rows.len(), 1 + 4);
        let romashka = rows.iter().find(|r| r[1] == Data::String("ООО «Ромашка»".into())).unwrap();
        assert_eq!(text(&romashka[7]), "Сидоров И.");
        assert_eq!(text(&romashka[9]), "+7 9** ***-**-89");
        assert!(matches!(romashka[15], Data::DateTime(_)));
        assert_eq!(text(&romashka[14]), "Москва");
        let trail = app.store.audit_by_actor(TelegramId::new(1009).unwrap()).await.unwrap();
        let exported = trail.iter().find(|r| r.action == "exported").expect("the export is audited");
        assert_eq!(exported.subject.as_deref(), Some("region:MSK"));

        // Head office chooses a division by button.
        let choose = app.say(&people.head, "/export").await;
        app.tg.press(&people.head, &choose, &choose.button("Владивосток"));
        let file = app.tg.eventually("the export", |tg| tg.outgoing(5001).into_iter().find(|o| o.kind == OutgoingKind::Document)).await;
        assert_eq!(file.visible, "Компании: Владивосток, 1 карточка");
        app.finish().await;
    }

    async fn the_audit_trail_of_a_card_is_paged_ten_at_a_time(app) {
        let people = seed(&app).await;
        let card = people.cards[0];
        for minute in 0..12 {
            let record = AuditRecord::new(at("2026-11-27T08:00:00Z") + chrono::Duration::minutes(minute), Some(TelegramId::new(1003).unwrap()), AuditAction::CardViewed)
                .subject(format!("prospect:{card}"));
            app.store.audit(&record).await.unwrap();
        }
        let first = app.say(&people.head, "/audit 7707083893").await;
        assert!(first.visible.contains("Журнал карточки ООО «Ромашка»"), "{}", first.visible);
        assert!(first.visible.contains("записей: 13"), "{}", first.visible);
        assert!(first.visible.contains("27.11.2026 11:11 — Борис Орлов: открыл карточку"), "{}", first.visible);
        assert!(first.visible.contains("Стр. 1 из 2"), "{}", first.visible);
        assert_eq!(first.visible.matches(" — ").count(), 10);
        app.tg.press(&people.head, &first, &first.button("Вперёд"));
        let second = app.tg.next(people.head.id).await;
        assert!(second.visible.contains("Стр. 2 из 2"), "{}", second.visible);
        assert!(second.visible.contains("Анна Петрова: создал карточку"), "{}", second.visible);
        // A manager's forged press is refused.
        let hello = say(&app, &people.olga, "/help").await;
        app.tg.press(&people.olga, &hello, &support::data(&format!("rp:a:{card}:0")));
        app.tg.wait_callbacks_answered().await;
        let refused = app.tg.calls_of("answerCallbackQuery").pop().unwrap();
        assert_eq!(refused.params["text"], "Это действие вам недоступно.");
        app.finish().await;
    }

    async fn the_monday_report_reaches_managers_and_head_office_once(app) {
        let people = seed(&app).await;
        say(&app, &people.olga, "/start").await;
        app.say(&people.head, "/start").await;
        // Monday 30.11.2026 09:00 in Moscow.
        app.clock.set(at("2026-11-30T06:00:05Z"));
        // The seeded hand-offs nobody took are escalated to the manager too: skip those notices.
        let summary = next_but_notices(&app, &people.olga).await;
        assert!(summary.visible.starts_with("📅 Еженедельный отчёт"), "{}", summary.visible);
        assert!(summary.visible.contains("Отчёт о работе за 23.11.2026–29.11.2026"), "{}", summary.visible);
        assert!(summary.visible.contains("Контактов: 6"), "{}", summary.visible);
        let document = next_but_notices(&app, &people.olga).await;
        assert_eq!(document.kind, OutgoingKind::Document);
        let mut book = workbook(&document);
        assert_eq!(sheet(&mut book, "Записи дневника").len(), 1 + 6);
        let photo = next_but_notices(&app, &people.olga).await;
        assert_eq!(photo.kind, OutgoingKind::Photo);

        let head = app.tg.next(people.head.id).await;
        assert!(head.visible.contains("Контактов: 7"), "{}", head.visible);
        assert_eq!(app.tg.next(people.head.id).await.kind, OutgoingKind::Document);
        assert_eq!(app.tg.next(people.head.id).await.kind, OutgoingKind::Photo);

        // A second instance and a later tick queue nothing more.
        let store: Arc<dyn Store> = Arc::new(prospect_diary::store::connect(app.db_url()).await.unwrap());
        jobs::tick(&app.ctx(store, "beta")).await.unwrap();
        app.clock.set(at("2026-11-30T08:00:00Z"));
        app.tg.assert_silent(people.olga.id, Duration::from_millis(2500)).await;
        app.tg.assert_silent(people.head.id, Duration::from_millis(100)).await;
        let to_anna = app.tg.outgoing(people.anna.id).into_iter().filter(|o| o.kind != OutgoingKind::Message).count();
        assert_eq!(to_anna, 0, "specialists get no weekly report");
        app.finish().await;
    }
}
