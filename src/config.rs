//! Typed configuration from the environment (and `.env`, read by dotenvy in `main`).
//!
//! Every key, with its default, is listed in `.env.example`. The bot token never appears in
//! `Debug` output or logs.

use std::fmt;

use anyhow::{Context, bail};
use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/prospect-diary.db";
pub const DEFAULT_HTTP_ADDR: &str = "127.0.0.1:8080";

pub use crate::domain::privacy::ContactsInChat;
use crate::domain::privacy::Disclosure;

#[derive(Clone)]
pub struct Config {
    pub token: String,
    pub api_url: Option<Url>,
    pub database_url: String,
    pub collision_window_days: u32,
    pub handoff_sla_hours: u32,
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
    /// Where the HTTP server did bind (with `HTTP_ADDR=…:0`, the port the system chose).
    pub http_bound: BoundAddr,
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
        Ok(Self {
            token: get("TELOXIDE_TOKEN").unwrap_or_default(),
            api_url,
            database_url: get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            collision_window_days: number("COLLISION_WINDOW_DAYS", 14)?,
            handoff_sla_hours: number("HANDOFF_SLA_HOURS", 4)?,
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
            http_bound: BoundAddr::default(),
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

    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }
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
        assert_eq!(config.contacts_in_chat, ContactsInChat::Mask);
        assert_eq!(config.shutdown_grace_secs, 20);
        assert_eq!(config.http_addr, DEFAULT_HTTP_ADDR);
        assert_eq!(config.public_url, None);
        assert_eq!(config.webapp_max_age_minutes, 60);
        assert_eq!(config.contact_views_per_hour, 60);
        assert_eq!(config.full_exports_per_hour, 3);
        assert!(!format!("{config:?}").contains("SECRET"));
    }

    #[test]
    fn bad_values_are_named() {
        let err = Config::from_lookup(|k| (k == "HANDOFF_SLA_HOURS").then(|| "four".into())).unwrap_err();
        assert!(err.to_string().contains("HANDOFF_SLA_HOURS"));
        let pg =
            Config::from_lookup(|k| (k == "DATABASE_URL").then(|| "postgres://u:pw@h/db".into())).unwrap();
        assert!(!format!("{pg:?}").contains("pw@"));
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
}
