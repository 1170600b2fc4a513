//! Persistence behind one trait, with an SQLite and a PostgreSQL backend.
//!
//! `SqlStore` holds either pool; SQL that both dialects accept lives once in `sql.rs` and runs
//! on whichever pool is open. Backend-specific pieces (connecting, pragmas, migrations) live in
//! `sqlite.rs` and `postgres.rs`. Region scoping is part of each query, never left to the caller.

mod calendar;
pub(crate) mod card;
mod delivery;
mod diary;
mod handoffs;
mod import;
mod import_update;
mod local;
mod ops;
mod portfolio;
mod postgres;
mod prospects;
mod reports;
pub(crate) mod sql;
mod sqlite;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use calendar::CalendarStore;
pub use card::CardColumns;
pub use delivery::{DeliveryStore, NewOutgoing, Outgoing};
pub use diary::{DiaryStore, EntryWrite, EntryWritten};
pub use handoffs::HandoffStore;
pub use import::{ImportStore, ImportWrite, ImportWritten, KnownCard, PendingImport};
pub use ops::{Backlog, OpsStore, PoolUsage, Schema};
pub use portfolio::{
    Absence, CardMove, HeldCard, Holdings, LEAD_MOVED_KIND, LeadMoved, Leaving, MOVED_REASON, PortfolioStore,
    Transfer,
};
pub use prospects::{ProspectStore, TextSearch};
pub use reports::{AuditLine, EntryLine, ExportLine, HandoffLine, ReportStore};
pub use sql::SqlStore;

use crate::domain::access::{
    AccessError, AccessRequest, Lang, NewUser, Placement, Region, RequestState, User,
};
use crate::domain::audit::AuditRecord;
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::session::{Started, Turn, UpdateClaim};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The person's request contradicts what is stored (duplicate, unknown reference).
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    /// A unique constraint refused the write (named by the constraint).
    #[error("duplicate: {0}")]
    Duplicate(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// What this backend does not do (the message says what to do instead).
    #[error("{0}")]
    Unsupported(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Which backend a store runs on; tests and benchmarks report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Store:
    ProspectStore
    + DiaryStore
    + DeliveryStore
    + HandoffStore
    + ReportStore
    + CalendarStore
    + PortfolioStore
    + OpsStore
    + ImportStore
    + Send
    + Sync
{
    fn backend(&self) -> Backend;
    /// The SQLite database file, when the store is one (`None` on PostgreSQL).
    fn database_file(&self) -> Option<std::path::PathBuf>;

    // Divisions.
    /// Whitelist and division writes carry their audit line: both are saved, or neither.
    async fn add_region(&self, region: &Region, now: DateTime<Utc>, audit: &AuditRecord) -> StoreResult<()>;
    async fn region(&self, code: &RegionCode) -> StoreResult<Option<Region>>;
    async fn regions(&self) -> StoreResult<Vec<Region>>;

    // The whitelist.
    async fn add_user(&self, user: &NewUser, now: DateTime<Utc>, audit: &AuditRecord) -> StoreResult<User>;
    async fn user(&self, id: TelegramId) -> StoreResult<Option<User>>;
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn set_placement(
        &self,
        id: TelegramId,
        placement: &Placement,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User>;
    async fn set_active(
        &self,
        id: TelegramId,
        active: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User>;
    async fn set_lang(
        &self,
        id: TelegramId,
        lang: Lang,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User>;

    // Requests for access.
    /// Records a request unless one was made since `since`; `true` when recorded.
    async fn record_access_request(&self, request: &AccessRequest, since: DateTime<Utc>)
    -> StoreResult<bool>;
    async fn access_request(&self, id: TelegramId) -> StoreResult<Option<AccessRequest>>;
    /// Decides a pending request; `false` when it was not pending (decided by someone else).
    async fn decide_access_request(
        &self,
        id: TelegramId,
        state: RequestState,
        by: TelegramId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    // The audit trail.
    async fn audit(&self, record: &AuditRecord) -> StoreResult<()>;
    async fn audit_by_actor(&self, actor: TelegramId) -> StoreResult<Vec<AuditRecord>>;
    async fn audit_by_subject(&self, subject: &str) -> StoreResult<Vec<AuditRecord>>;
    /// Writes `record` unless its actor already has `allowance` lines of its action since
    /// `since` (an hourly allowance); the count and the write are one step, so requests of one
    /// person at once cannot both take the last one. `false`, and nothing written, when spent.
    async fn audit_within_allowance(
        &self,
        record: &AuditRecord,
        since: DateTime<Utc>,
        allowance: u32,
    ) -> StoreResult<bool>;

    // The bot's bookkeeping.
    async fn dialogue(&self, chat_id: i64) -> StoreResult<Option<String>>;
    async fn set_dialogue(&self, chat_id: i64, state: &str, now: DateTime<Utc>) -> StoreResult<()>;
    async fn remove_dialogue(&self, chat_id: i64) -> StoreResult<()>;
    /// Whether an update was handled already (Telegram may deliver one again after a crash).
    async fn is_handled(&self, update_id: i64) -> StoreResult<bool>;
    /// Marks an update handled, once its handler has finished.
    async fn mark_handled(&self, update_id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// Claims update `update_id` for `holder` until `until` (renewed while it is handled): it
    /// is `Claimed` unless handled already or held by a live claim of another instance.
    async fn claim_update(
        &self,
        update_id: i64,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<UpdateClaim>;
    /// `claim_update`, then (claimed) `take_lease` of the person's turn and (taken) their
    /// whitelist entry, in one step.
    async fn start_update(
        &self,
        update_id: i64,
        holder: &str,
        turn: Option<&Turn<'_>>,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Started>;
    /// `finish_update`, then `release_lease` of the person's turn, in one step.
    async fn end_update(
        &self,
        update_id: i64,
        holder: &str,
        turn: Option<&Turn<'_>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Extends `holder`'s claim on an update it is still handling.
    async fn renew_update(&self, update_id: i64, holder: &str, until: DateTime<Utc>) -> StoreResult<()>;
    /// Marks `holder`'s claimed update handled.
    async fn finish_update(&self, update_id: i64, holder: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// Gives up `holder`'s claim (its handler failed), so the next delivery is handled.
    async fn release_update(&self, update_id: i64, holder: &str) -> StoreResult<()>;
    /// Takes or renews lease `name` for `holder` until `until`: `true` when it is free, expired
    /// (at `now`) or already `holder`'s.
    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Gives lease `name` up, if `holder` holds it.
    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()>;
    /// Extends `holder`'s lease `name` to `until`; `false` when `holder` no longer holds it
    /// (someone ended it with `end_lease`), and then nothing is taken.
    async fn renew_lease(&self, name: &str, holder: &str, until: DateTime<Utc>) -> StoreResult<bool>;
    /// Ends lease `name` whoever holds it; `true` when it was held.
    async fn end_lease(&self, name: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// Who holds lease `name` at `now`.
    async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Option<String>>;
    /// Forgets handled update ids older than `before`.
    async fn prune_updates(&self, before: DateTime<Utc>) -> StoreResult<u64>;
    /// Claims the right to send a refusal to a stranger: `true` when none was sent since `since`.
    async fn claim_refusal_notice(
        &self,
        id: TelegramId,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<bool>;
}

/// Opens the store named by `url` and brings its schema up to date.
pub async fn connect(url: &str) -> StoreResult<SqlStore> {
    let store = if url.starts_with("sqlite:") {
        SqlStore::from(sqlite::open(url).await?)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        SqlStore::from(postgres::open(url).await?)
    } else {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    };
    Ok(store)
}
