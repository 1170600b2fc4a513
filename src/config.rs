//! Typed configuration from the environment (and `.env`, read by dotenvy in `main`).
//!
//! Every key, with its default, is listed in `.env.example`. The bot token never appears in
//! `Debug` output or logs.

use std::fmt;
use std::time::Duration;

use anyhow::{Context, bail};
use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/prospect-diary.db";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

pub use crate::domain::privacy::ContactsInChat;
use crate::domain::privacy::Disclosure;

/// How updates arrive from Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelegramMode {
    Polling,
    Webhook,
}

/// The path on the HTTP server where Telegram posts updates in webhook mode.
pub const WEBHOOK_PATH: &str = "/telegram/webhook";

#[derive(Clone)]
pub struct Config {
    pub token: String,
    pub api_url: Option<Url>,
    pub database_url: String,
    pub collision_window_days: u32,
    pub handoff_sla_hours: u32,
    /// A lead nobody took within this many working days of its division expires (0: never).
    pub handoff_expire_working_days: u32,
    pub contacts_in_chat: ContactsInChat,
    /// How long a stranger waits before being told "no" again.
    pub refusal_interval_minutes: u32,
    /// Long-polling timeout for `getUpdates`, in seconds.
    pub poll_timeout_secs: u32,
    /// How often due reminders and digests are looked for, in seconds.
    pub jobs_interval_secs: u32,
    /// Messages a second this instance sends at most (Telegram allows about 30 per bot: with
    /// several instances, divide).
    pub outbox_rate_per_second: u32,
    /// This instance's name in outbox claims.
    pub instance_id: String,
    /// How long a stop may take: after this many seconds the process exits with whatever is
    /// still in hand (unsent notifications stay in the outbox).
    pub shutdown_grace_secs: u32,
    /// Where the HTTP server (the Mini App page, `/healthz`) listens.
    pub http_addr: String,
    /// The `https://` address where the bank's reverse proxy publishes `http_addr`; without it
    /// there is no Mini App button (Telegram opens only HTTPS pages).
    pub public_url: Option<Url>,
    /// Mini App launch data older than this is refused.
    pub webapp_max_age_minutes: u32,
    /// Contact pages a person may open in an hour (anti-scraping, SPEC §10).
    pub contact_views_per_hour: u32,
    /// Full workbooks a person may download from the page in an hour.
    pub full_exports_per_hour: u32,
    /// A `/report` whose period holds more diary entries than this sends its figures without
    /// them, and a button that builds the listing in the background.
    pub report_inline_entries: u32,
    /// Rows in one file of that listing (Excel's 1 048 575 at most); more make several files.
    pub listing_file_rows: u32,
    /// How often a listing's progress line is edited at most, and its lease renewed (100 ms to
    /// 10 s). Telegram allows about one edit a second to a chat: shorter only in tests.
    pub listing_progress_every: Duration,
    /// How updates arrive: this instance long-polls (when it holds the poller's lease), or
    /// Telegram posts them to `{PUBLIC_URL}/telegram/webhook`.
    pub telegram_mode: TelegramMode,
    /// The webhook's `secret_token`: Telegram sends it in `X-Telegram-Bot-Api-Secret-Token`.
    pub webhook_secret: Option<String>,
    /// `setWebhook`'s `max_connections` (1–100).
    pub webhook_max_connections: u32,
    /// Seconds after which another instance polls when the polling one has died.
    pub poll_takeover_secs: u32,
    /// Where the HTTP server did bind (with `HTTP_ADDR=…:0`, the port the system chose).
    pub http_bound: BoundAddr,
    /// A separate, internal-only address for `/metrics`; without it `/metrics` is served on
    /// `http_addr`.
    pub metrics_addr: Option<String>,
    /// Where the metrics server did bind, when `metrics_addr` is set.
    pub metrics_bound: BoundAddr,
    /// How log lines are written: plain text or one JSON object a line.
    pub log_format: LogFormat,
}

/// `LOG_FORMAT`: `text` for people reading a terminal, `json` for a log collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// The address the HTTP server bound, published once it listens (tests and the demo read it).
#[derive(Clone)]
pub struct BoundAddr(std::sync::Arc<tokio::sync::watch::Sender<Option<std::net::SocketAddr>>>);

impl Default for BoundAddr {
    fn default() -> Self {
        Self(std::sync::Arc::new(tokio::sync::watch::channel(None).0))
    }
}

impl BoundAddr {
    pub fn set(&self, addr: std::net::SocketAddr) {
        self.0.send_replace(Some(addr));
    }

    pub fn get(&self) -> Option<std::net::SocketAddr> {
        *self.0.borrow()
    }

    /// Waits until the server listens.
    pub async fn wait(&self) -> std::net::SocketAddr {
        let mut rx = self.0.subscribe();
        let bound = rx.wait_for(Option::is_some).await.expect("the sender lives in self");
        bound.expect("waited for Some")
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("token", &"<redacted>")
            .field("api_url", &self.api_url.as_ref().map(Url::as_str))
            .field("database_url", &redact_password(&self.database_url))
            .field("collision_window_days", &self.collision_window_days)
            .field("handoff_sla_hours", &self.handoff_sla_hours)
            .field("handoff_expire_working_days", &self.handoff_expire_working_days)
            .field("contacts_in_chat", &self.contacts_in_chat)
            .field("refusal_interval_minutes", &self.refusal_interval_minutes)
            .field("poll_timeout_secs", &self.poll_timeout_secs)
            .field("jobs_interval_secs", &self.jobs_interval_secs)
            .field("outbox_rate_per_second", &self.outbox_rate_per_second)
            .field("instance_id", &self.instance_id)
            .field("shutdown_grace_secs", &self.shutdown_grace_secs)
            .field("http_addr", &self.http_addr)
            .field("public_url", &self.public_url.as_ref().map(Url::as_str))
            .field("webapp_max_age_minutes", &self.webapp_max_age_minutes)
            .field("contact_views_per_hour", &self.contact_views_per_hour)
            .field("full_exports_per_hour", &self.full_exports_per_hour)
            .field("report_inline_entries", &self.report_inline_entries)
            .field("listing_file_rows", &self.listing_file_rows)
            .field("listing_progress_every", &self.listing_progress_every)
            .field("metrics_addr", &self.metrics_addr)
            .field("log_format", &self.log_format)
            .field("telegram_mode", &self.telegram_mode)
            .field("webhook_secret", &self.webhook_secret.as_ref().map(|_| "<redacted>"))
            .field("webhook_max_connections", &self.webhook_max_connections)
            .field("poll_takeover_secs", &self.poll_takeover_secs)
            .finish()
    }
}

fn redact_password(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Reads the configuration from a lookup of environment keys (the process environment in
    /// `main`, a map in tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let get = |key: &str| get(key).filter(|v| !v.trim().is_empty());
        let number = |key: &str, default: u32| -> anyhow::Result<u32> {
            match get(key) {
                None => Ok(default),
                Some(v) => {
                    v.trim().parse().with_context(|| format!("{key} must be a whole number, got {v:?}"))
                }
            }
        };
        let contacts_in_chat = match get("CONTACTS_IN_CHAT").as_deref().map(str::trim) {
            None | Some("mask") => ContactsInChat::Mask,
            Some("show") => ContactsInChat::Show,
            Some("hide") => ContactsInChat::Hide,
            Some(other) => bail!("CONTACTS_IN_CHAT must be show, mask or hide, got {other:?}"),
        };
        let log_format = match get("LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => bail!("LOG_FORMAT must be text or json, got {other:?}"),
        };
        let api_url = match get("TELOXIDE_API_URL") {
            None => None,
            Some(v) => {
                Some(Url::parse(v.trim()).with_context(|| format!("TELOXIDE_API_URL is not a URL: {v:?}"))?)
            }
        };
        let public_url = match get("PUBLIC_URL") {
            None => None,
            Some(v) => {
                let url = Url::parse(v.trim()).with_context(|| format!("PUBLIC_URL is not a URL: {v:?}"))?;
                if url.scheme() != "https" {
                    bail!(
                        "PUBLIC_URL must be an https:// address (Telegram opens only HTTPS pages), got {v:?}"
                    );
                }
                Some(url)
            }
        };
        let telegram_mode = match get("TELEGRAM_MODE").as_deref().map(str::trim) {
            None | Some("polling") => TelegramMode::Polling,
            Some("webhook") => TelegramMode::Webhook,
            Some(other) => bail!("TELEGRAM_MODE must be polling or webhook, got {other:?}"),
        };
        let webhook_secret = get("WEBHOOK_SECRET").map(|v| v.trim().to_owned());
        if telegram_mode == TelegramMode::Webhook {
            check_webhook_secret(webhook_secret.as_deref())?;
            if public_url.is_none() {
                bail!(
                    "TELEGRAM_MODE=webhook needs PUBLIC_URL: Telegram posts updates to \
                     {{PUBLIC_URL}}{WEBHOOK_PATH} over HTTPS"
                );
            }
        }
        let webhook_max_connections = number("WEBHOOK_MAX_CONNECTIONS", 40)?;
        if !(1..=100).contains(&webhook_max_connections) {
            bail!(
                "WEBHOOK_MAX_CONNECTIONS must be from 1 to 100 (Telegram's range), got {webhook_max_connections}"
            );
        }
        Ok(Self {
            telegram_mode,
            webhook_secret,
            webhook_max_connections,
            poll_takeover_secs: number("POLL_TAKEOVER_SECS", 15)?.max(1),
            token: get("TELOXIDE_TOKEN").unwrap_or_default(),
            api_url,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            collision_window_days: number("COLLISION_WINDOW_DAYS", 14)?,
            handoff_sla_hours: number("HANDOFF_SLA_HOURS", 4)?,
            handoff_expire_working_days: number("HANDOFF_EXPIRE_WORKING_DAYS", 5)?,
            contacts_in_chat,
            refusal_interval_minutes: number("REFUSAL_INTERVAL_MINUTES", 60)?,
            poll_timeout_secs: number("POLL_TIMEOUT_SECS", 10)?,
            jobs_interval_secs: number("JOBS_INTERVAL_SECS", 15)?.max(1),
            outbox_rate_per_second: number("OUTBOX_RATE_PER_SECOND", 30)?.max(1),
            instance_id: get("INSTANCE_ID")
                .unwrap_or_else(|| format!("pd-{}", uuid::Uuid::new_v4().simple())),
            shutdown_grace_secs: number("SHUTDOWN_GRACE_SECS", 20)?,
            http_addr: get("HTTP_ADDR").map_or_else(|| DEFAULT_HTTP_ADDR.to_owned(), |v| v.trim().to_owned()),
            public_url,
            webapp_max_age_minutes: number("WEBAPP_MAX_AGE_MINUTES", 60)?.max(1),
            contact_views_per_hour: number("CONTACT_VIEWS_PER_HOUR", 60)?,
            full_exports_per_hour: number("FULL_EXPORTS_PER_HOUR", 3)?,
            report_inline_entries: number("REPORT_INLINE_ENTRIES", 100_000)?,
            listing_file_rows: number("LISTING_FILE_ROWS", crate::reports::xlsx::MAX_DATA_ROWS)?
                .clamp(1, crate::reports::xlsx::MAX_DATA_ROWS),
            // A third of a listing's 30 s lease at most, so it is renewed well before it runs out.
            listing_progress_every: Duration::from_millis(u64::from(
                number("LISTING_PROGRESS_MS", 2_000)?.clamp(100, 10_000),
            )),
            http_bound: BoundAddr::default(),
            metrics_addr: get("METRICS_ADDR").map(|v| v.trim().to_owned()),
            metrics_bound: BoundAddr::default(),
            log_format,
        })
    }

    /// How personal data reads in what is sent through Telegram (SPEC §10).
    pub fn disclosure(&self) -> Disclosure {
        Disclosure(self.contacts_in_chat)
    }

    /// The contacts page of card `id` for the «Контакты» button: only when contacts are kept
    /// off Telegram and the page is published. The URL carries the card number and nothing else.
    pub fn contacts_page(&self, id: i64) -> Option<Url> {
        self.page(&format!("card={id}"))
    }

    /// The page showing the caller's own registration form as typed so far.
    pub fn draft_page(&self) -> Option<Url> {
        self.page("draft")
    }

    /// The page downloading the full workbook of `scope` (`MSK`, or `ALL`).
    pub fn export_page(&self, scope: &str) -> Option<Url> {
        self.page(&format!("export={scope}"))
    }

    /// The page's upload form for an import (files with contacts do not travel through
    /// Telegram in `mask` and `hide` modes).
    pub fn import_page(&self) -> Option<Url> {
        self.page("import")
    }

    /// The Mini App page with `fragment`; none when contacts are shown in chat anyway or the
    /// page is not published.
    fn page(&self, fragment: &str) -> Option<Url> {
        if self.disclosure().shows_contacts() {
            return None;
        }
        let base = self.public_url.as_ref()?;
        Url::parse(&format!("{}/app#{fragment}", base.as_str().trim_end_matches('/'))).ok()
    }

    /// Where Telegram posts updates in webhook mode.
    pub fn webhook_url(&self) -> Option<Url> {
        let base = self.public_url.as_ref()?;
        Url::parse(&format!("{}{WEBHOOK_PATH}", base.as_str().trim_end_matches('/'))).ok()
    }

    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }
}

/// Telegram's rule for a secret token (1–256 of `A-Z a-z 0-9 _ -`), and ours: at least 32
/// characters, so that it cannot be guessed.
fn check_webhook_secret(secret: Option<&str>) -> anyhow::Result<()> {
    let Some(secret) = secret else {
        bail!(
            "TELEGRAM_MODE=webhook needs WEBHOOK_SECRET: 32 to 256 characters of A-Z, a-z, 0-9, _ and - \
             (e.g. `openssl rand -hex 32`)"
        );
    };
    let length = secret.chars().count();
    if !(32..=256).contains(&length) {
        bail!("WEBHOOK_SECRET must be 32 to 256 characters long, got {length}");
    }
    if !secret.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        bail!("WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (Telegram's rule)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_the_token_is_never_printed() {
        let config = Config::from_lookup(|k| (k == "TELOXIDE_TOKEN").then(|| "123:SECRET".into())).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.collision_window_days, 14);
        assert_eq!(config.handoff_sla_hours, 4);
        assert_eq!(config.handoff_expire_working_days, 5);
        assert_eq!(config.contacts_in_chat, ContactsInChat::Mask);
        assert_eq!(config.shutdown_grace_secs, 20);
        assert_eq!(config.http_addr, DEFAULT_HTTP_ADDR);
        assert_eq!(config.public_url, None);
        assert_eq!(config.webapp_max_age_minutes, 60);
        assert_eq!(config.contact_views_per_hour, 60);
        assert_eq!(config.full_exports_per_hour, 3);
        assert_eq!(config.metrics_addr, None);
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.telegram_mode, TelegramMode::Polling);
        assert_eq!(config.webhook_max_connections, 40);
        assert_eq!(config.poll_takeover_secs, 15);
        assert_eq!(config.listing_progress_every, Duration::from_secs(2));
        assert!(!format!("{config:?}").contains("SECRET"));
    }

    #[test]
    fn webhook_mode_needs_a_long_secret_and_the_public_url() {
        let env = |secret: &'static str, public: Option<&'static str>| {
            Config::from_lookup(move |k| match k {
                "TELEGRAM_MODE" => Some("webhook".into()),
                "WEBHOOK_SECRET" => Some(secret.into()),
                "PUBLIC_URL" => public.map(Into::into),
                _ => None,
            })
        };
        let long = "s3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t";
        let err = env("", Some("https://crm.bank.ru")).unwrap_err().to_string();
        assert!(err.contains("needs WEBHOOK_SECRET"), "{err}");
        let err = env("short-secret", Some("https://crm.bank.ru")).unwrap_err().to_string();
        assert!(err.contains("32 to 256 characters"), "{err}");
        let err = env("s3cr3t s3cr3t s3cr3t s3cr3t s3cr3t", Some("https://crm.bank.ru")).unwrap_err();
        assert!(err.to_string().contains("A-Z, a-z, 0-9"), "{err}");
        let err = env(long, None).unwrap_err().to_string();
        assert!(err.contains("needs PUBLIC_URL"), "{err}");
        let ok = env(long, Some("https://crm.bank.ru/pd/")).unwrap();
        assert_eq!(ok.webhook_url().unwrap().as_str(), "https://crm.bank.ru/pd/telegram/webhook");
        assert!(!format!("{ok:?}").contains(long));
        let err = Config::from_lookup(|k| (k == "TELEGRAM_MODE").then(|| "push".into())).unwrap_err();
        assert!(err.to_string().contains("polling or webhook"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_lookup(|k| (k == "HANDOFF_SLA_HOURS").then(|| "four".into())).unwrap_err();
        assert!(err.to_string().contains("HANDOFF_SLA_HOURS"));
        let pg =
            Config::from_lookup(|k| (k == "DATABASE_URL").then(|| "postgres://u:pw@h/db".into())).unwrap();
        assert!(!format!("{pg:?}").contains("pw@"));
        let err = Config::from_lookup(|k| (k == "LOG_FORMAT").then(|| "xml".into())).unwrap_err();
        assert!(err.to_string().contains("LOG_FORMAT must be text or json"), "{err}");
        let json = Config::from_lookup(|k| (k == "LOG_FORMAT").then(|| "json".into())).unwrap();
        assert_eq!(json.log_format, LogFormat::Json);
    }

    #[test]
    fn the_public_url_must_be_https() {
        let err =
            Config::from_lookup(|k| (k == "PUBLIC_URL").then(|| "http://crm.bank.ru".into())).unwrap_err();
        assert!(err.to_string().contains("PUBLIC_URL"));
        let ok =
            Config::from_lookup(|k| (k == "PUBLIC_URL").then(|| "https://crm.bank.ru/pd".into())).unwrap();
        assert_eq!(ok.contacts_page(42).unwrap().as_str(), "https://crm.bank.ru/pd/app#card=42");
        assert_eq!(ok.draft_page().unwrap().as_str(), "https://crm.bank.ru/pd/app#draft");
        assert_eq!(ok.export_page("MSK").unwrap().as_str(), "https://crm.bank.ru/pd/app#export=MSK");
        assert_eq!(ok.public_url.unwrap().as_str(), "https://crm.bank.ru/pd");
        let show = Config::from_lookup(|k| match k {
            "PUBLIC_URL" => Some("https://crm.bank.ru/".into()),
            "CONTACTS_IN_CHAT" => Some("show".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(show.contacts_page(42), None);
        let hide = Config::from_lookup(|k| match k {
            "PUBLIC_URL" => Some("https://crm.bank.ru/".into()),
            "CONTACTS_IN_CHAT" => Some("hide".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(hide.contacts_in_chat, ContactsInChat::Hide);
        assert_eq!(hide.contacts_page(42).unwrap().as_str(), "https://crm.bank.ru/app#card=42");
        let err = Config::from_lookup(|k| (k == "CONTACTS_IN_CHAT").then(|| "blur".into())).unwrap_err();
        assert!(err.to_string().contains("show, mask or hide"), "{err}");
    }

    #[test]
    fn the_listing_progress_interval_is_read_in_milliseconds_within_its_bounds() {
        let every = |ms: &'static str| {
            Config::from_lookup(move |k| (k == "LISTING_PROGRESS_MS").then(|| ms.into()))
                .unwrap()
                .listing_progress_every
        };
        assert_eq!(every("250"), Duration::from_millis(250));
        assert_eq!(every("0"), Duration::from_millis(100));
        assert_eq!(every("60000"), Duration::from_secs(10));
        assert!(Config::from_lookup(|k| (k == "LISTING_PROGRESS_MS").then(|| "2s".into())).is_err());
    }
}
