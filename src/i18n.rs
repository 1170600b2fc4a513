//! Texts in Fluent, one bundle per language (`locales/ru`, `locales/en`), embedded in the binary.
//!
//! Arguments that carry text typed by people are escaped for Telegram's HTML parse mode here,
//! so a message id can never be broken by what a user typed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::domain::access::Lang;
use crate::domain::requisites::RequisiteError;

pub const RU_FTL: &str = include_str!("../locales/ru/main.ftl");
pub const EN_FTL: &str = include_str!("../locales/en/main.ftl");

pub struct I18n {
    bundles: HashMap<Lang, FluentBundle<FluentResource>>,
}

/// Arguments for one message: `text` values are HTML-escaped, numbers feed plural rules.
#[derive(Default)]
pub struct Args(Vec<(&'static str, FluentValue<'static>)>);

impl Args {
    pub fn new() -> Self {
        Self::default()
    }

    /// Text from people or the database: escaped for HTML.
    pub fn text(mut self, name: &'static str, value: impl AsRef<str>) -> Self {
        self.0.push((name, FluentValue::from(escape_html(value.as_ref()))));
        self
    }

    /// Markup the bot built itself (already escaped).
    pub fn markup(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.0.push((name, FluentValue::from(value.into())));
        self
    }

    pub fn num(mut self, name: &'static str, value: i64) -> Self {
        self.0.push((name, FluentValue::from(value)));
        self
    }
}

/// Escapes `<`, `>`, `&` and `"` for Telegram's HTML parse mode.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// A moment as people in the region read it: `ДД.ММ.ГГГГ ЧЧ:ММ` in the region's zone.
pub fn local_datetime(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%d.%m.%Y %H:%M").to_string()
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let resource = FluentResource::try_new(source.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("locales/{}: {errors:?}", lang.as_str()));
    let langid = lang.as_str().parse().expect("a valid language id");
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Unicode isolation marks would show up as stray characters in Telegram clients.
    bundle.set_use_isolating(false);
    bundle.add_resource(resource).expect("message ids are unique");
    bundle
}

impl I18n {
    pub fn new() -> Self {
        let bundles =
            HashMap::from([(Lang::Ru, bundle(Lang::Ru, RU_FTL)), (Lang::En, bundle(Lang::En, EN_FTL))]);
        Self { bundles }
    }

    /// The message `id` in `lang`; a missing id shows as the id itself (the parity test keeps
    /// that from shipping).
    pub fn get(&self, lang: Lang, id: &str, args: Args) -> String {
        let bundle = &self.bundles[&lang];
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::error!(id, lang = lang.as_str(), "missing message");
            return id.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args.0 {
            fluent_args.set(name, value);
        }
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::error!(id, ?errors, "message formatting failed");
        }
        text.into_owned()
    }

    pub fn t(&self, lang: Lang, id: &str) -> String {
        self.get(lang, id, Args::new())
    }
}

impl Default for I18n {
    fn default() -> Self {
        Self::new()
    }
}

/// The message that explains a requisite's error: the form's, and an import's error workbook.
pub fn requisite_error_id(err: &RequisiteError) -> &'static str {
    match err {
        RequisiteError::Inn => "err-inn",
        RequisiteError::InnCheckDigit => "err-inn-check-digit",
        RequisiteError::Kpp => "err-kpp",
        RequisiteError::Ogrn => "err-ogrn",
        RequisiteError::OgrnipExpected => "err-ogrnip-expected",
        RequisiteError::OgrnExpected => "err-ogrn-expected",
        RequisiteError::Phone => "err-phone",
        RequisiteError::Email => "err-email",
        RequisiteError::CompanyName => "err-company-name",
        RequisiteError::ShortText => "err-short-text",
    }
}

/// A count as a Russian reader reads it: thousands apart by a thin space («1 240»).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// Message ids defined in one `.ftl` source, for the parity test.
pub fn message_ids(source: &str) -> Vec<String> {
    let resource = FluentResource::try_new(source.to_owned()).expect("valid ftl");
    let mut ids: Vec<String> = resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
            _ => None,
        })
        .collect();
    ids.sort();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_id_exists_in_every_language() {
        assert_eq!(message_ids(RU_FTL), message_ids(EN_FTL));
    }

    #[test]
    fn russian_plurals_follow_the_three_forms() {
        let i18n = I18n::new();
        let count = |n| i18n.get(Lang::Ru, "prospects-count", Args::new().num("count", n));
        assert_eq!(count(1), "1 компания");
        assert_eq!(count(2), "2 компании");
        assert_eq!(count(5), "5 компаний");
        assert_eq!(count(21), "21 компания");
        assert_eq!(count(11), "11 компаний");
        let en = i18n.get(Lang::En, "prospects-count", Args::new().num("count", 1));
        assert_eq!(en, "1 prospect");
    }

    #[test]
    fn typed_text_is_escaped_in_messages() {
        let i18n = I18n::new();
        let text = i18n.get(Lang::Ru, "users-added", Args::new().text("name", "<b>Рога & Копыта</b>"));
        assert!(text.contains("&lt;b&gt;Рога &amp; Копыта&lt;/b&gt;"), "{text}");
    }

    #[test]
    fn dates_show_in_the_region_zone() {
        let at = "2026-12-25T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
        assert_eq!(local_datetime(at, chrono_tz::Asia::Vladivostok), "25.12.2026 10:00");
        assert_eq!(local_datetime(at, chrono_tz::Europe::Moscow), "25.12.2026 03:00");
    }
}
