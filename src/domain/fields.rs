//! The card's fields, defined once (SPEC §3). For each field, [`FIELDS`] holds how typed text is
//! checked (the one validator), whether it may stay empty, when the form asks it, how it reads
//! where personal data is masked (by `privacy::Disclosure`'s rules), its place on the card and
//! on the contacts page, its column in the store and in the exported workbook. The registration
//! form, the edit screen, the card, the contacts page, the workbook and the store all walk the
//! table, so a field added here appears in each of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::privacy::Disclosure;
use super::prospect::{Details, Product, products_from_text, products_to_text, short_text};
use super::requisites::{CompanyName, Email, Inn, Kpp, Ogrn, Phone, RequisiteError};

/// What a field holds: how typed text is checked and how the value reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Name,
    Inn,
    /// Checked against the INN.
    Kpp,
    Ogrn,
    /// A short line of text (industry, city, position).
    Text,
    /// A short line of text that is a person's name: personal data (SPEC §10).
    Person,
    Phone,
    Email,
    /// Chosen with buttons, not typed.
    Products,
}

/// A field's value, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Name(CompanyName),
    Inn(Inn),
    Kpp(Kpp),
    Ogrn(Ogrn),
    Text(String),
    Phone(Phone),
    Email(Email),
    Products(Vec<Product>),
}

impl Value {
    /// The value as stored: in its column, in a form's draft, in the audit trail.
    pub fn stored(&self) -> String {
        match self {
            Value::Name(name) => name.as_str().to_owned(),
            Value::Inn(inn) => inn.as_str().to_owned(),
            Value::Kpp(kpp) => kpp.as_str().to_owned(),
            Value::Ogrn(ogrn) => ogrn.as_str().to_owned(),
            Value::Text(text) => text.clone(),
            Value::Phone(phone) => phone.as_str().to_owned(),
            Value::Email(email) => email.as_str().to_owned(),
            Value::Products(products) => products_to_text(products),
        }
    }
}

/// Where a field reads on the card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// In the title: the name.
    Title,
    /// On the requisites line, which the INN starts: «ИНН 7707083893 · КПП 773601001».
    Requisites,
    /// A line of its own, «Город: Тверь»; a field that qualifies another follows that one's
    /// value instead: «Петров И., директор».
    Line,
}

/// Where a field's value is kept in a card's row.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    /// A normalized companion kept in step for search (`normalize_name`).
    pub normalized: Option<&'static str>,
}

/// Where a field's value is kept in the domain's types.
#[derive(Clone, Copy)]
pub enum Slot {
    Name,
    Inn,
    /// A member of `Details`.
    Detail {
        get: fn(&Details) -> Option<Value>,
        set: fn(&mut Details, Option<Value>),
    },
}

/// One field of the card.
#[derive(Clone, Copy)]
pub struct FieldSpec {
    /// Its name in button data and flow state, and in its message keys: the label
    /// `field-{code}` and the form's question `new-ask-{code}`.
    pub code: &'static str,
    /// Its name in the audit trail («Phone: "" -> "+79990001122"»), as flow states written
    /// before this table named it too.
    pub name: &'static str,
    pub kind: FieldKind,
    /// May be left empty: the form offers «Skip», the edit screen «Clear».
    pub optional: bool,
    /// May be changed after it was typed (from the form's summary or on the card).
    pub editable: bool,
    /// Only for a company (a 10-digit INN), never for a sole proprietor: the KPP.
    pub companies_only: bool,
    /// The field this one describes (a position, the contact person's): asked right after it
    /// and only when it is filled, and shown after its value on the card.
    pub qualifies: Option<&'static str>,
    pub card: Placement,
    /// Shown on the contacts page (the bank's own page, in full: SPEC §10).
    pub contacts_page: bool,
    pub column: Column,
    /// The workbook's header when it is not the label (a message key), and the column's width.
    pub export_header: Option<&'static str>,
    pub export_width: f64,
    pub slot: Slot,
}

/// Reads and writes the `Details` member `$member` as a `Value::$variant`.
macro_rules! detail {
    ($member:ident: $variant:ident) => {
        Slot::Detail {
            get: |d| d.$member.clone().map(Value::$variant),
            set: |d, value| {
                d.$member = match value {
                    Some(Value::$variant(v)) => Some(v),
                    _ => None,
                }
            },
        }
    };
}

/// An optional, editable field on a line of its own, with nothing special: what each row of
/// the table starts from.
pub const fn field(
    code: &'static str,
    name: &'static str,
    kind: FieldKind,
    column: &'static str,
    slot: Slot,
) -> FieldSpec {
    FieldSpec {
        code,
        name,
        kind,
        optional: true,
        editable: true,
        companies_only: false,
        qualifies: None,
        card: Placement::Line,
        contacts_page: false,
        column: Column { name: column, normalized: None },
        export_header: None,
        export_width: 20.0,
        slot,
    }
}

/// The card's fields, in the order the form asks them, the card and the workbook show them.
/// The INN comes before the fields checked against it.
pub static FIELDS: [FieldSpec; 11] = [
    FieldSpec {
        optional: false,
        card: Placement::Title,
        column: Column { name: "name", normalized: Some("name_norm") },
        export_header: Some("report-col-company"),
        export_width: 36.0,
        ..field("name", "Name", FieldKind::Name, "name", Slot::Name)
    },
    FieldSpec {
        optional: false,
        editable: false,
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 14.0,
        ..field("inn", "Inn", FieldKind::Inn, "inn", Slot::Inn)
    },
    FieldSpec {
        companies_only: true,
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 11.0,
        ..field("kpp", "Kpp", FieldKind::Kpp, "kpp", detail!(kpp: Kpp))
    },
    FieldSpec {
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 16.0,
        ..field("ogrn", "Ogrn", FieldKind::Ogrn, "ogrn", detail!(ogrn: Ogrn))
    },
    field("industry", "Industry", FieldKind::Text, "industry", detail!(industry: Text)),
    FieldSpec { export_width: 16.0, ..field("city", "City", FieldKind::Text, "city", detail!(city: Text)) },
    FieldSpec {
        contacts_page: true,
        column: Column { name: "contact_person", normalized: Some("contact_norm") },
        export_width: 24.0,
        ..field(
            "contact",
            "ContactPerson",
            FieldKind::Person,
            "contact_person",
            detail!(contact_person: Text),
        )
    },
    FieldSpec {
        qualifies: Some("contact"),
        contacts_page: true,
        ..field("position", "Position", FieldKind::Text, "position", detail!(position: Text))
    },
    FieldSpec {
        contacts_page: true,
        export_width: 16.0,
        ..field("phone", "Phone", FieldKind::Phone, "phone", detail!(phone: Phone))
    },
    FieldSpec {
        contacts_page: true,
        export_width: 24.0,
        ..field("email", "Email", FieldKind::Email, "email", detail!(email: Email))
    },
    FieldSpec {
        optional: false,
        export_width: 28.0,
        ..field(
            "products",
            "Products",
            FieldKind::Products,
            "products",
            Slot::Detail {
                get: |d| Some(Value::Products(d.products.clone())),
                set: |d, value| {
                    d.products = match value {
                        Some(Value::Products(products)) => products,
                        _ => Vec::new(),
                    }
                },
            },
        )
    },
];

impl FieldSpec {
    /// The label's message key.
    pub fn label(&self) -> String {
        format!("field-{}", self.code)
    }

    /// The registration form's question, a message key.
    pub fn question(&self) -> String {
        format!("new-ask-{}", self.code)
    }

    /// Checks what a person typed: the one validator of this field. The KPP and the OGRN are
    /// checked against the INN (`None` while it is not known).
    pub fn parse(&self, text: &str, inn: Option<&Inn>) -> Result<Value, RequisiteError> {
        let inn = || inn.ok_or(RequisiteError::Inn);
        Ok(match self.kind {
            FieldKind::Name => Value::Name(CompanyName::parse(text)?),
            FieldKind::Inn => Value::Inn(Inn::parse(text)?),
            FieldKind::Kpp => Value::Kpp(Kpp::parse(text, inn()?)?),
            FieldKind::Ogrn => Value::Ogrn(Ogrn::parse(text, inn()?)?),
            FieldKind::Text | FieldKind::Person => {
                Value::Text(short_text(text).ok_or(RequisiteError::ShortText)?)
            }
            FieldKind::Phone => Value::Phone(Phone::parse(text)?),
            FieldKind::Email => Value::Email(Email::parse(text)?),
            FieldKind::Products => Value::Products(products_from_text(text)),
        })
    }

    /// A stored value read back. A detail that no longer passes its check is left out rather
    /// than failing the whole card; free text is kept as stored.
    pub fn load(&self, stored: &str, inn: Option<&Inn>) -> Option<Value> {
        match self.kind {
            FieldKind::Text | FieldKind::Person => Some(Value::Text(stored.to_owned())),
            _ => self.parse(stored, inn).ok(),
        }
    }

    /// How a stored value reads where personal data is disclosed as `pd` says (the INN tells a
    /// sole proprietor's name, a person's, from a company's); products as `products` names them.
    pub fn show(
        &self,
        stored: &str,
        pd: Disclosure,
        inn: &str,
        products: &dyn Fn(&[Product]) -> String,
    ) -> String {
        match self.kind {
            FieldKind::Name => pd.company(stored, inn),
            FieldKind::Inn => pd.inn(stored),
            FieldKind::Person => pd.person(stored),
            FieldKind::Phone => pd.phone_text(stored),
            FieldKind::Email => pd.email(stored),
            FieldKind::Products => products(&products_from_text(stored)),
            FieldKind::Kpp | FieldKind::Ogrn | FieldKind::Text => stored.to_owned(),
        }
    }

    /// Whether the field belongs on a card with this INN: the KPP only on a company's.
    pub fn applies_to(&self, inn: Option<&str>) -> bool {
        !self.companies_only || inn.is_some_and(|inn| inn.len() == 10)
    }

    /// This field's value on a card.
    pub fn read(&self, name: &CompanyName, inn: &Inn, details: &Details) -> Option<Value> {
        match self.slot {
            Slot::Name => Some(Value::Name(name.clone())),
            Slot::Inn => Some(Value::Inn(inn.clone())),
            Slot::Detail { get, .. } => get(details),
        }
    }
}

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
    table
        .iter()
        .filter_map(|f| stored(f).map(|text| Shown { field: f, text: f.show(&text, pd, &inn, products) }))
        .collect()
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

/// A field of the card, as button data and flow state name it: a row of [`FIELDS`].
#[derive(Clone, Copy, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Field(&'static FieldSpec);

impl Field {
    pub fn spec(self) -> &'static FieldSpec {
        self.0
    }

    /// The field with this code.
    pub fn named(code: &str) -> Option<Field> {
        FIELDS.iter().find(|f| f.code == code).map(Field)
    }

    /// The field of a kind that only one field has (the products).
    pub fn of_kind(kind: FieldKind) -> Option<Field> {
        FIELDS.iter().find(|f| f.kind == kind).map(Field)
    }

    /// Flow states written before this table named fields `ContactPerson` or `Contact`.
    fn legacy(name: &str) -> Option<Field> {
        FIELDS.iter().find(|f| f.name == name || f.code.eq_ignore_ascii_case(name)).map(Field)
    }
}

impl From<&'static FieldSpec> for Field {
    fn from(spec: &'static FieldSpec) -> Field {
        Field(spec)
    }
}

impl std::ops::Deref for Field {
    type Target = FieldSpec;

    fn deref(&self) -> &FieldSpec {
        self.0
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.0.code == other.0.code
    }
}

impl Eq for Field {}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl FromStr for Field {
    type Err = ();

    fn from_str(code: &str) -> Result<Self, ()> {
        Field::named(code).ok_or(())
    }
}

impl From<Field> for String {
    fn from(field: Field) -> String {
        field.0.code.to_owned()
    }
}

impl TryFrom<String> for Field {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        Field::named(&code).or_else(|| Field::legacy(&code)).ok_or(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(code: &str) -> Field {
        Field::named(code).unwrap()
    }

    #[test]
    fn each_field_has_its_own_check_and_its_own_error() {
        let inn = Inn::parse("7707083893").unwrap();
        assert_eq!(named("city").parse("  Тверь ", None), Ok(Value::Text("Тверь".into())));
        assert_eq!(named("city").parse("", None), Err(RequisiteError::ShortText));
        assert_eq!(named("position").parse(&"д".repeat(129), None), Err(RequisiteError::ShortText));
        assert_eq!(named("name").parse("", None), Err(RequisiteError::CompanyName));
        assert_eq!(named("kpp").parse("773601001", None), Err(RequisiteError::Inn), "no INN yet");
        assert!(matches!(named("kpp").parse("773601001", Some(&inn)), Ok(Value::Kpp(_))));
        assert_eq!(named("phone").parse("позвоните", None), Err(RequisiteError::Phone));
    }

    #[test]
    fn the_table_keeps_its_invariants() {
        let codes: Vec<&str> = FIELDS.iter().map(|f| f.code).collect();
        let mut unique = codes.clone();
        unique.dedup();
        assert_eq!(codes, unique);
        assert_eq!(FIELDS.iter().filter(|f| matches!(f.slot, Slot::Name)).count(), 1);
        let inn = codes.iter().position(|c| *c == "inn").unwrap();
        for f in FIELDS.iter().filter(|f| matches!(f.kind, FieldKind::Kpp | FieldKind::Ogrn)) {
            assert!(codes.iter().position(|c| *c == f.code).unwrap() > inn, "{} after the INN", f.code);
        }
        for f in &FIELDS {
            assert!(f.qualifies.is_none_or(|q| codes.contains(&q)), "{}", f.code);
        }
    }

    #[test]
    fn fields_are_named_by_code_and_read_from_states_saved_before_the_table() {
        assert_eq!(named("contact").to_string(), "contact");
        assert_eq!(format!("{:?}", named("contact")), "ContactPerson", "as the audit trail names it");
        for old in ["ContactPerson", "Contact", "contact"] {
            assert_eq!(Field::try_from(old.to_owned()), Ok(named("contact")));
        }
        assert!("ContactPerson".parse::<Field>().is_err(), "button data is by code only");
        let json = serde_json::to_string(&named("phone")).unwrap();
        assert_eq!(json, "\"phone\"");
    }

    #[test]
    fn a_stored_card_reads_back_and_a_corrupt_name_is_named() {
        let stored = |f: &FieldSpec| match f.code {
            "name" => Some("ООО «Ромашка»"),
            "inn" => Some("7707083893"),
            "kpp" => Some("bogus"),
            "city" => Some("Тверь"),
            "products" => Some("credit,fx"),
            _ => None,
        };
        let card = load(&FIELDS, stored).unwrap();
        assert_eq!(card.details.kpp, None, "an invalid detail is left out");
        assert_eq!(card.details.city.as_deref(), Some("Тверь"));
        assert_eq!(card.details.products, vec![Product::Credit, Product::Fx]);
        let corrupt = |f: &FieldSpec| if f.code == "name" { Some("") } else { stored(f) };
        assert_eq!(load(&FIELDS, corrupt).unwrap_err(), "name");
    }
}
