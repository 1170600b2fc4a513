//! What the registration form has gathered, and the step it is at; kept in the chat's
//! `flow::State` between messages.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::domain::fields::{FIELDS, Field, FieldKind, FieldSpec, Value};
use crate::domain::prospect::{Product, products_to_text};

/// A step of the registration form: a field's question (in the order of `FIELDS`), or the
/// summary to confirm. Named by the field's code, or `confirm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum NewStep {
    Ask(Field),
    Confirm,
}

impl NewStep {
    /// The field a step asks for with buttons rather than text (the products).
    pub fn is_products(self) -> bool {
        matches!(self, NewStep::Ask(field) if field.kind == FieldKind::Products)
    }
}

impl fmt::Display for NewStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewStep::Ask(field) => field.fmt(f),
            NewStep::Confirm => f.write_str("confirm"),
        }
    }
}

impl FromStr for NewStep {
    type Err = ();

    fn from_str(code: &str) -> Result<Self, ()> {
        if code == "confirm" { Ok(NewStep::Confirm) } else { code.parse().map(NewStep::Ask) }
    }
}

impl From<NewStep> for String {
    fn from(step: NewStep) -> String {
        step.to_string()
    }
}

impl TryFrom<String> for NewStep {
    type Error = String;

    // States saved before the field table wrote `Confirm` and `Contact`: still read.
    fn try_from(code: String) -> Result<Self, String> {
        if code.eq_ignore_ascii_case("confirm") {
            return Ok(NewStep::Confirm);
        }
        Field::try_from(code).map(NewStep::Ask)
    }
}

/// A prospect being registered; each value already checked when it was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The typed values as stored, by field code.
    #[serde(flatten)]
    pub values: BTreeMap<String, Option<String>>,
    pub products: Vec<Product>,
}

impl Draft {
    /// The value of `field` as stored; the products always (none chosen is a value too).
    pub fn stored(&self, field: &FieldSpec) -> Option<String> {
        if field.kind == FieldKind::Products {
            return Some(products_to_text(&self.products));
        }
        self.values.get(field.code).cloned().flatten()
    }

    pub fn filled(&self, code: &str) -> bool {
        self.values.get(code).is_some_and(Option::is_some)
    }

    /// The INN as typed, once it is.
    pub fn inn(&self) -> Option<&str> {
        let field = FIELDS.iter().find(|f| f.kind == FieldKind::Inn)?;
        self.values.get(field.code)?.as_deref()
    }

    /// Puts a checked value in; a value that no longer applies (a KPP once the INN is a sole
    /// proprietor's) is dropped.
    pub fn set(&mut self, field: &FieldSpec, value: Value) {
        match value {
            Value::Products(products) => self.products = products,
            value => {
                self.values.insert(field.code.to_owned(), Some(value.stored()));
            }
        }
        let inn = self.inn().map(str::to_owned);
        self.values.retain(|code, _| Field::named(code).is_none_or(|f| f.applies_to(inn.as_deref())));
    }
}
