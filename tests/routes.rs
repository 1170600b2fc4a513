//! Hand-off routing from the operator's command line: the chat is checked with Telegram, and
//! every mistake is named with nothing saved.

mod support;

use prospect_diary::cli::{self, RouteCommand};
use prospect_diary::store::{HandoffStore, Store};

fn set(region: &str, product: &str, chat: &str) -> RouteCommand {
    RouteCommand::Set { region: region.into(), product: product.into(), chat_id: chat.into() }
}

both_backends! {
    async fn routes_are_set_only_to_groups_the_bot_is_in(app) {
        app.add_region("MSK", "Москва", "Europe/Moscow").await;
        app.tg.add_group(-100500, "Кредитный отдел Москва", true);
        app.tg.add_group(-100600, "Чужая группа", false);
        app.tg.open_chat(&app.tg.user(1001, "Анна"));
        let bot = prospect_diary::app::make_bot(&app.config);
        let now = support::start_time();
        let store = app.store.as_ref();

        let done = cli::route(store, Some(&bot), set("msk", "credit", "-100500"), now).await.unwrap();
        assert_eq!(done, "route MSK credit -> -100500 (Кредитный отдел Москва)");

        let err = cli::route(store, Some(&bot), set("MSK", "gold", "-100500"), now).await.unwrap_err();
        assert!(err.to_string().starts_with("a product is one of: credit, leasing"), "{err}");
        let err = cli::route(store, Some(&bot), set("NOPE", "credit", "-100500"), now).await.unwrap_err();
        assert!(err.to_string().contains("there is no region NOPE"), "{err}");
        let err = cli::route(store, Some(&bot), set("MSK", "leasing", "-100600"), now).await.unwrap_err();
        assert!(err.to_string().contains("add the bot to the group first"), "{err}");
        let err = cli::route(store, Some(&bot), set("MSK", "leasing", "1001"), now).await.unwrap_err();
        assert!(err.to_string().contains("is not a group"), "{err}");
        let err = cli::route(store, Some(&bot), set("MSK", "leasing", "группа"), now).await.unwrap_err();
        assert!(err.to_string().contains("a chat id is a number"), "{err}");
        let err = cli::route(store, None, set("MSK", "leasing", "-100500"), now).await.unwrap_err();
        assert!(err.to_string().contains("TELOXIDE_TOKEN is needed"), "{err}");

        app.tg.add_group(-100700, "Лизинг Москва", true);
        cli::route(store, Some(&bot), set("MSK", "credit", "-100700"), now).await.unwrap();
        let listed = cli::route(store, None, RouteCommand::List, now).await.unwrap();
        assert_eq!(listed, "MSK\tcredit\t-100700");
        assert_eq!(app.store.routes().await.unwrap().len(), 1);
        let trail = app.store.audit_by_subject("route:MSK:credit").await.unwrap();
        assert_eq!(trail.len(), 2);
        app.finish().await;
    }
}
