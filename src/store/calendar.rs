//! Working time in SQL: each division's working hours and the bank's calendar of days that
//! differ from a plain week. A year loaded from the production calendar replaces that year
//! whole, so loading the same file twice changes nothing.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::StoreResult;
use super::sql::{Pool, SqlStore, insert_audit, on_pool, secs, with_audit};
use crate::domain::access::AccessError;
use crate::domain::audit::AuditRecord;
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::worktime::{Calendar, DayKind, WorkingHours};

#[async_trait]
pub trait CalendarStore {
    /// Sets a division's working hours, with its audit line.
    async fn set_region_hours(
        &self,
        code: &RegionCode,
        hours: WorkingHours,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// The bank's calendar as loaded so far.
    async fn calendar(&self) -> StoreResult<Calendar>;
    /// Writes `days` over what the calendar holds; with `year`, that year's days not among
    /// them go back to a plain week first. One transaction with its audit line.
    async fn put_calendar_days(
        &self,
        year: Option<i32>,
        days: &[(NaiveDate, DayKind)],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}

const DAY: &str = "%Y-%m-%d";

#[async_trait]
impl CalendarStore for SqlStore {
    async fn set_region_hours(
        &self,
        code: &RegionCode,
        hours: WorkingHours,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let sql = "UPDATE regions SET hours = $2 WHERE code = $1";
        let changed = with_audit!(self, audit, |tx| sqlx::query(sql)
            .bind(code.as_str())
            .bind(hours.to_string())
            .execute(&mut *tx)
            .await
            .map(|done| done.rows_affected()))?;
        if changed == 0 {
            return Err(AccessError::UnknownRegion(code.clone()).into());
        }
        if let Ok(mut cache) = self.regions.write()
            && let Some(region) = cache.get_mut(code.as_str())
        {
            region.hours = hours;
        }
        Ok(())
    }

    async fn calendar(&self) -> StoreResult<Calendar> {
        let sql = "SELECT day, kind FROM calendar_days ORDER BY day";
        let rows: Vec<(String, String)> = on_pool!(self, p => sqlx::query_as(sql).fetch_all(p).await)?;
        let mut days = Vec::with_capacity(rows.len());
        for (day, kind) in rows {
            let corrupt = || super::StoreError::Corrupt(format!("calendar day {day} {kind}"));
            let date = NaiveDate::parse_from_str(&day, DAY).map_err(|_| corrupt())?;
            days.push((date, DayKind::parse(&kind).ok_or_else(corrupt)?));
        }
        Ok(Calendar::new(days))
    }

    async fn put_calendar_days(
        &self,
        year: Option<i32>,
        days: &[(NaiveDate, DayKind)],
        now: DateTime<Utc>,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let clear = "DELETE FROM calendar_days WHERE day >= $1 AND day < $2";
        let upsert = "INSERT INTO calendar_days (day, kind, updated_at) VALUES ($1, $2, $3) \
            ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, updated_at = excluded.updated_at";
        with_audit!(self, audit, |tx| async {
            if let Some(year) = year {
                sqlx::query(clear)
                    .bind(format!("{year:04}-01-01"))
                    .bind(format!("{:04}-01-01", year + 1))
                    .execute(&mut *tx)
                    .await?;
            }
            for (date, kind) in days {
                debug_assert!(year.is_none_or(|y| date.year() == y));
                sqlx::query(upsert)
                    .bind(date.format(DAY).to_string())
                    .bind(kind.as_str())
                    .bind(secs(now))
                    .execute(&mut *tx)
                    .await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await)?;
        Ok(())
    }
}
