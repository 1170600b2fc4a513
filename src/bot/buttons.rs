//! Button data: one typed enum per flow (declared beside its flow with `buttons!`), wrapped by
//! [`Button`], and the one encoder they all go through. Callback data is untrusted: only what
//! the bot itself writes reads back; anything else, and data written by an older release, is
//! `None` and answered as stale. Every handler checks rights again before acting.
//!
//! The format is `VERSION:flow:button:arg…`, words split by `:`, at most 64 bytes (Telegram's
//! limit; a test encodes every button with extreme values). A word never holds `:`.

use chrono::{NaiveDate, NaiveTime, Timelike};
use teloxide::types::InlineKeyboardButton;

use crate::domain::access::{Lang, Role};
use crate::domain::diary::{Kind, Outcome};
use crate::domain::fields::Field;
use crate::domain::handoff::{AmountBand, Fact, TermBand, Urgency};
use crate::domain::ids::RegionCode;
use crate::domain::prospect::Product;

/// The first word of every button's data. The hand-written format before it had no version:
/// its data reads as stale, as will this version's once the format changes again.
pub const VERSION: &str = "2";

/// Telegram's limit on a button's data.
pub const MAX_DATA: usize = 64;

/// Writes a button's words.
#[derive(Default)]
pub struct Writer(Vec<String>);

impl Writer {
    pub fn word(&mut self, word: impl Into<String>) {
        self.0.push(word.into());
    }
}

/// Reads a button's words, in order.
pub struct Reader<'a>(std::str::Split<'a, char>);

impl<'a> Reader<'a> {
    pub fn word(&mut self) -> Option<&'a str> {
        self.0.next()
    }

    pub fn arg<T: Arg>(&mut self) -> Option<T> {
        T::read(self)
    }
}

/// A value carried in button data.
pub trait Arg: Sized {
    fn write(&self, out: &mut Writer);
    fn read(input: &mut Reader<'_>) -> Option<Self>;
}

/// Declares a flow's button enum: each variant with its tag (unique in the flow) and its
/// arguments, named. The encoding and the parsing follow from the declaration.
macro_rules! buttons {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $( ( $($field:ident : $ty:ty),+ ) )? = $tag:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $name {
            $( $(#[$vmeta])* $variant $( ( $($ty),+ ) )? ),+
        }

        impl $crate::bot::buttons::Arg for $name {
            fn write(&self, out: &mut $crate::bot::buttons::Writer) {
                match self {
                    $(
                        Self::$variant $( ( $($field),+ ) )? => {
                            out.word($tag);
                            $( $( $crate::bot::buttons::Arg::write($field, out); )+ )?
                        }
                    )+
                }
            }

            fn read(input: &mut $crate::bot::buttons::Reader<'_>) -> Option<Self> {
                let tag = input.word()?;
                $(
                    if tag == $tag {
                        return Some(Self::$variant $( ( $( input.arg::<$ty>()? ),+ ) )?);
                    }
                )+
                None
            }
        }
    };
}
pub(crate) use buttons;

buttons! {
    /// Every button the bot makes, by the flow it belongs to.
    pub enum Button {
        /// The language chosen after `/lang`.
        Lang(lang: Lang) = "lang",
        Users(button: super::users::UserButton) = "u",
        Request(button: super::requests::RequestButton) = "acc",
        Register(button: super::register::RegisterButton) = "n",
        Card(button: super::cards::CardButton) = "c",
        Log(button: super::diary::LogButton) = "l",
        Pick(button: super::ui::date_picker::Pick) = "w",
        Reminder(button: super::reminders::ReminderButton) = "r",
        Handoff(button: super::handoffs::HandoffButton) = "h",
        Report(button: super::reports::ReportButton) = "rp",
        Import(button: super::imports::ImportButton) = "im",
    }
}

/// Each flow's buttons are a `Button`, so `CardButton::Open(id).button(label)` reads as it is.
macro_rules! wraps {
    ($($variant:ident($flow:ty)),+ $(,)?) => {
        $(impl From<$flow> for Button {
            fn from(button: $flow) -> Button {
                Button::$variant(button)
            }
        })+
    };
}

wraps! {
    Users(super::users::UserButton),
    Request(super::requests::RequestButton),
    Register(super::register::RegisterButton),
    Card(super::cards::CardButton),
    Log(super::diary::LogButton),
    Pick(super::ui::date_picker::Pick),
    Reminder(super::reminders::ReminderButton),
    Handoff(super::handoffs::HandoffButton),
    Report(super::reports::ReportButton),
    Import(super::imports::ImportButton),
}

impl Button {
    pub fn encode(&self) -> String {
        let mut out = Writer::default();
        out.word(VERSION);
        self.write(&mut out);
        out.0.join(":")
    }

    /// The button whose data this is; `None` for data the bot did not write (forged, or from
    /// an older release).
    pub fn parse(data: &str) -> Option<Button> {
        if data.len() > MAX_DATA {
            return None;
        }
        let mut input = Reader(data.split(':'));
        if input.word()? != VERSION {
            return None;
        }
        let button = Button::read(&mut input)?;
        // Nothing may follow the last argument.
        input.word().is_none().then_some(button)
    }
}

/// Makes an inline button of any flow's button.
pub trait Press: Into<Button> {
    fn button(self, label: impl Into<String>) -> InlineKeyboardButton {
        InlineKeyboardButton::callback(label, self.into().encode())
    }
}

impl<T: Into<Button>> Press for T {}

/// Words that are all ASCII digits: `str::parse` alone would take `+5`.
pub(crate) fn digits(word: &str) -> Option<&str> {
    (!word.is_empty() && word.bytes().all(|b| b.is_ascii_digit())).then_some(word)
}

/// An `i64` in button data is always a row's id: positive.
impl Arg for i64 {
    fn write(&self, out: &mut Writer) {
        out.word(self.to_string());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        digits(input.word()?)?.parse().ok().filter(|id| *id > 0)
    }
}

/// A page number or an index.
macro_rules! unsigned {
    ($($ty:ty),+) => {
        $(impl Arg for $ty {
            fn write(&self, out: &mut Writer) {
                out.word(self.to_string());
            }
            fn read(input: &mut Reader<'_>) -> Option<Self> {
                digits(input.word()?)?.parse().ok()
            }
        })+
    };
}
unsigned!(u8, u32);

impl Arg for bool {
    fn write(&self, out: &mut Writer) {
        out.word(if *self { "1" } else { "0" });
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        match input.word()? {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        }
    }
}

/// Values written by their code (`Display`) and read back by it (`FromStr`).
macro_rules! by_code {
    ($($ty:ty),+) => {
        $(impl Arg for $ty {
            fn write(&self, out: &mut Writer) {
                out.word(self.to_string());
            }
            fn read(input: &mut Reader<'_>) -> Option<Self> {
                input.word()?.parse().ok()
            }
        })+
    };
}
by_code!(Role, Product, Kind, Outcome);

impl Arg for Lang {
    fn write(&self, out: &mut Writer) {
        out.word(self.as_str());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        input.word()?.parse().ok()
    }
}

impl Arg for RegionCode {
    fn write(&self, out: &mut Writer) {
        out.word(self.as_str());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        RegionCode::parse(input.word()?).ok()
    }
}

/// No division (`-`): head office and admins, or every division.
impl Arg for Option<RegionCode> {
    fn write(&self, out: &mut Writer) {
        out.word(self.as_ref().map_or("-", RegionCode::as_str));
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        match input.word()? {
            "-" => Some(None),
            code => Some(Some(RegionCode::parse(code).ok()?)),
        }
    }
}

/// Only a field that may be changed is a button's.
impl Arg for Field {
    fn write(&self, out: &mut Writer) {
        out.word(self.to_string());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        input.word()?.parse().ok().filter(|f: &Field| f.editable)
    }
}

/// A lead's fact: its kind and its value, two words.
impl Arg for Fact {
    fn write(&self, out: &mut Writer) {
        match self {
            Fact::Amount(band) => ["a".to_owned(), band.to_string()],
            Fact::Term(band) => ["t".to_owned(), band.to_string()],
            Fact::Urgency(urgency) => ["u".to_owned(), urgency.to_string()],
        }
        .into_iter()
        .for_each(|w| out.word(w));
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        match input.word()? {
            "a" => Some(Fact::Amount(input.word()?.parse::<AmountBand>().ok()?)),
            "t" => Some(Fact::Term(input.word()?.parse::<TermBand>().ok()?)),
            "u" => Some(Fact::Urgency(input.word()?.parse::<Urgency>().ok()?)),
            _ => None,
        }
    }
}

/// A day: `YYYYMMDD`.
impl Arg for NaiveDate {
    fn write(&self, out: &mut Writer) {
        out.word(self.format("%Y%m%d").to_string());
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let word = input.word()?;
        (word.len() == 8 && digits(word).is_some())
            .then(|| NaiveDate::parse_from_str(word, "%Y%m%d").ok())
            .flatten()
    }
}

/// A time of day: `HHMM`.
impl Arg for NaiveTime {
    fn write(&self, out: &mut Writer) {
        out.word(format!("{:02}{:02}", self.hour(), self.minute()));
    }
    fn read(input: &mut Reader<'_>) -> Option<Self> {
        let word = input.word()?;
        if word.len() != 4 || digits(word).is_none() {
            return None;
        }
        NaiveTime::from_hms_opt(word[..2].parse().ok()?, word[2..].parse().ok()?, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::bot::cards::CardButton;
    use crate::bot::diary::LogButton;
    use crate::bot::handoffs::HandoffButton;
    use crate::bot::register::RegisterButton;
    use crate::bot::reminders::ReminderButton;
    use crate::bot::reports::ReportButton;
    use crate::bot::requests::RequestButton;
    use crate::bot::ui::date_picker::{Month, Pick, Quick};
    use crate::bot::users::UserButton;

    fn every_button() -> Vec<Button> {
        let max = i64::MAX;
        let long = || RegionCode::parse("ABCDEFGHIJKLMNOP").unwrap();
        let field = |code| Field::named(code).unwrap();
        let mut all: Vec<Button> = vec![
            Button::Lang(Lang::En),
            UserButton::Page(u32::MAX).into(),
            UserButton::Show(max).into(),
            UserButton::Add.into(),
            UserButton::Roles(max).into(),
            UserButton::Regions(max, Role::CreditOfficer).into(),
            UserButton::Place(max, Role::CreditOfficer, Some(long())).into(),
            UserButton::Place(max, Role::HeadOffice, None).into(),
            UserButton::Active(max, false).into(),
            UserButton::Active(max, true).into(),
            UserButton::AddRole(Role::CreditOfficer).into(),
            UserButton::AddRegion(long()).into(),
            UserButton::AddSave.into(),
            UserButton::AddCancel.into(),
            UserButton::Portfolio(max).into(),
            UserButton::PortfolioTo(max, max).into(),
            UserButton::PortfolioSpread(max).into(),
            UserButton::ConfirmTo(max, max).into(),
            UserButton::ConfirmSpread(max).into(),
            UserButton::DisableTo(max, max).into(),
            UserButton::Leave(max).into(),
            UserButton::LeaveCover(
                max,
                max,
                NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 12, 12).unwrap(),
            )
            .into(),
            RequestButton::Request.into(),
            RequestButton::Approve(max).into(),
            RequestButton::Reject(max).into(),
            RegisterButton::Skip.into(),
            RegisterButton::Done.into(),
            RegisterButton::Save.into(),
            RegisterButton::Force.into(),
            RegisterButton::Change.into(),
            RegisterButton::Field(field("position")).into(),
            RegisterButton::Cancel.into(),
            CardButton::Open(max).into(),
            CardButton::History(max, u32::MAX).into(),
            CardButton::FullEntry(max, max).into(),
            CardButton::Edit(max).into(),
            CardButton::EditField(max, field("contact")).into(),
            CardButton::EditClear.into(),
            CardButton::EditDone.into(),
            CardButton::EditCancel(max).into(),
            CardButton::SearchPage(u32::MAX).into(),
            CardButton::MyPage(u32::MAX).into(),
            CardButton::Reassign(max).into(),
            CardButton::ReassignIn(max, long()).into(),
            CardButton::ReassignTo(max, max).into(),
            LogButton::Start(max).into(),
            LogButton::Schedule(max).into(),
            LogButton::ProductsDone.into(),
            LogButton::Save.into(),
            LogButton::Cancel.into(),
            Pick::Month(Month::of(NaiveDate::from_ymd_opt(2026, 12, 9).unwrap())).into(),
            Pick::Day(NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()).into(),
            Pick::Time(NaiveTime::from_hms_opt(9, 30, 0).unwrap()).into(),
            Pick::FarConfirm.into(),
            Pick::FarReenter.into(),
            Pick::Noop.into(),
            ReminderButton::Snooze(max).into(),
            ReminderButton::Tomorrow(max).into(),
            HandoffButton::HandOff(max).into(),
            HandoffButton::Take(max).into(),
            HandoffButton::Decline(max).into(),
            HandoffButton::Won(max).into(),
            HandoffButton::Lost(max).into(),
            HandoffButton::Reason(max, u8::MAX).into(),
            HandoffButton::ReasonCancel(max).into(),
            HandoffButton::Show(max).into(),
            HandoffButton::Page(u32::MAX).into(),
            HandoffButton::Send(max).into(),
            ReportButton::AuditPage(max, u32::MAX).into(),
            ReportButton::Export(None).into(),
            ReportButton::Export(Some(long())).into(),
            ReportButton::Entries(
                Some(long()),
                NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
                NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            )
            .into(),
            ReportButton::Entries(
                None,
                NaiveDate::from_ymd_opt(1000, 1, 1).unwrap(),
                NaiveDate::from_ymd_opt(1000, 1, 1).unwrap(),
            )
            .into(),
        ];
        all.extend(Lang::ALL.iter().map(|l| Button::Lang(*l)));
        all.extend(Role::ALL.iter().map(|r| UserButton::Regions(max, *r).into()));
        for p in Product::ALL {
            all.push(RegisterButton::Product(*p).into());
            all.push(CardButton::EditProduct(*p).into());
            all.push(LogButton::Product(*p).into());
            all.push(HandoffButton::Product(max, *p).into());
        }
        all.extend(Kind::ALL.iter().map(|k| LogButton::Kind(*k).into()));
        all.extend(Outcome::ALL.iter().map(|o| LogButton::Outcome(*o).into()));
        all.extend(Quick::ALL.iter().map(|q| Pick::Quick(*q).into()));
        let facts = AmountBand::ALL
            .iter()
            .map(|b| Fact::Amount(*b))
            .chain(TermBand::ALL.iter().map(|b| Fact::Term(*b)))
            .chain(Urgency::ALL.iter().map(|u| Fact::Urgency(*u)));
        all.extend(facts.map(|fact| HandoffButton::Fact(max, fact).into()));
        all
    }

    #[test]
    fn every_button_survives_encoding_within_64_bytes() {
        for button in every_button() {
            let data = button.encode();
            assert!(data.len() <= MAX_DATA, "{data}");
            assert!(data.starts_with(&format!("{VERSION}:")), "{data}");
            assert_eq!(Button::parse(&data), Some(button));
        }
    }

    #[test]
    fn forged_payloads_are_not_buttons() {
        let forged = [
            "",
            "2",
            "2:",
            "x",
            "2:u:s:-5",
            "2:u:s:abc",
            "2:u:s:+5",
            "2:u:pl:1:boss:MSK",
            "2:u:pl:1:manager:msk;drop",
            "2:u:a:1:2",
            "2:lang:de",
            "2:u:s:1:2",
            "2:w:c:202613",
            "2:w:c:2026",
            "2:w:t:2500",
            "2:w:t:930",
            "2:w:d:20261232",
            "2:n:p:gold",
            "2:n:f:inn",
            "2:c:ef:1:inn",
            "2:w:c:123ж5",
            "2:w:t:1ж2",
            "2:w:d:2026ж1231",
            "2:u:s:１２",
            "2:c:s:ж",
            "2:r:s:0",
            "2:rp:a:0:1",
            "2:rp:a:5:-1",
            "2:rp:x:",
            "2:rp:x:msk;drop",
            "2:rp:x:-:1",
            "2:h:f:5:a:gold",
            "2:h:f:5:x:lt5",
            "2:h:f:5:t:lt5",
            "2:h:f:5:u:none",
            "2:h:f:0:a:lt5",
            "2:h:f:-5:a:lt5",
            "2:h:f:5:a",
            "2:h:f:5:a:lt5:1",
            "2:h:fs:0",
            "2:h:fs:",
            "2:c:rt:5",
            "2:c:rt:5:-7",
            "2:c:rr:5:msk;drop",
        ];
        for data in forged {
            assert_eq!(Button::parse(data), None, "{data}");
        }
        let too_long = format!("2:c:o:{}", "1".repeat(MAX_DATA));
        assert_eq!(Button::parse(&too_long), None);
    }

    #[test]
    fn data_from_the_release_before_the_version_is_stale() {
        for data in ["c:o:5", "u:add", "h:t:7", "w:d:20261224", "lang:en", "acc:req", "rx:*", "s:1"] {
            assert_eq!(Button::parse(data), None, "{data}");
        }
    }
}
