//! A company's identifiers and contacts as typed by people, checked once at the door:
//! INN, KPP, OGRN/OGRNIP with their check digits, phone, e-mail, company name.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum RequisiteError {
    #[error("an INN is 10 digits for a company or 12 for a sole proprietor, with valid check digits")]
    Inn,
    /// The INN has the right number of digits but a check digit does not match: a typo.
    #[error("the INN's check digit does not match")]
    InnCheckDigit,
    #[error(
        "a KPP is 9 characters: 4 digits, 2 digits or capital letters, 3 digits; only for a 10-digit INN"
    )]
    Kpp,
    #[error("an OGRN is 13 digits, an OGRNIP 15, with a valid check digit")]
    Ogrn,
    /// A company's 13-digit OGRN given for a sole proprietor (12-digit INN).
    #[error("a sole proprietor has a 15-digit OGRNIP, not a company's 13-digit OGRN")]
    OgrnipExpected,
    /// A sole proprietor's 15-digit OGRNIP given for a company (10-digit INN).
    #[error("a company has a 13-digit OGRN, not a sole proprietor's 15-digit OGRNIP")]
    OgrnExpected,
    #[error(
        "a phone is a Russian number such as 8 999 123-45-67 (an extension may follow), or an international one starting with + and the country code"
    )]
    Phone,
    #[error("an e-mail looks like name@example.ru")]
    Email,
    #[error("a company name is 2–256 characters on one line")]
    CompanyName,
    /// A short text field (industry, city, a person's name, a position).
    #[error("a value is 1–128 characters on one line")]
    ShortText,
}

fn digits(text: &str) -> Option<Vec<u32>> {
    text.chars().map(|c| c.to_digit(10)).collect()
}

fn check_digit(digits: &[u32], weights: &[u32]) -> u32 {
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    sum % 11 % 10
}

/// Check-digit weights of a company's INN (the 10th digit).
pub const INN10_WEIGHTS: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
/// Check-digit weights of a sole proprietor's INN (the 11th and the 12th digit).
pub const INN12_WEIGHTS_1: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
pub const INN12_WEIGHTS_2: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

/// Taxpayer number: 10 digits (company) or 12 (sole proprietor), check digits verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Inn(String);

impl Inn {
    /// A number of the wrong shape is `Inn`; the right shape with a wrong check digit is
    /// `InnCheckDigit`, so a typo can be told apart from a number that is not an INN at all.
    pub fn parse(text: &str) -> Result<Self, RequisiteError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let d = digits(&text).ok_or(RequisiteError::Inn)?;
        let valid = match d.len() {
            10 => check_digit(&d[..9], &INN10_WEIGHTS) == d[9],
            12 => {
                check_digit(&d[..10], &INN12_WEIGHTS_1) == d[10]
                    && check_digit(&d[..11], &INN12_WEIGHTS_2) == d[11]
            }
            _ => return Err(RequisiteError::Inn),
        };
        if valid { Ok(Self(text)) } else { Err(RequisiteError::InnCheckDigit) }
    }

    /// A 12-digit INN belongs to a person: a sole proprietor (personal data, SPEC §10).
    pub fn is_sole_proprietor(&self) -> bool {
        self.0.len() == 12
    }

    /// The INN with its middle hidden: a sole proprietor's INN is personal data (SPEC §10).
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!("{}{}{}", &d[..2], "*".repeat(d.len() - 4), &d[d.len() - 2..])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Inn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Tax registration reason code; companies only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kpp(String);

impl Kpp {
    pub fn parse(text: &str, inn: &Inn) -> Result<Self, RequisiteError> {
        let text = text.trim().to_ascii_uppercase();
        let c: Vec<char> = text.chars().collect();
        let ok = !inn.is_sole_proprietor()
            && c.len() == 9
            && c[..4].iter().all(char::is_ascii_digit)
            && c[4..6].iter().all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase())
            && c[6..].iter().all(char::is_ascii_digit);
        if ok { Ok(Self(text)) } else { Err(RequisiteError::Kpp) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// State registration number: OGRN (13 digits) of a company or OGRNIP (15) of a sole
/// proprietor, check digit verified and of the same kind as the INN it goes with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ogrn(String);

impl Ogrn {
    pub fn parse(text: &str, inn: &Inn) -> Result<Self, RequisiteError> {
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(RequisiteError::Ogrn);
        }
        let (body, divisor) = match text.len() {
            13 => (&text[..12], 11),
            15 => (&text[..14], 13),
            _ => return Err(RequisiteError::Ogrn),
        };
        let number: u64 = body.parse().map_err(|_| RequisiteError::Ogrn)?;
        let expected = (number % divisor % 10) as u32;
        let last = text.chars().last().and_then(|c| c.to_digit(10));
        if last != Some(expected) {
            return Err(RequisiteError::Ogrn);
        }
        match (text.len(), inn.is_sole_proprietor()) {
            (13, true) => Err(RequisiteError::OgrnipExpected),
            (15, false) => Err(RequisiteError::OgrnExpected),
            _ => Ok(Self(text)),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number checked against libphonenumber's rules for its country (Russia when no
/// country code is typed), normalized to E.164 (`+7XXXXXXXXXX`), with an office extension
/// kept as `;ext=234` (RFC 3966): «+7 495 123-45-67 доб. 234».
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone(String);

/// Words people put before an extension.
const EXTENSION_WORDS: &[&str] = &["добавочный", "доб.", "доб", "ext.", "ext", "вн.", "#"];

impl Phone {
    pub fn parse(text: &str) -> Result<Self, RequisiteError> {
        let text = text.trim();
        if text.is_empty() || text.chars().count() > 64 || !text.chars().any(|c| c.is_ascii_digit()) {
            return Err(RequisiteError::Phone);
        }
        let lowered = text.to_lowercase();
        let (number, extension) = split_extension(&lowered);
        let allowed = |c: char| c.is_ascii_digit() || " +-().\u{a0}".contains(c);
        if !number.chars().all(allowed) || number.matches('+').count() > 1 {
            return Err(RequisiteError::Phone);
        }
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        // «7 912 …» without the plus is a Russian number written with its country code.
        let number = if !number.contains('+') && digits.len() == 11 && digits.starts_with('7') {
            format!("+{digits}")
        } else {
            number.to_owned()
        };
        let parsed = phonenumber::parse(Some(phonenumber::country::Id::RU), &number)
            .map_err(|_| RequisiteError::Phone)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(RequisiteError::Phone);
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(Self(match extension {
            Some(ext) => format!("{e164};ext={ext}"),
            None => e164,
        }))
    }

    /// The normalized form: E.164, with `;ext=N` when there is an extension.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number without its extension.
    pub fn number(&self) -> &str {
        self.0.split(";ext=").next().unwrap_or(&self.0)
    }

    pub fn extension(&self) -> Option<&str> {
        self.0.split_once(";ext=").map(|(_, ext)| ext)
    }

    /// As people read it: «+7 912 345-67-89», «+7 495 123-45-67 доб. 234».
    pub fn display(&self) -> String {
        let number = phonenumber::parse(None, self.number())
            .map(|p| p.format().mode(phonenumber::Mode::International).to_string())
            .unwrap_or_else(|_| self.number().to_owned());
        match self.extension() {
            Some(ext) => format!("{number} доб. {ext}"),
            None => number,
        }
    }

    /// `+7 9** ***-**-45`: enough to recognise, not enough to call (SPEC §10).
    pub fn masked(&self) -> String {
        let d = self.number();
        match d.strip_prefix("+7") {
            Some(rest) if rest.len() == 10 => format!("+7 {}** ***-**-{}", &rest[..1], &rest[8..]),
            _ => format!("{}…{}", &d[..3.min(d.len())], &d[d.len().saturating_sub(2)..]),
        }
    }
}

/// «8 495 123-45-67 доб. 234» → the number and `234`; `;ext=234` as stored, too.
fn split_extension(text: &str) -> (&str, Option<String>) {
    if let Some((number, ext)) = text.split_once(";ext=") {
        return (
            number,
            Some(ext.to_owned()).filter(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_digit())),
        );
    }
    for word in EXTENSION_WORDS {
        if let Some(at) = text.find(word) {
            let ext: String = text[at + word.len()..].chars().filter(|c| !c.is_whitespace()).collect();
            if !ext.is_empty() && ext.len() <= 6 && ext.chars().all(|c| c.is_ascii_digit()) {
                return (text[..at].trim_end_matches([' ', ',']), Some(ext));
            }
        }
    }
    (text, None)
}

/// An e-mail address, kept in lower case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(text: &str) -> Result<Self, RequisiteError> {
        let text = text.trim().to_lowercase();
        let valid = text.len() <= 254
            && !text.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:".contains(c))
            && match text.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                        && !domain.contains("..")
                }
                None => false,
            };
        if valid { Ok(Self(text)) } else { Err(RequisiteError::Email) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Legal-form words that do not tell companies apart.
const LEGAL_FORMS: &[&str] =
    &["ооо", "ао", "пао", "зао", "оао", "ип", "нко", "ано", "llc", "ltd", "inc", "jsc", "pjsc"];

/// A company's name as typed, with the normalized form used for search and duplicate checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyName {
    typed: String,
    normalized: String,
}

impl CompanyName {
    pub fn parse(text: &str) -> Result<Self, RequisiteError> {
        let typed = text.trim().to_owned();
        let len = typed.chars().count();
        if !(2..=256).contains(&len)
            || typed.chars().any(|c| c.is_control() || super::privacy::is_format_char(c))
        {
            return Err(RequisiteError::CompanyName);
        }
        let normalized = normalize_name(&typed);
        if normalized.is_empty() {
            return Err(RequisiteError::CompanyName);
        }
        Ok(Self { typed, normalized })
    }

    pub fn as_str(&self) -> &str {
        &self.typed
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Lower case, `ё` as `е`, quotes and punctuation dropped, legal-form words removed.
pub fn normalize_name(text: &str) -> String {
    let lowered = text.to_lowercase().replace('ё', "е");
    let cleaned: String = lowered.chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    cleaned.split_whitespace().filter(|word| !LEGAL_FORMS.contains(word)).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn with_inn_checks(body: &[u32]) -> String {
        let mut d = body.to_vec();
        if d.len() == 9 {
            d.push(check_digit(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]));
        } else {
            d.push(check_digit(&d, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
            d.push(check_digit(&d, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]));
        }
        d.iter().map(|x| char::from_digit(*x, 10).unwrap()).collect()
    }

    fn replace_last(text: &str, digit: u32) -> String {
        let mut s = text[..text.len() - 1].to_owned();
        s.push(char::from_digit(digit, 10).unwrap());
        s
    }

    proptest! {
        #[test]
        fn every_valid_company_inn_passes_and_any_other_check_digit_fails(body in proptest::collection::vec(0u32..10, 9), other in 0u32..10) {
            let inn = with_inn_checks(&body);
            prop_assert!(Inn::parse(&inn).is_ok());
            let last = inn.chars().last().unwrap().to_digit(10).unwrap();
            prop_assume!(other != last);
            prop_assert_eq!(Inn::parse(&replace_last(&inn, other)), Err(RequisiteError::InnCheckDigit));
        }

        #[test]
        fn every_valid_personal_inn_passes_and_any_other_check_digit_fails(body in proptest::collection::vec(0u32..10, 10), other in 0u32..10, which in 0usize..2) {
            let inn = with_inn_checks(&body);
            prop_assert!(Inn::parse(&inn).is_ok());
            let pos = 10 + which;
            let mut chars: Vec<char> = inn.chars().collect();
            let current = chars[pos].to_digit(10).unwrap();
            prop_assume!(other != current);
            chars[pos] = char::from_digit(other, 10).unwrap();
            let broken: String = chars.into_iter().collect();
            prop_assert_eq!(Inn::parse(&broken), Err(RequisiteError::InnCheckDigit));
        }

        #[test]
        fn digits_of_another_length_are_not_an_inn_at_all(text in "[0-9]{1,9}|[0-9]{11}|[0-9]{13,20}") {
            prop_assert_eq!(Inn::parse(&text), Err(RequisiteError::Inn));
        }

        #[test]
        fn every_valid_ogrn_passes_for_its_kind_of_inn_and_any_other_check_digit_fails(
            body in prop_oneof![proptest::collection::vec(0u32..10, 12), proptest::collection::vec(0u32..10, 14)],
            other in 0u32..10,
            inn_body in proptest::collection::vec(0u32..10, 10),
        ) {
            let text: String = body.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let company = body.len() == 12;
            let divisor = if company { 11 } else { 13 };
            let check = (text.parse::<u64>().unwrap() % divisor % 10) as u32;
            let ogrn = format!("{text}{check}");
            // An INN of the same kind: 10 digits for a company's OGRN, 12 for an OGRNIP.
            let inn_body = if company { &inn_body[..9] } else { &inn_body[..] };
            let inn = Inn::parse(&with_inn_checks(inn_body)).unwrap();
            prop_assert!(Ogrn::parse(&ogrn, &inn).is_ok(), "{}", ogrn);
            prop_assume!(other != check);
            prop_assert_eq!(Ogrn::parse(&replace_last(&ogrn, other), &inn), Err(RequisiteError::Ogrn));
        }

        #[test]
        fn an_ogrn_of_the_other_kind_than_the_inn_is_refused_saying_which_is_expected(
            body in prop_oneof![proptest::collection::vec(0u32..10, 12), proptest::collection::vec(0u32..10, 14)],
            inn_body in proptest::collection::vec(0u32..10, 10),
        ) {
            let text: String = body.iter().map(|d| char::from_digit(*d, 10).unwrap()).collect();
            let company_ogrn = body.len() == 12;
            let divisor = if company_ogrn { 11 } else { 13 };
            let ogrn = format!("{text}{}", text.parse::<u64>().unwrap() % divisor % 10);
            // The INN of the other kind: 12 digits for a company's OGRN, 10 for an OGRNIP.
            let inn_body = if company_ogrn { &inn_body[..] } else { &inn_body[..9] };
            let inn = Inn::parse(&with_inn_checks(inn_body)).unwrap();
            let expected = if company_ogrn { RequisiteError::OgrnipExpected } else { RequisiteError::OgrnExpected };
            prop_assert_eq!(Ogrn::parse(&ogrn, &inn), Err(expected));
        }
    }

    proptest! {
        #[test]
        fn every_well_formed_kpp_passes_for_a_company_and_never_for_a_person(
            kpp in "[0-9]{4}[0-9A-Z]{2}[0-9]{3}",
            broken in "[0-9]{4}[a-z]{2}[0-9]{3}|[0-9]{8}|[0-9]{10}|[A-Z]{9}",
        ) {
            let company = Inn::parse("7707083893").unwrap();
            let person = Inn::parse("500100732259").unwrap();
            prop_assert!(Kpp::parse(&kpp, &company).is_ok());
            prop_assert!(Kpp::parse(&kpp, &person).is_err());
            // Lower-case letters are read as capitals, as people type them.
            let upper = broken.to_ascii_uppercase();
            let well_formed = upper.len() == 9 && upper[..4].chars().all(|c| c.is_ascii_digit()) && upper[6..].chars().all(|c| c.is_ascii_digit());
            prop_assert_eq!(Kpp::parse(&broken, &company).is_ok(), well_formed);
        }
    }

    #[test]
    fn known_numbers_are_accepted() {
        assert!(Inn::parse("7707083893").is_ok()); // Sberbank
        assert!(Inn::parse("500100732259").is_ok());
        assert_eq!(Inn::parse("7707083894"), Err(RequisiteError::InnCheckDigit));
        assert_eq!(Inn::parse("77070838"), Err(RequisiteError::Inn));
        assert_eq!(Inn::parse("77070838ab"), Err(RequisiteError::Inn));
        let company = Inn::parse("7707083893").unwrap();
        let person = Inn::parse("500100732259").unwrap();
        assert!(Ogrn::parse("1027700132195", &company).is_ok());
        assert!(Ogrn::parse("304500116000157", &person).is_ok());
        assert_eq!(Ogrn::parse("1027700132195", &person), Err(RequisiteError::OgrnipExpected));
        assert_eq!(Ogrn::parse("304500116000157", &company), Err(RequisiteError::OgrnExpected));
        assert!(Kpp::parse("773601001", &company).is_ok());
        assert!(Kpp::parse("7736AB001", &company).is_ok());
        assert!(Kpp::parse("77360100", &company).is_err());
        assert!(Kpp::parse("773601001", &person).is_err());
    }

    #[test]
    fn phones_are_normalized() {
        for typed in ["8 (912) 345-67-89", "+7 912 3456789", "9123456789", "7-912-345-67-89"] {
            assert_eq!(Phone::parse(typed).unwrap().as_str(), "+79123456789", "{typed}");
        }
        assert_eq!(Phone::parse("+49 30 1234567").unwrap().as_str(), "+49301234567");
        assert_eq!(Phone::parse("8.912.555.01.77").unwrap().as_str(), "+79125550177");
        let office = Phone::parse("+7 495 123-45-67 доб. 234").unwrap();
        assert_eq!(office.as_str(), "+74951234567;ext=234");
        assert_eq!(office.display(), "+7 495 123-45-67 доб. 234");
        assert_eq!(Phone::parse(office.as_str()).unwrap(), office, "the stored form parses back");
        assert_eq!(Phone::parse("89123456789").unwrap().display(), "+7 912 345-67-89");
        // A foreign number is checked by its country's rules, not by its length alone.
        assert!(Phone::parse("+49 123").is_err());
        assert!(Phone::parse("+1 000 000 0000").is_err());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("позвонить").is_err());
        assert_eq!(Phone::parse("89123456745").unwrap().masked(), "+7 9** ***-**-45");
        assert_eq!(Inn::parse("500100732259").unwrap().masked(), "50********59");
    }

    #[test]
    fn emails_are_checked() {
        assert_eq!(Email::parse(" Ivan@Romashka.RU ").unwrap().as_str(), "ivan@romashka.ru");
        for bad in ["ivan", "ivan@", "@x.ru", "ivan@ru", "a b@x.ru", "a@x..ru"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn company_names_are_normalized_for_search() {
        let name = CompanyName::parse("ООО «Ромашка»").unwrap();
        assert_eq!(name.as_str(), "ООО «Ромашка»");
        assert_eq!(name.normalized(), "ромашка");
        assert_eq!(normalize_name("ПАО \"Рога & Копыта\""), "рога копыта");
        assert_eq!(normalize_name("Romashka LLC"), "romashka");
        assert_eq!(normalize_name("ИП Ёлкин"), "елкин");
        assert!(CompanyName::parse("ООО").is_err());
    }
}
