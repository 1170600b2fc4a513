//! Workbooks a banker would keep: typed cells (dates as Excel dates, numbers as numbers), a
//! frozen header row, an autofilter and sensible widths on every table, headers in the
//! reader's language. Listings go to constant-memory worksheets row by row as they arrive.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use tokio::sync::mpsc::Receiver;

use super::Reader;
use crate::domain::diary::Kind;
use crate::domain::fields::{FIELDS, FieldKind, FieldSpec};
use crate::domain::prospect::Product;
use crate::domain::report::{ActivityReport, ActivityRow, ReportScope};
use crate::store::{EntryLine, ExportLine, HandoffLine};

/// Excel's last row is 1 048 576; one is the header.
pub const MAX_DATA_ROWS: u32 = 1_048_575;

/// Excel's limit on a cell's text.
const MAX_CELL_CHARS: usize = 32_767;

struct Formats {
    header: Format,
    date: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            header: Format::new().set_bold().set_background_color("D9E1F2"),
            date: Format::new().set_num_format("dd.mm.yyyy hh:mm"),
        }
    }
}

/// A new workbook. The default compression stays: at level 1 a month of every division
/// measured 64 MB instead of 40 MB, past the 50 MB a bot may upload to Telegram.
fn workbook() -> Workbook {
    Workbook::new()
}

fn local(reader: &Reader, secs: i64) -> chrono::NaiveDateTime {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default().with_timezone(&reader.tz).naive_local()
}

fn cell_text(text: &str) -> String {
    if text.chars().count() > MAX_CELL_CHARS {
        text.chars().take(MAX_CELL_CHARS).collect()
    } else {
        text.to_owned()
    }
}

/// A header row with widths, frozen, and the autofilter over `rows` data rows.
fn table_header(
    sheet: &mut Worksheet,
    formats: &Formats,
    columns: &[(String, f64)],
) -> Result<(), XlsxError> {
    for (col, (title, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, title, &formats.header)?;
        sheet.set_column_width(col as u16, *width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn finish_table(sheet: &mut Worksheet, rows: u32, columns: usize) -> Result<(), XlsxError> {
    sheet.autofilter(0, 0, rows.max(1), (columns - 1) as u16)?;
    Ok(())
}

fn headers(reader: &Reader, ids: &[(&str, f64)]) -> Vec<(String, f64)> {
    ids.iter().map(|(id, w)| (reader.t(id), *w)).collect()
}

/// The figure columns shared by the per-region and per-specialist sheets.
const FIGURES: &[(&str, f64)] = &[
    ("report-col-new", 12.0),
    ("report-col-call", 10.0),
    ("report-col-meeting", 10.0),
    ("report-col-email", 10.0),
    ("report-col-messenger", 12.0),
    ("report-col-other", 10.0),
    ("report-col-contacts", 12.0),
    ("report-col-positive", 14.0),
    ("report-col-sent", 12.0),
    ("report-col-taken", 12.0),
    ("report-col-won", 12.0),
    ("report-col-overdue", 14.0),
];

fn figures(row: &ActivityRow) -> Vec<i64> {
    let mut out = vec![row.new_prospects];
    out.extend(Kind::ALL.iter().map(|k| row.contacts_of(*k)));
    out.extend([
        row.contacts_total(),
        row.positive,
        row.handoffs_sent,
        row.handoffs_taken,
        row.handoffs_won,
        row.overdue,
    ]);
    out
}

fn figure_sheet(
    workbook: &mut Workbook,
    reader: &Reader,
    formats: &Formats,
    name: &str,
    lead: &[(&str, f64)],
    rows: &[ActivityRow],
    per_person: bool,
) -> Result<(), XlsxError> {
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let mut columns = headers(reader, lead);
    columns.extend(headers(reader, FIGURES));
    table_header(sheet, formats, &columns)?;
    for (i, row) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &row.region_name)?;
        let mut col = 1;
        if per_person {
            sheet.write_string(r, 1, &row.person_name)?;
            col = 2;
        }
        for (j, n) in figures(row).into_iter().enumerate() {
            sheet.write_number(r, col + j as u16, n as f64)?;
        }
    }
    finish_table(sheet, rows.len() as u32, columns.len())
}

/// The activity workbook: Summary, By region (head office), By specialist, Diary entries (when
/// `entries` is given; else the listing is a file of its own), Hand-offs. Blocking: run it on
/// a blocking thread.
pub fn activity(
    report: &ActivityReport,
    reader: &Reader,
    entries: Option<Receiver<EntryLine>>,
    mut handoffs: Receiver<HandoffLine>,
) -> anyhow::Result<Vec<u8>> {
    let formats = Formats::new();
    let mut workbook = workbook();
    let totals = report.totals();
    let expected_entries = totals.contacts_total();

    // Summary: what the report is, and the totals.
    let summary = workbook.add_worksheet();
    summary.set_name(reader.t("report-sheet-summary"))?;
    table_header(
        summary,
        &formats,
        &headers(reader, &[("report-col-measure", 44.0), ("report-col-value", 26.0)]),
    )?;
    let scope = match &report.scope {
        ReportScope::All => reader.t("report-scope-all"),
        ReportScope::Region(code) => {
            report.rows.first().map(|r| r.region_name.clone()).unwrap_or_else(|| code.to_string())
        }
    };
    let mut r = 1;
    for (id, value) in [("report-col-period", report.period.label()), ("report-col-scope", scope)] {
        summary.write_string(r, 0, reader.t(id))?;
        summary.write_string(r, 1, value)?;
        r += 1;
    }
    summary.write_string(r, 0, reader.t("report-col-generated"))?;
    summary.write_datetime_with_format(r, 1, local(reader, report.at.timestamp()), &formats.date)?;
    r += 1;
    for ((id, _), n) in FIGURES.iter().zip(figures(&totals)) {
        summary.write_string(r, 0, reader.t(id))?;
        summary.write_number(r, 1, n as f64)?;
        r += 1;
    }
    let summary_rows = r;

    if report.scope == ReportScope::All {
        let lead = [("report-col-region", 24.0)];
        let name = reader.t("report-sheet-regions");
        figure_sheet(&mut workbook, reader, &formats, &name, &lead, &report.by_region(), false)?;
    }
    let lead = [("report-col-region", 24.0), ("report-col-specialist", 28.0)];
    let name = reader.t("report-sheet-people");
    figure_sheet(&mut workbook, reader, &formats, &name, &lead, &report.rows, true)?;

    // Diary entries, streamed, unless the listing is a file of its own.
    let mut written = None;
    if let Some(mut entries) = entries {
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        let columns = entry_sheet(sheet, reader, &formats)?;
        let mut labels = Labels::default();
        let mut n = 0u32;
        while n < MAX_DATA_ROWS {
            let Some(e) = entries.blocking_recv() else { break };
            entry_row(sheet, n + 1, &e, reader, &formats, &mut labels)?;
            n += 1;
        }
        // Past Excel's last row the reader stops; the store sees the channel close and stops too.
        drop(entries);
        finish_table(sheet, n, columns)?;
        written = Some(n);
    }

    // Hand-offs touched in the period, streamed.
    let columns = headers(
        reader,
        &[
            ("report-col-sent-at", 17.0),
            ("report-col-region", 20.0),
            ("report-col-company", 36.0),
            ("report-col-inn", 14.0),
            ("report-col-product", 16.0),
            ("report-col-specialist", 26.0),
            ("report-col-state", 16.0),
            ("report-col-taken-by", 26.0),
            ("report-col-taken-at", 17.0),
            ("report-col-closed-at", 17.0),
        ],
    );
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(reader.t("report-sheet-handoffs"))?;
    table_header(sheet, &formats, &columns)?;
    let mut handed = 0u32;
    while handed < MAX_DATA_ROWS {
        let Some(h) = handoffs.blocking_recv() else { break };
        let r = handed + 1;
        sheet.write_datetime_with_format(r, 0, local(reader, h.created_at), &formats.date)?;
        sheet.write_string(r, 1, &h.region_name)?;
        sheet.write_string(r, 2, reader.disclosure.company(&h.company, &h.inn))?;
        sheet.write_string(r, 3, reader.disclosure.inn(&h.inn))?;
        sheet.write_string(r, 4, reader.t(&format!("product-{}", h.product)))?;
        sheet.write_string(r, 5, &h.from_name)?;
        sheet.write_string(r, 6, reader.t(&format!("report-hstate-{}", h.state)))?;
        if let Some(name) = &h.taken_name {
            sheet.write_string(r, 7, name)?;
        }
        if let Some(at) = h.taken_at {
            sheet.write_datetime_with_format(r, 8, local(reader, at), &formats.date)?;
        }
        if let Some(at) = h.closed_at {
            sheet.write_datetime_with_format(r, 9, local(reader, at), &formats.date)?;
        }
        handed += 1;
    }
    drop(handoffs);
    finish_table(sheet, handed, columns.len())?;

    // The summary says how many entries the workbook lists, and whether Excel's limit cut them,
    // or that they come as a file of their own.
    let summary = workbook.worksheet_from_index(0)?;
    summary.write_string(summary_rows, 0, reader.t("report-col-listed"))?;
    match written {
        Some(written) => {
            summary.write_number(summary_rows, 1, f64::from(written))?;
            if i64::from(written) < expected_entries {
                summary.write_string(summary_rows + 1, 0, reader.t("report-col-cut"))?;
            }
        }
        None => {
            summary.write_string(summary_rows, 1, reader.t("report-col-listed-apart"))?;
        }
    }
    finish_table(summary, summary_rows + 1, 2)?;
    Ok(workbook.save_to_buffer()?)
}

/// The diary listing's sheet: its name and header; returns how many columns it has.
fn entry_sheet(sheet: &mut Worksheet, reader: &Reader, formats: &Formats) -> Result<usize, XlsxError> {
    let columns = headers(
        reader,
        &[
            ("report-col-when", 17.0),
            ("report-col-region", 20.0),
            ("report-col-specialist", 26.0),
            ("report-col-company", 36.0),
            ("report-col-inn", 14.0),
            ("report-col-kind", 12.0),
            ("report-col-outcome", 18.0),
            ("report-col-summary", 80.0),
        ],
    );
    sheet.set_name(reader.t("report-sheet-entries"))?;
    table_header(sheet, formats, &columns)?;
    Ok(columns.len())
}

/// One diary entry as row `r`, personal data as the reader may see it (SPEC §10): the company
/// and INN of a sole proprietor masked, the summary redacted. Returns the bytes of text written,
/// a measure of the file it makes.
fn entry_row(
    sheet: &mut Worksheet,
    r: u32,
    e: &EntryLine,
    reader: &Reader,
    formats: &Formats,
    labels: &mut Labels,
) -> Result<usize, XlsxError> {
    let company = reader.disclosure.company(&e.company, &e.inn);
    let inn = reader.disclosure.inn(&e.inn);
    let kind = labels.get(reader, "kind", &e.kind).to_owned();
    let outcome = labels.get(reader, "outcome", &e.outcome).to_owned();
    let people = crate::domain::privacy::people(e.contact_person.as_deref(), &e.company, &e.inn);
    let summary = cell_text(&reader.disclosure.free_text(&e.summary, &people));
    sheet.write_datetime_with_format(r, 0, local(reader, e.happened_at), &formats.date)?;
    sheet.write_string(r, 1, &e.region_name)?;
    sheet.write_string(r, 2, &e.author)?;
    sheet.write_string(r, 3, &company)?;
    sheet.write_string(r, 4, &inn)?;
    sheet.write_string(r, 5, &kind)?;
    sheet.write_string(r, 6, &outcome)?;
    sheet.write_string(r, 7, &summary)?;
    Ok(ROW_OVERHEAD
        + [e.region_name.as_str(), &e.author, &company, &inn, &kind, &outcome, &summary]
            .iter()
            .map(|t| t.len())
            .sum::<usize>())
}

/// The words for the few kinds and outcomes, looked up once per listing rather than per row.
#[derive(Default)]
struct Labels(std::collections::HashMap<(&'static str, String), String>);

impl Labels {
    fn get(&mut self, reader: &Reader, prefix: &'static str, code: &str) -> &str {
        self.0.entry((prefix, code.to_owned())).or_insert_with(|| reader.t(&format!("{prefix}-{code}")))
    }
}

/// What a row costs besides its text: the date, the cells' markup after compression.
const ROW_OVERHEAD: usize = 40;

/// How large each file of the listing may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartLimits {
    /// Data rows in one file (Excel's last row at most).
    pub rows: u32,
    /// Text in one file, in bytes before compression.
    pub text_bytes: u64,
}

/// One file of the listing: its number from 1, its rows, and whether it is the last.
pub struct Part {
    pub number: u32,
    pub rows: u32,
    pub last: bool,
    pub file: Vec<u8>,
}

/// The diary listing as one or more workbooks, each within `limits`, handed to `sink` as soon
/// as it is saved (`sink` answers `false` to stop). Each row adds one to `written`; `stop`
/// set ends the listing at the next row. Blocking: run it on a blocking thread. Returns how
/// many rows were written.
pub fn entry_parts(
    reader: &Reader,
    mut entries: Receiver<EntryLine>,
    limits: PartLimits,
    written: &std::sync::atomic::AtomicU64,
    stop: &std::sync::atomic::AtomicBool,
    mut sink: impl FnMut(Part) -> bool,
) -> anyhow::Result<u64> {
    use std::sync::atomic::Ordering;
    let formats = Formats::new();
    let max_rows = limits.rows.clamp(1, MAX_DATA_ROWS);
    let mut labels = Labels::default();
    let mut total = 0u64;
    let mut number = 0u32;
    let mut pending = entries.blocking_recv();
    while let Some(mut row) = pending.take() {
        number += 1;
        let mut workbook = workbook();
        let sheet = workbook.add_worksheet_with_constant_memory()?;
        let columns = entry_sheet(sheet, reader, &formats)?;
        let (mut rows, mut bytes) = (0u32, 0u64);
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(total);
            }
            bytes += entry_row(sheet, rows + 1, &row, reader, &formats, &mut labels)? as u64;
            rows += 1;
            total += 1;
            written.fetch_add(1, Ordering::Relaxed);
            match entries.blocking_recv() {
                None => break,
                Some(next) if rows >= max_rows || bytes >= limits.text_bytes => {
                    pending = Some(next);
                    break;
                }
                Some(next) => row = next,
            }
        }
        finish_table(sheet, rows, columns)?;
        let file = workbook.save_to_buffer()?;
        if !sink(Part { number, rows, last: pending.is_none(), file }) {
            break;
        }
    }
    Ok(total)
}

/// The export's columns as message keys and widths: the card's number, a column per field of
/// `table` (its label, or its own header), then what the bank keeps about the card.
pub(crate) fn export_columns(table: &[FieldSpec]) -> Vec<(String, f64)> {
    let mut columns = vec![("export-col-id".to_owned(), 8.0)];
    columns.extend(
        table.iter().map(|f| (f.export_header.map_or_else(|| f.label(), str::to_owned), f.export_width)),
    );
    columns.extend(
        [
            ("report-col-state", 18.0),
            ("export-col-owner", 26.0),
            ("report-col-region", 20.0),
            ("export-col-created", 17.0),
            ("export-col-updated", 17.0),
            ("export-col-next", 17.0),
        ]
        .map(|(id, width)| (id.to_owned(), width)),
    );
    columns
}

/// The cards of a division (or all) as one sheet; contacts as `CONTACTS_IN_CHAT` allows.
pub fn export(reader: &Reader, mut cards: Receiver<ExportLine>) -> anyhow::Result<(Vec<u8>, u64)> {
    let formats = Formats::new();
    let mut workbook = workbook();
    let ids = export_columns(&FIELDS);
    let ids: Vec<(&str, f64)> = ids.iter().map(|(id, width)| (id.as_str(), *width)).collect();
    let columns = headers(reader, &ids);
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name(reader.t("export-sheet"))?;
    table_header(sheet, &formats, &columns)?;
    let pd = reader.disclosure;
    let products = |products: &[Product]| {
        products.iter().map(|p| reader.t(&format!("product-{p}"))).collect::<Vec<_>>().join(", ")
    };
    // The card's fields take the columns after its number, in the table's order.
    let after = FIELDS.len() as u16 + 1;
    // A contact field kept off Telegram reads as such, not as if it were empty.
    let in_app = reader.t("in-app");
    let mut written = 0u32;
    while written < MAX_DATA_ROWS {
        let Some(c) = cards.blocking_recv() else { break };
        let r = written + 1;
        sheet.write_number(r, 0, c.id as f64)?;
        let inn = FIELDS.iter().find(|f| f.kind == FieldKind::Inn).and_then(|f| c.card.get(f));
        for (col, field) in FIELDS.iter().enumerate() {
            if let Some(stored) = c.card.get(field) {
                sheet.write_string(
                    r,
                    col as u16 + 1,
                    field
                        .show(stored, pd, inn.unwrap_or_default(), &products)
                        .unwrap_or_else(|| in_app.clone()),
                )?;
            }
        }
        sheet.write_string(r, after, reader.t(&format!("status-{}", c.status)))?;
        sheet.write_string(r, after + 1, &c.owner_name)?;
        sheet.write_string(r, after + 2, &c.region_name)?;
        sheet.write_datetime_with_format(r, after + 3, local(reader, c.created_at), &formats.date)?;
        sheet.write_datetime_with_format(r, after + 4, local(reader, c.updated_at), &formats.date)?;
        if let Some(at) = c.next_contact {
            sheet.write_datetime_with_format(r, after + 5, local(reader, at), &formats.date)?;
        }
        written += 1;
    }
    drop(cards);
    finish_table(sheet, written, columns.len())?;
    Ok((workbook.save_to_buffer()?, u64::from(written)))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

    use super::*;
    use crate::domain::access::Lang;
    use crate::domain::privacy::{ContactsInChat, Disclosure};

    fn reader() -> Reader {
        Reader {
            lang: Lang::Ru,
            tz: chrono_tz::Europe::Moscow,
            disclosure: Disclosure(ContactsInChat::Mask),
            i18n: Arc::new(crate::i18n::I18n::new()),
        }
    }

    fn entry(n: i64) -> EntryLine {
        EntryLine {
            happened_at: 1_795_000_000 + n * 60,
            region_name: "Москва".into(),
            author: "Анна Петрова".into(),
            company: format!("ООО «Компания {n}»"),
            inn: "7707083893".into(),
            kind: "call".into(),
            outcome: "positive".into(),
            summary: "Обсудили условия обслуживания".into(),
            contact_person: None,
        }
    }

    /// Runs the listing over `rows` entries; the rows of each file, and whether each is the last.
    fn parts(rows: i64, limits: PartLimits) -> Vec<(u32, u32, bool)> {
        let (tx, rx) = tokio::sync::mpsc::channel(rows as usize + 1);
        for n in 0..rows {
            tx.try_send(entry(n)).unwrap();
        }
        drop(tx);
        let (written, stop) = (AtomicU64::new(0), AtomicBool::new(false));
        let mut out = vec![];
        let total = entry_parts(&reader(), rx, limits, &written, &stop, |part| {
            assert!(!part.file.is_empty());
            out.push((part.number, part.rows, part.last));
            true
        })
        .unwrap();
        assert_eq!(total, rows as u64);
        assert_eq!(written.load(Ordering::Relaxed), rows as u64);
        out
    }

    #[test]
    fn a_listing_is_split_by_rows_and_by_the_text_a_file_may_hold() {
        let by_rows = parts(10, PartLimits { rows: 4, text_bytes: u64::MAX });
        assert_eq!(by_rows, [(1, 4, false), (2, 4, false), (3, 2, true)]);
        let exact = parts(8, PartLimits { rows: 4, text_bytes: u64::MAX });
        assert_eq!(exact, [(1, 4, false), (2, 4, true)], "no empty file after a full one");
        // A row writes about 200 bytes of text: 500 bytes fill a file at its third row.
        let by_text = parts(7, PartLimits { rows: 100, text_bytes: 500 });
        assert_eq!(by_text, [(1, 3, false), (2, 3, false), (3, 1, true)]);
        assert_eq!(parts(1, PartLimits { rows: 1, text_bytes: 1 }), [(1, 1, true)]);
        assert!(parts(0, PartLimits { rows: 4, text_bytes: 500 }).is_empty());
    }
}
