//! Button payloads and keyboards. Callback data is untrusted: `Action::parse` accepts only the
//! shapes the bot itself builds, and every handler re-checks rights before acting.

use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup};

use crate::domain::access::{Lang, Role};

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
    let rows: Vec<Vec<KeyboardButton>> = labels
        .chunks(2)
        .map(|row| row.iter().map(KeyboardButton::new).collect())
        .collect();
    KeyboardMarkup::new(rows)
        .resize_keyboard()
        .input_field_placeholder(placeholder)
}

/// Buttons laid out `per_row` to a row.
pub fn grid(buttons: Vec<InlineKeyboardButton>, per_row: usize) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(buttons.chunks(per_row).map(<[_]>::to_vec))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        ];
        for action in actions {
            let data = action.encode();
            assert!(data.len() <= 64, "{data}");
            assert_eq!(Action::parse(&data), Some(action));
        }
    }

    #[test]
    fn forged_payloads_are_not_actions() {
        for data in [
            "",
            "u:s:-5",
            "u:s:abc",
            "u:pl:1:boss:MSK",
            "lang:de",
            "x",
            "u:s:1:2",
        ] {
            assert_eq!(Action::parse(data), None, "{data}");
        }
    }
}
