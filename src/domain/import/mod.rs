//! Bringing a bank's existing base in (and out): the rules of an imported row. A file's columns
//! are the card's fields as [`FIELDS`] defines them (their `headers`), plus five columns a card
//! does not hold as fields: the owner, the division, the status, the next contact and what was
//! agreed for it. Each cell is checked by its field's own validator (`FieldSpec::parse`, the one
//! `/new` uses), so an import accepts exactly what the form accepts. Reading and writing files is
//! I/O and lives in `crate::transfer`; this module sees rows of cells.

mod plan;
pub mod users;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

pub use plan::{
    Checked, Defaults, Importer, Incoming, NextContact, OnDuplicate, Outcome, Planner, Warning, commit,
    may_import,
};

use super::fields::{FIELDS, Field};
use super::prospect::{Product, Status};
use super::requisites::RequisiteError;

/// A cell as a file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date (or a date-time), as written: no time zone.
    Date(NaiveDateTime),
}

impl Cell {
    /// The cell as text, trimmed; `None` when it is empty. A whole number reads without a
    /// fraction (an INN typed into a number cell), a date as `ДД.ММ.ГГГГ ЧЧ:ММ`.
    pub fn text(&self) -> Option<String> {
        let text = match self {
            Cell::Empty => return None,
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e17 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(at) => at.format("%d.%m.%Y %H:%M").to_string(),
        };
        (!text.is_empty()).then_some(text)
    }
}

/// One row of a file: its number as a spreadsheet shows it (from 1) and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRow {
    pub line: u64,
    pub cells: Vec<Cell>,
}

impl SourceRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text().is_none())
    }
}

/// A column an imported file may have.
#[derive(Debug, Clone, Copy)]
pub enum Column {
    /// A field of the card.
    Field(Field),
    /// Who owns the card: a Telegram id or a full name from the whitelist.
    Owner,
    /// The division: its code or its name.
    Division,
    /// The status: its name in Russian or English, or its code.
    Status,
    /// The next contact: an Excel date or `ДД.ММ.ГГГГ [ЧЧ:ММ]`, the division's local time.
    NextContact,
    /// What was agreed for the next contact.
    Comment,
}

/// The columns beyond the card's fields, with their headers (the first is the export's).
const EXTRA: [(Column, &[&str]); 5] = [
    (Column::Owner, &["Ответственный", "Owner", "Менеджер", "Responsible"]),
    (Column::Division, &["Подразделение", "Division", "Region", "Регион", "Филиал"]),
    (Column::Status, &["Статус", "Status"]),
    (Column::NextContact, &["Следующий контакт", "Next contact", "Дата контакта"]),
    (Column::Comment, &["Комментарий", "Comment", "Примечание", "Договорились"]),
];

impl Column {
    /// Every column, in the order an export writes them: the card's fields, then the rest.
    pub fn all() -> Vec<Column> {
        FIELDS.iter().map(|f| Column::Field(Field::from(f))).chain(EXTRA.iter().map(|(c, _)| *c)).collect()
    }

    fn headers(self) -> &'static [&'static str] {
        match self {
            Column::Field(spec) => spec.headers,
            other => EXTRA.iter().find(|(c, _)| c.same(other)).map(|(_, h)| *h).unwrap_or(&[]),
        }
    }

    /// The header an export writes.
    pub fn header(self) -> &'static str {
        self.headers().first().copied().unwrap_or_default()
    }

    fn same(self, other: Column) -> bool {
        match (self, other) {
            (Column::Field(a), Column::Field(b)) => a.code == b.code,
            (a, b) => std::mem::discriminant(&a) == std::mem::discriminant(&b),
        }
    }

    /// The column a header names, if any.
    pub fn named(header: &str) -> Option<Column> {
        let wanted = header_key(header);
        Column::all().into_iter().find(|c| c.headers().iter().any(|h| header_key(h) == wanted))
    }
}

/// A header compared loosely: case, «ё», spaces, dashes, dots and stars (a required mark) aside.
pub fn header_key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .collect()
}

/// A file's header row, read.
#[derive(Debug, Clone)]
pub struct Header {
    /// What each of the file's columns is; `None` for a column that is ignored.
    pub columns: Vec<Option<Column>>,
    /// The headers of the columns that are ignored: unknown, or a second column of one kind.
    pub unknown: Vec<String>,
    /// The row's number in the file.
    pub line: u64,
}

/// What is wrong with a whole file: nothing of it is saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("not a spreadsheet")]
    NotSpreadsheet,
    #[error("an old .xls workbook")]
    OldExcel,
    #[error("the file is empty")]
    Empty,
    #[error("no recognisable header row")]
    NoHeader,
    #[error("required columns missing: {0:?}")]
    MissingColumns(Vec<&'static str>),
    #[error("the workbook is password-protected")]
    Password,
    #[error("a formula in cell {0}")]
    Formula(String),
    #[error("merged cells at {0}")]
    Merged(String),
    #[error("the file is larger than {0} MB")]
    TooLarge(u64),
    #[error("the file cannot be read: {0}")]
    Unreadable(String),
}

/// How many of the first rows may come before the header (a title, a date line).
pub const HEADER_SEARCH_ROWS: u64 = 10;

impl Header {
    /// Reads `row` as the header when at least two of its cells name columns. A second column
    /// of one kind is ignored and named, as an unknown one is.
    pub fn read(row: &SourceRow) -> Option<Header> {
        let mut columns: Vec<Option<Column>> = Vec::with_capacity(row.cells.len());
        let mut unknown = vec![];
        for cell in &row.cells {
            let Some(title) = cell.text() else {
                columns.push(None);
                continue;
            };
            match Column::named(&title) {
                Some(c) if !columns.iter().flatten().any(|k| k.same(c)) => columns.push(Some(c)),
                _ => {
                    unknown.push(title);
                    columns.push(None);
                }
            }
        }
        (columns.iter().flatten().count() >= 2).then_some(Header { columns, unknown, line: row.line })
    }

    /// The header of a file: the first row, among the first [`HEADER_SEARCH_ROWS`], that names
    /// columns; it must name every field a card cannot lack (the name and the INN).
    pub fn find(rows: &[SourceRow]) -> Result<Header, FileProblem> {
        if rows.iter().all(SourceRow::is_blank) {
            return Err(FileProblem::Empty);
        }
        let header = rows.iter().find_map(Header::read).ok_or(FileProblem::NoHeader)?;
        let missing: Vec<&'static str> = FIELDS
            .iter()
            .filter(|f| !f.optional && f.kind != super::fields::FieldKind::Products)
            .filter(|f| !header.columns.iter().flatten().any(|c| c.same(Column::Field(Field::from(*f)))))
            .map(|f| f.headers.first().copied().unwrap_or(f.code))
            .collect();
        if missing.is_empty() { Ok(header) } else { Err(FileProblem::MissingColumns(missing)) }
    }

    /// The cell of `row` under `column`, as text.
    pub fn get(&self, row: &SourceRow, column: Column) -> Option<String> {
        let i = self.columns.iter().position(|c| c.is_some_and(|c| c.same(column)))?;
        row.cells.get(i)?.text()
    }

    /// The cell of `row` under `column`, as it is.
    pub fn cell<'r>(&self, row: &'r SourceRow, column: Column) -> Option<&'r Cell> {
        let i = self.columns.iter().position(|c| c.is_some_and(|c| c.same(column)))?;
        row.cells.get(i)
    }
}

/// Why a row is not imported; each is said in words in the error workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A field's own check refused the cell (`FieldSpec::parse`).
    Field {
        field: &'static str,
        error: RequisiteError,
        digits: Option<usize>,
    },
    /// A field a card cannot lack is empty.
    Missing(&'static str),
    UnknownProduct(String),
    UnknownStatus(String),
    /// A next contact that is not a date.
    BadDate(String),
    /// What was agreed is too long, or has line breaks of another kind.
    BadComment,
    UnknownOwner(String),
    /// The owner does not work with prospects in the row's division.
    OwnerNotThere {
        owner: String,
        division: String,
    },
    /// No owner in the row and none given for the whole file.
    NoOwner,
    UnknownDivision(String),
    NoDivision,
    /// A manager imports into their own division only.
    DivisionNotYours(String),
    /// Another division works this company: only its name is told (SPEC §5).
    InnElsewhere {
        division: String,
    },
    /// The same INN in an earlier row of the file.
    InnRepeated {
        line: u64,
    },
    /// The same phone in an earlier row of the file, in the same division.
    PhoneRepeated {
        line: u64,
    },
    /// The division has a card with this phone under another INN.
    PhoneTaken {
        card: i64,
        name: String,
    },
}

/// How a product or status is named in a file: its code, or its name in Russian or English,
/// given by the channel (the names are texts, which the domain does not hold).
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub products: Vec<(String, Product)>,
    pub statuses: Vec<(String, Status)>,
}

impl Vocabulary {
    fn find<T: Copy>(names: &[(String, T)], text: &str) -> Option<T> {
        let key = header_key(text);
        names.iter().find(|(name, _)| header_key(name) == key).map(|(_, v)| *v)
    }

    /// Products separated by commas, semicolons or line breaks; each unknown one is named.
    pub fn products(&self, text: &str) -> Result<Vec<Product>, String> {
        let mut found = vec![];
        for word in text.split([',', ';', '\n']).map(str::trim).filter(|w| !w.is_empty()) {
            let product = word
                .parse::<Product>()
                .ok()
                .or_else(|| Self::find(&self.products, word))
                .ok_or_else(|| word.to_owned())?;
            if !found.contains(&product) {
                found.push(product);
            }
        }
        Ok(found)
    }

    pub fn status(&self, text: &str) -> Option<Status> {
        text.trim().parse::<Status>().ok().or_else(|| Self::find(&self.statuses, text))
    }
}

/// The hour a next contact given as a bare date is set to.
const DEFAULT_HOUR: u32 = 10;

/// A next contact: an Excel date, `ДД.ММ.ГГГГ [ЧЧ:ММ]` (or `ГГГГ-ММ-ДД [ЧЧ:ММ]`, as a CSV
/// written by a program has it), or an Excel date's serial number in a plain cell.
pub fn next_contact(cell: &Cell) -> Result<Option<NaiveDateTime>, String> {
    let at_default =
        |d: NaiveDate| d.and_time(NaiveTime::from_hms_opt(DEFAULT_HOUR, 0, 0).unwrap_or_default());
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(at) => Ok(Some(*at)),
        Cell::Number(n) if (20_000.0..80_000.0).contains(n) => {
            let epoch = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default().and_time(NaiveTime::MIN);
            let minutes = (n * 24.0 * 60.0).round() as i64;
            Ok(Some(epoch + chrono::Duration::minutes(minutes)))
        }
        Cell::Number(_) => Err(cell.text().unwrap_or_default()),
        Cell::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            for format in ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
                if let Ok(at) = NaiveDateTime::parse_from_str(text, format) {
                    return Ok(Some(at));
                }
            }
            for format in ["%d.%m.%Y", "%Y-%m-%d"] {
                if let Ok(day) = NaiveDate::parse_from_str(text, format) {
                    return Ok(Some(at_default(day)));
                }
            }
            Err(text.to_owned())
        }
    }
}

/// How many digits a Russian number has beyond its country code, when that is what is wrong
/// with a phone («9 цифр вместо 10»); `None` for anything else.
pub fn phone_digits(text: &str) -> Option<usize> {
    let trimmed = text.trim();
    if trimmed.starts_with('+') && !trimmed.starts_with("+7") {
        return None;
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        0 => return None,
        n if trimmed.starts_with("+7")
            || (n >= 11 && (digits.starts_with('7') || digits.starts_with('8'))) =>
        {
            n - 1
        }
        n => n,
    };
    (national != 10).then_some(national)
}

#[cfg(test)]
mod tests;
