//! The official production calendar as the operator downloads it from the open-data portal
//! (data.gov.ru, «Производственный календарь»): one row per year, the year in the first column,
//! then a column per month listing that month's days off (`1,2,3+,7,8*,…`), then totals this
//! reader ignores. Read into the days that differ from a plain week (`domain::worktime`).

use chrono::NaiveDate;

use crate::domain::worktime::{self, DayKind, WorkTimeError};

/// One year of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    pub year: i32,
    pub days: Vec<(NaiveDate, DayKind)>,
}

/// Why a calendar file was refused; nothing is loaded from a refused file.
#[derive(Debug, thiserror::Error)]
pub enum CalendarFileError {
    #[error(
        "no header «Год/Месяц, Январь … Декабрь» (or «Year/Month, January … December») found: \
         this is not the production calendar file"
    )]
    NoHeader,
    #[error("line {line}: {reason}")]
    Line { line: u64, reason: String },
    #[error("the file lists no year")]
    Empty,
}

const MONTHS_RU: [&str; 12] = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
];
const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Reads every year of the file (`,` or `;` separated, UTF-8 with or without a byte-order mark,
/// or Windows-1251 as Excel saves a CSV on a Russian Windows).
pub fn read(bytes: &[u8]) -> Result<Vec<CalendarYear>, CalendarFileError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1251.decode_without_bom_handling(bytes).0,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        _ => return Err(CalendarFileError::NoHeader),
    };
    let column = |names: &[&str; 12], month: usize| {
        header.iter().position(|h| h.trim().to_lowercase() == names[month])
    };
    let months: Vec<usize> = (0..12)
        .map(|m| column(&MONTHS_RU, m).or_else(|| column(&MONTHS_EN, m)))
        .collect::<Option<_>>()
        .ok_or(CalendarFileError::NoHeader)?;
    let mut years = Vec::new();
    for record in records {
        let record = record.map_err(|e| CalendarFileError::Line {
            line: e.position().map_or(0, |p| p.line()),
            reason: "not a CSV line".into(),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let Some(year) = record.get(0).map(str::trim).filter(|y| !y.is_empty()) else { continue };
        let bad = |reason: String| CalendarFileError::Line { line, reason };
        let year: i32 = year.parse().map_err(|_| bad(format!("«{year}» is not a year")))?;
        let cells: Vec<&str> = months.iter().map(|&i| record.get(i).unwrap_or_default()).collect();
        let days = worktime::read_year(year, &cells).map_err(|e: WorkTimeError| bad(e.to_string()))?;
        years.push(CalendarYear { year, days });
    }
    if years.is_empty() {
        return Err(CalendarFileError::Empty);
    }
    Ok(years)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "\u{feff}Год/Месяц,Январь,Февраль,Март,Апрель,Май,Июнь,Июль,Август,Сентябрь,Октябрь,Ноябрь,Декабрь,Всего рабочих дней\n\
        2027,\"1,2,3,4,5,6,7,8,9,10,16,17,23,24,30,31\",\"6,7,13,14,20,21,22*,23,27,28\",\"6,7,8,13,14,20,21,27,28\",\"3,4,10,11,17,18,24,25\",\"1,2,3,8,9,10,15,16,22,23,29,30\",\"5,6,11*,12,13,19,20,26,27\",\"3,4,10,11,17,18,24,25,31\",\"1,7,8,14,15,21,22,28,29\",\"4,5,11,12,18,19,25,26\",\"2,3,9,10,16,17,23,24,30,31\",\"3*,4,5,6,7,13,14,20,21,27,28\",\"4,5,11,12,18,19,25,26,31\",247\n";

    #[test]
    fn the_official_file_reads_into_holidays_short_days_and_working_weekends() {
        let years = read(FILE.as_bytes()).unwrap();
        assert_eq!(years.len(), 1);
        let kind = |d: &str| {
            let date = NaiveDate::parse_from_str(d, "%d.%m.%Y").unwrap();
            years[0].days.iter().find(|(x, _)| *x == date).map(|(_, k)| *k)
        };
        assert_eq!(kind("01.01.2027"), Some(DayKind::Holiday));
        assert_eq!(kind("08.01.2027"), Some(DayKind::Holiday));
        // Saturday 09.01 is listed: a plain weekend, not an exception.
        assert_eq!(kind("09.01.2027"), None);
        assert_eq!(kind("22.02.2027"), Some(DayKind::Short));
        assert_eq!(kind("03.05.2027"), Some(DayKind::Holiday));
        assert_eq!(kind("31.12.2027"), Some(DayKind::Holiday));
        // Wednesday 13.01 is not listed: a plain working day.
        assert_eq!(kind("13.01.2027"), None);
    }

    #[test]
    fn semicolons_and_english_headers_read_too() {
        let (_, rows) = FILE.split_once('\n').unwrap();
        let header = "Year/Month;January;February;March;April;May;June;July;August;September;October;\
                      November;December;Working days";
        let rows = rows.replace(",\"", ";\"").replace("\",", "\";").replace("2027,", "2027;");
        let file = format!("{header}\n{rows}");
        let years = read(file.as_bytes()).unwrap();
        assert_eq!(years[0].year, 2027);
        assert!(years[0].days.iter().any(|(_, k)| *k == DayKind::Short));
    }

    #[test]
    fn a_file_saved_again_from_excel_in_windows_1251_reads_the_same() {
        let (cp1251, _, lossy) = encoding_rs::WINDOWS_1251.encode(FILE.trim_start_matches('\u{feff}'));
        assert!(!lossy);
        assert_eq!(read(&cp1251).unwrap(), read(FILE.as_bytes()).unwrap());
    }

    #[test]
    fn a_wrong_file_is_refused_with_a_reason() {
        assert!(matches!(read(b"\xff\xfe junk"), Err(CalendarFileError::NoHeader)));
        assert!(matches!(read(b"name,phone\nx,y\n"), Err(CalendarFileError::NoHeader)));
        assert!(matches!(read(b""), Err(CalendarFileError::NoHeader)));
        let header = FILE.lines().next().unwrap();
        assert!(matches!(read(header.as_bytes()), Err(CalendarFileError::Empty)));
        let bad_day = format!("{header}\n2027,\"1,2,32\",,,,,,,,,,,\n");
        match read(bad_day.as_bytes()) {
            Err(CalendarFileError::Line { line: 2, reason }) => assert!(reason.contains("32"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
