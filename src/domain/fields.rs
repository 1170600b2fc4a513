//! The card's fields, defined once (SPEC §3). For each field, [`FIELDS`] holds how typed text is
//! checked (the one validator), whether it may stay empty, when the form asks it, how it reads
//! where personal data is masked (by `privacy::Disclosure`'s rules), its place on the card and
//! on the contacts page, its column in the store and in the exported workbook. The registration
//! form, the edit screen, the card, the contacts page, the workbook and the store all walk the
//! table, so a field added here appears in each of them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod walks;

pub use walks::{Filled, Shown, check, editable, follow_up, load, next_question, shown};

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
    /// Its column's header in an imported file, in Russian and English (any case; «ё» as «е»);
    /// the first is the header an export of the base writes, so export and import match.
    pub headers: &'static [&'static str],
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
        headers: &[],
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
        headers: &["Наименование", "Name", "Название", "Компания", "Company", "Организация"],
        export_width: 36.0,
        ..field("name", "Name", FieldKind::Name, "name", Slot::Name)
    },
    FieldSpec {
        optional: false,
        editable: false,
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 14.0,
        headers: &["ИНН", "INN", "TIN"],
        ..field("inn", "Inn", FieldKind::Inn, "inn", Slot::Inn)
    },
    FieldSpec {
        companies_only: true,
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 11.0,
        headers: &["КПП", "KPP"],
        ..field("kpp", "Kpp", FieldKind::Kpp, "kpp", detail!(kpp: Kpp))
    },
    FieldSpec {
        card: Placement::Requisites,
        contacts_page: true,
        export_width: 16.0,
        headers: &["ОГРН", "OGRN", "ОГРНИП", "OGRNIP"],
        ..field("ogrn", "Ogrn", FieldKind::Ogrn, "ogrn", detail!(ogrn: Ogrn))
    },
    FieldSpec {
        headers: &["Отрасль", "Industry", "Сфера деятельности"],
        ..field("industry", "Industry", FieldKind::Text, "industry", detail!(industry: Text))
    },
    FieldSpec {
        export_width: 16.0,
        headers: &["Город", "City", "Населенный пункт"],
        ..field("city", "City", FieldKind::Text, "city", detail!(city: Text))
    },
    FieldSpec {
        contacts_page: true,
        column: Column { name: "contact_person", normalized: Some("contact_norm") },
        export_width: 24.0,
        headers: &["Контактное лицо", "Contact person", "Контакт", "Contact", "ФИО контакта"],
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
        headers: &["Должность", "Position", "Job title"],
        contacts_page: true,
        ..field("position", "Position", FieldKind::Text, "position", detail!(position: Text))
    },
    FieldSpec {
        contacts_page: true,
        export_width: 16.0,
        headers: &["Телефон", "Phone", "Тел"],
        ..field("phone", "Phone", FieldKind::Phone, "phone", detail!(phone: Phone))
    },
    FieldSpec {
        contacts_page: true,
        export_width: 24.0,
        headers: &["E-mail", "Email", "Эл. почта", "Электронная почта", "Почта", "Mail"],
        ..field("email", "Email", FieldKind::Email, "email", detail!(email: Email))
    },
    FieldSpec {
        optional: false,
        export_width: 28.0,
        headers: &["Продукты", "Products", "Продукт", "Product"],
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
    ) -> Option<String> {
        match self.kind {
            FieldKind::Name => Some(pd.company(stored, inn)),
            FieldKind::Inn => Some(pd.inn(stored)),
            FieldKind::Person => pd.person(stored),
            FieldKind::Phone => pd.phone_text(stored),
            FieldKind::Email => pd.email(stored),
            FieldKind::Products => Some(products(&products_from_text(stored))),
            // What describes the contact person (the position) goes with them.
            FieldKind::Text if self.is_contact() => pd.position(stored),
            FieldKind::Ogrn => Some(pd.ogrn(stored)),
            FieldKind::Kpp | FieldKind::Text => Some(stored.to_owned()),
        }
    }

    /// Whether the field is about the contact person (SPEC §10): in `hide` mode no message
    /// carries it, the card says "in the app" instead.
    pub fn is_contact(&self) -> bool {
        matches!(self.kind, FieldKind::Person | FieldKind::Phone | FieldKind::Email)
            || self
                .qualifies
                .is_some_and(|code| FIELDS.iter().any(|f| f.code == code && f.kind == FieldKind::Person))
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
mod tests;
