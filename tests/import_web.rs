//! The page's upload form (issue 13, SPEC §10): in `mask` mode a file of clients sent to the bot
//! is not downloaded, the bot offers the page instead, and the page takes the file over HTTPS
//! with the same checks, preview and error workbook; «Загрузить» saves once.

mod support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use serde_json::json;
use support::web::http;
use support::{Backend, TestApp, inn};

const MANAGER: i64 = 3001;
const SPECIALIST: i64 = 1001;

fn file() -> Vec<u8> {
    let mut bad = inn(23);
    let last = bad.pop().unwrap().to_digit(10).unwrap();
    bad.push(char::from_digit((last + 1) % 10, 10).unwrap());
    format!(
        "Наименование;ИНН;Телефон;Контактное лицо;Ответственный\n\
         ООО Первая;{};+7 495 111-22-33;Иванов Иван Иванович;{SPECIALIST}\n\
         ООО Опечатка;{bad};;;{SPECIALIST}\n",
        inn(21)
    )
    .into_bytes()
}

async fn the_page_takes_the_file_the_bot_does_not(backend: Backend) {
    let env = [("PUBLIC_URL", "https://crm.bank.example")];
    let Some(app) = TestApp::spawn_env(backend, &env).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    let manager = app.add_user(MANAGER, "Борис Орлов", Role::Manager, Some("MSK")).await;
    app.add_user(SPECIALIST, "Анна Петрова", Role::Specialist, Some("MSK")).await;

    app.tg.send_document(&manager, "клиенты.csv", file());
    let offer = app.tg.next(manager.id).await;
    assert!(offer.visible.contains("не передаются через Telegram"), "{}", offer.visible);
    assert_eq!(
        offer.web_apps(),
        [("📤 Загрузить файл".to_owned(), "https://crm.bank.example/app#import".to_owned())]
    );
    assert!(app.tg.calls_of("getFile").is_empty());

    let addr = app.web_addr().await;
    let now = app.clock.now();
    let upload = |user: i64| json!({"init_data": app.launch_data(user, now), "file_name": "клиенты.csv", "content": STANDARD.encode(file())});
    let refused = http(addr, "POST", "/api/import", Some(&upload(SPECIALIST))).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    let reply = http(addr, "POST", "/api/import", Some(&upload(MANAGER))).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["preview"], "2 строки: 1 новая, 0 уже в базе (будут пропущены), 1 с ошибками");
    assert_eq!(body["can_save"], true);
    let book = STANDARD.decode(body["errors"].as_str().unwrap()).unwrap();
    assert!(book.starts_with(b"PK"), "the error workbook");

    let decide = json!({"init_data": app.launch_data(MANAGER, now), "id": body["id"], "save": true});
    let saved = http(addr, "POST", "/api/import/decide", Some(&decide)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert_eq!(saved.json()["message"], "Загружено: 1 карточка.");
    let again = http(addr, "POST", "/api/import/decide", Some(&decide)).await;
    assert_eq!(again.status, 409, "a second «Загрузить» saves nothing: {}", again.body);
    let forged = json!({"init_data": app.launch_data(SPECIALIST, now), "id": body["id"], "save": true});
    assert_eq!(http(addr, "POST", "/api/import/decide", Some(&forged)).await.status, 409);

    let junk = json!({"init_data": app.launch_data(MANAGER, now), "file_name": "x.csv", "content": STANDARD.encode([0u8, 1, 2, 3])});
    let reply = http(addr, "POST", "/api/import", Some(&junk)).await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["message"].as_str().unwrap().contains("Это не таблица"), "{}", reply.body);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_takes_the_file_the_bot_does_not_on_sqlite() {
    the_page_takes_the_file_the_bot_does_not(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_takes_the_file_the_bot_does_not_on_postgres() {
    the_page_takes_the_file_the_bot_does_not(Backend::Postgres).await;
}
