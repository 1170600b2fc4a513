//! Button payloads and keyboards. Callback data is untrusted: `Action::parse` accepts only the
//! shapes the bot itself builds, and every handler re-checks rights before acting.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup};

use chrono::NaiveDate;

use super::flow::NewStep;
use crate::domain::access::{Lang, Role};
use crate::domain::diary::{Kind, Outcome};
use crate::domain::fields::Field;
use crate::domain::handoff::Fact;
use crate::domain::ids::RegionCode;
use crate::domain::prospect::Product;

/// What a button asks for. Encoded in at most 64 bytes (Telegram's limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Lang(Lang),
    UsersPage(u32),
    UserShow(i64),
    UserAdd,
    /// Offer roles for an existing user.
    UserRoles(i64),
    /// Offer divisions for an existing user who keeps (or gets) `role`.
    UserRegions(i64, Role),
    /// Set role and division of an existing user.
    UserPlace(i64, Role, Option<String>),
    UserActive(i64, bool),
    /// Steps of the add-user flow.
    FlowRole(Role),
    FlowRegion(String),
    FlowSave,
    FlowCancel,
    /// A stranger asks for access (the only button a stranger may press).
    RequestAccess,
    ApproveRequest(i64),
    RejectRequest(i64),
    /// Registering a prospect.
    NewSkip,
    NewProduct(Product),
    NewDone,
    NewSave,
    NewForce,
    NewChange,
    NewField(NewStep),
    NewCancel,
    /// Cards, results, history, editing.
    Open(i64),
    History(i64, u32),
    FullEntry(i64, i64),
    Edit(i64),
    EditField(i64, Field),
    EditClear,
    EditProduct(Product),
    EditDone,
    EditCancel(i64),
    SearchPage(u32),
    MyPage(u32),
    /// The diary.
    LogOn(i64),
    Schedule(i64),
    LogKind(Kind),
    LogOutcome(Outcome),
    LogProduct(Product),
    LogProductsDone,
    LogSave,
    LogCancel,
    /// The next-contact picker, shared by the diary and scheduling.
    Quick(Quick),
    Month(i32, u32),
    Day(NaiveDate),
    Time(u32, u32),
    /// A next contact more than a year ahead: keep it, or choose again.
    FarConfirm,
    FarReenter,
    Noop,
    /// A reminder's buttons: an hour later, tomorrow at 10:00.
    Snooze(i64),
    Tomorrow(i64),
    /// Hand-offs: the card's button, the product chosen, a lead's buttons, a reason chosen
    /// (by its place in the list), a lead opened from `/handoffs`.
    HandOff(i64),
    HandOffProduct(i64, Product),
    Take(i64),
    Decline(i64),
    Won(i64),
    Lost(i64),
    Reason(i64, u8),
    /// The reason question left without deciding: the lead stays as it was.
    ReasonCancel(i64),
    HandoffShow(i64),
    HandoffsPage(u32),
    /// A fact of the specialist's new lead, picked for its card; the card sent on without the
    /// facts not given yet.
    HandoffFact(i64, Fact),
    HandoffSend(i64),
    /// A page of a card's audit trail (head office).
    AuditPage(i64, u32),
    /// Export one division (`Some(code)`) or every one (`None`).
    Export(Option<RegionCode>),
}

/// The quick choices of the next-contact picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quick {
    Tomorrow,
    InThreeDays,
    NextMonday,
    None,
}

impl Action {
    pub fn encode(&self) -> String {
        match self {
            Action::Lang(lang) => format!("lang:{}", lang.as_str()),
            Action::UsersPage(page) => format!("u:p:{page}"),
            Action::UserShow(id) => format!("u:s:{id}"),
            Action::UserAdd => "u:add".into(),
            Action::UserRoles(id) => format!("u:rm:{id}"),
            Action::UserRegions(id, role) => format!("u:gm:{id}:{role}"),
            Action::UserPlace(id, role, region) => {
                format!("u:pl:{id}:{role}:{}", region.as_deref().unwrap_or("-"))
            }
            Action::UserActive(id, on) => format!("u:a:{id}:{}", u8::from(*on)),
            Action::FlowRole(role) => format!("f:r:{role}"),
            Action::FlowRegion(code) => format!("f:g:{code}"),
            Action::FlowSave => "f:save".into(),
            Action::FlowCancel => "f:x".into(),
            Action::RequestAccess => "acc:req".into(),
            Action::ApproveRequest(id) => format!("acc:ok:{id}"),
            Action::RejectRequest(id) => format!("acc:no:{id}"),
            Action::NewSkip => "n:s".into(),
            Action::NewProduct(p) => format!("n:p:{p}"),
            Action::NewDone => "n:d".into(),
            Action::NewSave => "n:save".into(),
            Action::NewForce => "n:force".into(),
            Action::NewChange => "n:chg".into(),
            Action::NewField(step) => format!("n:f:{step}"),
            Action::NewCancel => "n:x".into(),
            Action::Open(id) => format!("c:o:{id}"),
            Action::History(id, page) => format!("c:h:{id}:{page}"),
            Action::FullEntry(id, entry) => format!("c:fe:{id}:{entry}"),
            Action::Edit(id) => format!("c:e:{id}"),
            Action::EditField(id, field) => format!("c:ef:{id}:{field}"),
            Action::EditClear => "e:clr".into(),
            Action::EditProduct(p) => format!("e:p:{p}"),
            Action::EditDone => "e:d".into(),
            Action::EditCancel(id) => format!("e:x:{id}"),
            Action::SearchPage(page) => format!("s:{page}"),
            Action::MyPage(page) => format!("m:{page}"),
            Action::LogOn(id) => format!("c:l:{id}"),
            Action::Schedule(id) => format!("c:n:{id}"),
            Action::LogKind(k) => format!("l:k:{k}"),
            Action::LogOutcome(o) => format!("l:o:{o}"),
            Action::LogProduct(p) => format!("l:p:{p}"),
            Action::LogProductsDone => "l:pd".into(),
            Action::LogSave => "l:save".into(),
            Action::LogCancel => "l:x".into(),
            Action::Quick(q) => format!(
                "w:q:{}",
                match q {
                    Quick::Tomorrow => "t",
                    Quick::InThreeDays => "3",
                    Quick::NextMonday => "m",
                    Quick::None => "n",
                }
            ),
            Action::Month(year, month) => format!("w:c:{year:04}{month:02}"),
            Action::Day(date) => format!("w:d:{}", date.format("%Y%m%d")),
            Action::Time(h, m) => format!("w:t:{h:02}{m:02}"),
            Action::FarConfirm => "w:fy".into(),
            Action::FarReenter => "w:fn".into(),
            Action::Noop => "w:-".into(),
            Action::Snooze(id) => format!("r:s:{id}"),
            Action::Tomorrow(id) => format!("r:t:{id}"),
            Action::HandOff(pid) => format!("h:o:{pid}"),
            Action::HandOffProduct(pid, p) => format!("h:p:{pid}:{p}"),
            Action::Take(id) => format!("h:t:{id}"),
            Action::Decline(id) => format!("h:d:{id}"),
            Action::Won(id) => format!("h:w:{id}"),
            Action::Lost(id) => format!("h:l:{id}"),
            Action::Reason(id, n) => format!("h:r:{id}:{n}"),
            Action::ReasonCancel(id) => format!("h:rx:{id}"),
            Action::HandoffShow(id) => format!("h:s:{id}"),
            Action::HandoffsPage(page) => format!("h:pg:{page}"),
            Action::HandoffFact(id, fact) => match fact {
                Fact::Amount(band) => format!("h:f:{id}:a:{band}"),
                Fact::Term(band) => format!("h:f:{id}:t:{band}"),
                Fact::Urgency(urgency) => format!("h:f:{id}:u:{urgency}"),
            },
            Action::HandoffSend(id) => format!("h:fs:{id}"),
            Action::AuditPage(id, page) => format!("ra:{id}:{page}"),
            Action::Export(region) => format!("rx:{}", region.as_ref().map_or("*", |r| r.as_str())),
        }
    }

    pub fn parse(data: &str) -> Option<Action> {
        let parts: Vec<&str> = data.split(':').collect();
        let id = |s: &str| s.parse::<i64>().ok().filter(|id| *id > 0);
        let action = match parts.as_slice() {
            ["lang", lang] => Action::Lang(lang.parse().ok()?),
            ["u", "p", page] => Action::UsersPage(page.parse().ok()?),
            ["u", "s", uid] => Action::UserShow(id(uid)?),
            ["u", "add"] => Action::UserAdd,
            ["u", "rm", uid] => Action::UserRoles(id(uid)?),
            ["u", "gm", uid, role] => Action::UserRegions(id(uid)?, role.parse().ok()?),
            ["u", "pl", uid, role, region] => {
                let region = (*region != "-").then(|| region.to_string());
                Action::UserPlace(id(uid)?, role.parse().ok()?, region)
            }
            ["u", "a", uid, on] => Action::UserActive(id(uid)?, *on == "1"),
            ["f", "r", role] => Action::FlowRole(role.parse().ok()?),
            ["f", "g", code] => Action::FlowRegion(code.to_string()),
            ["f", "save"] => Action::FlowSave,
            ["f", "x"] => Action::FlowCancel,
            ["acc", "req"] => Action::RequestAccess,
            ["acc", "ok", uid] => Action::ApproveRequest(id(uid)?),
            ["acc", "no", uid] => Action::RejectRequest(id(uid)?),
            ["n", "s"] => Action::NewSkip,
            ["n", "p", p] => Action::NewProduct(p.parse().ok()?),
            ["n", "d"] => Action::NewDone,
            ["n", "save"] => Action::NewSave,
            ["n", "force"] => Action::NewForce,
            ["n", "chg"] => Action::NewChange,
            // Only a field that may be changed is a button's.
            ["n", "f", step] => {
                Action::NewField(step.parse().ok().filter(|s| matches!(s, NewStep::Ask(f) if f.editable))?)
            }
            ["n", "x"] => Action::NewCancel,
            ["c", "o", pid] => Action::Open(id(pid)?),
            ["c", "h", pid, page] => Action::History(id(pid)?, page.parse().ok()?),
            ["c", "fe", pid, entry] => Action::FullEntry(id(pid)?, id(entry)?),
            ["c", "e", pid] => Action::Edit(id(pid)?),
            ["c", "ef", pid, field] => {
                Action::EditField(id(pid)?, field.parse().ok().filter(|f: &Field| f.editable)?)
            }
            ["e", "clr"] => Action::EditClear,
            ["e", "p", p] => Action::EditProduct(p.parse().ok()?),
            ["e", "d"] => Action::EditDone,
            ["e", "x", pid] => Action::EditCancel(id(pid)?),
            ["s", page] => Action::SearchPage(page.parse().ok()?),
            ["m", page] => Action::MyPage(page.parse().ok()?),
            ["c", "l", pid] => Action::LogOn(id(pid)?),
            ["c", "n", pid] => Action::Schedule(id(pid)?),
            ["l", "k", k] => Action::LogKind(k.parse().ok()?),
            ["l", "o", o] => Action::LogOutcome(o.parse().ok()?),
            ["l", "p", p] => Action::LogProduct(p.parse().ok()?),
            ["l", "pd"] => Action::LogProductsDone,
            ["l", "save"] => Action::LogSave,
            ["l", "x"] => Action::LogCancel,
            ["w", "q", q] => Action::Quick(match *q {
                "t" => Quick::Tomorrow,
                "3" => Quick::InThreeDays,
                "m" => Quick::NextMonday,
                "n" => Quick::None,
                _ => return None,
            }),
            ["w", "c", ym] if ym.len() == 6 && ym.bytes().all(|b| b.is_ascii_digit()) => {
                let (year, month) = (ym[..4].parse().ok()?, ym[4..].parse().ok()?);
                NaiveDate::from_ymd_opt(year, month, 1)?;
                Action::Month(year, month)
            }
            ["w", "d", ymd] => Action::Day(NaiveDate::parse_from_str(ymd, "%Y%m%d").ok()?),
            ["w", "t", hm] if hm.len() == 4 && hm.bytes().all(|b| b.is_ascii_digit()) => {
                let (h, m) = (hm[..2].parse().ok()?, hm[2..].parse().ok()?);
                chrono::NaiveTime::from_hms_opt(h, m, 0)?;
                Action::Time(h, m)
            }
            ["w", "fy"] => Action::FarConfirm,
            ["w", "fn"] => Action::FarReenter,
            ["w", "-"] => Action::Noop,
            ["r", "s", fid] => Action::Snooze(id(fid)?),
            ["r", "t", fid] => Action::Tomorrow(id(fid)?),
            ["h", "o", pid] => Action::HandOff(id(pid)?),
            ["h", "p", pid, p] => Action::HandOffProduct(id(pid)?, p.parse().ok()?),
            ["h", "t", hid] => Action::Take(id(hid)?),
            ["h", "d", hid] => Action::Decline(id(hid)?),
            ["h", "w", hid] => Action::Won(id(hid)?),
            ["h", "l", hid] => Action::Lost(id(hid)?),
            ["h", "r", hid, n] => Action::Reason(id(hid)?, n.parse().ok()?),
            ["h", "rx", hid] => Action::ReasonCancel(id(hid)?),
            ["h", "s", hid] => Action::HandoffShow(id(hid)?),
            ["h", "pg", page] => Action::HandoffsPage(page.parse().ok()?),
            ["h", "f", hid, kind, code] => Action::HandoffFact(
                id(hid)?,
                match *kind {
                    "a" => Fact::Amount(code.parse().ok()?),
                    "t" => Fact::Term(code.parse().ok()?),
                    "u" => Fact::Urgency(code.parse().ok()?),
                    _ => return None,
                },
            ),
            ["h", "fs", hid] => Action::HandoffSend(id(hid)?),
            ["ra", pid, page] => Action::AuditPage(id(pid)?, page.parse().ok()?),
            ["rx", "*"] => Action::Export(None),
            ["rx", code] => Action::Export(Some(RegionCode::parse(code).ok()?)),
            _ => return None,
        };
        Some(action)
    }

    pub fn button(&self, label: impl Into<String>) -> InlineKeyboardButton {
        InlineKeyboardButton::callback(label, self.encode())
    }
}

/// The main menu: a persistent reply keyboard, two buttons a row.
pub fn main_menu(labels: Vec<String>, placeholder: String) -> KeyboardMarkup {
    let rows: Vec<Vec<KeyboardButton>> =
        labels.chunks(2).map(|row| row.iter().map(KeyboardButton::new).collect()).collect();
    KeyboardMarkup::new(rows).resize_keyboard().input_field_placeholder(placeholder)
}

/// Buttons laid out `per_row` to a row.
pub fn grid(buttons: Vec<InlineKeyboardButton>, per_row: usize) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.chunks(per_row).map(<[_]>::to_vec))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::domain::handoff::{AmountBand, TermBand, Urgency};

    #[test]
    fn every_action_survives_encoding_within_64_bytes() {
        let max = i64::MAX;
        let actions = [
            Action::Lang(Lang::En),
            Action::UsersPage(4_000_000),
            Action::UserShow(max),
            Action::UserAdd,
            Action::UserRoles(max),
            Action::UserRegions(max, Role::CreditOfficer),
            Action::UserPlace(max, Role::CreditOfficer, Some("ABCDEFGHIJKLMNOP".into())),
            Action::UserPlace(max, Role::HeadOffice, None),
            Action::UserActive(max, false),
            Action::FlowRole(Role::CreditOfficer),
            Action::FlowRegion("ABCDEFGHIJKLMNOP".into()),
            Action::FlowSave,
            Action::FlowCancel,
            Action::RequestAccess,
            Action::ApproveRequest(max),
            Action::RejectRequest(max),
            Action::NewSkip,
            Action::NewProduct(Product::Acquiring),
            Action::NewDone,
            Action::NewSave,
            Action::NewForce,
            Action::NewChange,
            Action::NewField(NewStep::Ask(Field::named("position").unwrap())),
            Action::NewCancel,
            Action::Open(max),
            Action::History(max, u32::MAX),
            Action::FullEntry(max, max),
            Action::Edit(max),
            Action::EditField(max, Field::named("contact").unwrap()),
            Action::EditClear,
            Action::EditProduct(Product::Guarantee),
            Action::EditDone,
            Action::EditCancel(max),
            Action::SearchPage(u32::MAX),
            Action::MyPage(u32::MAX),
            Action::LogOn(max),
            Action::Schedule(max),
            Action::LogKind(Kind::Messenger),
            Action::LogOutcome(Outcome::NoAnswer),
            Action::LogProduct(Product::Settlement),
            Action::LogProductsDone,
            Action::LogSave,
            Action::LogCancel,
            Action::Quick(Quick::NextMonday),
            Action::Quick(Quick::None),
            Action::Month(2026, 12),
            Action::Day(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()),
            Action::Time(9, 30),
            Action::FarConfirm,
            Action::FarReenter,
            Action::Noop,
            Action::Snooze(max),
            Action::Tomorrow(max),
            Action::HandOff(max),
            Action::HandOffProduct(max, Product::Acquiring),
            Action::Take(max),
            Action::Decline(max),
            Action::Won(max),
            Action::Lost(max),
            Action::Reason(max, u8::MAX),
            Action::ReasonCancel(max),
            Action::HandoffShow(max),
            Action::HandoffsPage(u32::MAX),
            Action::HandoffSend(max),
            Action::AuditPage(max, u32::MAX),
            Action::Export(None),
            Action::Export(Some(RegionCode::parse("ABCDEFGHIJKLMNOP").unwrap())),
        ];
        let facts = AmountBand::ALL
            .iter()
            .map(|b| Fact::Amount(*b))
            .chain(TermBand::ALL.iter().map(|b| Fact::Term(*b)))
            .chain(Urgency::ALL.iter().map(|u| Fact::Urgency(*u)))
            .map(|fact| Action::HandoffFact(max, fact));
        for action in actions.into_iter().chain(facts) {
            let data = action.encode();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Action::parse(&data), Some(action));
        }
    }

    #[test]
    fn forged_payloads_are_not_actions() {
        let forged = [
            "",
            "u:s:-5",
            "u:s:abc",
            "u:pl:1:boss:MSK",
            "lang:de",
            "x",
            "u:s:1:2",
            "w:c:202613",
            "w:t:2500",
            "w:d:20261232",
            "n:p:gold",
            "c:ef:1:inn",
            "w:c:123ж5",
            "w:t:1ж2",
            "w:d:2026ж1231",
            "u:s:１２",
            "s:ж",
            "r:s:0",
            "ra:0:1",
            "ra:5:-1",
            "rx:",
            "rx:msk;drop",
            "rx:*:1",
            "h:f:5:a:gold",
            "h:f:5:x:lt5",
            "h:f:5:t:lt5",
            "h:f:5:u:none",
            "h:f:0:a:lt5",
            "h:f:-5:a:lt5",
            "h:f:5:a",
            "h:f:5:a:lt5:1",
            "h:fs:0",
            "h:fs:",
        ];
        for data in forged {
            assert_eq!(Action::parse(data), None, "{data}");
        }
    }
}
