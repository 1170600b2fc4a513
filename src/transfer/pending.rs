//! An import through a channel that asks before saving (the bot): the file is checked and kept
//! in the database with its preview; the sender's «Загрузить» claims it once and saves it, their
//! «Отмена» drops it. A press that finds the file no longer pending — pressed twice, forged, or
//! someone else's — saves nothing.

use chrono::{DateTime, Utc};

use super::{ImportError, Prepared, prepare_prospects, save_prospects};
use crate::domain::access::User;
use crate::domain::import::{Defaults, Importer, Outcome};
use crate::i18n::I18n;
use crate::store::{ImportWritten, Store};

/// A checked file waiting for its sender's decision.
#[derive(Debug)]
pub struct Offer {
    pub id: i64,
    pub outcome: Outcome,
    pub unknown: Vec<String>,
    /// The error workbook, when some rows were rejected or have similar names.
    pub errors: Option<Vec<u8>>,
}

/// Where a file and its error workbook are written while they are checked.
fn scratch() -> Result<tempfile::TempDir, ImportError> {
    tempfile::tempdir()
        .map_err(|e| ImportError::File(crate::domain::import::FileProblem::Unreadable(e.to_string())))
}

async fn prepare(
    store: &dyn Store,
    i18n: &I18n,
    user: &User,
    file_name: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<(Prepared, Option<Vec<u8>>), ImportError> {
    let dir = scratch()?;
    let path = dir.path().join("file");
    let unreadable =
        |e: std::io::Error| ImportError::File(crate::domain::import::FileProblem::Unreadable(e.to_string()));
    tokio::fs::write(&path, content).await.map_err(unreadable)?;
    let errors = dir.path().join(format!("{file_name}.errors.xlsx"));
    let importer = Importer::Person(user.clone());
    let prepared = prepare_prospects(
        store,
        i18n,
        user.lang,
        &path,
        importer,
        Defaults::default(),
        &errors,
        now,
        &mut |_| {},
    )
    .await?;
    let book = match &prepared.errors {
        Some(path) => Some(tokio::fs::read(path).await.map_err(unreadable)?),
        None => None,
    };
    Ok((prepared, book))
}

/// Checks a file `user` sent and keeps it until they decide.
pub async fn offer(
    store: &dyn Store,
    i18n: &I18n,
    user: &User,
    file_name: &str,
    content: &[u8],
    now: DateTime<Utc>,
) -> Result<Offer, ImportError> {
    let (prepared, errors) = prepare(store, i18n, user, file_name, content, now).await?;
    let id = store
        .keep_pending_import(user.telegram_id, file_name, content, now)
        .await
        .map_err(crate::domain::prospects::BaseError::from)?;
    Ok(Offer { id, outcome: prepared.outcome, unknown: prepared.unknown, errors })
}

/// What «Загрузить» did.
#[derive(Debug)]
pub enum Confirmed {
    Saved(ImportWritten),
    /// The file was saved, cancelled or is not the presser's: nothing done.
    Stale,
}

/// Saves the pending file `id` of `user`: checked again against the base as it is now, every
/// valid row in one transaction.
pub async fn confirm(
    store: &dyn Store,
    i18n: &I18n,
    user: &User,
    id: i64,
    now: DateTime<Utc>,
) -> Result<Confirmed, ImportError> {
    let base = |e| ImportError::Base(crate::domain::prospects::BaseError::from(e));
    let Some(pending) = store.claim_pending_import(id, user.telegram_id, "saving").await.map_err(base)?
    else {
        return Ok(Confirmed::Stale);
    };
    let saved = async {
        let (prepared, _) = prepare(store, i18n, user, &pending.file_name, &pending.content, now).await?;
        let importer = Importer::Person(user.clone());
        Ok::<_, ImportError>(save_prospects(store, &importer, &prepared, &pending.file_name, now).await?)
    }
    .await;
    let state = if saved.is_ok() { "saved" } else { "pending" };
    store.settle_pending_import(id, state).await.map_err(base)?;
    Ok(Confirmed::Saved(saved?))
}

/// Drops the pending file `id` of `user`; `false` when it was no longer pending.
pub async fn cancel(store: &dyn Store, user: &User, id: i64) -> Result<bool, ImportError> {
    let base = |e| ImportError::Base(crate::domain::prospects::BaseError::from(e));
    let claimed = store.claim_pending_import(id, user.telegram_id, "cancelled").await.map_err(base)?;
    if claimed.is_some() {
        store.settle_pending_import(id, "cancelled").await.map_err(base)?;
    }
    Ok(claimed.is_some())
}
