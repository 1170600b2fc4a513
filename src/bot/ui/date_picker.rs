//! The next-contact picker, shared by the diary and scheduling: quick choices, a month
//! calendar, working hours, and the question about a moment more than a year ahead. It builds
//! the keyboards; the flow in progress decides what a press means.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

use super::grid;
use crate::bot::Ctx;
use crate::bot::buttons::{Arg, Press, Reader, Writer, buttons, digits};
use crate::bot::gate::Caller;
use crate::domain::access::Lang;
use crate::domain::diary::QuickWhen;
use crate::domain::prospect::codes;

buttons! {
    /// A press on the picker.
    pub enum Pick {
        Quick(choice: Quick) = "q",
        /// Show this month's calendar.
        Month(month: Month) = "c",
        Day(day: NaiveDate) = "d",
        Time(at: NaiveTime) = "t",
        /// A next contact more than a year ahead: keep it, or choose again.
        FarConfirm = "fy",
        FarReenter = "fn",
        /// A calendar cell that does nothing (a heading, a past day).
        Noop = "-",
    }
}

codes! {
    /// The quick choices of the picker.
    Quick {
        Tomorrow = "t",
        InThreeDays = "3",
        NextMonday = "m",
        None = "n",
    }
}

impl Quick {
    /// The moment it stands for; `None` for "no next contact".
    pub fn when(self) -> Option<QuickWhen> {
        match self {
            Quick::Tomorrow => Some(QuickWhen::Tomorrow),
            Quick::InThreeDays => Some(QuickWhen::InThreeDays),
            Quick::NextMonday => Some(QuickWhen::NextMonday),
            Quick::None => None,
        }
    }
}

impl Arg for Quick {
    fn write(&self, out: &mut Writer) {
        out.word(self.as_str());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        input.word()?.parse().ok()
    }
}

/// A month of the calendar: its first day, written `YYYYMM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month(NaiveDate);

impl Month {
    pub fn of(day: NaiveDate) -> Month {
        Month(day.with_day(1).unwrap_or(day))
    }

    pub fn first(self) -> NaiveDate {
        self.0
    }

    pub fn previous(self) -> Month {
        Month::of(self.0 - chrono::Months::new(1))
    }

    pub fn next(self) -> Month {
        Month::of(self.0 + chrono::Months::new(1))
    }
}

impl Arg for Month {
    fn write(&self, out: &mut Writer) {
        out.word(self.0.format("%Y%m").to_string());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let word = input.word()?;
        if word.len() != 6 || digits(word).is_none() {
            return None;
        }
        NaiveDate::from_ymd_opt(word[..4].parse().ok()?, word[4..].parse().ok()?, 1).map(Month)
    }
}

const WEEKDAYS_RU: [&str; 7] = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"];
const WEEKDAYS_EN: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const MONTHS_RU: [&str; 12] = [
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn today(ctx: &Ctx, caller: &Caller) -> NaiveDate {
    ctx.clock.now().with_timezone(&caller.tz()).date_naive()
}

/// The next-contact question: quick choices, the calendar, (in the diary) "none", and the
/// flow's `cancel`.
pub fn when_keyboard(
    ctx: &Ctx,
    caller: &Caller,
    with_none: bool,
    cancel: InlineKeyboardButton,
) -> InlineKeyboardMarkup {
    let lang = caller.user.lang;
    let mut buttons = vec![
        Pick::Quick(Quick::Tomorrow).button(ctx.i18n.t(lang, "log-quick-tomorrow")),
        Pick::Quick(Quick::InThreeDays).button(ctx.i18n.t(lang, "log-quick-3days")),
        Pick::Quick(Quick::NextMonday).button(ctx.i18n.t(lang, "log-quick-monday")),
        Pick::Month(Month::of(today(ctx, caller))).button(ctx.i18n.t(lang, "log-calendar")),
    ];
    if with_none {
        buttons.push(Pick::Quick(Quick::None).button(ctx.i18n.t(lang, "log-quick-none")));
    }
    let mut markup = grid(buttons, 2);
    markup.inline_keyboard.push(vec![cancel]);
    markup
}

/// A month grid: past days are inert, today and later are `Day` buttons.
pub fn calendar(
    ctx: &Ctx,
    caller: &Caller,
    month: Month,
    cancel: InlineKeyboardButton,
) -> InlineKeyboardMarkup {
    let (weekdays, months) = match caller.user.lang {
        Lang::Ru => (WEEKDAYS_RU, MONTHS_RU),
        Lang::En => (WEEKDAYS_EN, MONTHS_EN),
    };
    let today = today(ctx, caller);
    let first = month.first();
    let title = format!("{} {}", months[first.month0() as usize], first.year());
    let mut rows = vec![vec![
        Pick::Month(month.previous()).button("‹"),
        Pick::Noop.button(title),
        Pick::Month(month.next()).button("›"),
    ]];
    rows.push(weekdays.iter().map(|d| Pick::Noop.button(*d)).collect());
    let offset = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<InlineKeyboardButton> = (0..offset).map(|_| Pick::Noop.button(" ")).collect();
    let mut day = first;
    while day.month() == first.month() {
        cells.push(if day < today {
            Pick::Noop.button("·")
        } else {
            Pick::Day(day).button(day.day().to_string())
        });
        day += Duration::days(1);
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(Pick::Noop.button(" "));
    }
    rows.extend(cells.chunks(7).map(<[_]>::to_vec));
    rows.push(vec![cancel]);
    InlineKeyboardMarkup::new(rows)
}

/// Working hours for a chosen day.
pub fn times(cancel: InlineKeyboardButton) -> InlineKeyboardMarkup {
    let buttons = (9..=18)
        .filter_map(|h| NaiveTime::from_hms_opt(h, 0, 0))
        .map(|t| Pick::Time(t).button(t.format("%H:%M").to_string()))
        .collect();
    let mut markup = grid(buttons, 5);
    markup.inline_keyboard.push(vec![cancel]);
    markup
}

/// `day` at `time` in the zone `tz`; `None` for a moment the zone skips.
pub fn at(tz: chrono_tz::Tz, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    tz.from_local_datetime(&day.and_time(time)).earliest().map(|t| t.with_timezone(&Utc))
}
