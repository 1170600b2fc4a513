//! The shared prospect base as people use it (SPEC §2, §4, §5): register with duplicate checks,
//! find, open, edit, write diary entries — each with the rules of who may see and do what.
//! Channel-free: the Telegram handlers, a web page or a test call these the same way.

use chrono::{DateTime, Duration, Utc};

use super::access::{Role, Scope, User, works_with_prospects};
use super::audit::{AuditAction, AuditRecord};
use super::diary::{Collision, Entry, NewEntry, status_after};
use super::fields::{Field, FieldKind, Value};
use super::handoff::{self, Handoff, HandoffFilter};
use super::ids::{RegionCode, TelegramId};
use super::prospect::{NewProspect, Product, Prospect, ProspectId};
use super::requisites::{CompanyName, Inn, Phone, RequisiteError, normalize_name};
use crate::store::{EntryWrite, Store, StoreError, TextSearch};

/// Why a request on the base was not carried out; each is explained to the person.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    #[error("not allowed")]
    NotAllowed,
    #[error("no such prospect in your view")]
    NotFound,
    #[error("the INN is already registered")]
    InnTaken,
    #[error(transparent)]
    Invalid(#[from] RequisiteError),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for BaseError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Duplicate(_) => BaseError::InnTaken,
            other => BaseError::Store(other),
        }
    }
}

pub type BaseResult<T> = Result<T, BaseError>;

/// Who already works a company with this INN.
#[derive(Debug, Clone)]
pub enum InnHolder {
    /// In the person's own view: they may open the card.
    Here(Box<Prospect>),
    /// In another division: only which division and who owns it (SPEC §2).
    Elsewhere { division: String, owner: String },
}

fn audit(now: DateTime<Utc>, user: &User, action: AuditAction, id: ProspectId) -> AuditRecord {
    AuditRecord::new(now, Some(user.telegram_id), action).subject(format!("prospect:{id}"))
}

fn sees(user: &User, prospect: &Prospect) -> bool {
    match Scope::of(user) {
        Scope::All => true,
        Scope::Region(region) => region == prospect.region,
        Scope::Nothing => false,
    }
}

/// Edits a card: a specialist their own, a manager any card of their division.
pub fn may_edit(user: &User, prospect: &Prospect) -> bool {
    match user.role {
        Role::Specialist => prospect.owner == user.telegram_id && sees(user, prospect),
        Role::Manager => sees(user, prospect),
        _ => false,
    }
}

/// Writes diary entries on any card of their division (specialists and managers).
pub fn may_log(user: &User, prospect: &Prospect) -> bool {
    works_with_prospects(user) && sees(user, prospect)
}

pub async fn inn_holder(store: &dyn Store, user: &User, inn: &Inn) -> BaseResult<Option<InnHolder>> {
    let Some(found) = store.prospect_by_inn_anywhere(inn).await? else { return Ok(None) };
    if sees(user, &found) {
        return Ok(Some(InnHolder::Here(Box::new(found))));
    }
    Ok(Some(elsewhere(store, found).await?))
}

/// Who works a company with this INN, seen from a division (an import into it): the card when
/// it is that division's, only the other division's name and owner when not (SPEC §5).
pub async fn inn_holder_for(
    store: &dyn Store,
    division: &RegionCode,
    inn: &Inn,
) -> BaseResult<Option<InnHolder>> {
    let Some(found) = store.prospect_by_inn_anywhere(inn).await? else { return Ok(None) };
    if &found.region == division {
        return Ok(Some(InnHolder::Here(Box::new(found))));
    }
    Ok(Some(elsewhere(store, found).await?))
}

async fn elsewhere(store: &dyn Store, found: Prospect) -> BaseResult<InnHolder> {
    let division = match store.region(&found.region).await? {
        Some(region) => region.name.as_str().to_owned(),
        None => found.region.to_string(),
    };
    Ok(InnHolder::Elsewhere { division, owner: found.owner_name })
}

/// The trigrams of a normalized name, padded per word as pg_trgm does.
fn trigrams(name: &str) -> std::collections::HashSet<Vec<char>> {
    name.split_whitespace()
        .flat_map(|word| {
            let padded: Vec<char> = "  ".chars().chain(word.chars()).chain(" ".chars()).collect();
            padded.windows(3).map(<[char]>::to_vec).collect::<Vec<_>>()
        })
        .collect()
}

/// How alike two normalized names are: shared trigrams over all trigrams (0 to 1).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (trigrams(a), trigrams(b));
    let union = a.union(&b).count();
    if union == 0 { 0.0 } else { a.intersection(&b).count() as f64 / union as f64 }
}

/// Names at least this alike are offered as possible duplicates.
const SIMILAR: f64 = 0.5;

/// Cards in the person's view with the same phone or a very similar name.
pub async fn look_alikes(
    store: &dyn Store,
    user: &User,
    name: &CompanyName,
    phone: Option<&Phone>,
) -> BaseResult<Vec<Prospect>> {
    look_alikes_in(store, Scope::of(user).region_filter(), name, phone).await
}

/// Cards of a division (`None`: every one) with the same phone or a very similar name.
pub async fn look_alikes_in(
    store: &dyn Store,
    region: Option<&str>,
    name: &CompanyName,
    phone: Option<&Phone>,
) -> BaseResult<Vec<Prospect>> {
    let mut found = store.similar_names(name.normalized(), region).await?;
    // Different endings and typos: candidates share the start of the longest word, then the
    // whole names are compared.
    if let Some(word) = name.normalized().split_whitespace().max_by_key(|w| w.chars().count())
        && word.chars().count() >= 4
    {
        let stem: String = word.chars().take(5.min(word.chars().count() - 1).max(4)).collect();
        let candidates = store.search_text(&TextSearch::Trigram(stem), region, 0, 50).await?;
        found.extend(
            candidates.into_iter().filter(|p| similarity(p.name.normalized(), name.normalized()) >= SIMILAR),
        );
    }
    if let Some(phone) = phone {
        found.extend(store.prospects_by_phone(phone, region).await?);
    }
    found.sort_by_key(|p| p.id);
    found.dedup_by_key(|p| p.id);
    Ok(found)
}

pub async fn register(
    store: &dyn Store,
    user: &User,
    prospect: &NewProspect,
    now: DateTime<Utc>,
) -> BaseResult<Prospect> {
    if !works_with_prospects(user) || user.region.as_ref() != Some(&prospect.region) {
        return Err(BaseError::NotAllowed);
    }
    let record = creation_record(now, Some(user.telegram_id), prospect);
    Ok(store.create_prospect(prospect, user.telegram_id, now, &record).await?)
}

/// The audit line of a card's creation, by the form or by an import alike.
pub fn creation_record(now: DateTime<Utc>, actor: Option<TelegramId>, prospect: &NewProspect) -> AuditRecord {
    AuditRecord::new(now, actor, AuditAction::ProspectCreated).details(format!(
        "{} ИНН {}",
        prospect.name.as_str(),
        prospect.inn
    ))
}

/// A card as its reader sees it: the data, a colleague's recent contact, the last entries.
pub struct Card {
    pub prospect: Prospect,
    pub collision: Option<Collision>,
    pub recent: Vec<Entry>,
    pub entries: i64,
    /// Its hand-offs to the credit officers, newest first.
    pub handoffs: Vec<Handoff>,
}

/// Loads a card in the person's view; `None` when it is outside it (nothing is revealed).
pub async fn visible(store: &dyn Store, user: &User, id: ProspectId) -> BaseResult<Prospect> {
    let scope = Scope::of(user);
    if let Some(found) = store.prospect(id, scope.region_filter()).await? {
        return Ok(found);
    }
    // A credit officer reads the cards of the leads they took in their division, and no others.
    if user.role == Role::CreditOfficer
        && let Some(region) = &user.region
    {
        let leads = store.handoffs(&HandoffFilter::Prospect(id), 100).await?;
        if leads.iter().any(|h| &h.region == region && h.taken_by == Some(user.telegram_id)) {
            return store.prospect(id, Some(region.as_str())).await?.ok_or(BaseError::NotFound);
        }
    }
    Err(BaseError::NotFound)
}

/// Records that a person read a card's talks (history, a whole entry): SPEC §10.
pub async fn audit_view(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    what: &str,
    now: DateTime<Utc>,
) -> BaseResult<()> {
    store.audit(&audit(now, user, AuditAction::CardViewed, id).details(what)).await?;
    Ok(())
}

/// A colleague's positive or neutral contact within the window (SPEC §5).
pub async fn collision(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    now: DateTime<Utc>,
    window_days: u32,
) -> BaseResult<Option<Collision>> {
    let since = now - Duration::days(i64::from(window_days));
    Ok(store.colleague_contact(id, user.telegram_id, since).await?)
}

pub async fn open_card(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    now: DateTime<Utc>,
    window_days: u32,
) -> BaseResult<Card> {
    let prospect = visible(store, user, id).await?;
    store.audit(&audit(now, user, AuditAction::CardViewed, id)).await?;
    let handoffs = store.handoffs(&HandoffFilter::Prospect(id), 10).await?;
    // The officer a lead was handed to works on the specialist's contact: no warning about it.
    let collision = if handoff::handed_to(user, &handoffs) {
        None
    } else {
        collision(store, user, id, now, window_days).await?
    };
    let (recent, entries) = store.entries_counted(id, 0, 3).await?;
    Ok(Card { prospect, collision, recent, entries, handoffs })
}

/// A new search's words, kept for its pages ([`last_search`]) with its audit line, in one step.
#[derive(Debug, Clone, Copy)]
pub struct Remember<'a> {
    pub chat: i64,
    pub words: &'a str,
}

/// How a `/find` query is read: an INN, a phone, or a piece of a name or contact person.
pub enum Query {
    Inn(Inn),
    Phone(Phone),
    /// Ten digits that are a valid INN and a phone number alike.
    InnOrPhone(Inn, Phone),
    Text(String),
}

impl Query {
    pub fn read(text: &str) -> Option<Query> {
        let text = text.trim();
        let looks_like_phone = text.chars().filter(char::is_ascii_digit).count() >= 10
            && text.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        let phone = if looks_like_phone { Phone::parse(text).ok() } else { None };
        match (Inn::parse(text), phone) {
            (Ok(inn), Some(phone)) => return Some(Query::InnOrPhone(inn, phone)),
            (Ok(inn), None) => return Some(Query::Inn(inn)),
            (Err(_), Some(phone)) => return Some(Query::Phone(phone)),
            (Err(_), None) => {}
        }
        let norm = normalize_name(text);
        (!norm.is_empty()).then_some(Query::Text(norm))
    }
}

/// A name search of up to this many letters looks for names (and contact persons) beginning
/// with them; more are looked for anywhere in the name (SPEC §4: any part), through the
/// trigram index, which needs three. Three letters anywhere match thousands of companies:
/// PostgreSQL sorts them for a page in p95 13 ms at 1 000 000 (SPEC §11: 20 ms) since its
/// indexes keep no pending list; they were looked for at the beginning only while it took 23–47.
pub const BROAD: usize = 2;

/// One page of results (and whether there is another).
pub async fn find(
    store: &dyn Store,
    user: &User,
    query: &Query,
    page: i64,
    per_page: i64,
    now: DateTime<Utc>,
    remember: Option<Remember<'_>>,
) -> BaseResult<(Vec<Prospect>, bool)> {
    let scope = Scope::of(user);
    if scope == Scope::Nothing {
        return Err(BaseError::NotAllowed);
    }
    let region = scope.region_filter();
    let mut found = match query {
        Query::Inn(inn) => {
            let found = store.prospect_by_inn_anywhere(inn).await?;
            found.filter(|p| sees(user, p)).into_iter().collect()
        }
        Query::Phone(phone) => store.prospects_by_phone(phone, region).await?,
        Query::InnOrPhone(inn, phone) => {
            let by_inn = store.prospect_by_inn_anywhere(inn).await?.filter(|p| sees(user, p));
            let mut found: Vec<Prospect> = by_inn.into_iter().collect();
            for p in store.prospects_by_phone(phone, region).await? {
                if !found.iter().any(|f| f.id == p.id) {
                    found.push(p);
                }
            }
            found
        }
        Query::Text(text) => {
            let search = if text.chars().count() > BROAD {
                TextSearch::Trigram(text.clone())
            } else {
                TextSearch::Prefix(text.clone())
            };
            store.search_text(&search, region, page * per_page, per_page + 1).await?
        }
    };
    let what = match query {
        Query::Inn(inn) => format!("inn {inn}"),
        Query::Phone(phone) => format!("phone {}", phone.as_str()),
        Query::InnOrPhone(inn, phone) => format!("inn {inn} or phone {}", phone.as_str()),
        Query::Text(text) => format!("text {text}"),
    };
    let record = AuditRecord::new(now, Some(user.telegram_id), AuditAction::Searched).details(what);
    match remember {
        Some(Remember { chat, words }) => store.save_search_audited(chat, words, now, &record).await?,
        None => store.audit(&record).await?,
    }
    let more = found.len() as i64 > per_page;
    found.truncate(per_page as usize);
    Ok((found, more))
}

/// Sets one field to what a person typed, checked by the field (`FieldSpec::parse`, against
/// the card's INN), or clears it with `None`; audited with the old and the new value. A field
/// that may not be left empty is checked as an empty answer instead, so clearing the name is
/// refused the way an empty name is.
pub async fn edit(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    field: Field,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> BaseResult<Prospect> {
    let value = |prospect: &Prospect| match text {
        None if field.optional => Ok(None),
        text => field.parse(text.unwrap_or_default(), Some(&prospect.inn)).map(Some),
    };
    change(store, user, id, field, value, now).await
}

pub async fn set_products(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    products: &[Product],
    now: DateTime<Utc>,
) -> BaseResult<Prospect> {
    let field = Field::of_kind(FieldKind::Products).ok_or(BaseError::NotAllowed)?;
    change(store, user, id, field, |_| Ok(Some(Value::Products(products.to_vec()))), now).await
}

async fn change(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    field: Field,
    value: impl FnOnce(&Prospect) -> Result<Option<Value>, RequisiteError>,
    now: DateTime<Utc>,
) -> BaseResult<Prospect> {
    let prospect = visible(store, user, id).await?;
    if !may_edit(user, &prospect) || !field.editable || !field.applies_to(Some(prospect.inn.as_str())) {
        return Err(BaseError::NotAllowed);
    }
    let new = value(&prospect)?.map(|v| v.stored());
    let old = prospect.stored(&field).unwrap_or_default();
    let record = audit(now, user, AuditAction::CardEdited, id)
        .details(format!("{field:?}: {old:?} -> {:?}", new.as_deref().unwrap_or_default()));
    store.update_field(id, field, new, user.telegram_id, now, &record).await?;
    visible(store, user, id).await
}

/// A diary entry as written, with what it set off.
#[derive(Debug, Clone)]
pub struct Logged {
    pub entry_id: i64,
    /// The card as it now stands.
    pub prospect: Prospect,
    /// The leads the entry made, held for the specialist's facts.
    pub handoffs: Vec<Handoff>,
}

/// Logs a diary entry (SPEC §5, §6), the use case whole: the entry with its follow-up and the
/// card's new status, the hand-offs a positive entry about routed products makes (their lead
/// cards queued), the owner's notice when a colleague wrote it, and the audit lines — one
/// transaction, so a failure leaves nothing half-done.
pub async fn log_entry(
    store: &dyn Store,
    user: &User,
    entry: &NewEntry,
    now: DateTime<Utc>,
) -> BaseResult<Logged> {
    let prospect = visible(store, user, entry.prospect).await?;
    if !may_log(user, &prospect) || entry.author != user.telegram_id {
        return Err(BaseError::NotAllowed);
    }
    let status = status_after(prospect.status, entry);
    let record = audit(now, user, AuditAction::EntryLogged, entry.prospect)
        .details(format!("{} {} -> {}", entry.kind, entry.outcome, status));
    let handoffs = handoff::made_by(store, user, &prospect, entry, now).await?;
    // Only an owner who still works with this card (same division, same kind of role) is told.
    let tell_owner = match store.user(prospect.owner).await? {
        Some(owner)
            if owner.telegram_id != user.telegram_id && owner.active && may_log(&owner, &prospect) =>
        {
            Some((owner.telegram_id, prospect.region.clone()))
        }
        _ => None,
    };
    let write =
        EntryWrite { entry, status, audit: &record, handoffs, tell_owner, owner_seen: Some(prospect.owner) };
    let written = store.record_entry(&write, now).await?;
    let prospect = visible(store, user, entry.prospect).await?;
    let mut handoffs = vec![];
    for id in written.handoffs {
        handoffs.extend(store.handoff(id).await?);
    }
    Ok(Logged { entry_id: written.entry, prospect, handoffs })
}

/// The card with this INN, when `user` may see it (a card of another division is not there
/// for them, SPEC §5).
pub async fn by_inn(store: &dyn Store, user: &User, inn: &Inn) -> BaseResult<Option<Prospect>> {
    let Some(holder) = store.prospect_by_inn_anywhere(inn).await? else { return Ok(None) };
    Ok(visible(store, user, holder.id).await.ok())
}

/// One page of a card's diary, newest first, with how many entries it has; the view is audited.
pub async fn history(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    offset: i64,
    limit: i64,
    now: DateTime<Utc>,
) -> BaseResult<(Prospect, i64, Vec<Entry>)> {
    let prospect = visible(store, user, id).await?;
    audit_view(store, user, id, "history", now).await?;
    let (entries, count) = store.entries_counted(id, offset, limit).await?;
    Ok((prospect, count, entries))
}

/// One diary entry of a card `user` may see, whole.
pub async fn entry(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    entry: i64,
) -> BaseResult<(Prospect, Entry)> {
    let prospect = visible(store, user, id).await?;
    let entry = store.entry(id, entry).await?.ok_or(BaseError::NotFound)?;
    Ok((prospect, entry))
}

/// `/my`: the cards `user` owns in their scope, soonest next contact first.
pub async fn mine(store: &dyn Store, user: &User, offset: i64, limit: i64) -> BaseResult<Vec<Prospect>> {
    if !works_with_prospects(user) {
        return Err(BaseError::NotAllowed);
    }
    let scope = Scope::of(user);
    Ok(store.owned_by(user.telegram_id, scope.region_filter(), offset, limit).await?)
}

/// Keeps the words of the last search in `chat`, for its next pages.
pub async fn remember_search(
    store: &dyn Store,
    chat: i64,
    query: &str,
    now: DateTime<Utc>,
) -> BaseResult<()> {
    Ok(store.save_search(chat, query, now).await?)
}

/// The words of the last search in `chat`.
pub async fn last_search(store: &dyn Store, chat: i64) -> BaseResult<String> {
    Ok(store.saved_search(chat).await?.unwrap_or_default())
}

/// Agrees the next contact without a diary entry (the card's "schedule" button).
pub async fn schedule(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> BaseResult<Prospect> {
    let prospect = visible(store, user, id).await?;
    if !may_log(user, &prospect) {
        return Err(BaseError::NotAllowed);
    }
    let record = audit(now, user, AuditAction::ContactScheduled, id).details(due.to_rfc3339());
    store.schedule_followup(id, user.telegram_id, due, now, &record).await?;
    visible(store, user, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_names_are_close_and_different_ones_are_not() {
        assert!(similarity("ромашка", "ромашки") >= SIMILAR);
        assert!(similarity("ромашка", "ромашка плюс") >= SIMILAR);
        assert!(similarity("северсталь", "северстал") >= SIMILAR);
        assert!(similarity("ромашка", "лютик") < SIMILAR);
        assert!(similarity("ромашка", "ромбик") < SIMILAR);
        assert_eq!(similarity("", ""), 0.0);
    }
}
