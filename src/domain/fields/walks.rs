//! What the layers walk in the field table: the form's order, the fields a person may change,
//! what a card shows, and a card's values put together from stored texts.

use super::{FieldKind, FieldSpec, Slot, Value};
use crate::domain::privacy::Disclosure;
use crate::domain::prospect::{Details, Product};
use crate::domain::requisites::{CompanyName, Inn, RequisiteError};

/// The form's question after the field `after` (the first one for `None`); `None` when the
/// form is complete. A field that does not apply to this INN is skipped, and so is one that
/// qualifies a field left empty.
pub fn next_question<'a>(
    table: &'a [FieldSpec],
    after: Option<&str>,
    inn: Option<&str>,
    filled: impl Fn(&str) -> bool,
) -> Option<&'a FieldSpec> {
    let start = match after {
        Some(code) => table.iter().position(|f| f.code == code)? + 1,
        None => 0,
    };
    table[start..].iter().find(|f| f.applies_to(inn) && f.qualifies.is_none_or(&filled))
}

/// After `code` was changed from the form's summary: the field that qualifies it, when that
/// one is still empty (the position of a contact person just given).
pub fn follow_up<'a>(
    table: &'a [FieldSpec],
    code: &str,
    filled: impl Fn(&str) -> bool,
) -> Option<&'a FieldSpec> {
    table.iter().find(|f| f.qualifies == Some(code) && !filled(f.code))
}

/// The fields a person may change on a card with this INN (or in the form's summary), in order.
pub fn editable<'a>(table: &'a [FieldSpec], inn: Option<&str>) -> impl Iterator<Item = &'a FieldSpec> {
    table.iter().filter(move |f| f.editable && f.applies_to(inn))
}

/// A filled field as a reader sees it.
pub struct Shown<'a> {
    pub field: &'a FieldSpec,
    pub text: String,
    /// In `hide` mode, where the contact fields would be: they are on the contacts page only
    /// (the card says so with one line); `text` is empty.
    pub in_app: bool,
}

/// The filled fields of a card (its values as stored, by `stored`), in order, as they read
/// where personal data is disclosed as `pd` says.
pub fn shown<'a>(
    table: &'a [FieldSpec],
    stored: impl Fn(&FieldSpec) -> Option<String>,
    pd: Disclosure,
    products: &dyn Fn(&[Product]) -> String,
) -> Vec<Shown<'a>> {
    let inn = table.iter().find(|f| f.kind == FieldKind::Inn).and_then(&stored).unwrap_or_default();
    let contacts: Vec<bool> = table.iter().filter(|f| f.is_contact()).map(|f| stored(f).is_some()).collect();
    let in_app = pd.contact_in_app(&contacts);
    let mut said_in_app = false;
    let mut shown = vec![];
    for f in table {
        let Some(text) = stored(f) else { continue };
        if in_app && f.is_contact() {
            if !said_in_app {
                said_in_app = true;
                shown.push(Shown { field: f, text: String::new(), in_app: true });
            }
            continue;
        }
        if let Some(text) = f.show(&text, pd, &inn, products) {
            shown.push(Shown { field: f, text, in_app: false });
        }
    }
    shown
}

/// A card's name, INN and details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    pub name: CompanyName,
    pub inn: Inn,
    pub details: Details,
}

/// A card from values as stored (a form's draft), each checked again by its field. A field
/// left empty that may not be is checked as an empty answer, so its own error explains it.
pub fn check(
    table: &[FieldSpec],
    stored: impl Fn(&FieldSpec) -> Option<String>,
) -> Result<Filled, RequisiteError> {
    let value = |field: &FieldSpec, inn: Option<&Inn>| match stored(field) {
        Some(text) => field.parse(&text, inn).map(Some),
        None if field.optional => Ok(None),
        None => field.parse("", inn).map(Some),
    };
    fill(table, value, |code| if code == "inn" { RequisiteError::Inn } else { RequisiteError::CompanyName })
}

/// A card read back from the store. The name and the INN must be valid (else the error names
/// the field); any other value is read as [`FieldSpec::load`] says.
pub fn load<'s>(
    table: &[FieldSpec],
    stored: impl Fn(&FieldSpec) -> Option<&'s str>,
) -> Result<Filled, &'static str> {
    fill(table, |field, inn| Ok(stored(field).and_then(|text| field.load(text, inn))), |code| code)
}

/// Walks `table` in order (so the INN is known before the fields checked against it) and puts
/// each `value` in its slot; `missing` names a name or an INN that is not there.
fn fill<E>(
    table: &[FieldSpec],
    value: impl Fn(&FieldSpec, Option<&Inn>) -> Result<Option<Value>, E>,
    missing: impl Fn(&'static str) -> E,
) -> Result<Filled, E> {
    let (mut name, mut inn, mut details) = (None, None, Details::default());
    for field in table {
        match (field.slot, value(field, inn.as_ref())?) {
            (Slot::Name, Some(Value::Name(v))) => name = Some(v),
            (Slot::Inn, Some(Value::Inn(v))) => inn = Some(v),
            (Slot::Name | Slot::Inn, _) => return Err(missing(field.code)),
            (Slot::Detail { set, .. }, value) => set(&mut details, value),
        }
    }
    Ok(Filled {
        name: name.ok_or_else(|| missing("name"))?,
        inn: inn.ok_or_else(|| missing("inn"))?,
        details,
    })
}
