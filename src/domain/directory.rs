//! Whitelist and division management, shared by the operator CLI and the admin chat, so both
//! apply the same checks and leave the same audit trail.

use chrono::{DateTime, NaiveDate, Utc};

use super::access::{AccessError, AccessRequest, Lang, NewUser, Placement, Region, RequestState, Role, User};
use super::audit::{AuditAction, AuditRecord, user_subject};
use super::ids::{RegionCode, TelegramId};
use super::worktime::{Calendar, DayKind, WorkingHours};
use crate::store::{Store, StoreError};

/// A failure of a directory operation: either the person's mistake or the store's.
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Access(#[from] AccessError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for DirectoryError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Access(e) => DirectoryError::Access(e),
            other => DirectoryError::Store(other),
        }
    }
}

pub async fn add_region(
    store: &dyn Store,
    region: &Region,
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<(), DirectoryError> {
    let record = AuditRecord::new(now, actor, AuditAction::RegionAdded)
        .subject(format!("region:{}", region.code))
        .details(format!("{} ({})", region.name.as_str(), region.tz.name()));
    store.add_region(region, now, &record).await?;
    Ok(())
}

/// Sets a division's working hours (SPEC §6: the hand-off SLA counts them).
pub async fn set_hours(
    store: &dyn Store,
    code: &RegionCode,
    hours: WorkingHours,
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<(), DirectoryError> {
    let record = AuditRecord::new(now, actor, AuditAction::RegionHoursSet)
        .subject(format!("region:{code}"))
        .details(hours.to_string());
    store.set_region_hours(code, hours, &record).await?;
    Ok(())
}

/// The bank's calendar of holidays, transferred days and shortened days.
pub async fn calendar(store: &dyn Store) -> Result<Calendar, StoreError> {
    store.calendar().await
}

/// Loads the calendar's `days`: a whole `year` of the production calendar (replacing what that
/// year held, so the same file twice changes nothing), or single days over what is there.
pub async fn load_calendar(
    store: &dyn Store,
    year: Option<i32>,
    days: &[(NaiveDate, DayKind)],
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<(), DirectoryError> {
    let holidays = days.iter().filter(|(_, k)| *k == DayKind::Holiday).count();
    let mut details = format!("{} days, {holidays} holidays", days.len());
    if let Some(year) = year {
        details = format!("{year}: {details}");
    }
    let record =
        AuditRecord::new(now, actor, AuditAction::CalendarLoaded).subject("calendar").details(details);
    store.put_calendar_days(year, days, now, &record).await?;
    Ok(())
}

pub async fn add_user(store: &dyn Store, user: &NewUser, now: DateTime<Utc>) -> Result<User, DirectoryError> {
    let details = format!(
        "{} {} {}",
        user.full_name.as_str(),
        user.role,
        user.region.as_ref().map(|r| r.as_str()).unwrap_or("-")
    );
    let record = AuditRecord::new(now, user.added_by, AuditAction::UserAdded)
        .subject(user_subject(user.telegram_id))
        .details(details);
    Ok(store.add_user(user, now, &record).await?)
}

pub async fn change_placement(
    store: &dyn Store,
    id: TelegramId,
    placement: &Placement,
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<User, DirectoryError> {
    if actor == Some(id) {
        return Err(AccessError::SelfChange.into());
    }
    let before = store.user(id).await?.ok_or(AccessError::UnknownUser(id))?;
    let show = |role: Role, region: &Option<RegionCode>| {
        format!("{role} {}", region.as_ref().map(RegionCode::as_str).unwrap_or("-"))
    };
    let record =
        AuditRecord::new(now, actor, AuditAction::UserPlacementChanged).subject(user_subject(id)).details(
            format!("{} -> {}", show(before.role, &before.region), show(placement.role, &placement.region)),
        );
    Ok(store.set_placement(id, placement, now, &record).await?)
}

pub async fn set_active(
    store: &dyn Store,
    id: TelegramId,
    active: bool,
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<User, DirectoryError> {
    if actor == Some(id) {
        return Err(AccessError::SelfChange.into());
    }
    let action = if active { AuditAction::UserEnabled } else { AuditAction::UserDisabled };
    let record = AuditRecord::new(now, actor, action).subject(user_subject(id));
    Ok(store.set_active(id, active, now, &record).await?)
}

pub async fn set_lang(
    store: &dyn Store,
    id: TelegramId,
    lang: Lang,
    now: DateTime<Utc>,
) -> Result<User, DirectoryError> {
    let record = AuditRecord::new(now, Some(id), AuditAction::LanguageChanged)
        .subject(user_subject(id))
        .details(lang.as_str());
    Ok(store.set_lang(id, lang, now, &record).await?)
}

/// Everyone on the whitelist, active or not.
pub async fn users(store: &dyn Store) -> Result<Vec<User>, StoreError> {
    store.users().await
}

/// One person of the whitelist.
pub async fn user(store: &dyn Store, id: TelegramId) -> Result<Option<User>, StoreError> {
    store.user(id).await
}

/// Every division.
pub async fn regions(store: &dyn Store) -> Result<Vec<Region>, StoreError> {
    store.regions().await
}

/// One division.
pub async fn region(store: &dyn Store, code: &RegionCode) -> Result<Option<Region>, StoreError> {
    store.region(code).await
}

/// A stranger asks for access (SPEC §2): recorded and audited once a day at most. The active
/// admins to pass it to, or `None` when the person asked within the last day already.
pub async fn request_access(
    store: &dyn Store,
    request: &AccessRequest,
    now: DateTime<Utc>,
) -> Result<Option<Vec<User>>, StoreError> {
    if !store.record_access_request(request, now - chrono::Duration::days(1)).await? {
        return Ok(None);
    }
    let id = request.telegram_id;
    let record = AuditRecord::new(now, Some(id), AuditAction::AccessRequested)
        .subject(user_subject(id))
        .details(format!("{} @{}", request.full_name, request.username.as_deref().unwrap_or("-")));
    store.audit(&record).await?;
    Ok(Some(store.users().await?.into_iter().filter(|u| u.active && u.role == Role::Admin).collect()))
}

/// A request still waiting for an admin's decision.
pub async fn pending_request(store: &dyn Store, id: TelegramId) -> Result<Option<AccessRequest>, StoreError> {
    Ok(store.access_request(id).await?.filter(|r| r.state == RequestState::Pending))
}

/// An admin rejects a pending request, audited; `false` when another admin decided first.
pub async fn reject_request(
    store: &dyn Store,
    admin: &User,
    id: TelegramId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let by = admin.telegram_id;
    if !store.decide_access_request(id, RequestState::Rejected, by, now).await? {
        return Ok(false);
    }
    let record =
        AuditRecord::new(now, Some(by), AuditAction::AccessRequestRejected).subject(user_subject(id));
    store.audit(&record).await?;
    Ok(true)
}

/// Closes the request of a person just whitelisted; `false` when there was none pending.
pub async fn approve_request(
    store: &dyn Store,
    admin: &User,
    id: TelegramId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    store.decide_access_request(id, RequestState::Approved, admin.telegram_id, now).await
}
