//! The full contacts of a card, and the full export of a division's cards, for a channel that
//! does not go through Telegram (the bank's Mini App page, SPEC §10): the same rules as
//! opening a card (`prospects::visible`) or exporting (`ReportScope::allowed_for`) in the bot, every
//! view and download audited with where it came from, and at most so many a person an hour —
//! counted and written in one step, so requests at once cannot overrun the allowance.

use chrono::{DateTime, Duration, Utc};

use super::access::User;
use super::audit::{AuditAction, AuditRecord};
use super::diary::Entry;
use super::prospect::{Prospect, ProspectId};
use super::prospects::{self, BaseError};
use super::report::ReportScope;
use crate::store::{Store, StoreError};

/// A card's contacts and its last diary entries.
pub struct Contacts {
    pub prospect: Prospect,
    pub recent: Vec<Entry>,
}

/// Why the contacts were not shown. Nothing was written for any of them.
#[derive(Debug, thiserror::Error)]
pub enum ContactsError {
    /// Not an active person, or a card outside their view: the same answer for both.
    #[error("no access to this card")]
    NoAccess,
    /// The hourly allowance is spent.
    #[error("too many contact views this hour")]
    TooMany,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// How many diary entries the page shows.
const RECENT: i64 = 3;

/// Views counted against the allowance: those of the last hour.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(1)
}

/// Shows `id`'s contacts to `user` (already identified by the channel), audited as seen from
/// `from` (the client's address).
pub async fn view(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    from: &str,
    now: DateTime<Utc>,
    views_per_hour: u32,
) -> Result<Contacts, ContactsError> {
    if !user.active {
        return Err(ContactsError::NoAccess);
    }
    let prospect = match prospects::visible(store, user, id).await {
        Ok(prospect) => prospect,
        Err(BaseError::Store(e)) => return Err(e.into()),
        Err(_) => return Err(ContactsError::NoAccess),
    };
    let record = AuditRecord::new(now, Some(user.telegram_id), AuditAction::ContactsViewed)
        .subject(format!("prospect:{id}"))
        .details(format!("from {from}"));
    if !store.audit_within_allowance(&record, window_start(now), views_per_hour).await? {
        return Err(ContactsError::TooMany);
    }
    let recent = store.entries(id, 0, RECENT).await?;
    Ok(Contacts { prospect, recent })
}

/// Lets `user` download the full workbook of `scope` — the same scope `/export` offers them —
/// audited as from `from`, at most `per_hour` an hour. The caller builds the workbook after.
pub async fn export(
    store: &dyn Store,
    user: &User,
    scope: &ReportScope,
    from: &str,
    now: DateTime<Utc>,
    per_hour: u32,
) -> Result<(), ContactsError> {
    if !user.active || !scope.allowed_for(user) {
        return Err(ContactsError::NoAccess);
    }
    let record = AuditRecord::new(now, Some(user.telegram_id), AuditAction::ContactsExported)
        .subject(format!("region:{}", scope.key()))
        .details(format!("full workbook from {from}"));
    if !store.audit_within_allowance(&record, window_start(now), per_hour).await? {
        return Err(ContactsError::TooMany);
    }
    Ok(())
}
