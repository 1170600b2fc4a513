//! Follow-ups (SPEC §3, §6): the agreed next contact, due at a UTC instant, owned by a person.

use chrono::{DateTime, Utc};

use super::access::Lang;
use super::ids::{RegionCode, TelegramId};
use super::prospect::ProspectId;

/// A follow-up with what its reminder shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followup {
    pub id: i64,
    pub prospect: ProspectId,
    pub prospect_name: String,
    pub prospect_inn: String,
    /// The prospect's division: whose data the reminder carries.
    pub region: RegionCode,
    pub contact_person: Option<String>,
    pub phone: Option<String>,
    pub agreed: String,
    pub due_at: DateTime<Utc>,
    pub owner: TelegramId,
    pub owner_name: String,
    pub owner_lang: Lang,
    /// The owner's division's time zone (IANA name), for showing the time.
    pub owner_tz: Option<String>,
    pub state: String,
}

/// How late a reminder is when sent, in whole minutes (0 when on time).
pub fn minutes_late(due_at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (now - due_at).num_minutes().max(0)
}

/// What became of a request to move a follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moved {
    Moved,
    /// Someone else's follow-up (a forged button): nothing changes.
    NotYours,
    /// Done or moved meanwhile.
    Gone,
}

/// `user`'s open follow-ups due before `until`, soonest first (`/today`).
pub async fn agenda(
    store: &dyn crate::store::Store,
    user: &super::access::User,
    until: DateTime<Utc>,
) -> crate::store::StoreResult<Vec<Followup>> {
    store.agenda(user.telegram_id, until).await
}

/// Moves `user`'s own follow-up to `due` (a reminder's snooze and "tomorrow" buttons).
pub async fn reschedule(
    store: &dyn crate::store::Store,
    user: &super::access::User,
    id: i64,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> crate::store::StoreResult<Moved> {
    if store.followup(id).await?.is_none_or(|f| f.owner != user.telegram_id) {
        return Ok(Moved::NotYours);
    }
    Ok(if store.reschedule_followup(id, user.telegram_id, due, now).await? {
        Moved::Moved
    } else {
        Moved::Gone
    })
}
