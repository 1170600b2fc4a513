//! Hand-offs as use cases: each checks the person's rights, writes in one transaction with its
//! audit line and the notices it sets off, and returns the lead as it now stands.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::domain::access::{self, Role, User};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::diary::{NewEntry, Outcome};
use crate::domain::ids::{RegionCode, TelegramId};
use crate::domain::notice::{self, Notice};
use crate::domain::prospect::{Product, Prospect, ProspectId};
use crate::domain::prospects;
use crate::domain::worktime::WorkTime;
use crate::store::{NewOutgoing, Store, StoreError};

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
    let prospect = prospects::visible(store, user, prospect).await?;
    if !prospects::may_log(user, &prospect) {
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
    let mut notices = vec![told(h, notice::lead_edit(&moved))];
    if store.user(h.from).await?.is_some_and(|u| u.active) {
        notices.push(told(h, Notice::LeadNews { handoff: h.id, state: to }.to(h.from, &h.region)));
    }
    Ok(notices)
}

/// A lead put back in the queue (its officer left) goes round again: what its steps tell (the
/// card's edit, the notices) is told again, not taken for the first round's — whose edit may
/// have been queued before its card's message was known, under the same key.
fn told(h: &Handoff, mut item: NewOutgoing) -> NewOutgoing {
    if h.waiting_since != h.created_at {
        item.dedupe_key = format!("{}:again:{}", item.dedupe_key, h.waiting_since.timestamp());
    }
    item
}

/// When a lead waiting in the chat since `posted` expires: `days` working days of its
/// division later, at the same time of day. `None` when leads never expire (`days` is 0).
pub fn expires_at(posted: DateTime<Utc>, days: u32, work: &WorkTime<'_>) -> Option<DateTime<Utc>> {
    if days == 0 {
        return None;
    }
    let there = posted.with_timezone(&work.tz);
    let date = work.calendar.add_working_days(there.date_naive(), days);
    work.tz.from_local_datetime(&date.and_time(there.time())).earliest().map(|t| t.with_timezone(&Utc))
}

/// Expires a pending lead nobody took (issue: leads do not wait forever): its card in the chat
/// says so, the specialist and the division's managers are told, and the company can be
/// handed off again. `cause` is what the audit line says. `false` when it was taken meanwhile.
pub async fn expire(store: &dyn Store, h: &Handoff, cause: &str, now: DateTime<Utc>) -> HandoffResult<bool> {
    let record = AuditRecord::new(now, None, AuditAction::HandoffExpired)
        .subject(format!("prospect:{}", h.prospect))
        .details(format!("handoff {} {}: {cause}", h.id, h.product));
    let to = HandoffState::Expired;
    let mut notices = step_notices(store, h, to).await?;
    for manager in
        store.users().await?.iter().filter(|u| access::manages(u, &h.region) && u.telegram_id != h.from)
    {
        let mut item = Notice::LeadNews { handoff: h.id, state: to }.to(manager.telegram_id, &h.region);
        item.dedupe_key = format!("{}:{}", item.dedupe_key, manager.telegram_id);
        notices.push(told(h, item));
    }
    Ok(store.expire_handoff(h.id, now, &record, &notices).await?)
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
