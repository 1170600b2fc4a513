//! Personal data in what leaves the bank through Telegram (SPEC §10).
//!
//! Contact persons' names, phones and e-mails, and sole proprietors' names and INNs, are
//! personal data. `CONTACTS_IN_CHAT` decides how they travel: in full (`show`, unlawful for a
//! Russian bank and warned about at start), masked (`mask`, the default) or not at all
//! (`hide`). Every message, button, alert and document that goes through Telegram is written
//! with one `Disclosure`, so the rule is kept in one place. Masked: a name as «Петров И.», a
//! phone as `+7 9** ***-**-45`, an e-mail as `i***@firm.ru`, a sole proprietor's INN with its
//! middle hidden. Hidden: no trace of the contact person, phone or e-mail (the channel says
//! "in the app" instead), and a sole proprietor as «ИП (ИНН 5001…)». In both, free text with
//! phones, e-mails and the people's names replaced.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use super::requisites::{Inn, Phone};

/// How contact data appears in what is sent through Telegram (`CONTACTS_IN_CHAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactsInChat {
    Show,
    Mask,
    /// Not even initials or a phone's last digits: the contact is "in the app".
    Hide,
}

/// What replaces a redacted piece of free text.
pub const REDACTED: &str = "[скрыто]";

/// The one place that decides how personal data reads in a message or a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disclosure(pub ContactsInChat);

impl Disclosure {
    pub fn shows_contacts(self) -> bool {
        self.0 == ContactsInChat::Show
    }

    /// How contacts went, for the audit trail: "shown", "masked" or "hidden".
    pub fn described(self) -> &'static str {
        match self.0 {
            ContactsInChat::Show => "shown",
            ContactsInChat::Mask => "masked",
            ContactsInChat::Hide => "hidden",
        }
    }

    /// Whether the contact person, phone and e-mail leave out of every message whole; the
    /// channel says they are in the app instead (`hide`).
    pub fn hides_contacts(self) -> bool {
        self.0 == ContactsInChat::Hide
    }

    /// Whether a card with these contact fields filled has a contact the chat must call "in
    /// the app" rather than show.
    pub fn contact_in_app(self, filled: &[bool]) -> bool {
        self.hides_contacts() && filled.iter().any(|f| *f)
    }

    /// A contact person's name: «Петров И.» when masked, nothing when hidden.
    pub fn person(self, name: &str) -> Option<String> {
        match self.0 {
            ContactsInChat::Show => Some(name.trim().to_owned()),
            ContactsInChat::Mask => Some(mask_person(name)),
            ContactsInChat::Hide => None,
        }
    }

    /// A contact person's position: it says who they are at the company, so it goes with the
    /// name — nothing when hidden.
    pub fn position(self, position: &str) -> Option<String> {
        (!self.hides_contacts()).then(|| position.to_owned())
    }

    pub fn phone(self, phone: &Phone) -> Option<String> {
        match self.0 {
            ContactsInChat::Show => Some(phone.display()),
            ContactsInChat::Mask => Some(phone.masked()),
            ContactsInChat::Hide => None,
        }
    }

    /// A stored phone (normalized); one that no longer parses is hidden whole.
    pub fn phone_text(self, phone: &str) -> Option<String> {
        match Phone::parse(phone) {
            Ok(p) => self.phone(&p),
            Err(_) if self.shows_contacts() => Some(phone.to_owned()),
            Err(_) if self.hides_contacts() => None,
            Err(_) => Some("***".into()),
        }
    }

    pub fn email(self, email: &str) -> Option<String> {
        match self.0 {
            ContactsInChat::Show => Some(email.to_owned()),
            ContactsInChat::Mask => Some(mask_email(email)),
            ContactsInChat::Hide => None,
        }
    }

    /// A company's INN as is; a sole proprietor's (a person's) with its middle hidden, or only
    /// its first four digits (the tax office's code) when contacts are hidden.
    pub fn inn(self, inn: &str) -> String {
        if self.shows_contacts() || inn.len() != 12 {
            return inn.to_owned();
        }
        if self.hides_contacts() {
            return inn_head(inn);
        }
        match Inn::parse(inn) {
            Ok(inn) => inn.masked(),
            Err(_) => mask_inn(inn),
        }
    }

    /// A company's OGRN as is; a sole proprietor's OGRNIP (15 digits) names a person as much as
    /// their INN does: its middle hidden, or only its first four digits when contacts are hidden.
    pub fn ogrn(self, ogrn: &str) -> String {
        if self.shows_contacts() || ogrn.len() != 15 || !ogrn.is_ascii() {
            return ogrn.to_owned();
        }
        if self.hides_contacts() {
            return inn_head(ogrn);
        }
        format!("{}*********{}", &ogrn[..4], &ogrn[13..])
    }

    /// A company's name; a sole proprietor's name is a person's: «ИП Пупкин В.» when masked,
    /// «ИП (ИНН 5001…)» when hidden.
    pub fn company(self, name: &str, inn: &str) -> String {
        if self.shows_contacts() || inn.len() != 12 {
            return name.to_owned();
        }
        if self.hides_contacts() {
            return format!("ИП (ИНН {})", inn_head(inn));
        }
        mask_sole_proprietor(name)
    }

    /// Free text typed by people (a diary summary, what was agreed, a reason): phones in any
    /// format, e-mails and the words of `names` (the contact person, a sole proprietor) in any
    /// case ending are replaced with [`REDACTED`] — when masked and when hidden alike.
    pub fn free_text(self, text: &str, names: &[&str]) -> String {
        let text = strip_format_chars(text);
        if self.shows_contacts() { text } else { redact(&text, names, REDACTED) }
    }
}

/// `5001…`: a sole proprietor's INN with only the tax office's code left.
fn inn_head(inn: &str) -> String {
    let head: String = inn.chars().take(4).filter(char::is_ascii_digit).collect();
    format!("{head}…")
}

/// The people's names that free text about a company must not carry: its contact person's,
/// and a sole proprietor's own (a 12-digit INN belongs to a person).
pub fn people<'a>(contact: Option<&'a str>, company: &'a str, inn: &str) -> Vec<&'a str> {
    let mut names: Vec<&str> = contact.into_iter().collect();
    if inn.len() == 12 {
        names.push(company);
    }
    names
}

/// A Unicode format character (category Cf): right-to-left overrides, zero-width joiners and
/// the like, which make text read differently than it is.
pub fn is_format_char(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
}

/// Free text without format characters.
pub fn strip_format_chars(text: &str) -> String {
    text.chars().filter(|c| !is_format_char(*c)).collect()
}

/// Patronymic particles of Turkic names: «Алиев Рашид Гусейн оглы».
const PARTICLES: &[&str] = &["оглы", "кызы", "улы", "гызы", "уулу", "ogly", "kyzy"];

fn fold(word: &str) -> String {
    word.to_lowercase().replace('ё', "е")
}

fn is_patronymic(word: &str) -> bool {
    let w = fold(word);
    let len = w.chars().count();
    len >= 5 && ["ович", "евич", "ьич", "овна", "евна", "ична", "инична"].iter().any(|end| w.ends_with(end))
}

/// A Russian surname's usual endings, for telling «Имя Фамилия» from «Фамилия Имя».
fn looks_like_surname(word: &str) -> bool {
    let w = fold(word);
    let last = w.rsplit('-').next().unwrap_or(&w);
    last.chars().count() >= 4
        && [
            "ов", "ова", "ев", "ева", "ин", "ина", "ын", "ына", "ский", "ская", "цкий", "цкая", "ской", "ых",
            "их",
        ]
        .iter()
        .any(|end| last.ends_with(end))
}

fn is_latin(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).all(|c| c.is_ascii_alphabetic())
}

/// «И.»: a name already reduced to its initial.
fn is_initial(word: &str) -> bool {
    word.chars().filter(|c| c.is_alphabetic()).count() == 1
}

fn initial(word: &str) -> String {
    word.chars().find(|c| c.is_alphabetic()).map(|c| format!("{}.", c.to_uppercase())).unwrap_or_default()
}

/// The surname and the first name of a name typed «Фамилия Имя Отчество» (or «Имя Отчество
/// Фамилия», or «Имя Фамилия» as Latin-script names are written).
fn surname_and_first(name: &str) -> Option<(String, Option<String>)> {
    let mut words: Vec<&str> = name.split_whitespace().collect();
    // «… Гусейн оглы»: the particle and the father's name before it are the patronymic.
    if words.len() >= 3 && words.last().is_some_and(|w| PARTICLES.contains(&fold(w).as_str())) {
        words.truncate(words.len() - 2);
    }
    match words.as_slice() {
        [] => None,
        [one] => Some(((*one).to_owned(), None)),
        [first, second] if is_initial(second) => Some(((*first).to_owned(), Some((*second).to_owned()))),
        [first, second] if is_initial(first) => Some(((*second).to_owned(), Some((*first).to_owned()))),
        [first, second] => {
            let given_first = (is_latin(first) && is_latin(second))
                || (looks_like_surname(second) && !looks_like_surname(first))
                || is_patronymic(second);
            if is_patronymic(second) {
                // «Олег Иванович»: a first name and a patronymic, no surname.
                return Some(((*first).to_owned(), None));
            }
            if given_first {
                Some(((*second).to_owned(), Some((*first).to_owned())))
            } else {
                Some(((*first).to_owned(), Some((*second).to_owned())))
            }
        }
        [a, b, rest @ ..] => {
            if is_patronymic(b) && !rest.is_empty() {
                // «Олег Иванович Смирнов».
                Some((rest.join(" "), Some((*a).to_owned())))
            } else {
                Some(((*a).to_owned(), Some((*b).to_owned())))
            }
        }
    }
}

/// «Петров И.» from «Петров Иван Сергеевич» (SPEC §10): the surname and the first name's
/// initial, whatever order the words were typed in; a lone first name shows as its initial.
pub fn mask_person(name: &str) -> String {
    let name = strip_format_chars(name);
    match surname_and_first(&name) {
        None => String::new(),
        Some((surname, Some(first))) => format!("{surname} {}", initial(&first)),
        Some((surname, None)) if is_patronymic_pair(&name) => initial(&surname),
        Some((surname, None)) => surname,
    }
}

/// «Олег Иванович»: no surname at all, so only the initial may show.
fn is_patronymic_pair(name: &str) -> bool {
    let words: Vec<&str> = name.split_whitespace().collect();
    words.len() == 2 && is_patronymic(words[1])
}

/// «ИП Пупкин В.» from «ИП Пупкин Василий Петрович».
pub fn mask_sole_proprietor(name: &str) -> String {
    let name = strip_format_chars(name);
    let trimmed = name.trim();
    let prefixes = ["Индивидуальный предприниматель", "ИП"];
    for prefix in prefixes {
        if let Some(rest) = trimmed.strip_prefix(prefix)
            && rest.starts_with(char::is_whitespace)
        {
            return format!("{prefix} {}", mask_person(rest));
        }
    }
    mask_person(trimmed)
}

/// `i***@romashka.ru`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or_default()),
        None => "***".into(),
    }
}

/// `5001******59` for a 12-digit INN that does not parse any more; others as they are.
pub fn mask_inn(inn: &str) -> String {
    if inn.len() == 12 && inn.is_ascii() {
        format!("{}******{}", &inn[..4], &inn[10..])
    } else {
        inn.to_owned()
    }
}

/// The word stems of people's names, for finding them in free text in any case ending.
fn name_stems(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| n.split_whitespace())
        .map(|w| fold(w.trim_matches(|c: char| !c.is_alphabetic())))
        .filter(|w| w.chars().count() >= 3 && !["ип", "ооо", "оглы", "кызы"].contains(&w.as_str()))
        .map(|w| {
            let keep = (w.chars().count() - 2).max(3);
            w.chars().take(keep).collect()
        })
        .collect()
}

/// Free text with phones, e-mails and the words of `names` replaced with `mask`.
pub fn redact(text: &str, names: &[&str], mask: &str) -> String {
    let stems = name_stems(names);
    let without_phones = redact_phones(text, mask);
    without_phones
        .split_inclusive(char::is_whitespace)
        .map(|piece| {
            let word = piece.trim_end();
            let core = word
                .trim_matches(|c: char| !c.is_alphanumeric() && c != '@' && c != '.')
                .trim_end_matches('.');
            let is_email = core.contains('@') && core.rsplit('@').next().is_some_and(|d| d.contains('.'));
            let folded = fold(core);
            let is_name = !core.is_empty()
                && folded.split('-').any(|part| stems.iter().any(|s| part.starts_with(s.as_str())));
            if is_email || is_name { piece.replacen(core, mask, 1) } else { piece.to_owned() }
        })
        .collect()
}

/// Characters that join the digits of a phone number as people type it.
fn phone_punctuation(c: char) -> bool {
    "+()-. \u{a0}".contains(c)
}

/// An amount with thousands grouped: «30 000 000», «1.500.000».
fn is_grouped_amount(run: &str) -> bool {
    let groups: Vec<&str> = run.split([' ', '\u{a0}', '.']).collect();
    groups.len() >= 2
        && !run.contains(['+', '(', ')', '-'])
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
}

/// A date or a time: «25.12.2026», «12.01», «10.30».
fn is_date(run: &str) -> bool {
    let parts: Vec<&str> = run.split('.').collect();
    (2..=3).contains(&parts.len())
        && !run.contains([' ', '-', '(', ')', '+'])
        && parts[..2].iter().all(|p| (1..=2).contains(&p.len()))
        && parts.get(2).is_none_or(|y| y.len() == 2 || y.len() == 4)
}

/// Whether a run of digits and phone punctuation is a phone number.
fn is_phone(run: &str) -> bool {
    let digits = run.chars().filter(char::is_ascii_digit).count();
    if digits < 7 || is_date(run) || is_grouped_amount(run) {
        return false;
    }
    if digits >= 10 {
        return true;
    }
    // A local number: «345-67-45», «(495) 1234567».
    run.contains(['-', '(', '+']) || Phone::parse(run).is_ok()
}

/// Replaces the runs of digits and phone punctuation that are phone numbers.
fn redact_phones(text: &str, mask: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i].is_ascii_digit()
            || (chars[i] == '+' || chars[i] == '(') && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if !starts {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A date opens the run («25.12.2026 10:00»): it is no part of a number.
        let mut k = i;
        while k < chars.len() && (chars[k].is_ascii_digit() || chars[k] == '.') {
            k += 1;
        }
        let head: String = chars[i..k].iter().collect::<String>().trim_end_matches('.').to_owned();
        if is_date(&head) {
            out.push_str(&head);
            i += head.chars().count();
            continue;
        }
        let mut j = i;
        while j < chars.len() && (chars[j].is_ascii_digit() || phone_punctuation(chars[j])) {
            j += 1;
        }
        // A run ends where its last digit is: trailing spaces, dots and dashes stay text.
        while j > i && !chars[j - 1].is_ascii_digit() {
            j -= 1;
        }
        let run: String = chars[i..j].iter().collect();
        if is_phone(&run) {
            out.push_str(mask);
        } else {
            out.push_str(&run);
        }
        i = j.max(i + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_name_shows_its_surname_and_the_first_names_initial() {
        for (typed, shown) in [
            ("Смирнов Олег Иванович", "Смирнов О."),
            ("Смирнов Олег", "Смирнов О."),
            ("Ветров Игорь Николаевич", "Ветров И."),
            ("Олег Иванович Смирнов", "Смирнов О."),
            ("Иван Петров", "Петров И."),
            ("Oleg Smirnov", "Smirnov O."),
            ("Римский-Корсаков Николай Андреевич", "Римский-Корсаков Н."),
            ("Алиев Рашид Гусейн оглы", "Алиев Р."),
            ("Мамедова Айгюн Ахмед кызы", "Мамедова А."),
            ("Смирнов", "Смирнов"),
            ("Олег Иванович", "О."),
            ("Смирнов О. И.", "Смирнов О."),
            ("И. Петров", "Петров И."),
            ("Smirnov O.", "Smirnov O."),
            ("  Ёлкина   Анна-Мария  ", "Ёлкина А."),
            ("", ""),
        ] {
            assert_eq!(mask_person(typed), shown, "{typed}");
        }
    }

    #[test]
    fn a_sole_proprietors_ogrnip_is_masked_like_their_inn_and_a_companys_ogrn_is_not() {
        let (ogrnip, ogrn) = ("304500116000157", "1027700132195");
        assert_eq!(Disclosure(ContactsInChat::Show).ogrn(ogrnip), ogrnip);
        assert_eq!(Disclosure(ContactsInChat::Mask).ogrn(ogrnip), "3045*********57");
        assert_eq!(Disclosure(ContactsInChat::Hide).ogrn(ogrnip), "3045…");
        for mode in [ContactsInChat::Show, ContactsInChat::Mask, ContactsInChat::Hide] {
            assert_eq!(Disclosure(mode).ogrn(ogrn), ogrn);
        }
    }

    #[test]
    fn a_sole_proprietors_name_is_masked_like_a_persons() {
        assert_eq!(mask_sole_proprietor("ИП Пупкин Василий"), "ИП Пупкин В.");
        assert_eq!(mask_sole_proprietor("ИП Пупкин Василий Петрович"), "ИП Пупкин В.");
        assert_eq!(
            mask_sole_proprietor("Индивидуальный предприниматель Ёлкин Пётр"),
            "Индивидуальный предприниматель Ёлкин П."
        );
        let d = Disclosure(ContactsInChat::Mask);
        assert_eq!(d.company("ИП Пупкин Василий", "500100732259"), "ИП Пупкин В.");
        assert_eq!(d.company("ООО «Ромашка»", "7707083893"), "ООО «Ромашка»");
        assert_eq!(
            Disclosure(ContactsInChat::Show).company("ИП Пупкин Василий", "500100732259"),
            "ИП Пупкин Василий"
        );
    }

    #[test]
    fn free_text_loses_phones_in_any_format_emails_and_names() {
        let d = Disclosure(ContactsInChat::Mask);
        let text = "Олегу Смирнову перезвонить +7 912 345-67-89 или oleg@roga.example, тел. 8.912.555.01.77, \
                    офис 8 (495) 123-45-67 доб. 234, моб. 89123456789, городской 345-67-45";
        let shown = d.free_text(text, &["Смирнов Олег Иванович"]);
        for secret in ["Олег", "Смирнов", "912", "oleg@", "555", "495", "345-67", "89123456789"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
        assert!(shown.contains("перезвонить"), "{shown}");
        assert!(shown.contains("доб. 234"), "{shown}");
    }

    #[test]
    fn amounts_dates_and_times_stay() {
        let d = Disclosure(ContactsInChat::Mask);
        for text in [
            "Лимит 30 000 000 руб. до 25.12.2026",
            "Встреча 12.01 в 10.30, сумма 1.500.000",
            "Оборот 250 млн, 2026 год, ставка 17.5",
            "Созвон 25.12.2026 10:00, потом 26.12 15:30",
        ] {
            assert_eq!(d.free_text(text, &[]), text);
        }
    }

    #[test]
    fn format_characters_are_recognised_and_stripped() {
        assert!(is_format_char('\u{202E}'));
        assert!(is_format_char('\u{200D}'));
        assert!(is_format_char('\u{FEFF}'));
        assert!(!is_format_char('а'));
        assert_eq!(strip_format_chars("Ро\u{202E}машка\u{200B}"), "Ромашка");
        assert_eq!(mask_person("Смир\u{200D}нов Олег"), "Смирнов О.");
    }

    #[test]
    fn company_names_contacts_and_summaries_refuse_or_drop_format_characters() {
        use crate::domain::requisites::CompanyName;
        assert!(CompanyName::parse("ООО «Ро\u{202E}машка»").is_err());
        assert!(crate::domain::prospect::short_text("Смирнов\u{200B} Олег").is_none());
        assert_eq!(
            crate::domain::diary::summary("Договорились\u{202E} о встрече").unwrap(),
            "Договорились о встрече"
        );
    }

    #[test]
    fn show_mode_keeps_everything_but_format_characters() {
        let d = Disclosure(ContactsInChat::Show);
        assert_eq!(d.person("Смирнов Олег").as_deref(), Some("Смирнов Олег"));
        assert_eq!(d.free_text("звонить +7 912 345-67-89", &["Смирнов"]), "звонить +7 912 345-67-89");
    }

    #[test]
    fn hide_mode_leaves_no_trace_of_the_contact_and_names_a_sole_proprietor_by_the_tax_office() {
        let d = Disclosure(ContactsInChat::Hide);
        let phone = Phone::parse("+7 912 345-67-89").unwrap();
        assert_eq!(d.person("Смирнов Олег Иванович"), None);
        assert_eq!(d.phone(&phone), None);
        assert_eq!(d.phone_text("+79123456789"), None);
        assert_eq!(d.phone_text("not a phone"), None);
        assert_eq!(d.email("oleg@roga.example"), None);
        assert_eq!(d.position("финансовый директор"), None);
        assert_eq!(d.company("ИП Пупкин Василий Петрович", "500100732259"), "ИП (ИНН 5001…)");
        assert_eq!(d.company("Пупкин Василий", "500100732259"), "ИП (ИНН 5001…)");
        assert_eq!(d.company("ООО «Ромашка»", "7707083893"), "ООО «Ромашка»");
        assert_eq!(d.inn("500100732259"), "5001…");
        assert_eq!(d.inn("7707083893"), "7707083893");
        assert!(d.contact_in_app(&[false, true, false]));
        assert!(!d.contact_in_app(&[false, false]));
        assert!(!Disclosure(ContactsInChat::Mask).contact_in_app(&[true]));
        // Free text is redacted as in mask mode.
        let said = d.free_text("Олегу Смирнову: +7 912 345-67-89", &["Смирнов Олег Иванович"]);
        assert_eq!(said, format!("{REDACTED} {REDACTED}: {REDACTED}"));
    }

    const SURNAMES: &[&str] =
        &["Смирнов", "Иванова", "Римский-Корсаков", "Ёлкин", "Кузнецова", "Алиев", "Ким", "Шевчук"];
    const FIRST: &[&str] = &["Олег", "Анна", "Пётр", "Агафья", "Рашид", "Анна-Мария", "Игорь", "Ян"];
    const PATRONYMIC: &[&str] = &["Иванович", "Николаевна", "Ильич", "Кузьминична", "Сергеевич", "Петровна"];

    proptest! {
        #[test]
        fn every_shape_of_a_full_name_shows_only_the_surname_and_an_initial(
            s in 0..SURNAMES.len(), f in 0..FIRST.len(), p in 0..PATRONYMIC.len(), shape in 0..4usize,
        ) {
            let (surname, first, patronymic) = (SURNAMES[s], FIRST[f], PATRONYMIC[p]);
            let typed = match shape {
                0 => format!("{surname} {first} {patronymic}"),
                1 => format!("{first} {patronymic} {surname}"),
                2 => format!("{surname} {first}"),
                _ => format!("{surname} {first} Гусейн оглы"),
            };
            let shown = mask_person(&typed);
            let expected = format!("{surname} {}.", first.chars().next().unwrap());
            prop_assert_eq!(&shown, &expected, "{}", typed);
            prop_assert!(!shown.contains(patronymic));
            // Masking a masked name changes nothing.
            prop_assert_eq!(mask_person(&shown), shown);
        }

        #[test]
        fn a_russian_mobile_number_never_survives_redaction(
            digits in proptest::collection::vec(0u32..10, 9), style in 0..6usize,
        ) {
            let d: String = digits.iter().map(|x| char::from_digit(*x, 10).unwrap()).collect();
            let n = format!("9{d}");
            let typed = match style {
                0 => format!("+7 {} {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
                1 => format!("8 ({}) {}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
                2 => format!("8.{}.{}.{}.{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
                3 => format!("8{n}"),
                4 => format!("+7{n}"),
                _ => format!("8-{}-{}-{}-{}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
            };
            let shown = Disclosure(ContactsInChat::Mask).free_text(&format!("звонить {typed} после обеда"), &[]);
            let left: String = shown.chars().filter(char::is_ascii_digit).collect();
            prop_assert!(!left.contains(&n[3..]), "{} -> {}", typed, shown);
        }
    }
}
