//! Files in and out of the base (SPEC §8): reading an imported file row by row (`read`), the
//! words an import says (`words`), the error workbook and the export (`write`), and the two
//! steps of an import that every channel runs — check the whole file, then save the valid rows
//! in one transaction. The rules of a row are the domain's (`domain::import`).

pub mod pending;
pub mod read;
pub mod words;
pub mod write;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::domain::access::Lang;
use crate::domain::import::users::{self, UserHeader, UserPlan};
use crate::domain::import::{
    Checked, Defaults, FileProblem, HEADER_SEARCH_ROWS, Header, Importer, Incoming, OnDuplicate, Outcome,
    Planner, SourceRow, commit,
};
use crate::domain::prospect::ProspectId;
use crate::domain::prospects::BaseError;
use crate::i18n::I18n;
use crate::store::{ImportWritten, Store};
use write::ErrorBook;

/// Why an import stopped before saving anything.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    File(#[from] FileProblem),
    #[error(transparent)]
    Base(#[from] BaseError),
    #[error(transparent)]
    Directory(#[from] crate::domain::directory::DirectoryError),
    #[error("the error workbook could not be written: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
}

/// A file checked and ready to save.
#[derive(Debug)]
pub struct Prepared {
    pub outcome: Outcome,
    /// Headers of the columns that are ignored.
    pub unknown: Vec<String>,
    pub new: Vec<Incoming>,
    pub existing: Vec<(ProspectId, Incoming)>,
    /// The error workbook, when some rows were rejected or have similar names.
    pub errors: Option<PathBuf>,
    pub on_duplicate: OnDuplicate,
}

/// How many rows are checked together: one look-up in the base each for their INNs, phones and
/// names.
const CHECK_BATCH: usize = 1000;

/// Reads the first rows of `rows` until the header is found (or [`HEADER_SEARCH_ROWS`] are
/// read); returns them all.
async fn first_rows(rows: &mut read::Rows) -> Result<Vec<SourceRow>, FileProblem> {
    let mut first = vec![];
    while (first.len() as u64) < HEADER_SEARCH_ROWS {
        match rows.recv().await {
            Some(row) => {
                let row = row?;
                let found = Header::read(&row).is_some();
                first.push(row);
                if found {
                    break;
                }
            }
            None => break,
        }
    }
    Ok(first)
}

/// Checks every row of the file at `path` as `importer` would import it; writes the error
/// workbook to `errors` when there is something to say. Nothing is saved. `progress` is told
/// how many rows were read, every thousand rows.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_prospects(
    store: &dyn Store,
    i18n: &I18n,
    lang: Lang,
    path: &Path,
    importer: Importer,
    defaults: Defaults,
    errors: &Path,
    now: DateTime<Utc>,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<Prepared, ImportError> {
    let mut rows = read::open(path)?;
    let first = first_rows(&mut rows).await?;
    let header = Header::find(&first)?;
    let header_row =
        first.iter().find(|r| r.line == header.line).cloned().unwrap_or(SourceRow { line: 0, cells: vec![] });
    let unknown = header.unknown.clone();
    let on_duplicate = defaults.on_duplicate;
    let mut book = ErrorBook::new(i18n, lang, &header_row)?;
    let mut planner = Planner::new(store, importer, defaults, header, words::vocabulary(i18n), now).await?;
    let (mut new, mut existing) = (vec![], vec![]);
    let mut read_rows = 0u64;
    let mut pending: std::collections::VecDeque<SourceRow> =
        first.into_iter().filter(|r| r.line > header_row.line).collect();
    let mut batch = Vec::with_capacity(CHECK_BATCH);
    loop {
        let row = match pending.pop_front() {
            Some(row) => Some(row),
            None => rows.recv().await.transpose()?,
        };
        let done = row.is_none();
        if let Some(row) = row {
            read_rows += 1;
            if read_rows.is_multiple_of(1000) {
                progress(read_rows);
            }
            batch.push(row);
        }
        if batch.len() < CHECK_BATCH && !done {
            continue;
        }
        // A batch is checked at once (a query for all its INNs, one for its phones, one for its
        // names), its rows told in order.
        let checked = planner.check_rows(&batch).await?;
        for (row, checked) in batch.drain(..).zip(checked) {
            let Some((checked, warning)) = checked else { continue };
            match checked {
                Checked::New(incoming) => new.push(*incoming),
                Checked::Existing(id, incoming) => {
                    if on_duplicate == OnDuplicate::Update {
                        existing.push((id, *incoming));
                    }
                }
                Checked::Rejected(problems) => book.reject(&row, &words::problems(i18n, lang, &problems))?,
            }
            if let Some(warning) = warning {
                book.warn(warning);
            }
        }
        if done {
            break;
        }
    }
    progress(read_rows);
    let outcome = planner.outcome;
    let errors = if outcome.rejected > 0 || outcome.warnings > 0 {
        book.save(i18n, lang, errors)?;
        Some(errors.to_path_buf())
    } else {
        None
    };
    Ok(Prepared { outcome, unknown, new, existing, errors, on_duplicate })
}

/// Saves a prepared file: every valid row in one transaction, or none.
pub async fn save_prospects(
    store: &dyn Store,
    importer: &Importer,
    prepared: &Prepared,
    what: &str,
    now: DateTime<Utc>,
) -> Result<ImportWritten, BaseError> {
    commit(store, importer, &prepared.new, &prepared.existing, prepared.outcome, what, now).await
}

/// A staff list checked, with its error workbook.
#[derive(Debug)]
pub struct PreparedUsers {
    pub plan: UserPlan,
    pub unknown: Vec<String>,
    pub errors: Option<PathBuf>,
}

/// Checks a staff list against the whitelist and the divisions; nothing is saved.
pub async fn prepare_users(
    store: &dyn Store,
    i18n: &I18n,
    lang: Lang,
    path: &Path,
    errors: &Path,
) -> Result<PreparedUsers, ImportError> {
    let mut rows = read::open(path)?;
    let mut all = vec![];
    while let Some(row) = rows.recv().await {
        all.push(row?);
    }
    if all.iter().all(SourceRow::is_blank) {
        return Err(FileProblem::Empty.into());
    }
    let head: Vec<SourceRow> = all.iter().take(HEADER_SEARCH_ROWS as usize).cloned().collect();
    let header = UserHeader::find(&head).ok_or(FileProblem::NoHeader)?;
    let header_line = head
        .iter()
        .find(|r| UserHeader::find(std::slice::from_ref(r)).is_some())
        .map(|r| r.line)
        .unwrap_or_default();
    let header_row =
        all.iter().find(|r| r.line == header_line).cloned().unwrap_or(SourceRow { line: 0, cells: vec![] });
    let data = all.into_iter().filter(|r| r.line > header_line);
    let plan = users::plan(store, &header, data, &words::roles(i18n)).await?;
    let errors = if plan.rejected.is_empty() {
        None
    } else {
        let mut book = ErrorBook::new(i18n, lang, &header_row)?;
        for (row, problems) in &plan.rejected {
            let reasons: Vec<String> = problems.iter().map(|p| words::user_problem(i18n, lang, p)).collect();
            book.reject(row, &reasons.join("; "))?;
        }
        book.save(i18n, lang, errors)?;
        Some(errors.to_path_buf())
    };
    Ok(PreparedUsers { plan, unknown: header.unknown, errors })
}

/// The error workbook's path beside an imported file: `base.xlsx` → `base.errors.xlsx`.
pub fn errors_path(file: &Path) -> PathBuf {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "import".into());
    file.with_file_name(format!("{stem}.errors.xlsx"))
}
