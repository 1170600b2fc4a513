//! Prospects: the companies being courted (SPEC §3), their status and products of interest.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fields::FieldSpec;
use super::ids::{RegionCode, TelegramId};
use super::requisites::{CompanyName, Email, Inn, Kpp, Ogrn, Phone};

/// A prospect's number, shown on cards (`/card 42`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProspectId(pub i64);

impl fmt::Display for ProspectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Declares a closed set of codes stored and typed as snake_case names.
macro_rules! codes {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ();

            fn from_str(s: &str) -> Result<Self, ()> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use codes;

codes! {
    /// Where talks with a prospect stand.
    Status {
        New = "new",
        InTalks = "in_talks",
        Interested = "interested",
        HandedOff = "handed_off",
        Client = "client",
        Declined = "declined",
        Archived = "archived",
    }
}

codes! {
    /// The bank's products a company may want.
    Product {
        Credit = "credit",
        Leasing = "leasing",
        Guarantee = "guarantee",
        Deposit = "deposit",
        Settlement = "settlement",
        Payroll = "payroll",
        Acquiring = "acquiring",
        Fx = "fx",
    }
}

/// Products as stored: a comma-separated list of codes.
pub fn products_to_text(products: &[Product]) -> String {
    products.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(",")
}

pub fn products_from_text(text: &str) -> Vec<Product> {
    text.split(',').filter_map(|code| code.trim().parse().ok()).collect()
}

/// The optional details of a card, as typed and checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Details {
    pub kpp: Option<Kpp>,
    pub ogrn: Option<Ogrn>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub contact_person: Option<String>,
    pub position: Option<String>,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
    pub products: Vec<Product>,
}

/// A prospect to be registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProspect {
    pub name: CompanyName,
    pub inn: Inn,
    pub details: Details,
    pub owner: TelegramId,
    pub region: RegionCode,
}

impl NewProspect {
    /// The value of `field` as stored.
    pub fn stored(&self, field: &FieldSpec) -> Option<String> {
        field.read(&self.name, &self.inn, &self.details).map(|v| v.stored())
    }
}

/// A prospect as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prospect {
    pub id: ProspectId,
    pub name: CompanyName,
    pub inn: Inn,
    pub details: Details,
    pub status: Status,
    pub owner: TelegramId,
    pub owner_name: String,
    pub region: RegionCode,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The pending next contact, if one is agreed.
    pub next_contact: Option<DateTime<Utc>>,
}

impl Prospect {
    /// The value of `field` as stored.
    pub fn stored(&self, field: &FieldSpec) -> Option<String> {
        field.read(&self.name, &self.inn, &self.details).map(|v| v.stored())
    }

    /// Share of filled key fields, in percent (SPEC §7): valid INN, contact person, phone,
    /// e-mail, industry, next contact.
    pub fn completeness(&self) -> u8 {
        let d = &self.details;
        let filled = [
            true, // the INN is valid by construction
            d.contact_person.is_some(),
            d.phone.is_some(),
            d.email.is_some(),
            d.industry.is_some(),
            self.next_contact.is_some(),
        ];
        completeness_of(filled.iter().filter(|f| **f).count())
    }
}

/// How many key fields completeness counts (SPEC §7).
pub const KEY_FIELDS: usize = 6;

/// A card's completeness in percent when `filled` of its key fields are filled in. The card
/// and the data-quality report both use this, so they always show the same number.
pub fn completeness_of(filled: usize) -> u8 {
    (filled.min(KEY_FIELDS) * 100 / KEY_FIELDS) as u8
}

/// A short free-text field (industry, city, person, position): trimmed, one line, ≤ 128.
pub fn short_text(text: &str) -> Option<String> {
    let text = text.trim();
    let len = text.chars().count();
    let plain = !text.chars().any(|c| c.is_control() || super::privacy::is_format_char(c));
    ((1..=128).contains(&len) && plain).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for p in Product::ALL {
            assert_eq!(p.as_str().parse::<Product>(), Ok(*p));
        }
        assert_eq!(products_from_text("credit,fx,bogus"), vec![Product::Credit, Product::Fx]);
        assert_eq!(products_to_text(&[Product::Payroll, Product::Leasing]), "payroll,leasing");
        assert_eq!("in_talks".parse::<Status>(), Ok(Status::InTalks));
    }
}
