//! Working time (SPEC §6): a division's working hours and the bank's calendar of holidays,
//! transferred days off, working Saturdays and shortened pre-holiday days.
//!
//! The hand-off SLA counts working hours only; the morning digest and the weekly report skip
//! days off; a next contact lands on a working day. Everything here is pure arithmetic over
//! UTC instants, read in the division's zone: no store, no clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// How far the arithmetic looks for working time before giving up: a calendar with no working
/// day in ten years is a broken file, and the caller then gets plain calendar time.
const MAX_DAYS: u32 = 3_660;

/// A pre-holiday working day is one hour shorter (Labour Code, art. 95).
const SHORTENED_BY: Duration = Duration::hours(1);

/// What is wrong with typed working hours or a calendar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkTimeError {
    #[error("working hours are written as 09:00-18:00, the end after the start")]
    Hours,
    #[error("{month:02}.{year}: «{token}» is not a day of that month")]
    Day { year: i32, month: u32, token: String },
    #[error("a year of the calendar has twelve months, found {0}")]
    Months(usize),
    #[error("{0} is not a year the calendar can hold")]
    Year(i32),
}

/// A division's working hours, the same every working day (default 09:00–18:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkingHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl Default for WorkingHours {
    fn default() -> Self {
        Self { start: hm(9, 0), end: hm(18, 0) }
    }
}

impl WorkingHours {
    /// `09:00-18:00` (a hyphen or a dash, spaces allowed); the end must come after the start.
    pub fn parse(text: &str) -> Result<Self, WorkTimeError> {
        let (start, end) = text.trim().split_once(['-', '–', '—']).ok_or(WorkTimeError::Hours)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| WorkTimeError::Hours);
        let (start, end) = (time(start)?, time(end)?);
        if end <= start {
            return Err(WorkTimeError::Hours);
        }
        Ok(Self { start, end })
    }

    pub fn start(&self) -> NaiveTime {
        self.start
    }

    pub fn end(&self) -> NaiveTime {
        self.end
    }
}

impl std::fmt::Display for WorkingHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

/// What a calendar day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A full working day.
    Working,
    /// A pre-holiday working day, an hour shorter.
    Short,
    /// Saturday or Sunday, not transferred.
    Weekend,
    /// A public holiday or a day off transferred onto a weekday.
    Holiday,
}

impl DayKind {
    pub fn is_working(self) -> bool {
        matches!(self, Self::Working | Self::Short)
    }

    /// The form the store keeps (`holidays.kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::Short => "short",
            Self::Weekend => "weekend",
            Self::Holiday => "holiday",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Working, Self::Short, Self::Weekend, Self::Holiday].into_iter().find(|k| k.as_str() == text)
    }
}

/// Why a date a person chose was moved to a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoveReason {
    Weekend,
    Holiday,
}

/// A chosen date and the working day it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landing {
    pub date: NaiveDate,
    /// `None` when the chosen date was a working day already.
    pub moved: Option<MoveReason>,
}

/// The bank's calendar: the days that differ from a plain Monday-to-Friday week.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Self { days: days.into_iter().collect() }
    }

    /// The days that differ from a plain week, in date order.
    pub fn exceptions(&self) -> impl Iterator<Item = (NaiveDate, DayKind)> + '_ {
        self.days.iter().map(|(d, k)| (*d, *k))
    }

    pub fn kind(&self, date: NaiveDate) -> DayKind {
        self.days.get(&date).copied().unwrap_or(match date.weekday() {
            Weekday::Sat | Weekday::Sun => DayKind::Weekend,
            _ => DayKind::Working,
        })
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.kind(date).is_working()
    }

    /// The first working day on or after `date` (`date` itself when the calendar has none).
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        self.land(date).date
    }

    /// The working day `n` working days after `date` (`date` itself for 0 when it works).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut day = self.next_working_day(date);
        for _ in 0..n {
            day = self.next_working_day(day.succ_opt().unwrap_or(day));
        }
        day
    }

    /// Where a contact chosen for `date` lands: that day, or the next working day and why.
    /// The reason is a holiday when any day skipped was one, else the weekend.
    pub fn land(&self, date: NaiveDate) -> Landing {
        let mut day = date;
        let mut holiday = false;
        for _ in 0..MAX_DAYS {
            match self.kind(day) {
                k if k.is_working() => {
                    let moved = (day != date).then_some(if holiday {
                        MoveReason::Holiday
                    } else {
                        MoveReason::Weekend
                    });
                    return Landing { date: day, moved };
                }
                k => holiday |= k == DayKind::Holiday,
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        Landing { date, moved: None }
    }
}

/// Reads one month of the official production calendar as published on the open-data portal
/// (data.gov.ru, «Производственный календарь»): the month's days off as `1,2,3+,7,8*,…`, where
/// a plain number is a day off, `+` marks a day off transferred from a weekend and `*` a
/// shortened pre-holiday working day. Returns each day off or shortened day of the month.
pub fn read_month(year: i32, month: u32, listed: &str) -> Result<Vec<(NaiveDate, bool)>, WorkTimeError> {
    let mut days = Vec::new();
    for token in listed.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let bad = || WorkTimeError::Day { year, month, token: token.to_owned() };
        let (number, short) = match token.strip_suffix('*') {
            Some(n) => (n, true),
            None => (token.strip_suffix('+').unwrap_or(token), false),
        };
        let day: u32 = number.parse().map_err(|_| bad())?;
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(bad)?;
        days.push((date, short));
    }
    Ok(days)
}

/// One year of the production calendar (its twelve month cells, January first) as the days
/// that differ from a plain week: holidays on weekdays, shortened days, and the weekend days
/// that are not listed as days off — the transferred working Saturdays.
pub fn read_year(year: i32, months: &[&str]) -> Result<Vec<(NaiveDate, DayKind)>, WorkTimeError> {
    if months.len() != 12 {
        return Err(WorkTimeError::Months(months.len()));
    }
    let mut listed = BTreeMap::new();
    for (i, cell) in months.iter().enumerate() {
        listed.extend(read_month(year, i as u32 + 1, cell)?);
    }
    let first = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(WorkTimeError::Year(year))?;
    let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    Ok(first
        .iter_days()
        .take_while(|d| d.year() == year)
        .filter_map(|d| match (listed.get(&d), weekend(d)) {
            (Some(true), _) => Some((d, DayKind::Short)),
            (Some(false), false) => Some((d, DayKind::Holiday)),
            (None, true) => Some((d, DayKind::Working)),
            _ => None,
        })
        .collect())
}

/// Working time of one division: its hours, its zone and the bank's calendar.
#[derive(Debug, Clone, Copy)]
pub struct WorkTime<'a> {
    pub hours: WorkingHours,
    pub tz: Tz,
    pub calendar: &'a Calendar,
}

impl WorkTime<'_> {
    /// The working interval of a local date, in UTC; `None` on a day off.
    pub fn interval(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let kind = self.calendar.kind(date);
        if !kind.is_working() {
            return None;
        }
        let start = self.instant(date, self.hours.start);
        let mut end = self.instant(date, self.hours.end);
        if kind == DayKind::Short && end - SHORTENED_BY > start {
            end -= SHORTENED_BY;
        }
        Some((start, end))
    }

    /// A local wall-clock time as an instant; a time skipped by a clock change reads as the
    /// first instant after the gap.
    fn instant(&self, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = date.and_time(time);
        let mut probe = naive;
        for _ in 0..4 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
            probe += Duration::minutes(30);
        }
        Utc.from_utc_datetime(&naive)
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }

    /// Whether `t` falls within working hours of a working day.
    pub fn is_working_time(&self, t: DateTime<Utc>) -> bool {
        self.interval(self.local_date(t)).is_some_and(|(s, e)| s <= t && t < e)
    }

    /// The instant when `d` of working time has passed since `from`. Time outside working
    /// hours does not count; the result may be the very end of a working day.
    pub fn add(&self, from: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        if d <= Duration::zero() {
            return if d == Duration::zero() { from } else { self.sub(from, -d) };
        }
        let mut left = d;
        let mut date = self.local_date(from);
        for _ in 0..MAX_DAYS {
            if let Some((start, end)) = self.interval(date) {
                let begin = start.max(from);
                if begin < end {
                    if left <= end - begin {
                        return begin + left;
                    }
                    left -= end - begin;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        from + d
    }

    /// The instant `d` of working time before `to` (the reverse of [`Self::add`]).
    pub fn sub(&self, to: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
        if d <= Duration::zero() {
            return if d == Duration::zero() { to } else { self.add(to, -d) };
        }
        let mut left = d;
        let mut date = self.local_date(to);
        for _ in 0..MAX_DAYS {
            if let Some((start, end)) = self.interval(date) {
                let finish = end.min(to);
                if start < finish {
                    if left <= finish - start {
                        return finish - left;
                    }
                    left -= finish - start;
                }
            }
            match date.pred_opt() {
                Some(prev) => date = prev,
                None => break,
            }
        }
        to - d
    }

    /// The working time between `a` and `b` (zero when `b` is not after `a`).
    pub fn between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> Duration {
        let mut total = Duration::zero();
        if b <= a {
            return total;
        }
        let last = self.local_date(b);
        let mut date = self.local_date(a);
        while date <= last {
            if let Some((start, end)) = self.interval(date) {
                let (s, e) = (start.max(a), end.min(b));
                if s < e {
                    total += e - s;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }
}

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("a valid time of day")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Asia::Vladivostok, Europe::Moscow};
    use proptest::prelude::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%d.%m.%Y").unwrap()
    }

    /// A local time in `tz` as an instant.
    fn at(tz: Tz, text: &str) -> DateTime<Utc> {
        let naive = chrono::NaiveDateTime::parse_from_str(text, "%d.%m.%Y %H:%M").unwrap();
        tz.from_local_datetime(&naive).unwrap().with_timezone(&Utc)
    }

    /// The 2026/2027 turn of the year as the official calendar lists it: 31.12.2026 a day off
    /// transferred from Sunday 04.01, 01–08.01.2027 the New Year holidays, and (for the tests)
    /// Saturday 16.01.2027 a transferred working day and Friday 22.01.2027 a shortened one.
    fn new_year() -> Calendar {
        let mut y2026 = (1..=12).map(|m| weekends(2026, m)).collect::<Vec<_>>();
        y2026[11].push_str(",31+");
        let mut y2027 = (1..=12).map(|m| weekends(2027, m)).collect::<Vec<_>>();
        y2027[0] = "1,2,3,4,5,6,7,8,9,10,17,22*,23,24,30,31".into();
        fn cells(y: &[String]) -> Vec<&str> {
            y.iter().map(String::as_str).collect()
        }
        let mut days = read_year(2026, &cells(&y2026)).unwrap();
        days.extend(read_year(2027, &cells(&y2027)).unwrap());
        Calendar::new(days)
    }

    /// A month's Saturdays and Sundays as the calendar file lists them.
    fn weekends(year: i32, month: u32) -> String {
        NaiveDate::from_ymd_opt(year, month, 1)
            .unwrap()
            .iter_days()
            .take_while(|d| d.month() == month)
            .filter(|d| matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
            .map(|d| d.day().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn moscow(calendar: &Calendar) -> WorkTime<'_> {
        WorkTime { hours: WorkingHours::default(), tz: Moscow, calendar }
    }

    #[test]
    fn working_hours_read_as_typed_and_refuse_nonsense() {
        assert_eq!(WorkingHours::parse("09:00-18:00"), Ok(WorkingHours::default()));
        assert_eq!(WorkingHours::parse(" 8:30 – 17:15 ").unwrap().to_string(), "08:30-17:15");
        for bad in ["", "9-18", "18:00-09:00", "09:00-09:00", "09:00", "25:00-26:00"] {
            assert_eq!(WorkingHours::parse(bad), Err(WorkTimeError::Hours), "{bad}");
        }
    }

    #[test]
    fn an_sla_started_friday_evening_fires_monday_noon() {
        let plain = Calendar::default();
        let wt = moscow(&plain);
        // Friday 04.12.2026 17:00 + 4 working hours: one on Friday, three on Monday.
        assert_eq!(
            wt.add(at(Moscow, "04.12.2026 17:00"), Duration::hours(4)),
            at(Moscow, "07.12.2026 12:00")
        );
        // Started at night, it counts from the morning.
        assert_eq!(
            wt.add(at(Moscow, "08.12.2026 03:00"), Duration::hours(4)),
            at(Moscow, "08.12.2026 13:00")
        );
        // Exactly a day's hours end at the day's close, not the next morning.
        assert_eq!(
            wt.add(at(Moscow, "08.12.2026 09:00"), Duration::hours(9)),
            at(Moscow, "08.12.2026 18:00")
        );
        // Vladivostok's division counts in its own hours.
        let vl = WorkTime { hours: WorkingHours::default(), tz: Vladivostok, calendar: &plain };
        assert_eq!(
            vl.add(at(Vladivostok, "04.12.2026 17:00"), Duration::hours(4)),
            at(Vladivostok, "07.12.2026 12:00")
        );
    }

    #[test]
    fn holidays_transfers_and_short_days_count() {
        let cal = new_year();
        let wt = moscow(&cal);
        // Wednesday 30.12.2026 17:00 + 4 h: Thursday 31.12 and 01–10.01 are off; Monday 11.01.
        assert_eq!(
            wt.add(at(Moscow, "30.12.2026 17:00"), Duration::hours(4)),
            at(Moscow, "11.01.2027 12:00")
        );
        // Friday 15.01 17:00 + 4 h: Saturday 16.01 is a transferred working day.
        assert_eq!(
            wt.add(at(Moscow, "15.01.2027 17:00"), Duration::hours(4)),
            at(Moscow, "16.01.2027 12:00")
        );
        // Friday 22.01 is shortened: it closes at 17:00.
        assert_eq!(
            wt.add(at(Moscow, "22.01.2027 15:00"), Duration::hours(3)),
            at(Moscow, "25.01.2027 10:00")
        );
        assert_eq!(
            wt.between(at(Moscow, "22.01.2027 00:00"), at(Moscow, "23.01.2027 00:00")),
            Duration::hours(8)
        );
        assert!(!cal.is_working_day(date("31.12.2026")));
        assert!(cal.is_working_day(date("16.01.2027")));
        assert_eq!(cal.kind(date("17.01.2027")), DayKind::Weekend);
        // Five working days after 30.12 is Friday 15.01; the sixth is the working Saturday.
        assert_eq!(cal.add_working_days(date("30.12.2026"), 5), date("15.01.2027"));
        assert_eq!(cal.add_working_days(date("30.12.2026"), 6), date("16.01.2027"));
    }

    #[test]
    fn a_chosen_day_off_lands_on_the_next_working_day_and_says_why() {
        let cal = new_year();
        assert_eq!(cal.land(date("30.12.2026")), Landing { date: date("30.12.2026"), moved: None });
        assert_eq!(
            cal.land(date("31.12.2026")),
            Landing { date: date("11.01.2027"), moved: Some(MoveReason::Holiday) }
        );
        assert_eq!(
            Calendar::default().land(date("05.12.2026")),
            Landing { date: date("07.12.2026"), moved: Some(MoveReason::Weekend) }
        );
    }

    #[test]
    fn a_broken_calendar_cell_is_refused_with_the_day_named() {
        assert_eq!(
            read_month(2027, 2, "1,2,30"),
            Err(WorkTimeError::Day { year: 2027, month: 2, token: "30".into() })
        );
        assert!(matches!(read_month(2027, 1, "1,x"), Err(WorkTimeError::Day { .. })));
        assert_eq!(read_year(2027, &["1"; 11]), Err(WorkTimeError::Months(11)));
        assert_eq!(read_month(2027, 1, " 1, 2+ ,3* ").unwrap().len(), 3);
    }

    #[test]
    fn a_calendar_with_no_working_day_gives_calendar_time() {
        let none = Calendar::new(
            NaiveDate::from_ymd_opt(2026, 1, 1)
                .unwrap()
                .iter_days()
                .take(4000)
                .map(|d| (d, DayKind::Holiday)),
        );
        let wt = moscow(&none);
        let t = at(Moscow, "07.12.2026 10:00");
        assert_eq!(wt.add(t, Duration::hours(4)), t + Duration::hours(4));
        assert_eq!(wt.between(t, t + Duration::days(3)), Duration::zero());
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop_oneof![Just(Moscow), Just(Vladivostok)]
    }

    /// An instant within two months around the New Year holidays, to the minute.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (0i64..(60 * 24 * 62)).prop_map(|m| at(Moscow, "01.12.2026 00:00") + Duration::minutes(m))
    }

    proptest! {
        #[test]
        fn adding_then_measuring_gives_back_the_same_working_time(
            tz in zone(), a in instant(), minutes in 0i64..(60 * 200),
        ) {
            let cal = new_year();
            let wt = WorkTime { hours: WorkingHours::default(), tz, calendar: &cal };
            let d = Duration::minutes(minutes);
            let b = wt.add(a, d);
            prop_assert!(b >= a);
            prop_assert_eq!(wt.between(a, b), d);
        }

        #[test]
        fn subtracting_undoes_adding_from_working_time(
            tz in zone(), a in instant(), minutes in 1i64..(60 * 200),
        ) {
            let cal = new_year();
            let wt = WorkTime { hours: WorkingHours::default(), tz, calendar: &cal };
            prop_assume!(wt.is_working_time(a));
            let d = Duration::minutes(minutes);
            prop_assert_eq!(wt.sub(wt.add(a, d), d), a);
        }

        #[test]
        fn working_time_adds_up_over_consecutive_spans(
            tz in zone(), a in instant(), b in instant(), c in instant(),
        ) {
            let cal = new_year();
            let wt = WorkTime { hours: WorkingHours::default(), tz, calendar: &cal };
            let mut t = [a, b, c];
            t.sort();
            prop_assert_eq!(wt.between(t[0], t[2]), wt.between(t[0], t[1]) + wt.between(t[1], t[2]));
        }

        #[test]
        fn a_landed_day_is_a_working_day_never_before_the_chosen_one(offset in 0i64..120) {
            let cal = new_year();
            let chosen = date("01.12.2026") + Duration::days(offset);
            let landing = cal.land(chosen);
            prop_assert!(cal.is_working_day(landing.date));
            prop_assert!(landing.date >= chosen);
            prop_assert_eq!(landing.moved.is_none(), landing.date == chosen);
        }
    }
}
