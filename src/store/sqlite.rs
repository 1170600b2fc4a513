//! The embedded backend: one SQLite file with WAL, foreign keys and a short-step busy handler.
//!
//! SQLite lets one connection write at a time; the others wait in the busy handler until the
//! write lock is free. SQLite's own handler (`busy_timeout`) sleeps 1, 2, 5, 10 … up to 100 ms
//! between tries, so under load a writer sleeps on long after the lock was given up: with 20
//! people at once the slowest hundredth of updates waited 130 ms, mostly asleep. The handler set
//! here tries again every 0.1 ms for the first 10 ms and every millisecond after, and gives up
//! after `BUSY_TIMEOUT` as the default did.

use std::ffi::{c_int, c_void};
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::StoreResult;

/// This build's schema, embedded in the binary.
pub(super) static MIGRATOR: Migrator = sqlx::migrate!("migrations/sqlite");

/// How long a write waits for the lock before it fails with "database is locked".
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Tries at `SHORT_STEP` before the steps grow to `LONG_STEP`.
const SHORT_TRIES: c_int = 100;
const SHORT_STEP: Duration = Duration::from_micros(100);
const LONG_STEP: Duration = Duration::from_millis(1);

pub(super) async fn open(url: &str) -> StoreResult<SqlitePool> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT);
    if let Some(dir) = options.get_filename().parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .after_connect(|conn, _| {
            Box::pin(async move {
                let mut handle = conn.lock_handle().await?;
                let db = handle.as_raw_handle().as_ptr();
                // SAFETY: `db` is this connection's open handle, and the lock held by `handle`
                // keeps sqlx's worker thread off it during the call. The handler is a plain
                // function with no state (its argument is null), valid for the program's life.
                let rc = unsafe {
                    libsqlite3_sys::sqlite3_busy_handler(db, Some(wait_for_lock), std::ptr::null_mut())
                };
                if rc != libsqlite3_sys::SQLITE_OK {
                    return Err(sqlx::Error::Protocol(format!(
                        "cannot set SQLite's busy handler: code {rc}"
                    )));
                }
                Ok(())
            })
        })
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// SQLite's busy handler: called on the connection's own thread with the number of tries so
/// far; sleeps a step and asks for another try (1), or gives up (0) after `BUSY_TIMEOUT`.
unsafe extern "C" fn wait_for_lock(_: *mut c_void, tries: c_int) -> c_int {
    let long_tries = (BUSY_TIMEOUT - SHORT_STEP * SHORT_TRIES as u32).as_millis() as c_int;
    if tries < SHORT_TRIES {
        std::thread::sleep(SHORT_STEP);
        1
    } else if tries < SHORT_TRIES + long_tries {
        std::thread::sleep(LONG_STEP);
        1
    } else {
        0
    }
}
