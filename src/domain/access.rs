//! Roles, divisions and the whitelist (SPEC §2, §3).
//!
//! Invariant: a `NewUser` always has a region exactly when its role works inside one
//! (specialist, credit officer, manager) and none for head office and admin.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::{FullName, ParseError, RegionCode, RegionName, TelegramId, TimeZoneName};
use super::worktime::{Calendar, WorkTime, WorkingHours};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Specialist,
    CreditOfficer,
    Manager,
    HeadOffice,
    Admin,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Specialist, Role::CreditOfficer, Role::Manager, Role::HeadOffice, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Specialist => "specialist",
            Role::CreditOfficer => "credit_officer",
            Role::Manager => "manager",
            Role::HeadOffice => "head_office",
            Role::Admin => "admin",
        }
    }

    /// Roles that work inside one division and see only its data.
    pub fn works_in_region(self) -> bool {
        matches!(self, Role::Specialist | Role::CreditOfficer | Role::Manager)
    }
}

impl FromStr for Role {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == wanted).ok_or(ParseError::Role)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The language a person reads the bot in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Ru, Lang::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::En => "en",
        }
    }
}

impl FromStr for Lang {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ru" => Ok(Lang::Ru),
            "en" => Ok(Lang::En),
            _ => Err(ParseError::Lang),
        }
    }
}

/// A regional division.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name: RegionName,
    pub tz: TimeZoneName,
    /// Its working hours on working days (09:00–18:00 unless the operator set others).
    pub hours: WorkingHours,
}

impl Region {
    /// A division with the default working hours.
    pub fn parse(code: &str, name: &str, tz: &str) -> Result<Self, ParseError> {
        Ok(Self {
            code: RegionCode::parse(code)?,
            name: RegionName::parse(name)?,
            tz: TimeZoneName::parse(tz)?,
            hours: WorkingHours::default(),
        })
    }

    /// The division's working time under the bank's `calendar`.
    pub fn work_time<'a>(&self, calendar: &'a Calendar) -> WorkTime<'a> {
        WorkTime { hours: self.hours, tz: self.tz.tz(), calendar }
    }
}

/// Why a whitelist change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessError {
    #[error(transparent)]
    Invalid(#[from] ParseError),
    #[error("the role {0} works in a region: give --region CODE")]
    RegionRequired(Role),
    #[error("the role {0} is not tied to a region: leave the region out")]
    RegionNotAllowed(Role),
    #[error("there is no region {0}; see `region list`")]
    UnknownRegion(RegionCode),
    #[error("the region {0} already exists")]
    RegionExists(RegionCode),
    #[error("user {0} is already in the whitelist")]
    UserExists(TelegramId),
    #[error("user {0} is not in the whitelist")]
    UnknownUser(TelegramId),
    #[error("you cannot disable or demote yourself")]
    SelfChange,
}

/// Where a person works: the pair that must agree with the role.
fn check_placement(role: Role, region: &Option<RegionCode>) -> Result<(), AccessError> {
    match (role.works_in_region(), region) {
        (true, None) => Err(AccessError::RegionRequired(role)),
        (false, Some(_)) => Err(AccessError::RegionNotAllowed(role)),
        _ => Ok(()),
    }
}

/// A person to be whitelisted, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub telegram_id: TelegramId,
    pub full_name: FullName,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub lang: Lang,
    pub added_by: Option<TelegramId>,
}

impl NewUser {
    pub fn new(
        telegram_id: TelegramId,
        full_name: FullName,
        role: Role,
        region: Option<RegionCode>,
        added_by: Option<TelegramId>,
    ) -> Result<Self, AccessError> {
        check_placement(role, &region)?;
        Ok(Self { telegram_id, full_name, role, region, lang: Lang::Ru, added_by })
    }
}

/// A whitelisted person as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub telegram_id: TelegramId,
    pub full_name: FullName,
    pub role: Role,
    pub region: Option<RegionCode>,
    pub active: bool,
    pub lang: Lang,
    pub unreachable: bool,
    pub added_by: Option<TelegramId>,
    pub added_at: DateTime<Utc>,
}

/// What became of a request for access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    Pending,
    Approved,
    Rejected,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RequestState::Pending, RequestState::Approved, RequestState::Rejected]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A person outside the whitelist asking to be let in, as Telegram introduced them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRequest {
    pub telegram_id: TelegramId,
    /// The name from their Telegram profile: not checked, shown escaped.
    pub full_name: String,
    pub username: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub state: RequestState,
}

/// Which prospects a person may see: enforced inside the store's queries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// One division's prospects.
    Region(RegionCode),
    /// Every division (head office, read-only).
    All,
    /// No client data (admins; credit officers until a lead is handed to them).
    Nothing,
}

impl Scope {
    pub fn of(user: &User) -> Scope {
        match (user.role, &user.region) {
            (Role::HeadOffice, _) => Scope::All,
            (Role::Specialist | Role::Manager, Some(region)) => Scope::Region(region.clone()),
            _ => Scope::Nothing,
        }
    }

    /// The region filter as a query parameter: `None` means every region.
    pub fn region_filter(&self) -> Option<&str> {
        match self {
            Scope::Region(code) => Some(code.as_str()),
            Scope::All => None,
            // A code no region can have: a query with it finds nothing.
            Scope::Nothing => Some(""),
        }
    }
}

/// An active manager of `region`: the one told of the division's troubles (a colleague who
/// blocked the bot, a lead nobody takes) and who gets its weekly report.
pub fn manages(user: &User, region: &RegionCode) -> bool {
    user.active && user.role == Role::Manager && user.region.as_ref() == Some(region)
}

/// Whose data a message carries, so the recipient's rights are checked again when it is sent,
/// not only when it was queued (SPEC §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// No client data: anyone active may get it.
    Staff,
    /// One division's client data.
    Region(RegionCode),
    /// Every division's data: head office only.
    AllRegions,
}

impl Audience {
    /// As stored with the message: none, a division's code, or `*`.
    pub fn key(&self) -> Option<&str> {
        match self {
            Self::Staff => None,
            Self::Region(code) => Some(code.as_str()),
            Self::AllRegions => Some("*"),
        }
    }

    /// Read back from `key`; a division code that no longer parses is nobody's to read.
    pub fn from_key(key: Option<&str>) -> Option<Self> {
        match key {
            None => Some(Self::Staff),
            Some("*") => Some(Self::AllRegions),
            Some(code) => RegionCode::parse(code).ok().map(Self::Region),
        }
    }
}

/// Whether `user` may get a message about `about` now: an active person, and for client data
/// a person who works with that division's data today (admins never get client data).
pub fn may_receive(user: &User, about: &Audience) -> bool {
    if !user.active {
        return false;
    }
    match about {
        Audience::Staff => true,
        Audience::AllRegions => user.role == Role::HeadOffice,
        Audience::Region(region) => match user.role {
            Role::HeadOffice => true,
            Role::Admin => false,
            Role::Specialist | Role::Manager | Role::CreditOfficer => user.region.as_ref() == Some(region),
        },
    }
}

/// Registers prospects and writes diary entries in their division.
pub fn works_with_prospects(user: &User) -> bool {
    matches!(user.role, Role::Specialist | Role::Manager) && user.region.is_some()
}

/// A change of role and region, checked together so that they always agree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub role: Role,
    pub region: Option<RegionCode>,
}

impl Placement {
    pub fn new(role: Role, region: Option<RegionCode>) -> Result<Self, AccessError> {
        check_placement(role, &region)?;
        Ok(Self { role, region })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> FullName {
        FullName::parse("Анна Петрова").unwrap()
    }

    #[test]
    fn roles_parse_from_their_names() {
        assert_eq!("credit_officer".parse::<Role>(), Ok(Role::CreditOfficer));
        assert_eq!("Head-Office".parse::<Role>(), Ok(Role::HeadOffice));
        assert_eq!("boss".parse::<Role>(), Err(ParseError::Role));
    }

    #[test]
    fn a_specialist_needs_a_region_and_head_office_has_none() {
        let id = TelegramId::new(7).unwrap();
        let msk = RegionCode::parse("MSK").unwrap();
        assert_eq!(
            NewUser::new(id, name(), Role::Specialist, None, None),
            Err(AccessError::RegionRequired(Role::Specialist))
        );
        assert_eq!(
            NewUser::new(id, name(), Role::HeadOffice, Some(msk.clone()), None),
            Err(AccessError::RegionNotAllowed(Role::HeadOffice))
        );
        assert!(NewUser::new(id, name(), Role::Manager, Some(msk), None).is_ok());
        assert!(NewUser::new(id, name(), Role::Admin, None, None).is_ok());
    }
}
