//! An import's use case: each row checked as `/new` checks a card (the fields' own validators,
//! the INN across the bank, the phone within the division, similar names as warnings), rows
//! repeated within the file caught, and then every valid row saved in one transaction with an
//! audit line per card and one for the import.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::{Column, Header, Problem, SourceRow, Vocabulary, header_key, next_contact, phone_digits};
use crate::domain::access::{Region, Role, User, works_with_prospects};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::fields::{self, FIELDS, FieldKind, Value};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::prospect::{NewProspect, ProspectId, Status};
use crate::domain::prospects::{BaseError, BaseResult, creation_record};
use crate::store::{ImportWrite, ImportWritten, KnownCard, Store};

/// Who imports: the operator (any division), or a person — a manager into their division, head
/// office into any. Nobody else may.
#[derive(Debug, Clone)]
pub enum Importer {
    Operator,
    Person(User),
}

impl Importer {
    fn actor(&self) -> Option<TelegramId> {
        match self {
            Importer::Operator => None,
            Importer::Person(user) => Some(user.telegram_id),
        }
    }

    /// The only division a manager may import into; `None` for the others.
    fn own_division(&self) -> Option<&RegionCode> {
        match self {
            Importer::Person(user) if user.role == Role::Manager => user.region.as_ref(),
            _ => None,
        }
    }
}

/// Who may bring a file into the base: a manager (their division) and head office (any).
pub fn may_import(user: &User) -> bool {
    user.active
        && match user.role {
            Role::Manager => user.region.is_some(),
            Role::HeadOffice => true,
            _ => false,
        }
}

/// What a row already in the base (same INN, same division) becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Left as it is (the default): importing a file twice adds nothing.
    #[default]
    Skip,
    /// Its fields are set to the file's non-empty cells.
    Update,
}

/// What the whole file falls back on where a row says nothing.
#[derive(Debug, Clone, Default)]
pub struct Defaults {
    pub region: Option<RegionCode>,
    pub owner: Option<TelegramId>,
    pub on_duplicate: OnDuplicate,
}

/// A next contact as imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextContact {
    pub due: DateTime<Utc>,
    pub agreed: String,
}

/// A row that will be saved.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub line: u64,
    pub prospect: NewProspect,
    pub status: Status,
    pub next_contact: Option<NextContact>,
    /// The card's creation line (as `/new` writes it), or its edit line for an update.
    pub record: AuditRecord,
}

/// A similar name already in the division: the row is saved, the person is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: u64,
    pub name: String,
    pub card: i64,
    pub similar: String,
}

/// What a row is.
#[derive(Debug, Clone)]
pub enum Checked {
    New(Box<Incoming>),
    /// In the base already, in the same division: skipped, or updated.
    Existing(ProspectId, Box<Incoming>),
    Rejected(Vec<Problem>),
}

/// The counts of a checked file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub rows: u64,
    pub new: u64,
    pub existing: u64,
    pub rejected: u64,
    pub warnings: u64,
}

/// Checks a file's rows in order (a batch at a time against the base), remembering what
/// earlier rows held.
pub struct Planner<'a> {
    store: &'a dyn Store,
    importer: Importer,
    defaults: Defaults,
    header: Header,
    words: Vocabulary,
    regions: Vec<Region>,
    users: Vec<User>,
    seen_inn: HashMap<String, u64>,
    seen_phone: HashMap<(String, String), u64>,
    now: DateTime<Utc>,
    pub outcome: Outcome,
}

/// What was agreed for the next contact: one to a thousand characters.
const MAX_AGREED: usize = 1000;

impl<'a> Planner<'a> {
    pub async fn new(
        store: &'a dyn Store,
        importer: Importer,
        defaults: Defaults,
        header: Header,
        words: Vocabulary,
        now: DateTime<Utc>,
    ) -> BaseResult<Planner<'a>> {
        if let Importer::Person(user) = &importer {
            let own = defaults
                .region
                .as_ref()
                .is_none_or(|r| user.role != Role::Manager || user.region.as_ref() == Some(r));
            if !may_import(user) || !own {
                return Err(BaseError::NotAllowed);
            }
        }
        let regions = store.regions().await?;
        let users = store.users().await?;
        Ok(Planner {
            store,
            importer,
            defaults,
            header,
            words,
            regions,
            users,
            seen_inn: HashMap::new(),
            seen_phone: HashMap::new(),
            now,
            outcome: Outcome::default(),
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    fn division(&self, text: &str) -> Option<&Region> {
        let key = header_key(text);
        self.regions
            .iter()
            .find(|r| r.code.as_str().eq_ignore_ascii_case(text.trim()) || header_key(r.name.as_str()) == key)
    }

    fn owner(&self, text: &str) -> Option<&User> {
        if let Ok(id) = TelegramId::parse(text.trim()) {
            return self.users.iter().find(|u| u.telegram_id == id);
        }
        let key = header_key(text);
        let mut named = self.users.iter().filter(|u| header_key(u.full_name.as_str()) == key);
        // A name two people share does not say whose the card is.
        match (named.next(), named.next()) {
            (Some(user), None) => Some(user),
            _ => None,
        }
    }

    /// Checks one row; blank rows are not counted and come back as `None`.
    pub async fn check(&mut self, row: &SourceRow) -> BaseResult<Option<(Checked, Option<Warning>)>> {
        Ok(self.check_rows(std::slice::from_ref(row)).await?.pop().flatten())
    }

    /// Checks `rows` in turn, as [`Planner::check`] would one by one, asking the base about all
    /// of them at once: one query for their INNs across the bank, one for their phones, one for
    /// their names (the base does not change while a file is checked; the file's own earlier
    /// rows are remembered here, in order).
    pub async fn check_rows(
        &mut self,
        rows: &[SourceRow],
    ) -> BaseResult<Vec<Option<(Checked, Option<Warning>)>>> {
        let mut verdicts = Vec::with_capacity(rows.len());
        for row in rows {
            verdicts.push(if row.is_blank() { None } else { Some(self.verdict(row)?) });
        }
        let candidates: Vec<&(Incoming, Region)> =
            verdicts.iter().flatten().filter_map(|v| v.as_ref().ok()).collect();
        let known = Known::read(self.store, &candidates).await?;
        let mut checked_rows = Vec::with_capacity(rows.len());
        for (row, verdict) in rows.iter().zip(verdicts) {
            let Some(verdict) = verdict else {
                checked_rows.push(None);
                continue;
            };
            let (checked, warning) = match verdict {
                Ok((incoming, division)) => self.duplicates(incoming, &division, &known),
                Err(problems) => (Checked::Rejected(problems), None),
            };
            checked_rows.push(Some(self.count(row, checked, warning)));
        }
        Ok(checked_rows)
    }

    /// Counts a checked row and remembers what a kept one holds, for the rows after it.
    fn count(
        &mut self,
        row: &SourceRow,
        checked: Checked,
        warning: Option<Warning>,
    ) -> (Checked, Option<Warning>) {
        self.outcome.rows += 1;
        let kept = match &checked {
            Checked::New(incoming) => Some(incoming.as_ref()),
            Checked::Existing(_, incoming) => Some(incoming.as_ref()),
            Checked::Rejected(_) => None,
        };
        if let Some(incoming) = kept {
            self.seen_inn.insert(incoming.prospect.inn.as_str().to_owned(), row.line);
            if let Some(phone) = &incoming.prospect.details.phone {
                let key = (incoming.prospect.region.as_str().to_owned(), phone.as_str().to_owned());
                self.seen_phone.entry(key).or_insert(row.line);
            }
        }
        match &checked {
            Checked::New(_) => self.outcome.new += 1,
            Checked::Existing(..) => self.outcome.existing += 1,
            Checked::Rejected(_) => self.outcome.rejected += 1,
        }
        if warning.is_some() {
            self.outcome.warnings += 1;
        }
        (checked, warning)
    }

    /// A row by itself: each cell by its field's check, the owner and the division. What the
    /// base and the file's other rows hold is asked after ([`Planner::duplicates`]).
    fn verdict(&self, row: &SourceRow) -> BaseResult<Result<(Incoming, Region), Vec<Problem>>> {
        let mut problems = vec![];
        // Each field by its own check, in the table's order (the INN before the KPP and OGRN).
        let mut stored: HashMap<&'static str, String> = HashMap::new();
        let mut inn = None;
        for field in FIELDS.iter() {
            let text = self.header.get(row, Column::Field(field.into()));
            let value = match (text, field.kind) {
                (Some(text), FieldKind::Products) => match self.words.products(&text) {
                    Ok(products) => Some(Value::Products(products)),
                    Err(word) => {
                        problems.push(Problem::UnknownProduct(word));
                        continue;
                    }
                },
                (None, _) if field.optional || field.kind == FieldKind::Products => None,
                (None, _) => {
                    problems.push(Problem::Missing(field.code));
                    continue;
                }
                // The KPP and the OGRN are checked against the INN: not without one.
                (Some(_), FieldKind::Kpp | FieldKind::Ogrn) if inn.is_none() => continue,
                (Some(text), _) => match field.parse(&text, inn.as_ref()) {
                    Ok(value) => Some(value),
                    Err(error) => {
                        let digits = (field.kind == FieldKind::Phone).then(|| phone_digits(&text)).flatten();
                        problems.push(Problem::Field { field: field.code, error, digits });
                        continue;
                    }
                },
            };
            if let Some(Value::Inn(parsed)) = &value {
                inn = Some(parsed.clone());
            }
            if let Some(value) = value {
                stored.insert(field.code, value.stored());
            }
        }
        let status = match self.header.get(row, Column::Status) {
            None => Status::New,
            Some(text) => self.words.status(&text).unwrap_or_else(|| {
                problems.push(Problem::UnknownStatus(text));
                Status::New
            }),
        };
        let owner_text = self.header.get(row, Column::Owner);
        let owner = match &owner_text {
            Some(text) => match self.owner(text) {
                Some(user) => Some(user.clone()),
                None => {
                    problems.push(Problem::UnknownOwner(text.clone()));
                    None
                }
            },
            None => match (self.defaults.owner, &self.importer) {
                (Some(id), _) => self.users.iter().find(|u| u.telegram_id == id).cloned(),
                (None, Importer::Person(user)) if works_with_prospects(user) => Some(user.clone()),
                _ => None,
            },
        };
        let division = match self.header.get(row, Column::Division) {
            Some(text) => match self.division(&text) {
                Some(region) => Some(region.clone()),
                None => {
                    problems.push(Problem::UnknownDivision(text));
                    None
                }
            },
            None => {
                let code = self.defaults.region.clone().or_else(|| self.importer.own_division().cloned());
                let code = code.or_else(|| owner.as_ref().and_then(|o| o.region.clone()));
                match code {
                    Some(code) => self.regions.iter().find(|r| r.code == code).cloned(),
                    // An owner who is not found is the row's problem: the division would be theirs.
                    None if owner_text.is_some() => None,
                    None => {
                        problems.push(Problem::NoDivision);
                        None
                    }
                }
            }
        };
        if let (Some(own), Some(division)) = (self.importer.own_division(), &division)
            && own != &division.code
        {
            problems.push(Problem::DivisionNotYours(division.name.as_str().to_owned()));
        }
        match (&owner, &division) {
            (Some(owner), Some(division))
                if !(owner.active
                    && works_with_prospects(owner)
                    && owner.region.as_ref() == Some(&division.code)) =>
            {
                problems.push(Problem::OwnerNotThere {
                    owner: owner.full_name.as_str().to_owned(),
                    division: division.name.as_str().to_owned(),
                });
            }
            (None, _) if owner_text.is_none() => problems.push(Problem::NoOwner),
            _ => {}
        }
        let due = match self.header.cell(row, Column::NextContact).map(next_contact).transpose() {
            Ok(due) => due.flatten(),
            Err(text) => {
                problems.push(Problem::BadDate(text));
                None
            }
        };
        let agreed = self.header.get(row, Column::Comment).unwrap_or_default();
        if agreed.chars().count() > MAX_AGREED || agreed.chars().any(|c| c.is_control() && c != '\n') {
            problems.push(Problem::BadComment);
        }
        if !problems.is_empty() {
            return Ok(Err(problems));
        }
        let (Some(owner), Some(division)) = (owner, division) else {
            return Ok(Err(vec![Problem::NoOwner]));
        };
        // Every field passed its own check: the card is put together by the table.
        let filled = fields::check(&FIELDS, |f| stored.get(f.code).cloned())?;
        let prospect = NewProspect {
            name: filled.name,
            inn: filled.inn,
            details: filled.details,
            owner: owner.telegram_id,
            region: division.code.clone(),
        };
        let next_contact = due.map(|at| NextContact {
            due: division
                .tz
                .tz()
                .from_local_datetime(&at)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&at)),
            agreed: agreed.clone(),
        });
        let record = creation_record(self.now, self.importer.actor(), &prospect);
        Ok(Ok((Incoming { line: row.line, prospect, status, next_contact, record }, division)))
    }

    /// The rules of `/new` on duplicates (SPEC §5), and the same within the file.
    fn duplicates(&self, incoming: Incoming, division: &Region, known: &Known) -> (Checked, Option<Warning>) {
        let prospect = &incoming.prospect;
        if let Some(line) = self.seen_inn.get(prospect.inn.as_str()) {
            return (Checked::Rejected(vec![Problem::InnRepeated { line: *line }]), None);
        }
        if let Some(found) = known.inns.get(prospect.inn.as_str()) {
            if found.region_code == division.code.as_str() {
                let mut incoming = incoming;
                incoming.record = AuditRecord::new(self.now, self.importer.actor(), AuditAction::CardEdited)
                    .subject(format!("prospect:{}", found.id))
                    .details("import");
                return (Checked::Existing(ProspectId(found.id), Box::new(incoming)), None);
            }
            // Another division works this company: only its name is told.
            let division = match self.regions.iter().find(|r| r.code.as_str() == found.region_code) {
                Some(region) => region.name.as_str().to_owned(),
                None => found.region_code.clone(),
            };
            return (Checked::Rejected(vec![Problem::InnElsewhere { division }]), None);
        }
        if let Some(phone) = &prospect.details.phone {
            let key = (division.code.as_str().to_owned(), phone.as_str().to_owned());
            if let Some(line) = self.seen_phone.get(&key) {
                return (Checked::Rejected(vec![Problem::PhoneRepeated { line: *line }]), None);
            }
            let taken = known.phones.get(&key).into_iter().flatten();
            if let Some(card) = taken.into_iter().find(|c| c.inn != prospect.inn.as_str()) {
                let problem = Problem::PhoneTaken { card: card.id, name: card.name.clone() };
                return (Checked::Rejected(vec![problem]), None);
            }
        }
        // The same name (case, quotes and legal form aside) in the division: one index lookup.
        // /new's wider look (a shared stem, one name a prefix of the other) scans the division,
        // which for every row of a large file is too slow.
        let key = (division.code.as_str().to_owned(), prospect.name.normalized().to_owned());
        let similar = known.names.get(&key).into_iter().flatten();
        let warning = similar.into_iter().find(|c| c.inn != prospect.inn.as_str()).map(|c| Warning {
            line: incoming.line,
            name: prospect.name.as_str().to_owned(),
            card: c.id,
            similar: c.name.clone(),
        });
        (Checked::New(Box::new(incoming)), warning)
    }
}

/// What the base holds for a batch of rows: the cards by INN, and by phone and by normalized
/// name in each division (by id).
struct Known {
    inns: HashMap<String, KnownCard>,
    phones: HashMap<(String, String), Vec<KnownCard>>,
    names: HashMap<(String, String), Vec<KnownCard>>,
}

impl Known {
    async fn read(store: &dyn Store, rows: &[&(Incoming, Region)]) -> BaseResult<Known> {
        let mut known = Known { inns: HashMap::new(), phones: HashMap::new(), names: HashMap::new() };
        if rows.is_empty() {
            return Ok(known);
        }
        let inns: Vec<&str> = rows.iter().map(|(i, _)| i.prospect.inn.as_str()).collect();
        let phones: Vec<(&str, &str)> = rows
            .iter()
            .filter_map(|(i, d)| Some((d.code.as_str(), i.prospect.details.phone.as_ref()?.as_str())))
            .collect();
        let names: Vec<(&str, &str)> =
            rows.iter().map(|(i, d)| (d.code.as_str(), i.prospect.name.normalized())).collect();
        for card in store.cards_by_inns(&inns).await? {
            known.inns.insert(card.inn.clone(), card);
        }
        if !phones.is_empty() {
            for card in store.cards_by_phones(&phones).await? {
                let Some(phone) = card.phone.clone() else { continue };
                known.phones.entry((card.region_code.clone(), phone)).or_default().push(card);
            }
        }
        for card in store.cards_by_names(&names).await? {
            known.names.entry((card.region_code.clone(), card.name_norm.clone())).or_default().push(card);
        }
        Ok(known)
    }
}

/// Saves the rows in one transaction: the new cards (a row whose INN was taken meanwhile is
/// skipped), the updates when asked for, an audit line per card and one for the import with
/// its counts. `what` names the file in that line.
pub async fn commit(
    store: &dyn Store,
    importer: &Importer,
    new: &[Incoming],
    updates: &[(ProspectId, Incoming)],
    outcome: Outcome,
    what: &str,
    now: DateTime<Utc>,
) -> BaseResult<ImportWritten> {
    let actor = importer.actor();
    let summary = |written: &ImportWritten| {
        AuditRecord::new(now, actor, AuditAction::ProspectsImported)
            .subject(format!("import:{what}"))
            .details(format!(
                "rows {}, created {}, updated {}, already there {}, rejected {}",
                outcome.rows,
                written.created,
                written.updated,
                (outcome.existing + written.skipped).saturating_sub(written.updated),
                outcome.rejected
            ))
    };
    let write = ImportWrite { new, updates, by: actor, summary: &summary };
    Ok(store.import_prospects(&write, now).await?)
}
