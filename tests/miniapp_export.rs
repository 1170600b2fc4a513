//! The page's other two answers (SPEC §10, issue 12): the full workbook of `/export`'s scope,
//! downloaded over HTTPS with the same checks as the contacts page, audited and limited; the
//! caller's own registration form; and the hourly allowance held exactly when requests come
//! at once.

mod support;

use chrono::Duration;
use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use prospect_diary::domain::audit::AuditAction;
use prospect_diary::domain::ids::TelegramId;
use prospect_diary::store::{DeliveryStore, Store};
use prospect_diary::web::init_data;
use support::web::HttpReply;
use support::{Backend, TestApp, inn, pd};

const PHONE: &str = "+79123456789";
const SPECIALIST: i64 = 1001;
const MANAGER: i64 = 3001;
const OTHER_MANAGER: i64 = 3002;
const HEAD_OFFICE: i64 = 8001;
const STRANGER: i64 = 5555;

async fn arrange(app: &TestApp) -> i64 {
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_region("SPB", "Санкт-Петербург", "Europe/Moscow").await;
    app.add_user(SPECIALIST, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    app.add_user(MANAGER, "Борис Главный", Role::Manager, Some("MSK")).await;
    app.add_user(OTHER_MANAGER, "Глеб Питерский", Role::Manager, Some("SPB")).await;
    let head = app.add_user(HEAD_OFFICE, "Дарья Контролёр", Role::HeadOffice, None).await;
    app.tg.open_chat(&head);
    app.add_prospect(SPECIALIST, "ООО Ромашка", &inn(1), Some(PHONE), Some("Смирнов Олег Иванович")).await
}

/// The audit lines and outbox items: what a refusal must leave as it was.
async fn written(app: &TestApp) -> (usize, i64) {
    let mut audit = 0;
    for id in [SPECIALIST, MANAGER, OTHER_MANAGER, HEAD_OFFICE, STRANGER] {
        audit += app.store.audit_by_actor(TelegramId::new(id).unwrap()).await.unwrap().len();
    }
    let outbox = app.store.outbox_counts().await.unwrap().iter().map(|(_, n)| n).sum();
    (audit, outbox)
}

fn assert_refused(reply: &HttpReply, status: u16, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.json()["message"], message);
    for secret in [PHONE, "Смирнов", "Ромашка"] {
        assert!(!reply.body.contains(secret), "a refusal leaks {secret}: {}", reply.body);
    }
}

both_backends! {
    async fn the_full_workbook_downloads_for_the_export_scope_audited_and_limited(app) {
        let card = arrange(&app).await;
        let now = app.clock.now();
        let reply = app.download_export(&app.launch_data(MANAGER, now), "MSK").await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
        assert!(reply.header("content-type").unwrap().contains("spreadsheetml"));
        assert_eq!(
            reply.header("content-disposition"),
            Some("attachment; filename=\"prospects_full_MSK_2026-11-27.xlsx\"")
        );
        let cells = pd::workbook_cells(&reply.bytes);
        assert!(cells.iter().any(|c| c == "Смирнов Олег Иванович"), "{cells:?}");
        assert!(cells.iter().any(|c| c == "+7 912 345-67-89"), "{cells:?}");
        let trail = app.store.audit_by_actor(TelegramId::new(MANAGER).unwrap()).await.unwrap();
        let line = trail.iter().find(|r| r.action == AuditAction::ContactsExported.as_str()).expect("audited");
        assert_eq!(line.subject.as_deref(), Some("region:MSK"));
        assert_eq!(line.details.as_deref(), Some("full workbook from 127.0.0.1"));
        // Head office may take every division at once.
        let all = app.download_export(&app.launch_data(HEAD_OFFICE, now), "ALL").await;
        assert_eq!(all.status, 200, "{}", all.body);
        assert!(pd::workbook_cells(&all.bytes).iter().any(|c| c == "+7 912 345-67-89"));

        // Forged or old launch data, a stranger, a specialist, another division's manager, a
        // made-up scope: refused, and nothing written.
        let before = written(&app).await;
        let forged = app.launch_data(MANAGER, now).replace("%22id%22%3A3001", "%22id%22%3A3002");
        for launch in [forged, app.launch_data(MANAGER, now - Duration::hours(2)), init_data::sign_for(MANAGER, now, "1:OTHER")] {
            assert_refused(&app.download_export(&launch, "MSK").await, 401, "Ссылка устарела — откройте карточку заново.");
        }
        for (id, scope) in [(STRANGER, "MSK"), (SPECIALIST, "MSK"), (OTHER_MANAGER, "MSK"), (MANAGER, "ALL"), (MANAGER, "msk; drop")] {
            let reply = app.download_export(&app.launch_data(id, now), scope).await;
            assert_refused(&reply, 403, "Нет доступа к этой карточке.");
        }
        assert_eq!(written(&app).await, before);

        // Three an hour: the fourth is refused, and head office is told once.
        for _ in 0..2 {
            assert_eq!(app.download_export(&app.launch_data(MANAGER, now), "MSK").await.status, 200);
        }
        let (audit, outbox) = written(&app).await;
        let over = app.download_export(&app.launch_data(MANAGER, now), "MSK").await;
        assert_refused(&over, 429, "Слишком много выгрузок за час. Попробуйте позже.");
        assert_eq!(app.download_export(&app.launch_data(MANAGER, now), "MSK").await.status, 429);
        assert_eq!(written(&app).await, (audit, outbox + 1));
        let notice = app.tg.next(HEAD_OFFICE).await;
        assert!(notice.visible.contains("Борис Главный (ID 3001) скачал(а) полную выгрузку"), "{}", notice.visible);
        // An hour later the allowance is back.
        app.clock.set(now + Duration::minutes(61));
        assert_eq!(app.download_export(&app.launch_data(MANAGER, app.clock.now()), "MSK").await.status, 200);
        let _ = card;
        app.finish().await;
    }

    async fn the_draft_page_shows_only_the_callers_own_form(app) {
        arrange(&app).await;
        let now = app.clock.now();
        let refused = app.open_draft(&app.launch_data(SPECIALIST, now)).await;
        assert_refused(&refused, 404, "Черновик не найден — начните регистрацию заново (/new).");
        let stranger = app.open_draft(&app.launch_data(STRANGER, now)).await;
        assert_refused(&stranger, 403, "Нет доступа к этой карточке.");
        let stale = app.open_draft(&app.launch_data(SPECIALIST, now - Duration::hours(2))).await;
        assert_refused(&stale, 401, "Ссылка устарела — откройте карточку заново.");
        app.finish().await;
    }
}

/// Twenty views at once against an allowance of five: exactly five are served and audited.
async fn concurrent_views_at_the_limit_serve_exactly_the_allowance(backend: Backend) {
    let Some(app) = TestApp::spawn_env(backend, &[("CONTACT_VIEWS_PER_HOUR", "5")]).await else { return };
    let card = arrange(&app).await;
    let launch = app.launch_data(SPECIALIST, app.clock.now());
    let requests = (0..20).map(|_| app.open_contacts(&launch, card));
    let statuses: Vec<u16> = futures::future::join_all(requests).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 15, "{statuses:?}");
    let trail = app.store.audit_by_actor(TelegramId::new(SPECIALIST).unwrap()).await.unwrap();
    let views = trail.iter().filter(|r| r.action == AuditAction::ContactsViewed.as_str()).count();
    assert_eq!(views, 5);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_views_at_the_limit_serve_exactly_the_allowance_sqlite() {
    concurrent_views_at_the_limit_serve_exactly_the_allowance(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_views_at_the_limit_serve_exactly_the_allowance_postgres() {
    concurrent_views_at_the_limit_serve_exactly_the_allowance(Backend::Postgres).await;
}
