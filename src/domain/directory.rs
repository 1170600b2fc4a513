//! Whitelist and division management, shared by the operator CLI and the admin chat, so both
//! apply the same checks and leave the same audit trail.

use chrono::{DateTime, Utc};

use super::access::{AccessError, Lang, NewUser, Placement, Region, Role, User};
use super::audit::{AuditAction, AuditRecord, user_subject};
use super::ids::{RegionCode, TelegramId};
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
