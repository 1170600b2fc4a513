//! The contacts page in a real browser (headless Chromium, Debian's `chromium`): opened as
//! Telegram opens it, with signed launch data in the URL fragment, it shows the full phone as a
//! `tel:` link; with a forged hash it shows the refusal. `.ci/run` installs Chromium when it is
//! missing; elsewhere a machine without it skips this test and says so.

mod support;

use std::path::PathBuf;
use std::process::Command;

use prospect_diary::clock::Clock;
use prospect_diary::domain::access::Role;
use support::{Backend, TestApp, inn};

const PHONE: &str = "+79123456789";

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    let found = ["chromium", "chromium-browser"]
        .into_iter()
        .find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.exists()));
    if found.is_none() {
        assert!(std::env::var_os("CI").is_none(), "CI must run the browser test: install chromium");
        eprintln!("chromium is not installed: the browser test of the contacts page is skipped");
    }
    found
}

/// The page's DOM once its script has run (and, with `screenshot`, a picture at phone width).
fn open_in_browser(browser: &PathBuf, url: &str, screenshot: Option<&str>) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--window-size=360,740",
        "--virtual-time-budget=10000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.path().display()));
    match screenshot {
        Some(path) => command.arg(format!("--screenshot={path}")),
        None => command.arg("--dump-dom"),
    };
    let output = command.arg(url).output().expect("run chromium");
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_in_a_browser_shows_the_phone_as_a_tel_link_and_refuses_a_forged_hash() {
    let Some(browser) = chromium() else { return };
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else { return };
    app.add_region("MSK", "Москва", "Europe/Moscow").await;
    app.add_user(1001, "Анна Петрова", Role::Specialist, Some("MSK")).await;
    let card =
        app.add_prospect(1001, "ООО Ромашка", &inn(1), Some(PHONE), Some("Смирнов Олег Иванович")).await;
    let addr = app.web_addr().await;
    let theme = r##"{"bg_color":"#17212b","text_color":"#f5f5f5","hint_color":"#708499","link_color":"#6ab3f3","secondary_bg_color":"#232e3c"}"##;
    let page = |launch: &str| {
        let fragment = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("card", &card.to_string())
            .append_pair("tgWebAppData", launch)
            .append_pair("tgWebAppThemeParams", theme)
            .finish();
        format!("http://{addr}/app#{fragment}")
    };
    let launch = app.launch_data(1001, app.clock.now());
    let browser_ = browser.clone();
    let url = page(&launch);
    let dom = tokio::task::spawn_blocking(move || open_in_browser(&browser_, &url, None)).await.unwrap();
    assert!(dom.contains(&format!(r#"href="tel:{PHONE}""#)), "{dom}");
    assert!(dom.contains("Смирнов Олег Иванович"), "{dom}");

    if let Ok(path) = std::env::var("PD_SCREENSHOT") {
        let (browser_, url) = (browser.clone(), page(&launch));
        tokio::task::spawn_blocking(move || open_in_browser(&browser_, &url, Some(&path))).await.unwrap();
    }

    let forged = launch.replace("%22id%22%3A1001", "%22id%22%3A1002");
    let url = page(&forged);
    let dom = tokio::task::spawn_blocking(move || open_in_browser(&browser, &url, None)).await.unwrap();
    assert!(dom.contains("Ссылка устарела — откройте карточку заново."), "{dom}");
    assert!(!dom.contains("tel:"), "{dom}");
    app.finish().await;
}
