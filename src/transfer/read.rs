//! Reading a file a row at a time, whatever an office saved it as: an `.xlsx` workbook (the
//! first sheet, or the one named like «Клиенты»), or text separated by `;`, `,` or tabs, in
//! UTF-8 (with or without a BOM) or Windows-1251. A reader runs on a blocking thread and hands
//! rows over a small channel, so a file of a million rows never sits in memory whole.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use calamine::{DataRef, Reader, Xlsx};
use tokio::sync::mpsc;

use crate::domain::import::{Cell, FileProblem, SourceRow, header_key};

/// Rows as they are read; a problem with the file ends the stream.
pub type Rows = mpsc::Receiver<Result<SourceRow, FileProblem>>;

/// How many rows wait between the reader and the checks.
const BUFFER: usize = 256;

/// The start of a zip archive (an `.xlsx`) and of an OLE compound file (an old `.xls`, or an
/// `.xlsx` encrypted with a password).
const ZIP: &[u8] = b"PK\x03\x04";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0];

/// How much of a text file is looked at to tell its encoding and separator.
const SNIFF: usize = 64 * 1024;

/// Starts reading `path`; what kind of file it is comes from its first bytes, not its name.
pub fn open(path: &Path) -> Result<Rows, FileProblem> {
    let mut file = File::open(path).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    let mut head = vec![0; SNIFF];
    let n = read_up_to(&mut file, &mut head).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    head.truncate(n);
    if head.iter().all(u8::is_ascii_whitespace) {
        return Err(FileProblem::Empty);
    }
    file.seek(SeekFrom::Start(0)).map_err(|e| FileProblem::Unreadable(e.to_string()))?;
    let (tx, rx) = mpsc::channel(BUFFER);
    if head.starts_with(ZIP) || head.starts_with(OLE) {
        let mut workbook = match Xlsx::new(BufReader::new(file)) {
            Ok(workbook) => workbook,
            Err(calamine::XlsxError::Password) => return Err(FileProblem::Password),
            Err(_) if head.starts_with(OLE) => return Err(FileProblem::OldExcel),
            Err(_) => return Err(FileProblem::NotSpreadsheet),
        };
        let sheet = pick_sheet(&workbook.sheet_names()).ok_or(FileProblem::Empty)?;
        if let Some(merged) =
            workbook.merge_cells_by_sheet_name(&sheet).ok().and_then(|m| m.into_iter().next())
        {
            return Err(FileProblem::Merged(format!(
                "{}:{}",
                cell_name(merged.start),
                cell_name(merged.end)
            )));
        }
        tokio::task::spawn_blocking(move || {
            if let Err(problem) = read_xlsx(&mut workbook, &sheet, &tx) {
                let _ = tx.blocking_send(Err(problem));
            }
        });
    } else {
        if head.contains(&0) {
            return Err(FileProblem::NotSpreadsheet);
        }
        let utf8 = match std::str::from_utf8(&head) {
            Ok(_) => true,
            // Cut in the middle of a character at the end of the sniffed part: still UTF-8.
            Err(e) => e.error_len().is_none(),
        };
        let text = if utf8 {
            String::from_utf8_lossy(&head).into_owned()
        } else {
            encoding_rs::WINDOWS_1251.decode_without_bom_handling(&head).0.into_owned()
        };
        let separator = separator(&text);
        tokio::task::spawn_blocking(move || {
            let result = if utf8 {
                read_text(Utf8(file), separator, &tx)
            } else {
                read_text(Cp1251::new(file), separator, &tx)
            };
            if let Err(problem) = result {
                let _ = tx.blocking_send(Err(problem));
            }
        });
    }
    Ok(rx)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The sheet named like «Клиенты» (clients, prospects, companies), else the first.
fn pick_sheet(names: &[String]) -> Option<String> {
    const LIKE: [&str; 6] = ["клиент", "client", "prospect", "компани", "compan", "база"];
    names
        .iter()
        .find(|n| LIKE.iter().any(|like| header_key(n).contains(like)))
        .or_else(|| names.first())
        .cloned()
}

/// `C5` for row 4, column 2 (from zero).
fn cell_name((row, col): (u32, u32)) -> String {
    let mut letters = vec![];
    let mut n = col + 1;
    while n > 0 {
        letters.push((b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{}{}", letters.iter().rev().collect::<String>(), row + 1)
}

fn cell_of(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty | DataRef::Error(_) => Cell::Empty,
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(n) => Cell::Number(*n),
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_owned()),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(at) => at.as_datetime().map(Cell::Date).unwrap_or(Cell::Number(at.as_f64())),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s.clone()),
    }
}

type Sink = mpsc::Sender<Result<SourceRow, FileProblem>>;

/// Sends a row; `false` when nobody reads any more (the checks stopped).
fn send(tx: &Sink, line: u32, cells: Vec<Cell>) -> bool {
    tx.blocking_send(Ok(SourceRow { line: u64::from(line) + 1, cells })).is_ok()
}

fn read_xlsx<R: Read + Seek>(workbook: &mut Xlsx<R>, sheet: &str, tx: &Sink) -> Result<(), FileProblem> {
    let unreadable = |e: calamine::XlsxError| FileProblem::Unreadable(e.to_string());
    let mut cells = workbook.worksheet_cells_reader(sheet).map_err(unreadable)?;
    let mut row: Option<(u32, Vec<Cell>)> = None;
    while let Some(cell) = cells.next_cell_with_formula().map_err(unreadable)? {
        if cell.formula.as_deref().is_some_and(|f| !f.is_empty()) {
            return Err(FileProblem::Formula(cell_name(cell.pos)));
        }
        let (r, c) = cell.pos;
        if row.as_ref().is_some_and(|(at, _)| *at != r)
            && let Some((at, done)) = row.take()
            && !send(tx, at, done)
        {
            return Ok(());
        }
        let (_, current) = row.get_or_insert_with(|| (r, vec![]));
        let c = c as usize;
        if current.len() < c {
            current.resize(c, Cell::Empty);
        }
        current.push(cell_of(&cell.value));
    }
    if let Some((at, done)) = row {
        send(tx, at, done);
    }
    Ok(())
}

/// The separator of a text file: the most frequent of `;`, `,` and tab on its first line
/// outside quotes (`;` wins a tie, as Russian Excel writes it).
fn separator(text: &str) -> u8 {
    let line = text.trim_start_matches('\u{feff}').lines().find(|l| !l.trim().is_empty()).unwrap_or_default();
    let mut quoted = false;
    let mut counts = [0usize; 3];
    for c in line.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => counts[0] += 1,
            ',' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b';', b',', b'\t'][best]
}

fn read_text(source: impl Read, separator: u8, tx: &Sink) -> Result<(), FileProblem> {
    let mut reader =
        csv::ReaderBuilder::new().delimiter(separator).has_headers(false).flexible(true).from_reader(source);
    let mut record = csv::StringRecord::new();
    let mut line = 0u32;
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let cells = record
                    .iter()
                    .map(|text| {
                        let text = text.trim_start_matches('\u{feff}');
                        if text.trim().is_empty() { Cell::Empty } else { Cell::Text(text.to_owned()) }
                    })
                    .collect();
                if !send(tx, line, cells) {
                    return Ok(());
                }
                line += 1;
            }
            Err(e) => return Err(FileProblem::Unreadable(e.to_string())),
        }
    }
}

/// A UTF-8 file as it is (a BOM is dropped with the first cell's text).
struct Utf8(File);

impl Read for Utf8 {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

/// A Windows-1251 file decoded to UTF-8 as it is read.
struct Cp1251 {
    file: File,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    output: Vec<u8>,
    at: usize,
    done: bool,
}

impl Cp1251 {
    fn new(file: File) -> Self {
        Self {
            file,
            decoder: encoding_rs::WINDOWS_1251.new_decoder_without_bom_handling(),
            input: vec![0; 8192],
            output: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for Cp1251 {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.output.len() && !self.done {
            let n = self.file.read(&mut self.input)?;
            self.done = n == 0;
            // A byte of Windows-1251 is at most three bytes of UTF-8.
            let mut text = String::with_capacity(n * 3 + 16);
            let _ = self.decoder.decode_to_string(&self.input[..n], &mut text, self.done);
            self.output = text.into_bytes();
            self.at = 0;
        }
        let n = buf.len().min(self.output.len() - self.at);
        buf[..n].copy_from_slice(&self.output[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_told_from_the_first_line() {
        assert_eq!(separator("ИНН;Наименование;\"a,b\"\n"), b';');
        assert_eq!(separator("\u{feff}inn,name,city\n"), b',');
        assert_eq!(separator("inn\tname\n"), b'\t');
    }

    #[test]
    fn cells_are_named_as_excel_names_them() {
        assert_eq!(cell_name((4, 2)), "C5");
        assert_eq!(cell_name((0, 27)), "AB1");
    }

    #[test]
    fn a_sheet_named_like_clients_is_preferred() {
        let names = ["Справка".to_owned(), "Клиенты 2026".to_owned()];
        assert_eq!(pick_sheet(&names).as_deref(), Some("Клиенты 2026"));
        assert_eq!(pick_sheet(&["Лист1".to_owned()]).as_deref(), Some("Лист1"));
    }
}
