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
