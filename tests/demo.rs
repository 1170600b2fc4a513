//! `prospect-diary demo` as people use it: at a terminal and through a pipe, on both backends;
//! its data; and its screen (which buttons a typed number presses, where files are saved).

mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Duration as Span;
use prospect_diary::clock::Clock;
use prospect_diary::demo::{self, ChatName, Screen};
use prospect_diary::domain::access::{Region, Role};
use prospect_diary::domain::directory;
use prospect_diary::domain::ids::RegionCode;
use prospect_diary::domain::prospect::ProspectId;
use prospect_diary::domain::requisites::{Inn, Ogrn};
use prospect_diary::jobs;
use prospect_diary::store::{self as stores, DeliveryStore, HandoffStore, ProspectStore};
use prospect_diary::telegram_fake::{Outgoing, OutgoingKind};
use serde_json::json;
use support::{Backend, TestDb};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

fn demo_command(database: &str, dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_prospect-diary"));
    command
        .args(["demo", "--database", database])
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("CONTACTS_IN_CHAT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A person at the demo's terminal, typing a line and reading what appears.
struct Terminal {
    child: Child,
    stdin: ChildStdin,
    lines: Arc<Mutex<Vec<String>>>,
    seen: usize,
}

impl Terminal {
    async fn start(database: &str, dir: &Path) -> Terminal {
        let mut child =
            demo_command(database, dir).stderr(Stdio::inherit()).spawn().expect("the demo starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(vec![]));
        let sink = lines.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                sink.lock().unwrap().push(line);
            }
        });
        Terminal { child, stdin, lines, seen: 0 }
    }

    async fn type_line(&mut self, line: &str) {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Waits until a line printed after the last expectation contains `text`.
    async fn expect(&mut self, text: &str) -> String {
        for _ in 0..600 {
            {
                let lines = self.lines.lock().unwrap();
                if let Some(pos) = lines.iter().skip(self.seen).position(|l| l.contains(text)) {
                    self.seen += pos + 1;
                    return lines[self.seen - 1].clone();
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let lines = self.lines.lock().unwrap();
        panic!("no line with {text:?} after line {}; the screen:\n{}", self.seen, lines.join("\n"));
    }

    /// Types `line` and waits for `text`.
    async fn say(&mut self, line: &str, text: &str) -> String {
        self.type_line(line).await;
        self.expect(text).await
    }
}

/// What the demo printed when fed `script` through a pipe that then closes, and its stderr.
async fn piped(database: &str, dir: &Path, script: &[&str]) -> (Vec<String>, String) {
    let mut child = demo_command(database, dir).spawn().expect("the demo starts");
    let mut stdin = child.stdin.take().unwrap();
    // The whole script at once, as `demo < script.txt` gives it.
    stdin.write_all(format!("{}\n", script.join("\n")).as_bytes()).await.unwrap();
    drop(stdin);
    let (mut out, mut err) = (String::new(), String::new());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let finished = tokio::time::timeout(Duration::from_secs(180), async {
        let (o, e) = tokio::join!(stdout.read_to_string(&mut out), stderr.read_to_string(&mut err));
        o.unwrap();
        e.unwrap();
        child.wait().await.unwrap()
    })
    .await
    .unwrap_or_else(|_| panic!("the demo did not finish its script; it printed:\n{out}"));
    assert!(finished.success(), "the demo failed: {err}\n{out}");
    (out.lines().map(str::to_owned).collect(), err)
}

/// The script's lines with what was printed after each (up to the next line's echo), checking
/// that every line was echoed in order.
fn answers(screen: &[String], script: &[&str]) -> Vec<(String, String)> {
    let mut turns: Vec<(String, Vec<&str>)> = vec![];
    for line in screen {
        match line.strip_prefix("» ") {
            Some(typed) => turns.push((typed.to_owned(), vec![])),
            None => {
                if let Some((_, said)) = turns.last_mut() {
                    said.push(line);
                }
            }
        }
    }
    let typed: Vec<&str> = turns.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(typed, script, "the echoed lines; the screen:\n{}", screen.join("\n"));
    turns.into_iter().map(|(t, said)| (t, said.join("\n"))).collect()
}

async fn demo_database(backend: Backend) -> Option<(TestDb, tempfile::TempDir)> {
    let db = TestDb::create(backend).await?;
    Some((db, tempfile::tempdir().unwrap()))
}

/// Declares a test once and runs it on SQLite and on PostgreSQL (when configured).
macro_rules! on_both_backends {
    ($(async fn $name:ident($backend:ident) $body:block)*) => {$(
        mod $name {
            use super::*;

            async fn run($backend: Backend) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::Postgres).await
            }
        }
    )*};
}

on_both_backends! {
    async fn a_person_tries_the_bot_in_the_terminal_without_telegram(backend) {
        let Some((mut db, dir)) = demo_database(backend).await else { return };
        let mut term = Terminal::start(&db.url, dir.path()).await;
        term.expect("демо без Telegram").await;

        term.say(":as boris", "Вы: Орлов Борис Андреевич").await;
        term.say("/start", "Здравствуйте, Орлов Борис Андреевич!").await;
        term.say("/new", "Введите название компании").await;
        term.say("ООО «Демо Тест 🚀»", "Введите ИНН").await;
        term.say("12345", "ИНН — 10 цифр").await;
        term.say("7707083893", "Введите КПП").await;
        for question in ["ОГРН", "отрасль", "город", "контактное лицо", "телефон", "e-mail", "Отметьте продукты"] {
            term.say("1", question).await;
        }
        term.say("1", "✅ Кредит").await;
        term.say("9", "Проверьте данные").await;
        term.say("1", "Карточка компании сохранена").await;
        term.expect("ООО «Демо Тест 🚀» · № 51").await;

        term.say("/find демо тест", "Найдено по запросу").await;
        term.expect("[1] ООО «Демо Тест 🚀»").await;

        term.say("/log 7707083893", "как связывались?").await;
        term.say("2", "Результат контакта").await;
        term.say("1", "Кратко опишите").await;
        term.say("Встретились, обсудили кредитную линию.", "Какие продукты обсуждали").await;
        term.say("1", "✅ Кредит").await;
        term.say("9", "Когда следующий контакт?").await;
        term.say("завтра 11:00", "Проверьте запись").await;
        term.say("1", "Запись добавлена в дневник").await;
        term.expect("Статус: передан в кредитный отдел").await;
        // The lead's facts for the credit chat's card, picked with buttons.
        term.expect("Какую сумму обсуждали?").await;
        term.say("1", "На какой срок?").await;
        term.say("1", "Насколько срочно это клиенту?").await;
        term.say("1", "передана в кредитный отдел: кредит, заявка №").await;

        // The lead card arrives in the credit chat; an officer takes it there.
        term.say(":as kirill", "Вы: Лебедев Кирилл Игоревич").await;
        term.say(":chat credit", "Вы смотрите чат «Кредитный отдел · Москва»").await;
        term.expect("ООО «Демо Тест 🚀», ИНН 7707083893").await;
        term.expect("Сумма: до 5 млн ₽ · срок: до 1 года · срочность: срочно").await;
        term.expect("[1] ✅ Взять").await;
        term.say("1", "Взята в работу: Лебедев Кирилл Игоревич").await;
        term.say(":chat me", "Вы в личном чате с ботом").await;

        term.say(":help", ":as ИМЯ|РОЛЬ").await;
        term.say(":as nobody", "Нет такого человека").await;
        term.say(":press 42", "Нет кнопки с номером 42").await;
        term.say(":quit", "До свидания.").await;
        let status = tokio::time::timeout(Duration::from_secs(20), term.child.wait()).await.unwrap().unwrap();
        assert!(status.success());

        // The demo data is seeded once: a second start keeps it and what was added.
        let mut again = Terminal::start(&db.url, dir.path()).await;
        let banner = again.expect("демо без Telegram").await;
        assert!(!banner.contains("заполнена примером"), "{banner}");
        again.say(":as boris", "Вы: Орлов Борис Андреевич").await;
        again.say("/find демо тест", "ООО «Демо Тест 🚀»").await;
        again.type_line(":quit").await;
        again.expect("До свидания.").await;
        db.drop_database().await;
    }

    async fn each_line_is_answered_before_the_next_is_read_through_a_pipe(backend) {
        let Some((mut db, dir)) = demo_database(backend).await else { return };
        // Fed all at once: a contact logged on card 1 (the lead card goes to the credit chat
        // through the outbox), the credit officer takes it (the card is edited through the
        // outbox), then more commands than Telegram lets through to one chat without pacing (one
        // message a second after a burst of five), up to the very last line.
        let script = [
            "/log 1",
            "2",
            "1",
            "Встретились, обсудили кредитную линию.",
            "1",
            "9",
            "завтра 11:00",
            "1",
            // The lead's facts: amount, term, urgency.
            "1",
            "1",
            "1",
            ":as kirill",
            ":chat credit",
            "1",
            ":chat me",
            "/help",
            "/start",
            "/handoffs",
            "/help",
            "/start",
            "/handoffs",
        ];
        let (screen, _) = piped(&db.url, dir.path(), &script).await;
        let turns = answers(&screen, &script);
        for (typed, said) in &turns {
            if !typed.starts_with(':') {
                assert!(said.contains("[бот "), "no answer to {typed:?} before the next line:\n{}", screen.join("\n"));
            }
        }
        let saved = &turns[7].1;
        assert!(saved.contains("Запись добавлена в дневник"), "{saved}");
        let sent = &turns[10].1;
        assert!(sent.contains("[→ чат «Кредитный отдел · Москва»] 📨 Заявка № 1"), "{sent}");
        assert!(turns[12].1.contains("[1] ✅ Взять"), "{}", turns[12].1);
        let taken = &turns[13].1;
        assert!(taken.contains("изменено"), "{taken}");
        assert!(taken.contains("Взята в работу: Лебедев Кирилл Игоревич"), "{taken}");
        assert!(taken.contains("[→ Петрова Анна Сергеевна]"), "the specialist is told: {taken}");
        let last = &turns[script.len() - 1].1;
        assert!(last.contains("[бот Лебедев Кирилл Игоревич] ") && last.contains("№ 1"), "{last}");
        assert_eq!(screen.last().map(String::as_str), Some("До свидания."));
        db.drop_database().await;
    }

    async fn a_number_presses_only_the_buttons_of_the_last_message_in_the_chat_on_screen(backend) {
        let Some((mut db, dir)) = demo_database(backend).await else { return };
        let script = [
            "/card 1",
            // Its prompt has no buttons: the 4 that follows is the card's number, not «История».
            "/log",
            "4",
            "/cancel",
            // The lead card goes to the credit chat; the numbers stay with the person's own card.
            "/log 1",
            "2",
            "1",
            "Встретились, обсудили кредитную линию.",
            "1",
            "9",
            "5",
            "1",
            // «Отправить без уточнений»: the lead goes to the credit chat at once.
            "6",
            // The number presses the specialist's own last message: «Заявка № 1».
            "1",
        ];
        let (screen, _) = piped(&db.url, dir.path(), &script).await;
        let turns = answers(&screen, &script);
        assert!(turns[0].1.contains("[4] 📜 История"), "{}", turns[0].1);
        assert!(!turns[1].1.contains("[1]"), "the prompt has no buttons: {}", turns[1].1);
        let fourth = &turns[2].1;
        assert!(fourth.contains("ООО «Грин Лайн Логистик»: как связывались?"), "{fourth}");
        assert!(!fourth.contains("история контактов"), "{fourth}");
        let sent = &turns[12].1;
        assert!(sent.contains("[→ чат «Кредитный отдел · Москва»]"), "{sent}");
        assert!(sent.contains("   · ✅ Взять"), "another chat's buttons carry no numbers: {sent}");
        let pressed = &turns[13].1;
        assert!(pressed.contains("Заявка № 1") && pressed.contains("ООО «Северный ветер»"), "{pressed}");
        assert!(!pressed.contains("[всплывающее]"), "{pressed}");
        db.drop_database().await;
    }

    async fn the_bot_logs_to_a_file_and_the_chat_shows_only_the_chat(backend) {
        let Some((mut db, dir)) = demo_database(backend).await else { return };
        let (screen, stderr) = piped(&db.url, dir.path(), &["/start"]).await;
        assert!(screen.iter().any(|l| l.contains("Журнал бота пишется в файл data/demo.log")), "{screen:?}");
        assert!(!screen.iter().any(|l| l.contains("INFO")), "{screen:?}");
        assert!(!stderr.contains("INFO") && !stderr.contains("connected to Telegram"), "{stderr}");
        let log = std::fs::read_to_string(dir.path().join("data/demo.log")).unwrap();
        assert!(log.contains("connected to Telegram"), "{log}");
        db.drop_database().await;
    }

    async fn a_demo_database_from_before_keeps_working(backend) {
        let Some((mut db, dir)) = demo_database(backend).await else { return };
        // The shape the demo seeded before: its divisions and people, named «Имя Фамилия».
        {
            let store = stores::connect(&db.url).await.unwrap();
            let now = chrono::Utc::now();
            for (code, name, tz) in [("MSK", "Москва", "Europe/Moscow"), ("VVO", "Владивосток", "Asia/Vladivostok")] {
                directory::add_region(&store, &Region::parse(code, name, tz).unwrap(), None, now).await.unwrap();
            }
            for (id, name, role, region) in [
                (1001, "Анна Петрова", Role::Specialist, Some("MSK")),
                (1003, "Борис Орлов", Role::Specialist, Some("MSK")),
                (1010, "Кирилл Лебедев", Role::CreditOfficer, Some("MSK")),
            ] {
                support::whitelist(&store, id, name, role, region, now).await;
            }
            store.close().await;
        }
        let script = [":as boris", "/start", ":chat credit", ":quit"];
        let (screen, _) = piped(&db.url, dir.path(), &script).await;
        assert!(!screen[0].contains("заполнена примером"), "{}", screen[0]);
        let turns = answers(&screen, &script);
        assert!(turns[0].1.contains("Вы: Борис Орлов (specialist)"), "{}", turns[0].1);
        assert!(turns[1].1.contains("Здравствуйте, Борис Орлов!"), "{}", turns[1].1);
        assert!(turns[2].1.contains("Вы смотрите чат «Кредитный отдел · Москва»"), "{}", turns[2].1);
        let store = stores::connect(&db.url).await.unwrap();
        let msk = RegionCode::parse("MSK").unwrap();
        let route = store.route(&msk, prospect_diary::domain::prospect::Product::Credit).await.unwrap();
        assert_eq!(route.map(|r| r.chat_id), Some(demo::CREDIT_CHAT), "routes are added to an old demo");
        store.close().await;
        db.drop_database().await;
    }
}

both_backends! {
    async fn seeded_reminders_come_due_on_time_a_minute_or_two_after_the_start(app) {
        for p in demo::PEOPLE {
            app.tg.open_chat(&app.tg.user(p.id, p.name));
        }
        // Seeded before the bot starts, as the demo does.
        app.stop_app().await;
        let start = app.clock.now();
        assert!(demo::seed(app.store.as_ref(), start).await.unwrap());
        app.restart().await;
        // At the start nothing is due: overdue contacts were reminded of when they came due, and
        // this morning's digest went out.
        let ctx = app.ctx(app.store.clone(), "probe");
        jobs::tick(&ctx).await.unwrap();
        let counts = app.store.outbox_counts().await.unwrap();
        assert!(counts.iter().all(|(state, n)| state == "sent" || *n == 0), "{counts:?}");

        // The specialists' first contacts come due in turn, at their divisions' local times:
        // Moscow 10:02 (07:02 UTC) and Vladivostok 17:04 (07:04 UTC).
        app.clock.advance(Span::minutes(2));
        let anna = app.tg.next(1001).await;
        assert!(anna.visible.contains("🔔 Пора связаться"), "{}", anna.visible);
        assert!(anna.visible.contains("Срок: 27.11.2026 10:02"), "{}", anna.visible);
        assert!(!anna.visible.contains("опоздани"), "{}", anna.visible);
        app.clock.advance(Span::minutes(2));
        let oleg = app.tg.next(2001).await;
        assert!(oleg.visible.contains("Срок: 27.11.2026 17:04"), "{}", oleg.visible);
        assert!(!oleg.visible.contains("опоздани"), "{}", oleg.visible);
        for item in app.tg.calls_of("sendMessage") {
            let text = item.params["text"].as_str().unwrap_or_default();
            assert!(!text.contains("опоздани"), "a late reminder: {text}");
        }
        app.finish().await;
    }

    async fn the_demo_data_is_varied_and_every_requisite_is_valid(app) {
        assert!(demo::seed(app.store.as_ref(), app.clock.now()).await.unwrap());
        let mut cards = vec![];
        for id in 1..=60 {
            if let Some(p) = app.store.prospect(ProspectId(id), None).await.unwrap() {
                cards.push(p);
            }
        }
        assert_eq!(cards.len(), 50);
        let distinct = |values: Vec<String>| values.into_iter().collect::<HashSet<_>>().len();
        assert_eq!(distinct(cards.iter().map(|p| p.name.as_str().to_owned()).collect()), 50);
        let contacts: Vec<String> = cards.iter().filter_map(|p| p.details.contact_person.clone()).collect();
        assert_eq!(distinct(contacts.clone()), 50, "{contacts:?}");
        for name in &contacts {
            assert!(name.split_whitespace().count() >= 3, "«Фамилия Имя Отчество»: {name}");
        }
        let industries = distinct(cards.iter().filter_map(|p| p.details.industry.clone()).collect());
        let towns = distinct(cards.iter().filter_map(|p| p.details.city.clone()).collect());
        assert!(industries >= 15 && towns >= 10, "{industries} industries, {towns} towns");
        let phones = distinct(cards.iter().filter_map(|p| p.details.phone.as_ref().map(|x| x.as_str().to_owned())).collect());
        assert_eq!(phones, 50);
        let regions: HashSet<_> = cards.iter().map(|p| p.region.as_str().to_owned()).collect();
        assert_eq!(regions.len(), 2);
        let mut sole = 0;
        for p in &cards {
            let inn = p.inn.as_str();
            assert!(Inn::parse(inn).is_ok(), "{inn}");
            let ogrn = p.details.ogrn.as_ref().map(|o| o.as_str().len());
            if p.name.as_str().starts_with("ИП ") {
                sole += 1;
                assert_eq!(inn.len(), 12, "a sole proprietor's INN: {inn}");
                assert!(matches!(ogrn, None | Some(15)), "an OGRNIP: {:?}", p.details.ogrn);
                assert!(p.details.kpp.is_none());
            } else {
                assert_eq!(inn.len(), 10, "a company's INN: {inn}");
                assert!(matches!(ogrn, None | Some(13)), "an OGRN: {:?}", p.details.ogrn);
                if let Some(kpp) = &p.details.kpp {
                    assert_eq!(&kpp.as_str()[..4], &inn[..4], "registered at its INN's tax office");
                }
            }
        }
        assert!(sole >= 4, "{sole} sole proprietors");
        for p in demo::PEOPLE {
            assert_eq!(p.name.split_whitespace().count(), 3, "staff too are «Фамилия Имя Отчество»: {}", p.name);
        }
        app.finish().await;
    }
}

#[test]
fn the_requisite_makers_give_valid_numbers_with_check_digits() {
    for office in ["7701", "5036", "2536", "0101", "9909"] {
        for number in (0..1_000_000u32).step_by(7_919) {
            let company_inn = Inn::parse(&demo::company_inn(office, number)).unwrap();
            let person = demo::person_inn(office, number);
            assert_eq!(person.len(), 12);
            let person_inn = Inn::parse(&person).unwrap();
            for year in [2004, 2013, 2021] {
                let company = demo::ogrn(false, year, office, number);
                let proprietor = demo::ogrn(true, year, office, number);
                assert_eq!((company.len(), proprietor.len()), (13, 15));
                assert!(
                    Ogrn::parse(&company, &company_inn).is_ok()
                        && Ogrn::parse(&proprietor, &person_inn).is_ok()
                );
            }
        }
    }
    let contacts: HashSet<String> = (0..100).map(demo::contact_name).collect();
    assert_eq!(contacts.len(), 100);
}

// The screen: which buttons a typed number presses, and where files go.

const ANNA: i64 = 1001;
const OLGA: i64 = 1009;

fn sent(kind: OutgoingKind, chat: i64, message: i64, text: &str, buttons: &[&str]) -> Outgoing {
    let row: Vec<_> = buttons.iter().map(|b| json!({"text": b, "callback_data": format!("x:{b}")})).collect();
    Outgoing {
        kind,
        chat_id: chat,
        message_id: message,
        text: text.to_owned(),
        visible: text.to_owned(),
        reply_markup: (!buttons.is_empty()).then(|| json!({"inline_keyboard": [row]})),
        file_name: None,
        file: None,
    }
}

fn screen(files: &Path) -> Screen {
    let name = |title: &str, prefix: &str| ChatName { title: title.into(), file_prefix: prefix.into() };
    Screen::new(
        files,
        HashMap::from([
            (ANNA, name("Петрова Анна Сергеевна", "anna")),
            (OLGA, name("Смирнова Ольга Викторовна", "olga")),
        ]),
    )
}

fn shown(screen: &mut Screen, items: &[Outgoing], viewing: i64) -> String {
    let mut out = vec![];
    screen.show(&mut out, items, viewing).unwrap();
    String::from_utf8(out).unwrap()
}

fn live_labels(screen: &Screen, chat: i64) -> Vec<String> {
    screen.live(chat).map(|m| m.buttons().into_iter().map(|(label, _)| label).collect()).unwrap_or_default()
}

#[test]
fn a_message_without_buttons_clears_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut screen = screen(dir.path());
    shown(&mut screen, &[sent(OutgoingKind::Message, ANNA, 1, "Карточка", &["Записать", "История"])], ANNA);
    assert_eq!(live_labels(&screen, ANNA), ["Записать", "История"]);
    shown(&mut screen, &[sent(OutgoingKind::Message, ANNA, 3, "Укажите номер карточки", &[])], ANNA);
    assert!(screen.live(ANNA).is_none());
}

#[test]
fn a_push_to_another_person_does_not_take_over_the_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut screen = screen(dir.path());
    let text = shown(
        &mut screen,
        &[
            sent(OutgoingKind::Message, ANNA, 1, "Карточка", &["Записать"]),
            sent(OutgoingKind::Message, OLGA, 1, "Заявка взята", &["Открыть карточку"]),
        ],
        ANNA,
    );
    assert_eq!(live_labels(&screen, ANNA), ["Записать"]);
    assert!(text.contains("[бот Петрова Анна Сергеевна] Карточка\n   [1] Записать\n"), "{text}");
    assert!(text.contains("[→ Смирнова Ольга Викторовна] Заявка взята\n   · Открыть карточку\n"), "{text}");
    // Switching to Olga, her last message's buttons are the ones the numbers press.
    assert_eq!(live_labels(&screen, OLGA), ["Открыть карточку"]);
}

#[test]
fn numbers_follow_edits_of_the_last_message_and_a_deleted_one_gives_way() {
    let dir = tempfile::tempdir().unwrap();
    let mut screen = screen(dir.path());
    let text = shown(
        &mut screen,
        &[
            sent(OutgoingKind::Message, ANNA, 1, "Карточка", &["Записать"]),
            sent(OutgoingKind::Message, ANNA, 2, "Продукты", &["Кредит", "Готово"]),
            sent(OutgoingKind::Edit, ANNA, 2, "Продукты", &["✅ Кредит", "Готово"]),
        ],
        ANNA,
    );
    assert_eq!(live_labels(&screen, ANNA), ["✅ Кредит", "Готово"]);
    // Numbers are printed under the live message's latest state only.
    assert_eq!(text.matches("[1]").count(), 1, "{text}");
    assert!(text.contains("изменено] Продукты\n   [1] ✅ Кредит\n   [2] Готово\n"), "{text}");
    shown(&mut screen, &[sent(OutgoingKind::Edit, ANNA, 2, "Записано", &[])], ANNA);
    assert!(screen.live(ANNA).is_none(), "an edit that removes the buttons removes the numbers");
    shown(&mut screen, &[sent(OutgoingKind::Delete, ANNA, 2, "", &[])], ANNA);
    assert_eq!(live_labels(&screen, ANNA), ["Записать"]);
}

#[test]
fn files_are_named_by_chat_and_counter_and_never_written_over() {
    let dir = tempfile::tempdir().unwrap();
    let file = |chat: i64, bytes: &[u8]| Outgoing {
        file_name: Some("report_MSK.xlsx".into()),
        file: Some(bytes.to_vec()),
        ..sent(OutgoingKind::Document, chat, 1, "Отчёт", &[])
    };
    let mut first = screen(dir.path());
    let text = shown(&mut first, &[file(ANNA, b"anna"), file(OLGA, b"olga")], ANNA);
    // A later run of the demo numbers its messages from 1 again; its files go on counting.
    let mut second = screen(dir.path());
    let again = shown(&mut second, &[file(ANNA, b"anna again")], ANNA);
    let mut saved: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    saved.sort();
    assert_eq!(saved, ["anna-1-report_MSK.xlsx", "anna-3-report_MSK.xlsx", "olga-2-report_MSK.xlsx"]);
    assert_eq!(std::fs::read(dir.path().join("anna-1-report_MSK.xlsx")).unwrap(), b"anna");
    assert!(text.contains("файл сохранён:") && again.contains("anna-3-report_MSK.xlsx"), "{text}{again}");
}

/// `:open N` prints a local link to the contacts page with launch data signed for the person
/// at the terminal; the page's API accepts it and shows the full contacts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_opens_the_contacts_page_of_a_card_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut term = Terminal::start(&database, dir.path()).await;
    term.expect("демо без Telegram").await;
    term.say(":as darya", "Вы: Волкова Дарья Михайловна").await;
    let link = term.say(":open 1", "http://127.0.0.1:").await;
    let link = url::Url::parse(link.trim()).unwrap();
    assert_eq!(link.path(), "/app");
    let fragment: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(link.fragment().unwrap().as_bytes()).into_owned().collect();
    assert_eq!(fragment["card"], "1");
    let addr: std::net::SocketAddr =
        format!("{}:{}", link.host_str().unwrap(), link.port().unwrap()).parse().unwrap();
    let body = serde_json::json!({"init_data": fragment["tgWebAppData"], "card": 1});
    let reply = support::web::http(addr, "POST", "/api/card", Some(&body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("\"href\":\"tel:+7"), "{}", reply.body);
    term.say(":open один", "Укажите номер карточки").await;
    term.say(":quit", "До свидания.").await;
}
