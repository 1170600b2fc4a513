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

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::access::{Role, User};
use super::audit::{AuditAction, AuditRecord};
use super::base::{self, BaseError};
use super::diary::{NewEntry, Outcome};
use super::ids::{RegionCode, TelegramId};
use super::notice::{self, Notice};
use super::prospect::{Product, Prospect, ProspectId, codes};
use super::requisites::Inn;
use crate::store::{NewOutgoing, Store, StoreError};

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

/// How long a new lead waits for the specialist's facts before its card goes without them.
pub const FACTS_WAIT_MINUTES: i64 = 10;

codes! {
    /// The amount the client spoke of, in the bands credit officers sort leads by (roubles).
    AmountBand {
        UpTo5m = "lt5",
        From5To30m = "5-30",
        From30To100m = "30-100",
        Over100m = "gt100",
        NotDiscussed = "none",
    }
}

codes! {
    /// The term the client spoke of.
    TermBand {
        UpToYear = "lt1",
        OneToThreeYears = "1-3",
        OverThreeYears = "gt3",
        NotDiscussed = "none",
    }
}

codes! {
    /// How soon the client needs a decision.
    Urgency {
        Urgent = "urgent",
        ThisMonth = "month",
        NotUrgent = "later",
    }
}

/// One fact of a lead, as the specialist picked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Amount(AmountBand),
    Term(TermBand),
    Urgency(Urgency),
}

/// What the lead card in a group says about the client's need: only values picked from these
/// lists, never typed text. `None` is "not given".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadFacts {
    pub amount: Option<AmountBand>,
    pub term: Option<TermBand>,
    pub urgency: Option<Urgency>,
}

/// The facts asked for, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Amount,
    Term,
    Urgency,
}

impl LeadFacts {
    /// The next fact to ask for; `None` when every one is given.
    pub fn next_question(&self) -> Option<Question> {
        if self.amount.is_none() {
            Some(Question::Amount)
        } else if self.term.is_none() {
            Some(Question::Term)
        } else if self.urgency.is_none() {
            Some(Question::Urgency)
        } else {
            None
        }
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
    (now - h.created_at).num_hours().max(0)
}

/// The hand-off of `prospect` for `product` to `chat_id`, with its audit line. Its card is held
/// for the specialist's facts (see the module's note).
fn new_handoff(
    user: &User,
    prospect: &Prospect,
    product: Product,
    chat_id: i64,
    now: DateTime<Utc>,
) -> (NewHandoff, AuditRecord) {
    let new = NewHandoff {
        prospect: prospect.id,
        product,
        region: prospect.region.clone(),
        from: user.telegram_id,
        chat_id,
        held_until: now + Duration::minutes(FACTS_WAIT_MINUTES),
    };
    let record = AuditRecord::new(now, Some(user.telegram_id), AuditAction::HandedOff)
        .subject(format!("prospect:{}", prospect.id))
        .details(format!("{product} -> chat {chat_id}"));
    (new, record)
}

/// Routes a division's hand-offs of one product to a chat, with its audit line; `actor` is `None`
/// for the command line. The caller has checked with Telegram that the bot is in that group.
pub async fn set_route(
    store: &dyn Store,
    route: &Route,
    actor: Option<TelegramId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let record = AuditRecord::new(now, actor, AuditAction::RouteSet)
        .subject(format!("route:{}:{}", route.region, route.product))
        .details(route.chat_id.to_string());
    store.set_route(route, actor, now, &record).await
}

/// Every division's routes.
pub async fn routes(store: &dyn Store) -> Result<Vec<Route>, StoreError> {
    store.routes().await
}

/// Whether `chat` is a chat some division's hand-offs go to.
pub async fn is_handoff_chat(store: &dyn Store, chat: i64) -> Result<bool, StoreError> {
    store.is_handoff_chat(chat).await
}

/// Whether a division exists to route hand-offs of.
pub async fn region_exists(store: &dyn Store, region: &RegionCode) -> Result<bool, StoreError> {
    Ok(store.region(region).await?.is_some())
}

/// Hands a prospect off for one product, to the chat its division routes that product to.
pub async fn hand_off(
    store: &dyn Store,
    user: &User,
    prospect: ProspectId,
    product: Product,
    now: DateTime<Utc>,
) -> HandoffResult<Handoff> {
    let prospect = base::visible(store, user, prospect).await?;
    if !base::may_log(user, &prospect) {
        return Err(HandoffError::NotAllowed);
    }
    let route = store.route(&prospect.region, product).await?.ok_or(HandoffError::NoRoute)?;
    let (new, record) = new_handoff(user, &prospect, product, route.chat_id, now);
    Ok(store.create_handoff(&new, now, &record).await?)
}

/// The hand-offs a positive entry makes: one per product discussed that its division routes.
/// Products without a route are left to the specialist; one handed off already is left as it
/// is (the store skips it). The caller has checked that `user` may write on the card.
pub async fn made_by(
    store: &dyn Store,
    user: &User,
    prospect: &Prospect,
    entry: &NewEntry,
    now: DateTime<Utc>,
) -> Result<Vec<(NewHandoff, AuditRecord)>, StoreError> {
    if entry.outcome != Outcome::Positive || entry.products.is_empty() {
        return Ok(vec![]);
    }
    let routes = store.routes().await?;
    Ok(entry
        .products
        .iter()
        .filter_map(|product| {
            let route = routes.iter().find(|r| r.region == prospect.region && r.product == *product)?;
            Some(new_handoff(user, prospect, *product, route.chat_id, now))
        })
        .collect())
}

/// The specialist's own lead, for giving its facts: anyone else's is not there for them.
pub async fn own(store: &dyn Store, user: &User, id: i64) -> HandoffResult<Handoff> {
    match store.handoff(id).await? {
        Some(h) if user.active && h.from == user.telegram_id => Ok(h),
        _ => Err(HandoffError::NotFound),
    }
}

/// Ends the hold of the specialist's own lead: its card, queued with it, is due now. `false`
/// when it went already (the wait was over).
pub async fn release(store: &dyn Store, h: &Handoff, now: DateTime<Utc>) -> HandoffResult<bool> {
    Ok(store.release_handoff(h.id, &notice::lead_card(h.id, h.chat_id, &h.region), now).await?)
}

/// `/cancel`: the person's leads held for their facts go to the chat now, with what was
/// picked. The leads sent.
pub async fn release_all(store: &dyn Store, user: &User, now: DateTime<Utc>) -> HandoffResult<Vec<Handoff>> {
    let mut sent = vec![];
    for h in store.held_handoffs(None, Some(user.telegram_id), 100).await? {
        if release(store, &h, now).await? {
            sent.push(h);
        }
    }
    Ok(sent)
}

/// A hand-off as it now stands, for a person already shown it (its specialist after a press,
/// an officer acting on it: the rules of what they may do are checked by the action itself).
pub async fn current(store: &dyn Store, id: i64) -> HandoffResult<Option<Handoff>> {
    Ok(store.handoff(id).await?)
}

/// Records one fact of the specialist's own lead while its card is held; the lead as it now
/// stands.
pub async fn give_fact(
    store: &dyn Store,
    user: &User,
    id: i64,
    fact: Fact,
    now: DateTime<Utc>,
) -> HandoffResult<Handoff> {
    let h = own(store, user, id).await?;
    if !store.set_handoff_fact(id, fact, now).await? {
        return Err(HandoffError::Posted(Box::new(h)));
    }
    store.handoff(id).await?.ok_or(HandoffError::NotFound)
}

/// The products a person may hand a card off for by hand: routed, not handed off already.
pub async fn offerable(store: &dyn Store, prospect: &Prospect) -> HandoffResult<Vec<Product>> {
    let open: Vec<Product> = store
        .handoffs(&HandoffFilter::Prospect(prospect.id), 100)
        .await?
        .into_iter()
        .filter(|h| h.state.is_open())
        .map(|h| h.product)
        .collect();
    let routed = store.routes().await?;
    Ok(Product::ALL
        .iter()
        .copied()
        .filter(|p| routed.iter().any(|r| r.region == prospect.region && r.product == *p))
        .filter(|p| !open.contains(p))
        .collect())
}

/// A hand-off the person may see: its specialist, the division's staff, head office.
pub async fn visible(store: &dyn Store, user: &User, id: i64) -> HandoffResult<Handoff> {
    let h = store.handoff(id).await?.ok_or(HandoffError::NotFound)?;
    let sees = match user.role {
        Role::HeadOffice => true,
        Role::Specialist | Role::Manager | Role::CreditOfficer => user.region.as_ref() == Some(&h.region),
        Role::Admin => false,
    };
    if sees { Ok(h) } else { Err(HandoffError::NotFound) }
}

/// Re-reads a hand-off whose state changed under the person: someone else was first.
async fn settled(store: &dyn Store, id: i64) -> HandoffError {
    match store.handoff(id).await {
        Ok(Some(h)) => HandoffError::Settled(Box::new(h)),
        Ok(None) => HandoffError::NotFound,
        Err(e) => HandoffError::Store(e),
    }
}

/// What a lead's step to `to` tells, queued with the step itself: its card in the chat shows the
/// new state, and its specialist, while still on staff, hears of it.
async fn step_notices(store: &dyn Store, h: &Handoff, to: HandoffState) -> HandoffResult<Vec<NewOutgoing>> {
    let moved = Handoff { state: to, ..h.clone() };
    let mut notices = vec![notice::lead_edit(&moved)];
    if store.user(h.from).await?.is_some_and(|u| u.active) {
        notices.push(Notice::LeadNews { handoff: h.id, state: to }.to(h.from, &h.region));
    }
    Ok(notices)
}

/// Takes a pending lead. Of two officers pressing at once, exactly one succeeds; the other
/// learns who was first.
pub async fn take(store: &dyn Store, user: &User, id: i64, now: DateTime<Utc>) -> HandoffResult<Handoff> {
    let h = store.handoff(id).await?.ok_or(HandoffError::NotFound)?;
    if !may_act(user, &h) {
        return Err(HandoffError::NotAllowed);
    }
    let record = audit(now, user, AuditAction::HandoffTaken, &h);
    let notices = step_notices(store, &h, HandoffState::Accepted).await?;
    if !store.take_handoff(id, user.telegram_id, now, &record, &notices).await? {
        return Err(settled(store, id).await);
    }
    store.handoff(id).await?.ok_or(HandoffError::NotFound)
}

/// Declines a pending lead with a reason.
pub async fn decline(
    store: &dyn Store,
    user: &User,
    id: i64,
    reason: &str,
    now: DateTime<Utc>,
) -> HandoffResult<Handoff> {
    let h = store.handoff(id).await?.ok_or(HandoffError::NotFound)?;
    if !may_act(user, &h) {
        return Err(HandoffError::NotAllowed);
    }
    let record = audit(now, user, AuditAction::HandoffDeclined, &h);
    let to = HandoffState::Declined;
    let notices = step_notices(store, &h, to).await?;
    if !store
        .finish_handoff(id, HandoffState::Pending, to, user.telegram_id, Some(reason), now, &record, &notices)
        .await?
    {
        return Err(settled(store, id).await);
    }
    store.handoff(id).await?.ok_or(HandoffError::NotFound)
}

/// Closes a taken lead as won (the prospect becomes a client) or lost (with a reason).
pub async fn close(
    store: &dyn Store,
    user: &User,
    id: i64,
    closing: Closing,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> HandoffResult<Handoff> {
    let h = store.handoff(id).await?.ok_or(HandoffError::NotFound)?;
    if !may_close(user, &h) {
        return Err(HandoffError::NotAllowed);
    }
    let to = match closing {
        Closing::Won => HandoffState::Won,
        Closing::Lost => HandoffState::Lost,
    };
    let record = audit(now, user, AuditAction::HandoffClosed, &h).details(format!("handoff {} {to}", h.id));
    let notices = step_notices(store, &h, to).await?;
    if !store
        .finish_handoff(id, HandoffState::Accepted, to, user.telegram_id, reason, now, &record, &notices)
        .await?
    {
        return Err(settled(store, id).await);
    }
    store.handoff(id).await?.ok_or(HandoffError::NotFound)
}

/// `/handoffs`: a specialist's own; a credit officer's queue and what they hold; a manager's
/// whole division queue. One page of `per_page`, and whether there is another.
pub async fn list(
    store: &dyn Store,
    user: &User,
    page: u32,
    per_page: i64,
) -> HandoffResult<(Vec<Handoff>, bool)> {
    let filter = match (user.role, &user.region) {
        (Role::Specialist, Some(_)) => HandoffFilter::From(user.telegram_id),
        (Role::CreditOfficer, Some(region)) => {
            HandoffFilter::Queue { region: region.clone(), holder: Some(user.telegram_id) }
        }
        (Role::Manager, Some(region)) => HandoffFilter::Queue { region: region.clone(), holder: None },
        _ => return Err(HandoffError::NotAllowed),
    };
    let mut found = store.handoffs_page(&filter, i64::from(page) * per_page, per_page + 1).await?;
    let more = found.len() as i64 > per_page;
    found.truncate(per_page as usize);
    Ok((found, more))
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
