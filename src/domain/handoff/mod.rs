//! Hand-offs of interested companies to a division's credit officers (SPEC §6).
//!
//! A positive diary entry about a product with a route hands the prospect off to that route's
//! chat; a card button does it by hand. Only a credit officer or the manager of the prospect's
//! division may take or decline it; the first Take wins (the store changes the state only from
//! `pending`); the officer who took it closes it as won or lost. Never two open hand-offs of one
//! prospect for one product.
//!
//! The lead card goes to a group, so it carries no free text (SPEC §6, §10): the specialist
//! picks its facts — amount, term, urgency — with buttons. A new hand-off is held for them at
//! most `FACTS_WAIT_MINUTES`; then, or when the specialist sends it on, its card goes to the
//! chat with what was given («не указано» for the rest). A held lead is never lost: it is
//! stored, and the jobs send it when the wait is over.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::access::{Role, User};
use super::audit::{AuditAction, AuditRecord};
use super::ids::{RegionCode, TelegramId};
use super::prospect::{Product, ProspectId, codes};
use super::prospects::BaseError;
use super::requisites::Inn;
use crate::store::StoreError;

mod cases;
mod facts;

pub use cases::*;
pub use facts::*;

/// Where a division's hand-offs of one product go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub region: RegionCode,
    pub product: Product,
    /// A group chat the bot is a member of (negative id).
    pub chat_id: i64,
}

codes! {
    /// Where a hand-off stands.
    HandoffState {
        Pending = "pending",
        Accepted = "accepted",
        Declined = "declined",
        Won = "won",
        Lost = "lost",
        Expired = "expired",
    }
}

impl HandoffState {
    pub fn is_open(self) -> bool {
        matches!(self, HandoffState::Pending | HandoffState::Accepted)
    }
}

/// A hand-off to be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewHandoff {
    pub prospect: ProspectId,
    pub product: Product,
    pub region: RegionCode,
    pub from: TelegramId,
    pub chat_id: i64,
    /// Until when its card waits for the specialist's facts.
    pub held_until: DateTime<Utc>,
}

/// A hand-off as stored, with the names its messages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handoff {
    pub id: i64,
    pub prospect: ProspectId,
    pub prospect_name: String,
    pub inn: Inn,
    pub product: Product,
    pub region: RegionCode,
    pub from: TelegramId,
    pub from_name: String,
    pub chat_id: i64,
    pub message_id: Option<i64>,
    pub facts: LeadFacts,
    /// While set, the card waits for the specialist's facts (at most until then).
    pub held_until: Option<DateTime<Utc>>,
    pub state: HandoffState,
    pub taken_by: Option<TelegramId>,
    pub taken_by_name: Option<String>,
    pub taken_at: Option<DateTime<Utc>>,
    /// Who declined or closed it.
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Since when it waits in the chat's queue: when it was made, or when it was put back there
    /// (the officer who took it left).
    pub waiting_since: DateTime<Utc>,
}

/// The client's need as a group chat may read it (SPEC §10): phone numbers, e-mail addresses
/// and the words of people's names (`names`: the contact person, a sole proprietor's own name),
/// in any case ending, are replaced with `mask`.
pub fn public_text(text: &str, names: &[&str], mask: &str) -> String {
    super::privacy::redact(&super::privacy::strip_format_chars(text), names, mask)
}

/// Which hand-offs a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandoffFilter {
    /// A card's hand-offs, newest first.
    Prospect(ProspectId),
    /// What a specialist handed off, newest first.
    From(TelegramId),
    /// A division's open queue: every pending one, and those taken — by `holder` only, when given.
    Queue { region: RegionCode, holder: Option<TelegramId> },
}

/// The two steps of a lead nobody takes: a reminder in the chat, then the manager is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    Reminder,
    Escalation,
}

/// How a taken hand-off ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    Won,
    Lost,
}

#[derive(Debug, Error)]
pub enum HandoffError {
    #[error("not allowed")]
    NotAllowed,
    #[error("no such hand-off or prospect in your view")]
    NotFound,
    #[error("no route for this product in the division")]
    NoRoute,
    #[error("this prospect is already handed off for this product")]
    AlreadyOpen,
    /// Someone else was first; the hand-off as it now stands.
    #[error("already handled")]
    Settled(Box<Handoff>),
    /// The lead's card went to the chat already: its facts no longer change.
    #[error("the lead card is posted already")]
    Posted(Box<Handoff>),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for HandoffError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate(_) => HandoffError::AlreadyOpen,
            other => HandoffError::Store(other),
        }
    }
}

impl From<BaseError> for HandoffError {
    fn from(err: BaseError) -> Self {
        match err {
            BaseError::NotFound => HandoffError::NotFound,
            BaseError::Store(e) => HandoffError::Store(e),
            _ => HandoffError::NotAllowed,
        }
    }
}

pub type HandoffResult<T> = Result<T, HandoffError>;

fn audit(now: DateTime<Utc>, user: &User, action: AuditAction, h: &Handoff) -> AuditRecord {
    AuditRecord::new(now, Some(user.telegram_id), action)
        .subject(format!("prospect:{}", h.prospect))
        .details(format!("handoff {} {}", h.id, h.product))
}

/// Takes or declines a division's leads: its credit officers and its manager.
pub fn may_act(user: &User, h: &Handoff) -> bool {
    user.active
        && matches!(user.role, Role::CreditOfficer | Role::Manager)
        && user.region.as_ref() == Some(&h.region)
}

/// Closes a taken lead: the officer who took it, or the division's manager.
pub fn may_close(user: &User, h: &Handoff) -> bool {
    may_act(user, h) && (user.role == Role::Manager || h.taken_by == Some(user.telegram_id))
}

/// Whether `user` is the one a lead of this prospect was handed to. The specialist's contact
/// is why they hold it, not a colleague's talks to be warned about (SPEC §5).
pub fn handed_to(user: &User, handoffs: &[Handoff]) -> bool {
    handoffs.iter().any(|h| h.taken_by == Some(user.telegram_id))
}

/// How long a lead has waited for a decision, in whole hours.
pub fn waited_hours(h: &Handoff, now: DateTime<Utc>) -> i64 {
    (now - h.waiting_since).num_hours().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::access::Lang;
    use crate::domain::ids::FullName;

    fn user(role: Role, region: Option<&str>, id: i64) -> User {
        User {
            telegram_id: TelegramId::new(id).unwrap(),
            full_name: FullName::parse("Тест Тестов").unwrap(),
            role,
            region: region.map(|r| RegionCode::parse(r).unwrap()),
            active: true,
            lang: Lang::Ru,
            unreachable: false,
            added_by: None,
            added_at: DateTime::default(),
        }
    }

    fn lead(taken_by: Option<i64>) -> Handoff {
        Handoff {
            id: 1,
            prospect: ProspectId(7),
            prospect_name: "Ромашка".into(),
            inn: Inn::parse("7707083893").unwrap(),
            product: Product::Credit,
            region: RegionCode::parse("MSK").unwrap(),
            from: TelegramId::new(10).unwrap(),
            from_name: "Спец".into(),
            chat_id: -100,
            message_id: None,
            facts: LeadFacts::default(),
            held_until: None,
            state: HandoffState::Pending,
            taken_by: taken_by.map(|id| TelegramId::new(id).unwrap()),
            taken_by_name: None,
            taken_at: None,
            closed_by_name: None,
            closed_at: None,
            reason: None,
            created_at: DateTime::default(),
            waiting_since: DateTime::default(),
        }
    }

    #[test]
    fn only_the_divisions_officers_and_manager_act_on_a_lead() {
        let h = lead(None);
        assert!(may_act(&user(Role::CreditOfficer, Some("MSK"), 1), &h));
        assert!(may_act(&user(Role::Manager, Some("MSK"), 2), &h));
        assert!(!may_act(&user(Role::CreditOfficer, Some("VVO"), 3), &h));
        assert!(!may_act(&user(Role::Specialist, Some("MSK"), 4), &h));
        assert!(!may_act(&user(Role::HeadOffice, None, 5), &h));
        let mut disabled = user(Role::CreditOfficer, Some("MSK"), 6);
        disabled.active = false;
        assert!(!may_act(&disabled, &h));
    }

    #[test]
    fn names_phones_and_emails_are_hidden_from_a_group() {
        let text = "Говорил с Петром Смирновым, тел. +7 (912) 345-67-45, почта smirnov@romashka.ru. \
                    Нужен кредит 30 млн на 3 года, ИНН 7707083893.";
        let shown = public_text(text, &["Пётр Смирнов"], "…");
        assert_eq!(shown, "Говорил с … …, тел. …, почта …. Нужен кредит 30 млн на 3 года, ИНН ….");
        assert_eq!(public_text("ИП Ёлкин просит овердрафт", &["ИП Ёлкин"], "…"), "ИП … просит овердрафт");
        assert_eq!(public_text("Без персональных данных", &[], "…"), "Без персональных данных");
        assert_eq!(
            public_text("Лимит 30 000 000 руб. до 25.12.2026", &[], "…"),
            "Лимит 30 000 000 руб. до 25.12.2026"
        );
        assert_eq!(public_text("звонить 8-912-345-67-45 или 345-67-45", &[], "…"), "звонить … или …");
    }

    #[test]
    fn the_facts_are_asked_amount_then_term_then_urgency() {
        let mut facts = LeadFacts::default();
        assert_eq!(facts.next_question(), Some(Question::Amount));
        facts.amount = Some(AmountBand::NotDiscussed);
        assert_eq!(facts.next_question(), Some(Question::Term));
        facts.term = Some(TermBand::OneToThreeYears);
        assert_eq!(facts.next_question(), Some(Question::Urgency));
        facts.urgency = Some(Urgency::Urgent);
        assert_eq!(facts.next_question(), None);
    }

    #[test]
    fn a_lead_waits_as_long_as_since_it_was_made() {
        let mut h = lead(None);
        h.created_at = "2026-11-27T07:00:00Z".parse().unwrap();
        h.waiting_since = h.created_at;
        let at = |t: &str| t.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(waited_hours(&h, at("2026-11-27T11:00:00Z")), 4);
        assert_eq!(waited_hours(&h, at("2026-11-27T13:59:00Z")), 6);
        assert_eq!(waited_hours(&h, at("2026-11-28T04:30:00Z")), 21);
        assert_eq!(waited_hours(&h, at("2026-11-27T06:00:00Z")), 0, "a clock behind says nothing odd");
    }

    #[test]
    fn only_the_officer_who_took_a_lead_is_the_one_it_was_handed_to() {
        let leads = [lead(Some(1)), lead(None)];
        assert!(handed_to(&user(Role::CreditOfficer, Some("MSK"), 1), &leads));
        assert!(!handed_to(&user(Role::CreditOfficer, Some("MSK"), 2), &leads));
        assert!(!handed_to(&user(Role::Specialist, Some("MSK"), 10), &leads), "the specialist who made it");
    }

    #[test]
    fn only_the_holder_or_the_manager_closes_a_lead() {
        let h = lead(Some(1));
        assert!(may_close(&user(Role::CreditOfficer, Some("MSK"), 1), &h));
        assert!(!may_close(&user(Role::CreditOfficer, Some("MSK"), 9), &h));
        assert!(may_close(&user(Role::Manager, Some("MSK"), 2), &h));
    }
}
