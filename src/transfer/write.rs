//! Workbooks an import and an export write: the error workbook (the rejected rows as they
//! were, with a column «Ошибка» saying what is wrong) and the base itself in exactly the
//! columns an import reads, so export → import gives the same base.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc;

use crate::domain::access::Lang;
use crate::domain::fields::FieldKind;
use crate::domain::import::{Cell, Column, SourceRow, Warning};
use crate::domain::prospect::{Status, products_from_text};
use crate::i18n::I18n;
use crate::store::{EntryLine, ExportLine, Store};

fn header_format() -> Format {
    Format::new().set_bold().set_background_color("D9E1F2")
}

fn date_format() -> Format {
    Format::new().set_num_format("dd.mm.yyyy hh:mm")
}

fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    cell: &Cell,
    date: &Format,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(text) => {
            sheet.write_string(row, col, text)?;
        }
        Cell::Number(n) => {
            sheet.write_number(row, col, *n)?;
        }
        Cell::Date(at) => {
            sheet.write_datetime_with_format(row, col, at, date)?;
        }
    }
    Ok(())
}

/// The rejected rows of one file, written as they are found.
pub struct ErrorBook {
    workbook: Workbook,
    header: Vec<Cell>,
    rows: u32,
    warnings: Vec<Warning>,
    error_title: String,
    line_title: String,
    date: Format,
}

/// Similar names are listed, not all of them: a few hundred tell the story.
const MAX_WARNINGS: usize = 1000;

impl ErrorBook {
    /// A book for a file whose header row is `header`, with titles in `lang`.
    pub fn new(i18n: &I18n, lang: Lang, header: &SourceRow) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        workbook.add_worksheet_with_constant_memory()?.set_name(i18n.t(lang, "import-sheet-errors"))?;
        let mut book = Self {
            workbook,
            header: header.cells.clone(),
            rows: 0,
            warnings: vec![],
            error_title: i18n.t(lang, "import-col-error"),
            line_title: i18n.t(lang, "import-col-line"),
            date: date_format(),
        };
        let bold = header_format();
        let sheet = book.workbook.worksheet_from_index(0)?;
        for (col, cell) in book.header.iter().enumerate() {
            sheet.write_string_with_format(0, col as u16, cell.text().unwrap_or_default(), &bold)?;
        }
        let at = book.header.len() as u16;
        sheet.write_string_with_format(0, at, &book.error_title, &bold)?;
        sheet.write_string_with_format(0, at + 1, &book.line_title, &bold)?;
        sheet.set_column_width(at, 60)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(book)
    }

    /// Adds a rejected row with its reasons.
    pub fn reject(&mut self, row: &SourceRow, reasons: &str) -> Result<(), XlsxError> {
        self.rows += 1;
        let width = self.header.len();
        let sheet = self.workbook.worksheet_from_index(0)?;
        for (col, cell) in row.cells.iter().take(width).enumerate() {
            write_cell(sheet, self.rows, col as u16, cell, &self.date)?;
        }
        sheet.write_string(self.rows, width as u16, reasons)?;
        sheet.write_number(self.rows, width as u16 + 1, row.line as f64)?;
        Ok(())
    }

    pub fn warn(&mut self, warning: Warning) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        }
    }

    pub fn rejected(&self) -> u32 {
        self.rows
    }

    /// Writes the book to `path`, with a sheet of similar names when there are any.
    pub fn save(mut self, i18n: &I18n, lang: Lang, path: &Path) -> Result<(), XlsxError> {
        if !self.warnings.is_empty() {
            let bold = header_format();
            let sheet = self.workbook.add_worksheet();
            sheet.set_name(i18n.t(lang, "import-sheet-similar"))?;
            for (col, id) in
                ["import-col-line", "import-col-company", "import-col-similar", "import-col-card"]
                    .iter()
                    .enumerate()
            {
                sheet.write_string_with_format(0, col as u16, i18n.t(lang, id), &bold)?;
                sheet.set_column_width(col as u16, if col == 0 || col == 3 { 10 } else { 40 })?;
            }
            for (i, w) in self.warnings.iter().enumerate() {
                let row = i as u32 + 1;
                sheet.write_number(row, 0, w.line as f64)?;
                sheet.write_string(row, 1, &w.name)?;
                sheet.write_string(row, 2, &w.similar)?;
                sheet.write_number(row, 3, w.card as f64)?;
            }
        }
        self.workbook.save(path)
    }
}

/// The names of the export's columns, in the import's order.
fn export_headers() -> Vec<&'static str> {
    Column::all().into_iter().map(Column::header).collect()
}

/// Writes the base (a division's, or all) to `path` in the import's columns, with the diary
/// as a second sheet when asked for; returns how many cards were written.
pub async fn export_prospects(
    store: &dyn Store,
    i18n: &I18n,
    path: &Path,
    region: Option<&str>,
    with_diary: bool,
) -> anyhow::Result<u64> {
    let zones: HashMap<String, Tz> =
        store.regions().await?.into_iter().map(|r| (r.code.as_str().to_owned(), r.tz.tz())).collect();
    let (tx, mut rx) = mpsc::channel::<ExportLine>(256);
    let region_owned = region.map(str::to_owned);
    let mut workbook = Workbook::new();
    let bold = header_format();
    let date = date_format();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(i18n.t(Lang::Ru, "import-sheet-base"))?;
    for (col, title) in export_headers().iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *title, &bold)?;
        sheet.set_column_width(col as u16, 20)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let (streamed, written) =
        tokio::join!(async move { store.stream_prospects(region_owned.as_deref(), tx).await }, async {
            let mut row = 0u32;
            while let Some(line) = rx.recv().await {
                row += 1;
                let tz = zones.get(&line.region_code).copied().unwrap_or(chrono_tz::UTC);
                for (col, column) in Column::all().into_iter().enumerate() {
                    let col = col as u16;
                    match column {
                        Column::Field(field) => {
                            let Some(text) = line.card.get(field.spec()) else { continue };
                            let text = if field.kind == FieldKind::Products {
                                products_from_text(text)
                                    .iter()
                                    .map(|p| i18n.t(Lang::Ru, &format!("product-{p}")))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            } else {
                                text.to_owned()
                            };
                            sheet.write_string(row, col, text)?;
                        }
                        Column::Owner => {
                            sheet.write_number(row, col, line.owner_id as f64)?;
                        }
                        Column::Division => {
                            sheet.write_string(row, col, &line.region_code)?;
                        }
                        Column::Status => {
                            let status = line.status.parse::<Status>().unwrap_or(Status::New);
                            sheet.write_string(row, col, i18n.t(Lang::Ru, &format!("status-{status}")))?;
                        }
                        Column::NextContact => {
                            if let Some(at) =
                                line.next_contact.and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
                            {
                                let local = at.with_timezone(&tz).naive_local();
                                sheet.write_datetime_with_format(row, col, local, &date)?;
                            }
                        }
                        Column::Comment => {
                            if let Some(agreed) = line.next_agreed.as_deref().filter(|a| !a.is_empty()) {
                                sheet.write_string(row, col, agreed)?;
                            }
                        }
                    }
                }
            }
            Ok::<u32, XlsxError>(row)
        });
    streamed?;
    let written = written?;
    if with_diary {
        diary_sheet(store, i18n, &mut workbook, region).await?;
    }
    workbook.save(path)?;
    Ok(u64::from(written))
}

/// The diary of the exported cards, oldest first: what the base's talks were.
async fn diary_sheet(
    store: &dyn Store,
    i18n: &I18n,
    workbook: &mut Workbook,
    region: Option<&str>,
) -> anyhow::Result<()> {
    let bold = header_format();
    let date = date_format();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(i18n.t(Lang::Ru, "import-sheet-diary"))?;
    let titles = [
        "report-col-when",
        "report-col-region",
        "report-col-specialist",
        "report-col-company",
        "report-col-inn",
        "report-col-kind",
        "report-col-outcome",
        "report-col-summary",
    ];
    for (col, id) in titles.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, i18n.t(Lang::Ru, id), &bold)?;
        sheet.set_column_width(col as u16, if col == 7 { 60 } else { 18 })?;
    }
    let (tx, mut rx) = mpsc::channel::<EntryLine>(256);
    let from = DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default();
    let to = DateTime::<Utc>::from_timestamp(32_503_680_000, 0).unwrap_or_default();
    let region_owned = region.map(str::to_owned);
    let (streamed, written) = tokio::join!(
        async move { store.stream_entries(region_owned.as_deref(), from, to, tx).await },
        async {
            let mut row = 0u32;
            while let Some(e) = rx.recv().await {
                row += 1;
                if let Some(at) = DateTime::<Utc>::from_timestamp(e.happened_at, 0) {
                    sheet.write_datetime_with_format(row, 0, at.naive_utc(), &date)?;
                }
                sheet.write_string(row, 1, &e.region_name)?;
                sheet.write_string(row, 2, &e.author)?;
                sheet.write_string(row, 3, &e.company)?;
                sheet.write_string(row, 4, &e.inn)?;
                sheet.write_string(row, 5, i18n.t(Lang::Ru, &format!("kind-{}", e.kind)))?;
                sheet.write_string(row, 6, i18n.t(Lang::Ru, &format!("outcome-{}", e.outcome)))?;
                sheet.write_string(row, 7, &e.summary)?;
            }
            Ok::<(), XlsxError>(())
        }
    );
    streamed?;
    written?;
    Ok(())
}
