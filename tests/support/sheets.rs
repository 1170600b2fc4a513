//! Reading back the workbooks the bot sends.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use prospect_diary::telegram_fake::Outgoing;

/// The workbook a document message carries.
pub fn workbook(out: &Outgoing) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(out.file.clone().expect("a file"))).expect("an xlsx workbook")
}

/// A sheet's rows, header included.
pub fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(<[Data]>::to_vec).collect()
}

/// A cell that must hold text.
pub fn text(cell: &Data) -> String {
    match cell {
        Data::String(s) => s.clone(),
        other => panic!("expected text, got {other:?}"),
    }
}
