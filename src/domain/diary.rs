//! The negotiation diary (SPEC §3, §4 `/log`): entries, their outcomes, how the prospect's
//! status moves on, and the agreed next contact as people type it.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::TelegramId;
use super::prospect::{Product, ProspectId, Status, codes};
use super::worktime::{Calendar, MoveReason};

codes! {
    /// How the contact happened.
    Kind {
        Call = "call",
        Meeting = "meeting",
        Email = "email",
        Messenger = "messenger",
        Other = "other",
    }
}

codes! {
    /// How it went.
    Outcome {
        Positive = "positive",
        Neutral = "neutral",
        Negative = "negative",
        NoAnswer = "no_answer",
    }
}

pub const SUMMARY_MAX: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DiaryError {
    #[error("a summary is 1–4000 characters")]
    Summary,
    #[error("a date is typed as 25.12 15:30, 25.12.2026, завтра 10:00, послезавтра or через 3 дня")]
    When,
    #[error("the next contact must be in the future")]
    InThePast,
}

/// What was discussed, 1–4000 characters.
pub fn summary(text: &str) -> Result<String, DiaryError> {
    // Format characters only change how the text reads (SPEC §10): they are dropped.
    let text = super::privacy::strip_format_chars(text);
    let text = text.trim();
    let len = text.chars().count();
    if (1..=SUMMARY_MAX).contains(&len) { Ok(text.to_owned()) } else { Err(DiaryError::Summary) }
}

/// An entry to be written, with the agreed next contact (if any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntry {
    pub prospect: ProspectId,
    pub author: TelegramId,
    pub kind: Kind,
    pub outcome: Outcome,
    pub summary: String,
    pub products: Vec<Product>,
    pub happened_at: DateTime<Utc>,
    pub next_contact: Option<DateTime<Utc>>,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub prospect: ProspectId,
    pub author: TelegramId,
    pub author_name: String,
    pub kind: Kind,
    pub outcome: Outcome,
    pub summary: String,
    pub products: Vec<Product>,
    pub happened_at: DateTime<Utc>,
    pub next_contact: Option<DateTime<Utc>>,
}

/// The prospect's status after an entry: talks begin with the first entry, a positive one with
/// products makes the company interested. Later stages are not undone by a diary entry.
pub fn status_after(current: Status, entry: &NewEntry) -> Status {
    let interested = entry.outcome == Outcome::Positive && !entry.products.is_empty();
    match current {
        Status::New | Status::InTalks if interested => Status::Interested,
        Status::New => Status::InTalks,
        other => other,
    }
}

/// A colleague's recent contact worth a warning (SPEC §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub author_name: String,
    pub happened_at: DateTime<Utc>,
    pub outcome: Outcome,
}

/// The default hour for a date typed without a time.
const DEFAULT_TIME: (u32, u32) = (10, 0);

fn local(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&date.and_time(time)).earliest().map(|t| t.with_timezone(&Utc))
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let (h, m) = text.split_once([':', '.']).unwrap_or((text, "0"));
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// A next contact as chosen: a moment, and whether it was chosen relative to today
/// («завтра», «через 3 дня», a quick button) rather than as a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chosen {
    pub at: DateTime<Utc>,
    /// A relative choice lands on a working day ([`land`]); a typed date is kept as typed.
    pub relative: bool,
}

impl Chosen {
    pub fn exact(at: DateTime<Utc>) -> Self {
        Self { at, relative: false }
    }
}

/// Parses a typed next contact in the region's zone: `25.12 15:30`, `25.12.2026`,
/// `25.12.2026 15:30`, `сегодня 15:00`, `завтра 10:00`, `послезавтра`, `через 3 дня`.
/// A date without a time means 10:00. A moment already past is refused.
pub fn parse_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<DateTime<Utc>, DiaryError> {
    read_when(text, now, tz).map(|chosen| chosen.at)
}

/// [`parse_when`], telling a moment relative to today from a typed date.
pub fn read_when(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Chosen, DiaryError> {
    let lowered = text.trim().to_lowercase();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let today = now.with_timezone(&tz).date_naive();
    let default_time = NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).expect("a time");
    let relative = matches!(words.first(), Some(&("завтра" | "tomorrow" | "послезавтра" | "через" | "in")));
    let (date, rest): (NaiveDate, &[&str]) = match words.as_slice() {
        ["сегодня" | "today", rest @ ..] => (today, rest),
        ["завтра" | "tomorrow", rest @ ..] => (today + Duration::days(1), rest),
        ["послезавтра", rest @ ..] => (today + Duration::days(2), rest),
        ["через" | "in", n, unit, rest @ ..]
            if unit.starts_with("дн") || unit.starts_with("ден") || unit.starts_with("day") =>
        {
            let n: i64 = n.parse().map_err(|_| DiaryError::When)?;
            if !(1..=366).contains(&n) {
                return Err(DiaryError::When);
            }
            (today + Duration::days(n), rest)
        }
        [date, rest @ ..] => {
            let parts: Vec<&str> = date.split('.').collect();
            let (day, month, year) = match parts.as_slice() {
                [d, m] => (d, m, None),
                [d, m, y] if !y.is_empty() => (d, m, Some(y)),
                _ => return Err(DiaryError::When),
            };
            let day: u32 = day.parse().map_err(|_| DiaryError::When)?;
            let month: u32 = month.parse().map_err(|_| DiaryError::When)?;
            let date = match year {
                Some(y) => {
                    let y: i32 = y.parse().map_err(|_| DiaryError::When)?;
                    let y = if y < 100 { 2000 + y } else { y };
                    NaiveDate::from_ymd_opt(y, month, day).ok_or(DiaryError::When)?
                }
                // A day and month without a year: the next such date from today.
                None => {
                    let this = NaiveDate::from_ymd_opt(today.year(), month, day);
                    let next = NaiveDate::from_ymd_opt(today.year() + 1, month, day);
                    match this {
                        Some(d) if d >= today => d,
                        _ => next.or(this).ok_or(DiaryError::When)?,
                    }
                }
            };
            (date, rest)
        }
        [] => return Err(DiaryError::When),
    };
    let time = match rest {
        [] => default_time,
        [t] | ["в" | "at", t] => parse_time(t).ok_or(DiaryError::When)?,
        _ => return Err(DiaryError::When),
    };
    let at = local(tz, date, time).ok_or(DiaryError::When)?;
    if at <= now {
        return Err(DiaryError::InThePast);
    }
    Ok(Chosen { at, relative })
}

/// Where a next contact lands: a relative choice that falls on a day off moves to the next
/// working day of the bank's calendar at the same local time, with the reason; a typed date,
/// or a working day, stays.
pub fn land(chosen: Chosen, tz: Tz, calendar: &Calendar) -> (DateTime<Utc>, Option<MoveReason>) {
    if !chosen.relative {
        return (chosen.at, None);
    }
    let there = chosen.at.with_timezone(&tz);
    let landing = calendar.land(there.date_naive());
    match landing.moved {
        Some(reason) => (local(tz, landing.date, there.time()).unwrap_or(chosen.at), Some(reason)),
        None => (chosen.at, None),
    }
}

/// A next contact further ahead than this is kept only once the person confirms it:
/// «01.01.2099» is more likely a slip than a plan.
pub const FAR_AHEAD_DAYS: i64 = 365;

/// Whether `due` is more than a year after `now`, and so is to be confirmed.
pub fn far_ahead(due: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    due - now > Duration::days(FAR_AHEAD_DAYS)
}

/// Quick choices for the next contact, in the region's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuickWhen {
    Tomorrow,
    InThreeDays,
    NextMonday,
}

/// A quick choice as a relative [`Chosen`], to be landed on a working day.
pub fn quick_chosen(choice: QuickWhen, now: DateTime<Utc>, tz: Tz) -> Chosen {
    Chosen { at: quick_when(choice, now, tz), relative: true }
}

pub fn quick_when(choice: QuickWhen, now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let today = now.with_timezone(&tz).date_naive();
    let date = match choice {
        QuickWhen::Tomorrow => today + Duration::days(1),
        QuickWhen::InThreeDays => today + Duration::days(3),
        QuickWhen::NextMonday => {
            let ahead = 7 - i64::from(today.weekday().num_days_from_monday());
            today + Duration::days(ahead)
        }
    };
    let ten = NaiveTime::from_hms_opt(DEFAULT_TIME.0, DEFAULT_TIME.1, 0).expect("a time");
    local(tz, date, ten).unwrap_or(now + Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Asia::Vladivostok, Europe::Moscow};

    // Friday 27.11.2026 10:00 in Moscow.
    fn now() -> DateTime<Utc> {
        "2026-11-27T07:00:00Z".parse().unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn typed_dates_are_read_in_the_region_zone() {
        assert_eq!(parse_when("25.12 15:30", now(), Moscow), Ok(at("2026-12-25T12:30:00Z")));
        assert_eq!(parse_when("25.12.2026", now(), Moscow), Ok(at("2026-12-25T07:00:00Z")));
        assert_eq!(parse_when("завтра 10:00", now(), Moscow), Ok(at("2026-11-28T07:00:00Z")));
        assert_eq!(parse_when("Завтра в 9.30", now(), Moscow), Ok(at("2026-11-28T06:30:00Z")));
        assert_eq!(parse_when("послезавтра", now(), Moscow), Ok(at("2026-11-29T07:00:00Z")));
        assert_eq!(parse_when("через 3 дня", now(), Moscow), Ok(at("2026-11-30T07:00:00Z")));
        assert_eq!(parse_when("завтра 10:00", now(), Vladivostok), Ok(at("2026-11-28T00:00:00Z")));
        // 20.01 has passed this year: next year's.
        assert_eq!(parse_when("20.01", now(), Moscow), Ok(at("2027-01-20T07:00:00Z")));
    }

    #[test]
    fn the_past_and_nonsense_are_refused() {
        assert_eq!(parse_when("сегодня 09:00", now(), Moscow), Err(DiaryError::InThePast));
        assert_eq!(parse_when("01.01.2020", now(), Moscow), Err(DiaryError::InThePast));
        for bad in ["", "когда-нибудь", "32.12", "25.13.2026", "завтра 25:00", "через много дней"]
        {
            assert_eq!(parse_when(bad, now(), Moscow), Err(DiaryError::When), "{bad}");
        }
    }

    #[test]
    fn only_a_contact_more_than_a_year_ahead_is_far() {
        assert!(far_ahead(parse_when("01.01.2099 10:00", now(), Moscow).unwrap(), now()));
        assert!(far_ahead(now() + Duration::days(366), now()));
        assert!(!far_ahead(now() + Duration::days(365), now()));
        assert!(!far_ahead(parse_when("20.01", now(), Moscow).unwrap(), now()));
        // The quick choices are never far.
        assert!(!far_ahead(quick_when(QuickWhen::NextMonday, now(), Moscow), now()));
    }

    #[test]
    fn a_relative_choice_on_a_day_off_lands_on_the_next_working_day() {
        use crate::domain::worktime::DayKind;
        // Wednesday 30.12.2026, the last working day of the year; 31.12 and 01–08.01 off.
        let calendar = Calendar::new(
            [
                "31.12.2026",
                "01.01.2027",
                "04.01.2027",
                "05.01.2027",
                "06.01.2027",
                "07.01.2027",
                "08.01.2027",
            ]
            .map(|d| (NaiveDate::parse_from_str(d, "%d.%m.%Y").unwrap(), DayKind::Holiday)),
        );
        let eve = at("2026-12-30T07:00:00Z");
        let tomorrow = read_when("завтра 15:00", eve, Moscow).unwrap();
        assert!(tomorrow.relative);
        assert_eq!(
            land(tomorrow, Moscow, &calendar),
            (at("2027-01-11T12:00:00Z"), Some(MoveReason::Holiday))
        );
        // A date typed as such stays: the person means that day.
        let typed = read_when("31.12.2026 15:00", eve, Moscow).unwrap();
        assert!(!typed.relative);
        assert_eq!(land(typed, Moscow, &calendar), (typed.at, None));
        // A quick choice on a Saturday moves to Monday, for the weekend.
        let saturday = quick_chosen(QuickWhen::Tomorrow, now(), Moscow);
        assert_eq!(
            land(saturday, Moscow, &calendar),
            (at("2026-11-30T07:00:00Z"), Some(MoveReason::Weekend))
        );
        // A working day stays as chosen.
        let in_three = quick_chosen(QuickWhen::InThreeDays, now(), Moscow);
        assert_eq!(land(in_three, Moscow, &calendar), (in_three.at, None));
    }

    #[test]
    fn quick_choices_land_at_ten_local() {
        assert_eq!(quick_when(QuickWhen::Tomorrow, now(), Moscow), at("2026-11-28T07:00:00Z"));
        assert_eq!(quick_when(QuickWhen::InThreeDays, now(), Moscow), at("2026-11-30T07:00:00Z"));
        assert_eq!(quick_when(QuickWhen::NextMonday, now(), Moscow), at("2026-11-30T07:00:00Z"));
    }

    #[test]
    fn status_moves_on_with_entries() {
        let mut entry = NewEntry {
            prospect: ProspectId(1),
            author: TelegramId::new(1).unwrap(),
            kind: Kind::Call,
            outcome: Outcome::Neutral,
            summary: "x".into(),
            products: vec![],
            happened_at: now(),
            next_contact: None,
        };
        assert_eq!(status_after(Status::New, &entry), Status::InTalks);
        entry.outcome = Outcome::Positive;
        assert_eq!(status_after(Status::InTalks, &entry), Status::InTalks);
        entry.products = vec![Product::Credit];
        assert_eq!(status_after(Status::New, &entry), Status::Interested);
        assert_eq!(status_after(Status::HandedOff, &entry), Status::HandedOff);
    }
}
