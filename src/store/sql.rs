//! The SQL both backends share, run on whichever pool is open.
//!
//! sqlx binds `$1, $2…` by number on SQLite as on PostgreSQL, and both accept
//! `ON CONFLICT … DO …` and `RETURNING`, so one text serves both.

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::error::ErrorKind;
use sqlx::{PgPool, SqlitePool};

use super::local::Claims;
use super::{Backend, Store, StoreError, StoreResult};
use crate::domain::access::{
    AccessError, AccessRequest, Lang, NewUser, Placement, Region, RequestState, User,
};
use crate::domain::audit::AuditRecord;
use crate::domain::ids::{FullName, RegionCode, TelegramId};
use crate::domain::session::{Started, Turn, UpdateClaim};
use crate::domain::worktime::WorkingHours;

pub(super) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The store over either backend.
pub struct SqlStore {
    pub(super) pool: Pool,
    /// Divisions read so far. A division is never removed and its code, name and zone never
    /// change, so a cached one is right in those; one added by another process is read on its
    /// first miss. Every update reads its sender's division, which this saves. Working hours
    /// can change (`region set`): whatever counts working time reads them through `regions()`,
    /// which is never cached.
    pub(super) regions: std::sync::RwLock<std::collections::HashMap<String, Region>>,
    /// On SQLite, which one process serves: the update claims and leases (`local.rs`).
    pub(super) local: Claims,
}

impl From<SqlitePool> for SqlStore {
    fn from(pool: SqlitePool) -> Self {
        Self { pool: Pool::Sqlite(pool), regions: Default::default(), local: Claims::default() }
    }
}

impl From<PgPool> for SqlStore {
    fn from(pool: PgPool) -> Self {
        Self { pool: Pool::Postgres(pool), regions: Default::default(), local: Claims::default() }
    }
}

impl SqlStore {
    /// SQLite's `start_update`: the claim and the person's turn in memory (`local.rs`), then one
    /// read for whether the update was handled and for the person's whitelist entry. Claimed
    /// first and asked second: an update that ends meanwhile was marked handled before its
    /// claim was dropped (`finish_update`), so the read sees that.
    async fn start_locally(
        &self,
        p: &SqlitePool,
        update_id: i64,
        holder: &str,
        turn: Option<&Turn<'_>>,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Started> {
        if !self.local.claim_update(update_id, holder, secs(now), secs(until)) {
            return Ok(Started { claim: UpdateClaim::InHand, turn: false, entry: None });
        }
        let taken =
            turn.is_some_and(|t| self.local.take_lease(t.lease, t.holder, millis(now), millis(until)));
        let give_up = || {
            self.local.release_update(update_id, holder);
            if let Some(t) = turn.filter(|_| taken) {
                self.local.release_lease(t.lease, t.holder);
            }
        };
        let row: Result<StartRow, sqlx::Error> = sqlx::query_as(HANDLED_AND_ENTRY.as_str())
            .bind(update_id)
            .bind(turn.map(|t| t.person.get()))
            .fetch_one(p)
            .await;
        let row = match row {
            Ok(row) if row.handled != Some(true) => row,
            Ok(_) => {
                give_up();
                return Ok(Started { claim: UpdateClaim::Handled, turn: false, entry: None });
            }
            Err(e) => {
                give_up();
                return Err(e.into());
            }
        };
        let entry = if taken { row.user().map(User::try_from).transpose()? } else { None };
        Ok(Started { claim: UpdateClaim::Claimed, turn: taken, entry })
    }

    /// Closes every connection; waits for those in use to come back.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }
}

/// Opens a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so it waits its turn under the busy timeout instead of failing with
/// "database is locked" when a read snapshot cannot be upgraded.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;

    fn begin_write(
        &self,
    ) -> futures::future::BoxFuture<'_, Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;

    fn begin_write(
        &self,
    ) -> futures::future::BoxFuture<'_, Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error>> {
        tracing::trace!(target: crate::statements::TX_TARGET, "begin");
        Box::pin(self.begin_with("BEGIN IMMEDIATE"))
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;

    fn begin_write(
        &self,
    ) -> futures::future::BoxFuture<'_, Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error>> {
        tracing::trace!(target: crate::statements::TX_TARGET, "begin");
        Box::pin(self.begin())
    }
}

/// Runs the same expression against whichever pool is open; `$p` names the pool inside.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_log (at, actor_id, action, subject, details) \
                            VALUES ($1, $2, $3, $4, $5)";

/// Writes `$record` to the audit log through `$executor` (a pool or an open transaction).
macro_rules! insert_audit {
    ($executor:expr, $record:expr) => {
        sqlx::query($crate::store::sql::AUDIT_INSERT)
            .bind($crate::store::sql::secs($record.at))
            .bind($record.actor.map(TelegramId::get))
            .bind(&$record.action)
            .bind($record.subject.as_deref())
            .bind($record.details.as_deref())
            .execute($executor)
            .await
            .map(drop)
    };
}

/// Runs `$write` (which yields a `Result<T, sqlx::Error>` using `tx`) and the audit insert in
/// one transaction on whichever pool is open.
macro_rules! with_audit {
    ($store:expr, $audit:expr, |$tx:ident| $write:expr) => {
        on_pool!($store, p => async {
            let mut $tx = $crate::store::sql::BeginWrite::begin_write(p).await?;
            let written = $write;
            let written = match written {
                Ok(value) => value,
                Err(e) => return Err(e),
            };
            insert_audit!(&mut *$tx, $audit)?;
            $tx.commit().await?;
            Ok::<_, sqlx::Error>(written)
        }.await)
    };
}

pub(super) use {insert_audit, on_pool, with_audit};

pub(crate) fn secs(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// Leases are timed in milliseconds: a takeover within a few seconds needs the finer grain.
fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

pub(super) fn instant(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// The database's verdict on a write, for mapping constraint failures to the person's mistake.
pub(super) fn kind_of(err: &sqlx::Error) -> Option<ErrorKind> {
    err.as_database_error().map(|e| e.kind())
}

const USER_COLUMNS: &str =
    "telegram_id, full_name, role, region_code, active, lang, unreachable, added_by, added_at";

#[derive(sqlx::FromRow)]
struct UserRow {
    telegram_id: i64,
    full_name: String,
    role: String,
    region_code: Option<String>,
    active: bool,
    lang: String,
    unreachable: bool,
    added_by: Option<i64>,
    added_at: i64,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(row: UserRow) -> Result<Self, Self::Error> {
        let corrupt = |what: &str| StoreError::Corrupt(format!("user {}: {what}", row.telegram_id));
        Ok(User {
            telegram_id: TelegramId::new(row.telegram_id).map_err(|_| corrupt("id"))?,
            full_name: FullName::parse(&row.full_name).map_err(|_| corrupt("name"))?,
            role: row.role.parse().map_err(|_| corrupt("role"))?,
            region: match &row.region_code {
                Some(code) => Some(RegionCode::parse(code).map_err(|_| corrupt("region"))?),
                None => None,
            },
            active: row.active,
            lang: row.lang.parse().map_err(|_| corrupt("lang"))?,
            unreachable: row.unreachable,
            added_by: row.added_by.and_then(|id| TelegramId::new(id).ok()),
            added_at: instant(row.added_at),
        })
    }
}

#[derive(sqlx::FromRow)]
struct RegionRow {
    code: String,
    name: String,
    tz: String,
    hours: String,
}

impl TryFrom<RegionRow> for Region {
    type Error = StoreError;

    fn try_from(row: RegionRow) -> Result<Self, Self::Error> {
        let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("region {}: {e}", row.code));
        let mut region = Region::parse(&row.code, &row.name, &row.tz).map_err(|e| corrupt(&e))?;
        region.hours = WorkingHours::parse(&row.hours).map_err(|e| corrupt(&e))?;
        Ok(region)
    }
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    at: i64,
    actor_id: Option<i64>,
    action: String,
    subject: Option<String>,
    details: Option<String>,
}

impl From<AuditRow> for AuditRecord {
    fn from(row: AuditRow) -> Self {
        AuditRecord {
            at: instant(row.at),
            actor: row.actor_id.and_then(|id| TelegramId::new(id).ok()),
            action: row.action,
            subject: row.subject,
            details: row.details,
        }
    }
}

#[derive(sqlx::FromRow)]
struct RequestRow {
    telegram_id: i64,
    full_name: String,
    username: Option<String>,
    requested_at: i64,
    state: String,
}

impl TryFrom<RequestRow> for AccessRequest {
    type Error = StoreError;

    fn try_from(row: RequestRow) -> Result<Self, Self::Error> {
        let corrupt = || StoreError::Corrupt(format!("access request {}", row.telegram_id));
        Ok(AccessRequest {
            telegram_id: TelegramId::new(row.telegram_id).map_err(|_| corrupt())?,
            state: RequestState::parse(&row.state).ok_or_else(corrupt)?,
            full_name: row.full_name,
            username: row.username,
            requested_at: instant(row.requested_at),
        })
    }
}

/// Maps a write on a user row: no row means an unknown user, a broken reference an unknown region.
fn user_write(
    result: Result<UserRow, sqlx::Error>,
    id: TelegramId,
    region: Option<&RegionCode>,
) -> StoreResult<User> {
    match result {
        Ok(row) => row.try_into(),
        Err(sqlx::Error::RowNotFound) => Err(AccessError::UnknownUser(id).into()),
        Err(e) => match (kind_of(&e), region) {
            (Some(ErrorKind::UniqueViolation), _) => Err(AccessError::UserExists(id).into()),
            (Some(ErrorKind::ForeignKeyViolation), Some(code)) => {
                Err(AccessError::UnknownRegion(code.clone()).into())
            }
            _ => Err(e.into()),
        },
    }
}

/// Claims an update: `$1` its id, `$2` now, `$3` the holder, `$4` the claim's end (seconds).
const CLAIM_UPDATE: &str = "INSERT INTO processed_updates (update_id, processed_at, holder, claimed_until) \
     VALUES ($1, $2, $3, $4) \
     ON CONFLICT (update_id) DO UPDATE SET processed_at = excluded.processed_at, \
     holder = excluded.holder, claimed_until = excluded.claimed_until \
     WHERE processed_updates.claimed_until IS NOT NULL AND processed_updates.claimed_until < $2 \
     RETURNING update_id";
/// Why a claim was not had: the update's claim, if any (`NULL`: handled).
const CLAIM_STATE: &str = "SELECT claimed_until FROM processed_updates WHERE update_id = $1";
/// SQLite's record of an update handled (its claim was in memory): `$1` the update, `$2` its
/// holder, `$3` now.
const HANDLED_UPDATE: &str = "INSERT INTO processed_updates (update_id, processed_at, holder) \
     VALUES ($1, $3, $2) ON CONFLICT (update_id) DO UPDATE SET claimed_until = NULL, \
     processed_at = excluded.processed_at, holder = excluded.holder";
/// SQLite's look at an update being started: whether it was handled, and the person's (`$2`)
/// whitelist entry. Every update starts with it, so the text is built once.
static HANDLED_AND_ENTRY: std::sync::LazyLock<String> = std::sync::LazyLock::new(handled_and_entry_sql);

fn handled_and_entry_sql() -> String {
    format!(
        "SELECT 0 AS claimed, 0 AS taken, \
         (SELECT claimed_until IS NULL FROM processed_updates WHERE update_id = $1) AS handled, {} \
         FROM (SELECT 1 AS one) one LEFT JOIN users u ON u.telegram_id = CAST($2 AS BIGINT)",
        user_columns()
    )
}
/// `$1` the update, `$2` its holder, `$3` now.
const FINISH_UPDATE: &str = "UPDATE processed_updates SET claimed_until = NULL, processed_at = $3 \
     WHERE update_id = $1 AND holder = $2";
/// Takes or renews a lease: `$1` its name, `$2` the holder, `$3` its end, `$4` now (milliseconds).
const TAKE_LEASE: &str = "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
     WHERE leases.holder = excluded.holder OR leases.until < $4 \
     RETURNING name";
/// `$1` the lease's name, `$2` its holder.
const RELEASE_LEASE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";

/// `USER_COLUMNS` of alias `u`.
fn user_columns() -> String {
    USER_COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ")
}

/// Lets the statement's own commit skip waiting for the disk (`synchronous_commit` off for its
/// transaction only), for the bookkeeping of an update: its claim and the person's turn, its
/// handled mark and the turn given up. Each is written to the WAL as usual and reaches the disk
/// with the next commit that waits (a handler's audit line does) or within 200 ms; what a crash
/// of the database server can lose is only that: a claim the instance would find broken anyway
/// (its handler's transaction fails with the connection), or a handled mark — and Telegram
/// does not deliver an update again once it was answered. Everything a handler writes still
/// waits for the disk. Saves two disk flushes per update: at 20 people at once the e2e bot
/// went from 0.58 to 0.77 of the store floor (511 to 812 round trips a second).
const RELAXED_COMMIT: &str = "set_config('synchronous_commit', 'off', true)";

/// PostgreSQL's one statement for `start_update`: the claim (`$1`–`$4` as in `CLAIM_UPDATE`);
/// with it, the person's lease (`$5` its name, `$6` the holder, `$7` its end, `$8` now); with
/// that, the person's (`$9`) whitelist entry. Every part sees the database as it was when the
/// statement began, except the two inserts' conflicts, which see the latest rows. Every update
/// starts with it, so the text is built once.
static START_UPDATE: std::sync::LazyLock<String> = std::sync::LazyLock::new(start_update_sql);

fn start_update_sql() -> String {
    format!(
        "WITH claim AS ({CLAIM_UPDATE}), \
         turn AS (INSERT INTO leases (name, holder, until) \
           SELECT CAST($5 AS TEXT), CAST($6 AS TEXT), CAST($7 AS BIGINT) FROM claim \
           WHERE CAST($5 AS TEXT) IS NOT NULL \
           ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
           WHERE leases.holder = excluded.holder OR leases.until < $8 RETURNING name) \
         SELECT {RELAXED_COMMIT} AS relaxed, \
         (SELECT COUNT(*) FROM claim) AS claimed, (SELECT COUNT(*) FROM turn) AS taken, \
         (SELECT claimed_until IS NULL FROM processed_updates WHERE update_id = $1) AS handled, {} \
         FROM (SELECT 1 AS one) one \
         LEFT JOIN users u ON u.telegram_id = CAST($9 AS BIGINT) AND EXISTS (SELECT 1 FROM turn)",
        user_columns()
    )
}

/// An update found claimed: `Some(true)` handled, `Some(false)` in hand elsewhere, `None` not
/// there (released between two looks: the next delivery gets it).
fn claim_found(handled: Option<bool>) -> UpdateClaim {
    if handled == Some(true) { UpdateClaim::Handled } else { UpdateClaim::InHand }
}

/// `START_UPDATE`'s row: the user's columns are empty without a turn or an entry.
#[derive(sqlx::FromRow)]
struct StartRow {
    claimed: i64,
    taken: i64,
    handled: Option<bool>,
    telegram_id: Option<i64>,
    full_name: Option<String>,
    role: Option<String>,
    region_code: Option<String>,
    active: Option<bool>,
    lang: Option<String>,
    unreachable: Option<bool>,
    added_by: Option<i64>,
    added_at: Option<i64>,
}

impl StartRow {
    fn user(self) -> Option<UserRow> {
        Some(UserRow {
            telegram_id: self.telegram_id?,
            full_name: self.full_name.unwrap_or_default(),
            role: self.role.unwrap_or_default(),
            region_code: self.region_code,
            active: self.active.unwrap_or_default(),
            lang: self.lang.unwrap_or_default(),
            unreachable: self.unreachable.unwrap_or_default(),
            added_by: self.added_by,
            added_at: self.added_at.unwrap_or_default(),
        })
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    fn database_file(&self) -> Option<std::path::PathBuf> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p.connect_options().get_filename().to_path_buf()),
            Pool::Postgres(_) => None,
        }
    }

    async fn add_region(&self, region: &Region, now: DateTime<Utc>, audit: &AuditRecord) -> StoreResult<()> {
        let sql = "INSERT INTO regions (code, name, tz, hours, created_at) VALUES ($1, $2, $3, $4, $5)";
        let result = with_audit!(self, audit, |tx| sqlx::query(sql)
            .bind(region.code.as_str())
            .bind(region.name.as_str())
            .bind(region.tz.name())
            .bind(region.hours.to_string())
            .bind(secs(now))
            .execute(&mut *tx)
            .await
            .map(drop));
        match result {
            Ok(_) => Ok(()),
            Err(e) if kind_of(&e) == Some(ErrorKind::UniqueViolation) => {
                Err(AccessError::RegionExists(region.code.clone()).into())
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn region(&self, code: &RegionCode) -> StoreResult<Option<Region>> {
        if let Some(known) = self.regions.read().ok().and_then(|r| r.get(code.as_str()).cloned()) {
            return Ok(Some(known));
        }
        let sql = "SELECT code, name, tz, hours FROM regions WHERE code = $1";
        let row: Option<RegionRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(code.as_str())
            .fetch_optional(p)
            .await)?;
        let region = row.map(Region::try_from).transpose()?;
        if let (Some(region), Ok(mut cache)) = (&region, self.regions.write()) {
            cache.insert(code.as_str().to_owned(), region.clone());
        }
        Ok(region)
    }

    async fn regions(&self) -> StoreResult<Vec<Region>> {
        let sql = "SELECT code, name, tz, hours FROM regions ORDER BY code";
        let rows: Vec<RegionRow> = on_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await)?;
        rows.into_iter().map(Region::try_from).collect()
    }

    async fn add_user(&self, user: &NewUser, now: DateTime<Utc>, audit: &AuditRecord) -> StoreResult<User> {
        let sql = format!(
            "INSERT INTO users (telegram_id, full_name, role, region_code, lang, added_by, \
             added_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {USER_COLUMNS}"
        );
        let result = with_audit!(self, audit, |tx| sqlx::query_as::<_, UserRow>(&sql)
            .bind(user.telegram_id.get())
            .bind(user.full_name.as_str())
            .bind(user.role.as_str())
            .bind(user.region.as_ref().map(RegionCode::as_str))
            .bind(user.lang.as_str())
            .bind(user.added_by.map(TelegramId::get))
            .bind(secs(now))
            .fetch_one(&mut *tx)
            .await);
        user_write(result, user.telegram_id, user.region.as_ref())
    }

    async fn user(&self, id: TelegramId) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE telegram_id = $1");
        let row: Option<UserRow> =
            on_pool!(self, p => sqlx::query_as(&sql).bind(id.get()).fetch_optional(p).await)?;
        row.map(User::try_from).transpose()
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users");
        let rows: Vec<UserRow> = on_pool!(self, p => sqlx::query_as(&sql).fetch_all(p).await)?;
        let mut users = rows.into_iter().map(User::try_from).collect::<StoreResult<Vec<_>>>()?;
        // Sorted here: SQLite compares bytes, PostgreSQL its locale; people see one order.
        users.sort_by(|a, b| {
            let key = |u: &User| (u.full_name.as_str().to_lowercase(), u.telegram_id);
            key(a).cmp(&key(b))
        });
        Ok(users)
    }

    async fn set_placement(
        &self,
        id: TelegramId,
        placement: &Placement,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User> {
        let sql = format!(
            "UPDATE users SET role = $2, region_code = $3, updated_at = $4 \
             WHERE telegram_id = $1 RETURNING {USER_COLUMNS}"
        );
        let result = with_audit!(self, audit, |tx| sqlx::query_as::<_, UserRow>(&sql)
            .bind(id.get())
            .bind(placement.role.as_str())
            .bind(placement.region.as_ref().map(RegionCode::as_str))
            .bind(secs(now))
            .fetch_one(&mut *tx)
            .await);
        user_write(result, id, placement.region.as_ref())
    }

    async fn set_active(
        &self,
        id: TelegramId,
        active: bool,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User> {
        let sql = format!(
            "UPDATE users SET active = $2, updated_at = $3 WHERE telegram_id = $1 \
             RETURNING {USER_COLUMNS}"
        );
        let result = with_audit!(self, audit, |tx| sqlx::query_as::<_, UserRow>(&sql)
            .bind(id.get())
            .bind(active)
            .bind(secs(now))
            .fetch_one(&mut *tx)
            .await);
        user_write(result, id, None)
    }

    async fn set_lang(
        &self,
        id: TelegramId,
        lang: Lang,
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<User> {
        let sql = format!(
            "UPDATE users SET lang = $2, updated_at = $3 WHERE telegram_id = $1 \
             RETURNING {USER_COLUMNS}"
        );
        let result = with_audit!(self, audit, |tx| sqlx::query_as::<_, UserRow>(&sql)
            .bind(id.get())
            .bind(lang.as_str())
            .bind(secs(now))
            .fetch_one(&mut *tx)
            .await);
        user_write(result, id, None)
    }

    async fn record_access_request(
        &self,
        request: &AccessRequest,
        since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO access_requests (telegram_id, full_name, username, requested_at, state) \
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (telegram_id) DO UPDATE SET \
                   full_name = excluded.full_name, username = excluded.username, \
                   requested_at = excluded.requested_at, state = excluded.state, \
                   decided_by = NULL, decided_at = NULL \
                   WHERE access_requests.requested_at <= $6";
        let recorded = on_pool!(self, p => sqlx::query(sql)
            .bind(request.telegram_id.get())
            .bind(&request.full_name)
            .bind(request.username.as_deref())
            .bind(secs(request.requested_at))
            .bind(request.state.as_str())
            .bind(secs(since))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(recorded == 1)
    }

    async fn access_request(&self, id: TelegramId) -> StoreResult<Option<AccessRequest>> {
        let sql = "SELECT telegram_id, full_name, username, requested_at, state \
                   FROM access_requests WHERE telegram_id = $1";
        let row: Option<RequestRow> =
            on_pool!(self, p => sqlx::query_as(sql).bind(id.get()).fetch_optional(p).await)?;
        row.map(AccessRequest::try_from).transpose()
    }

    async fn decide_access_request(
        &self,
        id: TelegramId,
        state: RequestState,
        by: TelegramId,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "UPDATE access_requests SET state = $2, decided_by = $3, decided_at = $4 \
                   WHERE telegram_id = $1 AND state = 'pending'";
        let decided = on_pool!(self, p => sqlx::query(sql)
            .bind(id.get())
            .bind(state.as_str())
            .bind(by.get())
            .bind(secs(now))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(decided == 1)
    }

    async fn audit(&self, record: &AuditRecord) -> StoreResult<()> {
        on_pool!(self, p => insert_audit!(p, record))?;
        Ok(())
    }

    async fn audit_by_actor(&self, actor: TelegramId) -> StoreResult<Vec<AuditRecord>> {
        let sql = "SELECT at, actor_id, action, subject, details FROM audit_log \
                   WHERE actor_id = $1 ORDER BY at, id";
        let rows: Vec<AuditRow> =
            on_pool!(self, p => sqlx::query_as(sql).bind(actor.get()).fetch_all(p).await)?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    async fn audit_by_subject(&self, subject: &str) -> StoreResult<Vec<AuditRecord>> {
        let sql = "SELECT at, actor_id, action, subject, details FROM audit_log \
                   WHERE subject = $1 ORDER BY at, id";
        let rows: Vec<AuditRow> = on_pool!(self, p => sqlx::query_as(sql).bind(subject).fetch_all(p).await)?;
        Ok(rows.into_iter().map(AuditRecord::from).collect())
    }

    async fn audit_within_allowance(
        &self,
        record: &AuditRecord,
        since: DateTime<Utc>,
        allowance: u32,
    ) -> StoreResult<bool> {
        let Some(actor) = record.actor else {
            self.audit(record).await?;
            return Ok(true);
        };
        // Taking the person's allowance row first puts their concurrent checks in a queue: on
        // PostgreSQL the upsert holds the row until commit, and the count after it (a statement
        // of its own, so a fresh snapshot) sees the line the one before wrote; on SQLite the
        // write transaction alone does that.
        let take = "INSERT INTO allowances (actor_id, action, last_at) VALUES ($1, $2, $3) \
                    ON CONFLICT (actor_id, action) DO UPDATE SET last_at = excluded.last_at";
        let count = "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND at >= $2 AND action = $3";
        let written = on_pool!(self, p => async {
            let mut tx = p.begin_write().await?;
            sqlx::query(take)
                .bind(actor.get())
                .bind(&record.action)
                .bind(secs(record.at))
                .execute(&mut *tx)
                .await?;
            let (seen,): (i64,) = sqlx::query_as(count)
                .bind(actor.get())
                .bind(secs(since))
                .bind(&record.action)
                .fetch_one(&mut *tx)
                .await?;
            if seen >= i64::from(allowance) {
                tx.rollback().await?;
                return Ok::<_, sqlx::Error>(false);
            }
            insert_audit!(&mut *tx, record)?;
            tx.commit().await?;
            Ok(true)
        }.await)?;
        Ok(written)
    }

    async fn dialogue(&self, chat_id: i64) -> StoreResult<Option<String>> {
        let sql = "SELECT state FROM dialogues WHERE chat_id = $1";
        let state: Option<(String,)> =
            on_pool!(self, p => sqlx::query_as(sql).bind(chat_id).fetch_optional(p).await)?;
        Ok(state.map(|(s,)| s))
    }

    async fn set_dialogue(&self, chat_id: i64, state: &str, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "INSERT INTO dialogues (chat_id, state, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (chat_id) DO UPDATE SET state = excluded.state, \
                   updated_at = excluded.updated_at";
        on_pool!(self, p => sqlx::query(sql)
            .bind(chat_id)
            .bind(state)
            .bind(secs(now))
            .execute(p)
            .await
            .map(drop))?;
        Ok(())
    }

    async fn remove_dialogue(&self, chat_id: i64) -> StoreResult<()> {
        let sql = "DELETE FROM dialogues WHERE chat_id = $1";
        on_pool!(self, p => sqlx::query(sql).bind(chat_id).execute(p).await.map(drop))?;
        Ok(())
    }

    async fn is_handled(&self, update_id: i64) -> StoreResult<bool> {
        let sql = "SELECT update_id FROM processed_updates WHERE update_id = $1 AND claimed_until IS NULL";
        let found: Option<(i64,)> =
            on_pool!(self, p => sqlx::query_as(sql).bind(update_id).fetch_optional(p).await)?;
        Ok(found.is_some())
    }

    async fn mark_handled(&self, update_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        let sql = "INSERT INTO processed_updates (update_id, processed_at) VALUES ($1, $2) \
                   ON CONFLICT (update_id) DO UPDATE SET claimed_until = NULL";
        on_pool!(self, p => sqlx::query(sql)
            .bind(update_id)
            .bind(secs(now))
            .execute(p)
            .await
            .map(drop))?;
        Ok(())
    }

    async fn claim_update(
        &self,
        update_id: i64,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<UpdateClaim> {
        let p = match &self.pool {
            Pool::Sqlite(p) => {
                let started = self.start_locally(p, update_id, holder, None, now, until).await?;
                return Ok(started.claim);
            }
            Pool::Postgres(p) => p,
        };
        // One statement: of two instances claiming at once, the row lock lets exactly one
        // insert it or take over an expired claim.
        let claimed: Option<(i64,)> = sqlx::query_as(CLAIM_UPDATE)
            .bind(update_id)
            .bind(secs(now))
            .bind(holder)
            .bind(secs(until))
            .fetch_optional(p)
            .await?;
        if claimed.is_some() {
            return Ok(UpdateClaim::Claimed);
        }
        let row: Option<(Option<i64>,)> =
            sqlx::query_as(CLAIM_STATE).bind(update_id).fetch_optional(p).await?;
        Ok(claim_found(row.map(|(until,)| until.is_none())))
    }

    async fn start_update(
        &self,
        update_id: i64,
        holder: &str,
        turn: Option<&Turn<'_>>,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Started> {
        let p = match &self.pool {
            Pool::Sqlite(p) => return self.start_locally(p, update_id, holder, turn, now, until).await,
            Pool::Postgres(p) => p,
        };
        let row: StartRow = sqlx::query_as(START_UPDATE.as_str())
            .bind(update_id)
            .bind(secs(now))
            .bind(holder)
            .bind(secs(until))
            .bind(turn.map(|t| t.lease))
            .bind(turn.map(|t| t.holder))
            .bind(millis(until))
            .bind(millis(now))
            .bind(turn.map(|t| t.person.get()))
            .fetch_one(p)
            .await?;
        if row.claimed == 0 {
            return Ok(Started { claim: claim_found(row.handled), turn: false, entry: None });
        }
        let turn = row.taken == 1;
        let entry = row.user().map(User::try_from).transpose()?;
        Ok(Started { claim: UpdateClaim::Claimed, turn, entry })
    }

    async fn end_update(
        &self,
        update_id: i64,
        holder: &str,
        turn: Option<&Turn<'_>>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        match (&self.pool, turn) {
            (Pool::Postgres(p), Some(turn)) => {
                // A data-modifying WITH runs whether or not the statement reads it.
                let sql = format!(
                    "WITH finished AS ({FINISH_UPDATE}), \
                     freed AS (DELETE FROM leases WHERE name = $4 AND holder = $5) \
                     SELECT {RELAXED_COMMIT}"
                );
                sqlx::query(&sql)
                    .bind(update_id)
                    .bind(holder)
                    .bind(secs(now))
                    .bind(turn.lease)
                    .bind(turn.holder)
                    .execute(p)
                    .await?;
            }
            (Pool::Sqlite(_), Some(turn)) => {
                self.finish_update(update_id, holder, now).await?;
                self.local.release_lease(turn.lease, turn.holder);
            }
            (_, None) => self.finish_update(update_id, holder, now).await?,
        }
        Ok(())
    }

    async fn renew_update(&self, update_id: i64, holder: &str, until: DateTime<Utc>) -> StoreResult<()> {
        let p = match &self.pool {
            Pool::Sqlite(_) => {
                self.local.renew_update(update_id, holder, secs(until));
                return Ok(());
            }
            Pool::Postgres(p) => p,
        };
        let sql = "UPDATE processed_updates SET claimed_until = $3 \
                   WHERE update_id = $1 AND holder = $2 AND claimed_until IS NOT NULL";
        sqlx::query(sql).bind(update_id).bind(holder).bind(secs(until)).execute(p).await?;
        Ok(())
    }

    async fn finish_update(&self, update_id: i64, holder: &str, now: DateTime<Utc>) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // Written before the claim is dropped: a delivery that claims the update after
                // that finds it handled (`start_locally`).
                sqlx::query(HANDLED_UPDATE).bind(update_id).bind(holder).bind(secs(now)).execute(p).await?;
                self.local.release_update(update_id, holder);
            }
            Pool::Postgres(p) => {
                sqlx::query(FINISH_UPDATE).bind(update_id).bind(holder).bind(secs(now)).execute(p).await?;
            }
        }
        Ok(())
    }

    async fn release_update(&self, update_id: i64, holder: &str) -> StoreResult<()> {
        let p = match &self.pool {
            Pool::Sqlite(_) => {
                self.local.release_update(update_id, holder);
                return Ok(());
            }
            Pool::Postgres(p) => p,
        };
        let sql = "DELETE FROM processed_updates \
                   WHERE update_id = $1 AND holder = $2 AND claimed_until IS NOT NULL";
        sqlx::query(sql).bind(update_id).bind(holder).execute(p).await?;
        Ok(())
    }

    async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let p = match &self.pool {
            Pool::Sqlite(_) => return Ok(self.local.take_lease(name, holder, millis(now), millis(until))),
            Pool::Postgres(p) => p,
        };
        let taken: Option<(String,)> = sqlx::query_as(TAKE_LEASE)
            .bind(name)
            .bind(holder)
            .bind(millis(until))
            .bind(millis(now))
            .fetch_optional(p)
            .await?;
        Ok(taken.is_some())
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite(_) => self.local.release_lease(name, holder),
            Pool::Postgres(p) => {
                sqlx::query(RELEASE_LEASE).bind(name).bind(holder).execute(p).await?;
            }
        }
        Ok(())
    }

    async fn renew_lease(&self, name: &str, holder: &str, until: DateTime<Utc>) -> StoreResult<bool> {
        let p = match &self.pool {
            Pool::Sqlite(_) => return Ok(self.local.renew_lease(name, holder, millis(until))),
            Pool::Postgres(p) => p,
        };
        let sql = "UPDATE leases SET until = $3 WHERE name = $1 AND holder = $2";
        let renewed = sqlx::query(sql).bind(name).bind(holder).bind(millis(until)).execute(p).await?;
        Ok(renewed.rows_affected() == 1)
    }

    async fn end_lease(&self, name: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let p = match &self.pool {
            Pool::Sqlite(_) => return Ok(self.local.end_lease(name, millis(now))),
            Pool::Postgres(p) => p,
        };
        // An expired row is deleted too, but it was not held: only a live one counts.
        let sql = "DELETE FROM leases WHERE name = $1 RETURNING until";
        let ended: Option<(i64,)> = sqlx::query_as(sql).bind(name).fetch_optional(p).await?;
        Ok(ended.is_some_and(|(until,)| until >= millis(now)))
    }

    async fn lease_holder(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Option<String>> {
        let p = match &self.pool {
            Pool::Sqlite(_) => return Ok(self.local.lease_holder(name, millis(now))),
            Pool::Postgres(p) => p,
        };
        let sql = "SELECT holder FROM leases WHERE name = $1 AND until >= $2";
        let row: Option<(String,)> =
            sqlx::query_as(sql).bind(name).bind(millis(now)).fetch_optional(p).await?;
        Ok(row.map(|(holder,)| holder))
    }

    async fn prune_updates(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        let sql = "DELETE FROM processed_updates WHERE processed_at < $1";
        let gone = on_pool!(self, p => sqlx::query(sql)
            .bind(secs(before))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(gone)
    }

    async fn claim_refusal_notice(
        &self,
        id: TelegramId,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let sql = "INSERT INTO refusals (telegram_id, last_notice_at) VALUES ($1, $2) \
                   ON CONFLICT (telegram_id) DO UPDATE SET last_notice_at = excluded.last_notice_at \
                   WHERE refusals.last_notice_at <= $3";
        let claimed = on_pool!(self, p => sqlx::query(sql)
            .bind(id.get())
            .bind(secs(now))
            .bind(secs(since))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(claimed == 1)
    }
}
