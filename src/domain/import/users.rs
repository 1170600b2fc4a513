//! Importing the staff list (HR's workbook): each row is whitelisted as `user add` does it,
//! with the same checks (`NewUser::new`: a role that works in a division has one, the others
//! none) and its own audit line; people already in the whitelist are left as they are.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{SourceRow, header_key};
use crate::domain::access::{AccessError, NewUser, Region, Role};
use crate::domain::directory::{self, DirectoryError};
use crate::domain::ids::{FullName, TelegramId};
use crate::store::Store;

/// The columns of a staff list, with their headers (the first is the one to write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserColumn {
    Id,
    Name,
    Role,
    Division,
}

const HEADERS: [(UserColumn, &[&str]); 4] = [
    (UserColumn::Id, &["Telegram ID", "Telegram", "ID", "Телеграм"]),
    (UserColumn::Name, &["ФИО", "Full name", "Name", "Сотрудник", "Имя"]),
    (UserColumn::Role, &["Роль", "Role", "Должность в боте"]),
    (UserColumn::Division, &["Подразделение", "Division", "Region", "Регион", "Филиал"]),
];

/// Why a person is not whitelisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserProblem {
    BadId(String),
    BadName,
    UnknownRole(String),
    UnknownDivision(String),
    /// The role and the division do not agree (`NewUser::new`).
    Placement(AccessError),
    /// Already in the whitelist: left as is.
    Exists(TelegramId),
    /// The same id in an earlier row.
    Repeated {
        line: u64,
    },
}

/// A staff list's header: which of the file's columns is which.
#[derive(Debug, Clone)]
pub struct UserHeader {
    columns: Vec<Option<UserColumn>>,
    pub unknown: Vec<String>,
}

impl UserHeader {
    /// The first of `rows` that names the id, the name and the role.
    pub fn find(rows: &[SourceRow]) -> Option<UserHeader> {
        rows.iter().find_map(|row| {
            let mut unknown = vec![];
            let columns: Vec<Option<UserColumn>> = row
                .cells
                .iter()
                .map(|cell| {
                    let title = cell.text()?;
                    let found = HEADERS
                        .iter()
                        .find(|(_, names)| names.iter().any(|n| header_key(n) == header_key(&title)))
                        .map(|(c, _)| *c);
                    if found.is_none() {
                        unknown.push(title);
                    }
                    found
                })
                .collect();
            let has = |c| columns.contains(&Some(c));
            (has(UserColumn::Id) && has(UserColumn::Name) && has(UserColumn::Role))
                .then_some(UserHeader { columns, unknown })
        })
    }

    fn get(&self, row: &SourceRow, column: UserColumn) -> Option<String> {
        let i = self.columns.iter().position(|c| *c == Some(column))?;
        row.cells.get(i)?.text()
    }
}

/// A staff list checked: who will be added and what is wrong with the other rows.
#[derive(Debug, Default)]
pub struct UserPlan {
    pub rows: u64,
    pub valid: Vec<NewUser>,
    pub rejected: Vec<(SourceRow, Vec<UserProblem>)>,
    /// People already in the whitelist (not an error: they are left as they are).
    pub existing: u64,
}

/// Checks every row against the whitelist and the divisions; `roles` are the roles' names in
/// the people's languages (the role's code is always understood).
pub async fn plan(
    store: &dyn Store,
    header: &UserHeader,
    rows: impl IntoIterator<Item = SourceRow>,
    roles: &[(String, Role)],
) -> Result<UserPlan, DirectoryError> {
    let regions: Vec<Region> = store.regions().await?;
    let known: Vec<TelegramId> = store.users().await?.into_iter().map(|u| u.telegram_id).collect();
    let mut seen: HashMap<TelegramId, u64> = HashMap::new();
    let mut plan = UserPlan::default();
    for row in rows {
        if row.is_blank() {
            continue;
        }
        plan.rows += 1;
        let mut problems = vec![];
        let text = |c| header.get(&row, c).unwrap_or_default();
        let id =
            TelegramId::parse(&text(UserColumn::Id)).map_err(|_| UserProblem::BadId(text(UserColumn::Id)));
        let name = FullName::parse(&text(UserColumn::Name)).map_err(|_| UserProblem::BadName);
        let role_text = text(UserColumn::Role);
        let role =
            role_text.trim().parse::<Role>().ok().or_else(|| {
                roles.iter().find(|(n, _)| header_key(n) == header_key(&role_text)).map(|(_, r)| *r)
            });
        let role = role.ok_or(UserProblem::UnknownRole(role_text));
        let division = match header.get(&row, UserColumn::Division) {
            None => Ok(None),
            Some(text) => regions
                .iter()
                .find(|r| {
                    r.code.as_str().eq_ignore_ascii_case(text.trim())
                        || header_key(r.name.as_str()) == header_key(&text)
                })
                .map(|r| Some(r.code.clone()))
                .ok_or(UserProblem::UnknownDivision(text)),
        };
        let (id, name, role, division) = match (id, name, role, division) {
            (Ok(id), Ok(name), Ok(role), Ok(division)) => (id, name, role, division),
            (id, name, role, division) => {
                problems.extend(id.err());
                problems.extend(name.err());
                problems.extend(role.err());
                problems.extend(division.err());
                plan.rejected.push((row, problems));
                continue;
            }
        };
        if known.contains(&id) {
            plan.existing += 1;
            continue;
        }
        if let Some(line) = seen.get(&id) {
            plan.rejected.push((row, vec![UserProblem::Repeated { line: *line }]));
            continue;
        }
        match NewUser::new(id, name, role, division, None) {
            Ok(user) => {
                seen.insert(id, row.line);
                plan.valid.push(user);
            }
            Err(err) => plan.rejected.push((row, vec![UserProblem::Placement(err)])),
        }
    }
    Ok(plan)
}

/// Whitelists the valid rows, each with its audit line as `user add` writes it; returns how
/// many were added.
pub async fn save(store: &dyn Store, plan: &UserPlan, now: DateTime<Utc>) -> Result<u64, DirectoryError> {
    let mut added = 0;
    for user in &plan.valid {
        directory::add_user(store, user, now).await?;
        added += 1;
    }
    Ok(added)
}
