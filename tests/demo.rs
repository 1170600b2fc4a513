//! `prospect-diary demo` driven through stdin and stdout, as a person at a terminal would:
//! pick a specialist, register a company, find it, log a contact.

mod support;

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};

struct Terminal {
    child: Child,
    stdin: ChildStdin,
    lines: Arc<Mutex<Vec<String>>>,
    seen: usize,
}

impl Terminal {
    async fn start(database: &str, dir: &std::path::Path) -> Terminal {
        let mut child = Command::new(env!("CARGO_BIN_EXE_prospect-diary"))
            .args(["demo", "--database", database])
            .current_dir(dir)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("the demo starts");
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
        for _ in 0..300 {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_tries_the_bot_in_the_terminal_without_telegram() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut term = Terminal::start(&database, dir.path()).await;
    term.expect("демо без Telegram").await;

    term.say(":as boris", "Вы: Борис Орлов").await;
    term.say("/start", "Здравствуйте, Борис Орлов!").await;
    term.say("/new", "Введите название компании").await;
    term.say("ООО «Демо Тест 🚀»", "Введите ИНН").await;
    term.say("12345", "ИНН — 10 цифр").await;
    term.say("7707083893", "Введите КПП").await;
    for question in ["ОГРН", "отрасль", "город", "контактное лицо", "телефон", "e-mail", "Отметьте продукты"]
    {
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
    term.expect("передана в кредитный отдел: кредит, заявка №").await;
    term.expect("Статус: передан в кредитный отдел").await;

    // The lead card arrives in the credit chat; an officer takes it there.
    term.say(":as kirill", "Вы: Кирилл Лебедев").await;
    term.say(":chat credit", "Вы смотрите чат «Кредитный отдел · Москва»").await;
    term.expect("ООО «Демо Тест 🚀», ИНН 7707083893").await;
    term.expect("[1] ✅ Взять").await;
    term.say("1", "Взята в работу: Кирилл Лебедев").await;
    term.say(":chat me", "Вы в личном чате с ботом").await;

    term.say(":help", ":as ИМЯ|РОЛЬ").await;
    term.say(":as nobody", "Нет такого человека").await;
    term.say(":press 42", "Нет кнопки с номером 42").await;
    term.say(":quit", "До свидания.").await;
    let status = tokio::time::timeout(Duration::from_secs(20), term.child.wait()).await.unwrap().unwrap();
    assert!(status.success());

    // The demo data is seeded once: a second start keeps it and what was added.
    let mut again = Terminal::start(&database, dir.path()).await;
    let banner = again.expect("демо без Telegram").await;
    assert!(!banner.contains("заполнена примером"), "{banner}");
    again.say(":as boris", "Вы: Борис Орлов").await;
    again.say("/find демо тест", "ООО «Демо Тест 🚀»").await;
    again.type_line(":quit").await;
    again.expect("До свидания.").await;
}

/// `:open N` prints a local link to the contacts page with launch data signed for the person
/// at the terminal; the page's API accepts it and shows the full contacts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_opens_the_contacts_page_of_a_card_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut term = Terminal::start(&database, dir.path()).await;
    term.expect("демо без Telegram").await;
    term.say(":as darya", "Вы: Дарья Волкова").await;
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
