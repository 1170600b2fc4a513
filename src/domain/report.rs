//! Reports and data-quality control (SPEC §7): the period a report covers, who may see which
//! divisions, and the figures as rows. The store computes the counts with SQL; this module
//! defines what they mean and how they add up, so every channel shows the same numbers.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::access::{Role, User};
use super::diary::Kind;
use super::ids::RegionCode;
use super::prospect::completeness_of;

/// The longest period a typed range may cover: a year and a day.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// A card nobody contacted for this many days is stale.
pub const STALE_DAYS: i64 = 30;

/// Why a typed period was not understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("a period is week, month, YYYY-MM, or DD.MM.YYYY DD.MM.YYYY")]
    Unreadable,
    #[error("the period ends before it starts")]
    Reversed,
    #[error("a period covers at most {MAX_PERIOD_DAYS} days")]
    TooLong,
}

/// Local calendar days `first..=last`, read in `tz`; `from..to` are the UTC instants they span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    tz.from_local_datetime(&date.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        // No zone skips midnight today; if one did, the day starts at 00:00 UTC.
        .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)))
}

impl Period {
    /// Local days `first..=last` in `tz`.
    pub fn days(first: NaiveDate, last: NaiveDate, tz: Tz) -> Self {
        let next = last + Duration::days(1);
        Self { first, last, from: midnight(tz, first), to: midnight(tz, next) }
    }

    /// Monday to Sunday of the week that holds `date`.
    pub fn week_of(date: NaiveDate, tz: Tz) -> Self {
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        Self::days(monday, monday + Duration::days(6), tz)
    }

    /// The whole calendar month that holds `date`.
    pub fn month_of(date: NaiveDate, tz: Tz) -> Self {
        let first = date.with_day(1).unwrap_or(date);
        let next = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        };
        let last = next.map(|n| n - Duration::days(1)).unwrap_or(first);
        Self::days(first, last, tz)
    }

    /// The week before the one that holds `now` (what the Monday report covers).
    pub fn previous_week(now: DateTime<Utc>, tz: Tz) -> Self {
        Self::week_of(now.with_timezone(&tz).date_naive() - Duration::days(7), tz)
    }

    /// `2026-W48`: the ISO week of the first day, for keys and file names.
    pub fn iso_week(&self) -> String {
        let week = self.first.iso_week();
        format!("{}-W{:02}", week.year(), week.week())
    }

    /// `23.11.2026–29.11.2026`.
    pub fn label(&self) -> String {
        format!("{}–{}", self.first.format("%d.%m.%Y"), self.last.format("%d.%m.%Y"))
    }

    /// `2026-11-23_2026-11-29`, for file names.
    pub fn slug(&self) -> String {
        format!("{}_{}", self.first.format("%Y-%m-%d"), self.last.format("%Y-%m-%d"))
    }

    /// Reads what follows `/report`: nothing or `week` (this week), `month` (this month),
    /// `YYYY-MM`, or two dates `DD.MM.YYYY DD.MM.YYYY`. Days are read in `tz`.
    pub fn parse(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Self, PeriodError> {
        let today = now.with_timezone(&tz).date_naive();
        let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        match words.as_slice() {
            [] | ["week" | "неделя"] => Ok(Self::week_of(today, tz)),
            ["month" | "месяц"] => Ok(Self::month_of(today, tz)),
            [month] => {
                let date = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
                    .map_err(|_| PeriodError::Unreadable)?;
                if month.len() != 7 {
                    return Err(PeriodError::Unreadable);
                }
                Ok(Self::month_of(date, tz))
            }
            [first, last] => {
                let date =
                    |s: &str| NaiveDate::parse_from_str(s, "%d.%m.%Y").map_err(|_| PeriodError::Unreadable);
                let (first, last) = (date(first)?, date(last)?);
                if last < first {
                    return Err(PeriodError::Reversed);
                }
                if (last - first).num_days() + 1 > MAX_PERIOD_DAYS {
                    return Err(PeriodError::TooLong);
                }
                Ok(Self::days(first, last, tz))
            }
            _ => Err(PeriodError::Unreadable),
        }
    }
}

/// Which divisions a report covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReportScope {
    /// One division, per specialist.
    Region(RegionCode),
    /// Every division, and within each every specialist (head office).
    All,
}

impl ReportScope {
    /// Whose data a report of this scope carries.
    pub fn audience(&self) -> crate::domain::access::Audience {
        match self {
            Self::Region(code) => crate::domain::access::Audience::Region(code.clone()),
            Self::All => crate::domain::access::Audience::AllRegions,
        }
    }

    /// What `user` may see in reports: a manager their division, head office all; others none.
    pub fn of(user: &User) -> Option<ReportScope> {
        match (user.role, &user.region) {
            (Role::Manager, Some(region)) => Some(ReportScope::Region(region.clone())),
            (Role::HeadOffice, _) => Some(ReportScope::All),
            _ => None,
        }
    }

    /// Whether `user` may see a report on `self` (a forged request for another division is not).
    pub fn allowed_for(&self, user: &User) -> bool {
        match (ReportScope::of(user), self) {
            (Some(ReportScope::All), _) => true,
            (Some(ReportScope::Region(own)), ReportScope::Region(asked)) => own == *asked,
            _ => false,
        }
    }

    /// The region filter as a query parameter: `None` means every region.
    pub fn region_filter(&self) -> Option<&str> {
        match self {
            ReportScope::Region(code) => Some(code.as_str()),
            ReportScope::All => None,
        }
    }

    /// `MSK` or `ALL`, for keys.
    pub fn key(&self) -> &str {
        self.region_filter().unwrap_or("ALL")
    }
}

/// One specialist's work in one division over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityRow {
    pub region: String,
    pub region_name: String,
    pub person_id: i64,
    pub person_name: String,
    pub new_prospects: i64,
    /// Contacts by kind, in `Kind::ALL` order.
    pub contacts: [i64; 5],
    pub positive: i64,
    pub handoffs_sent: i64,
    pub handoffs_taken: i64,
    pub handoffs_won: i64,
    /// Follow-ups past due at the moment of the report.
    pub overdue: i64,
}

impl ActivityRow {
    pub fn contacts_total(&self) -> i64 {
        self.contacts.iter().sum()
    }

    pub fn contacts_of(&self, kind: Kind) -> i64 {
        Kind::ALL.iter().position(|k| *k == kind).map(|i| self.contacts[i]).unwrap_or(0)
    }

    fn add(&mut self, other: &ActivityRow) {
        self.new_prospects += other.new_prospects;
        for (sum, n) in self.contacts.iter_mut().zip(other.contacts) {
            *sum += n;
        }
        self.positive += other.positive;
        self.handoffs_sent += other.handoffs_sent;
        self.handoffs_taken += other.handoffs_taken;
        self.handoffs_won += other.handoffs_won;
        self.overdue += other.overdue;
    }

    /// Whether anything happened (rows of idle people are kept, but charts skip them).
    pub fn is_empty(&self) -> bool {
        let zero = ActivityRow {
            region: self.region.clone(),
            region_name: self.region_name.clone(),
            person_id: self.person_id,
            person_name: self.person_name.clone(),
            ..ActivityRow::default()
        };
        *self == zero
    }
}

/// The activity report: one row per division and person, ordered by division then name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityReport {
    pub scope: ReportScope,
    pub period: Period,
    pub at: DateTime<Utc>,
    pub rows: Vec<ActivityRow>,
}

impl ActivityReport {
    /// Sums of every row.
    pub fn totals(&self) -> ActivityRow {
        let mut total = ActivityRow::default();
        self.rows.iter().for_each(|r| total.add(r));
        total
    }

    /// One row per division (the person fields are empty), ordered by code.
    pub fn by_region(&self) -> Vec<ActivityRow> {
        let mut regions: BTreeMap<&str, ActivityRow> = BTreeMap::new();
        for row in &self.rows {
            let sum = regions.entry(&row.region).or_insert_with(|| ActivityRow {
                region: row.region.clone(),
                region_name: row.region_name.clone(),
                ..ActivityRow::default()
            });
            sum.add(row);
        }
        regions.into_values().collect()
    }
}

/// How many cards of one group (a division and owner) have `filled` of the key fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityBucket {
    pub region: String,
    pub region_name: String,
    pub owner_id: i64,
    pub owner_name: String,
    /// Key fields filled in, 0 to `KEY_FIELDS`.
    pub filled: i64,
    pub cards: i64,
    pub with_inn: i64,
    pub with_contact: i64,
    pub with_phone: i64,
    pub with_email: i64,
    pub with_industry: i64,
    pub with_next: i64,
    pub stale: i64,
    pub overdue: i64,
}

/// Data quality of one group: a division (head office) or an owner (manager).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QualityRow {
    pub key: String,
    pub label: String,
    pub cards: i64,
    /// Sum of the cards' completeness, in percent points; the average is this over `cards`.
    completeness_sum: i64,
    pub with_inn: i64,
    pub with_contact: i64,
    pub with_phone: i64,
    pub with_email: i64,
    pub with_industry: i64,
    pub with_next: i64,
    pub stale: i64,
    pub overdue: i64,
}

impl QualityRow {
    /// The average of the cards' completeness (the same number each card shows), in percent.
    pub fn completeness(&self) -> f64 {
        if self.cards == 0 { 0.0 } else { self.completeness_sum as f64 / self.cards as f64 }
    }

    /// `part` as a share of the cards, in percent.
    pub fn share(&self, part: i64) -> f64 {
        if self.cards == 0 { 0.0 } else { part as f64 * 100.0 / self.cards as f64 }
    }

    fn add(&mut self, b: &QualityBucket) {
        self.cards += b.cards;
        self.completeness_sum += b.cards * i64::from(completeness_of(b.filled.clamp(0, 6) as usize));
        self.with_inn += b.with_inn;
        self.with_contact += b.with_contact;
        self.with_phone += b.with_phone;
        self.with_email += b.with_email;
        self.with_industry += b.with_industry;
        self.with_next += b.with_next;
        self.stale += b.stale;
        self.overdue += b.overdue;
    }
}

/// The data-quality report: rows ranked by average completeness, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityReport {
    pub scope: ReportScope,
    pub at: DateTime<Utc>,
    pub rows: Vec<QualityRow>,
    pub total: QualityRow,
}

impl QualityReport {
    /// Groups the store's buckets per division (head office) or per owner (manager).
    pub fn from_buckets(scope: ReportScope, at: DateTime<Utc>, buckets: &[QualityBucket]) -> Self {
        let mut groups: BTreeMap<String, QualityRow> = BTreeMap::new();
        let mut total = QualityRow::default();
        for b in buckets {
            let (key, label) = match scope {
                ReportScope::All => (b.region.clone(), b.region_name.clone()),
                ReportScope::Region(_) => (b.owner_id.to_string(), b.owner_name.clone()),
            };
            groups
                .entry(key.clone())
                .or_insert_with(|| QualityRow { key, label, ..QualityRow::default() })
                .add(b);
            total.add(b);
        }
        let mut rows: Vec<QualityRow> = groups.into_values().collect();
        rows.sort_by(|a, b| {
            b.completeness().total_cmp(&a.completeness()).then_with(|| a.label.cmp(&b.label))
        });
        Self { scope, at, rows, total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    const MSK: Tz = chrono_tz::Europe::Moscow;

    #[test]
    fn the_default_period_is_this_week_monday_to_sunday_in_the_division_zone() {
        // Friday 27.11.2026 10:00 in Moscow.
        let p = Period::parse("", at("2026-11-27T07:00:00Z"), MSK).unwrap();
        assert_eq!(p.label(), "23.11.2026–29.11.2026");
        assert_eq!(p.from, at("2026-11-22T21:00:00Z"));
        assert_eq!(p.to, at("2026-11-29T21:00:00Z"));
        assert_eq!(Period::parse("неделя", at("2026-11-27T07:00:00Z"), MSK).unwrap(), p);
        assert_eq!(p.iso_week(), "2026-W48");
    }

    #[test]
    fn months_and_ranges_are_read_and_nonsense_is_refused() {
        let now = at("2026-11-27T07:00:00Z");
        assert_eq!(Period::parse("month", now, MSK).unwrap().label(), "01.11.2026–30.11.2026");
        assert_eq!(Period::parse("2026-12", now, MSK).unwrap().label(), "01.12.2026–31.12.2026");
        assert_eq!(Period::parse("2026-02", now, MSK).unwrap().label(), "01.02.2026–28.02.2026");
        let range = Period::parse("01.10.2026 15.10.2026", now, MSK).unwrap();
        assert_eq!(range.label(), "01.10.2026–15.10.2026");
        assert_eq!(Period::parse("2026-13", now, MSK), Err(PeriodError::Unreadable));
        assert_eq!(Period::parse("вчера", now, MSK), Err(PeriodError::Unreadable));
        assert_eq!(Period::parse("2026-1", now, MSK), Err(PeriodError::Unreadable));
        assert_eq!(Period::parse("15.10.2026 01.10.2026", now, MSK), Err(PeriodError::Reversed));
        assert_eq!(Period::parse("01.01.2024 01.01.2026", now, MSK), Err(PeriodError::TooLong));
        assert_eq!(Period::parse("a b c", now, MSK), Err(PeriodError::Unreadable));
    }

    #[test]
    fn the_monday_report_covers_the_week_before() {
        let p = Period::previous_week(at("2026-11-30T06:00:00Z"), MSK);
        assert_eq!(p.label(), "23.11.2026–29.11.2026");
    }

    #[test]
    fn average_completeness_is_the_mean_of_what_cards_show() {
        let bucket = |filled, cards| QualityBucket {
            region: "MSK".into(),
            region_name: "Москва".into(),
            owner_id: 1,
            owner_name: "Анна".into(),
            filled,
            cards,
            with_inn: cards,
            with_contact: 0,
            with_phone: 0,
            with_email: 0,
            with_industry: 0,
            with_next: 0,
            stale: 0,
            overdue: 0,
        };
        let scope = ReportScope::All;
        let report =
            QualityReport::from_buckets(scope, at("2026-11-27T07:00:00Z"), &[bucket(1, 1), bucket(6, 1)]);
        // A card with only its INN shows 16 %, a full one 100 %.
        assert_eq!(report.rows[0].completeness(), 58.0);
        assert_eq!(report.total.cards, 2);
    }
}
