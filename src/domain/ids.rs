//! Parse-don't-validate newtypes for identifiers and names typed by people.

use std::fmt;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a typed value was not accepted; the caller shows the matching message and asks again.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("a Telegram id is a positive whole number, e.g. 123456789")]
    TelegramId,
    #[error("a name is 2–128 characters without line breaks")]
    FullName,
    #[error("a region code is 2–16 Latin capital letters, digits or '-', e.g. MSK or DV-1")]
    RegionCode,
    #[error("a region name is 2–128 characters without line breaks")]
    RegionName,
    #[error("a time zone is an IANA name such as Europe/Moscow or Asia/Vladivostok")]
    TimeZone,
    #[error("a role is one of: specialist, credit_officer, manager, head_office, admin")]
    Role,
    #[error("a language is ru or en")]
    Lang,
}

/// A Telegram user id: the key of the whitelist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TelegramId(i64);

impl TelegramId {
    pub fn new(id: i64) -> Result<Self, ParseError> {
        if id > 0 { Ok(Self(id)) } else { Err(ParseError::TelegramId) }
    }

    pub fn parse(text: &str) -> Result<Self, ParseError> {
        text.trim().parse::<i64>().map_err(|_| ParseError::TelegramId).and_then(Self::new)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for TelegramId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A person's or a division's name: trimmed, one line, 2–128 characters.
fn one_line(text: &str) -> Option<String> {
    let text = text.trim();
    let len = text.chars().count();
    // Format characters (a right-to-left override, a zero-width joiner) would make the name
    // read differently than it is, in a group's lead card or an admin's list.
    let ok = (2..=128).contains(&len)
        && !text.chars().any(|c| c.is_control() || crate::domain::privacy::is_format_char(c));
    ok.then(|| text.to_owned())
}

/// A staff member's full name as they want to be addressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FullName(String);

impl FullName {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        one_line(text).map(Self).ok_or(ParseError::FullName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A division's display name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionName(String);

impl RegionName {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        one_line(text).map(Self).ok_or(ParseError::RegionName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A division's short code, e.g. `MSK`; typed in any case, kept in capitals.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        let code = text.trim().to_ascii_uppercase();
        let ok = (2..=16).contains(&code.len())
            && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if ok { Ok(Self(code)) } else { Err(ParseError::RegionCode) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone name that chrono-tz knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZoneName(Tz);

impl TimeZoneName {
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        text.trim().parse::<Tz>().map(Self).map_err(|_| ParseError::TimeZone)
    }

    pub fn tz(self) -> Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_format_characters_are_refused() {
        // A right-to-left override makes «Иван» read backwards; zero-width joiners hide in text.
        for bad in ["Ив\u{202E}ан Петров", "Иван\u{200D} Петров", "\u{FEFF}Иван", "Иван\u{2066}"]
        {
            assert_eq!(FullName::parse(bad), Err(ParseError::FullName), "{bad:?}");
            assert_eq!(RegionName::parse(bad), Err(ParseError::RegionName), "{bad:?}");
        }
        assert!(FullName::parse("Римский-Корсаков Николай").is_ok());
    }

    #[test]
    fn telegram_ids_are_positive_numbers() {
        assert_eq!(TelegramId::parse(" 42 ").unwrap().get(), 42);
        assert_eq!(TelegramId::parse("0"), Err(ParseError::TelegramId));
        assert_eq!(TelegramId::parse("-5"), Err(ParseError::TelegramId));
        assert_eq!(TelegramId::parse("abc"), Err(ParseError::TelegramId));
    }

    #[test]
    fn region_codes_are_kept_in_capitals() {
        assert_eq!(RegionCode::parse("msk").unwrap().as_str(), "MSK");
        assert_eq!(RegionCode::parse("DV-1").unwrap().as_str(), "DV-1");
        assert!(RegionCode::parse("M").is_err());
        assert!(RegionCode::parse("МСК").is_err());
        assert!(RegionCode::parse("A B").is_err());
    }

    #[test]
    fn names_are_one_trimmed_line() {
        assert_eq!(FullName::parse("  Анна Петрова ").unwrap().as_str(), "Анна Петрова");
        assert!(FullName::parse("A").is_err());
        assert!(FullName::parse("Анна\nПетрова").is_err());
        assert!(FullName::parse(&"я".repeat(129)).is_err());
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert_eq!(TimeZoneName::parse("Asia/Vladivostok").unwrap().name(), "Asia/Vladivostok");
        assert!(TimeZoneName::parse("Moscow").is_err());
    }
}
