//! Moving work between people (SPEC §2): a manager gives a card of their division to a
//! colleague (head office may move it to another division), a person's whole portfolio goes to
//! one colleague or is spread evenly across the division, and a person who holds work leaves
//! only with it handed over. Each is one store transaction with the cards, their open
//! follow-ups, an audit line per card and the notices to the people concerned; a card that
//! changed hands meanwhile spoils the move, and nothing of it is written.

use chrono::{DateTime, NaiveDate, Utc};

use super::access::{AccessError, Lang, Region, Role, User};
use super::audit::{AuditAction, AuditRecord, user_subject};
use super::ids::{RegionCode, TelegramId};
use super::notice::Notice;
use super::prospect::{Prospect, ProspectId};
use super::prospects::{self, BaseError};
pub use crate::store::Holdings;
use crate::store::{CardMove, Leaving, NewOutgoing, Store, StoreError, Transfer};

/// Why a move was not made; each is explained to the person.
#[derive(Debug, thiserror::Error)]
pub enum MoveError {
    #[error("not allowed")]
    NotAllowed,
    #[error("no such card in your view")]
    NotFound,
    #[error(transparent)]
    Access(#[from] AccessError),
    /// The chosen person cannot own cards of that division (not active, not a specialist or
    /// manager there), or is the one the cards come from.
    #[error("user {0} cannot take these cards: an active specialist or manager of the division is needed")]
    BadOwner(TelegramId),
    /// The division has nobody active to spread the cards across.
    #[error("the division has no other active specialist to spread the cards across")]
    NobodyToSpread,
    /// Someone moved a card first (or it is theirs already): nothing was written.
    #[error("the cards changed hands meanwhile; nothing was moved, look again")]
    Moved,
    /// The person still holds work: how much, so they are told how to hand it over.
    #[error(
        "user {who} still holds work: {cards} cards, {followups} open follow-ups, {leads} taken leads; \
         hand them over first (`user reassign {who} --to ID` or `--spread`), or disable with `--reassign-to ID`"
    )]
    HoldsWork { who: TelegramId, cards: usize, followups: i64, leads: i64 },
    #[error("the leave ends before it starts: give --from first, then --to")]
    BadDates,
    /// The cover must be an active colleague of the same division, not the person themselves.
    #[error("user {0} cannot cover: an active colleague of the same division is needed")]
    BadCover(TelegramId),
    /// There is no leave to end today.
    #[error("user {0} is not away today: there is no leave to end")]
    NotAway(TelegramId),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for MoveError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Access(e) => MoveError::Access(e),
            other => MoveError::Store(other),
        }
    }
}

impl From<BaseError> for MoveError {
    fn from(err: BaseError) -> Self {
        match err {
            BaseError::NotFound => MoveError::NotFound,
            BaseError::Store(e) => MoveError::Store(e),
            _ => MoveError::NotAllowed,
        }
    }
}

pub type MoveResult<T> = Result<T, MoveError>;

/// Gives a card to another owner: the division's manager, or head office (to any division).
pub fn may_reassign(user: &User, prospect: &Prospect) -> bool {
    user.active
        && match user.role {
            Role::Manager => user.region.as_ref() == Some(&prospect.region),
            Role::HeadOffice => true,
            _ => false,
        }
}

/// Owns cards of `region`: an active specialist or manager working there.
pub fn may_own(user: &User, region: &RegionCode) -> bool {
    user.active
        && matches!(user.role, Role::Specialist | Role::Manager)
        && user.region.as_ref() == Some(region)
}

/// Moves a whole portfolio: an admin, or the manager of the person's division (`None`: the
/// operator's command line).
pub fn may_move_portfolio(actor: Option<&User>, from: &User) -> bool {
    match actor {
        None => true,
        Some(a) if !a.active => false,
        Some(a) => match a.role {
            Role::Admin => true,
            Role::Manager => {
                a.region.is_some() && a.region == from.region && a.telegram_id != from.telegram_id
            }
            _ => false,
        },
    }
}

/// The card, when `user` may give it to someone else.
pub async fn movable(store: &dyn Store, user: &User, id: ProspectId) -> MoveResult<Prospect> {
    let prospect = prospects::visible(store, user, id).await?;
    if !may_reassign(user, &prospect) {
        return Err(MoveError::NotAllowed);
    }
    Ok(prospect)
}

/// The divisions a card may go to: its own for a manager, every one for head office.
pub async fn divisions(store: &dyn Store, user: &User, prospect: &Prospect) -> MoveResult<Vec<Region>> {
    let all = store.regions().await?;
    Ok(all.into_iter().filter(|r| user.role == Role::HeadOffice || r.code == prospect.region).collect())
}

/// The colleagues of `region` a card may go to, by name; its owner left out.
pub async fn candidates(
    store: &dyn Store,
    user: &User,
    prospect: &Prospect,
    region: &RegionCode,
) -> MoveResult<Vec<User>> {
    if user.role != Role::HeadOffice && region != &prospect.region {
        return Err(MoveError::NotAllowed);
    }
    let mut found: Vec<User> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| may_own(u, region) && u.telegram_id != prospect.owner)
        .collect();
    found.sort_by(|a, b| a.full_name.as_str().cmp(b.full_name.as_str()));
    Ok(found)
}

/// What a move of one card to `to` tells: its former owner (while on staff) and its new one.
fn moved_notices(
    store_from: Option<&User>,
    prospect: &Prospect,
    to: &User,
    region: &RegionCode,
    now: DateTime<Utc>,
) -> Vec<NewOutgoing> {
    let notice = Notice::CardMoved {
        prospect: prospect.id.0,
        from: prospect.owner.get(),
        to: to.telegram_id.get(),
        at: now.timestamp(),
    };
    let mut notices = vec![notice.to(to.telegram_id, region)];
    if let Some(old) = store_from.filter(|u| u.active) {
        notices.push(notice.to(old.telegram_id, &prospect.region));
    }
    notices
}

/// Gives one card, with its open follow-ups, to `to` (SPEC §2). Diary entries keep their
/// authors; the former and the new owner are told; one audit line says who moved what.
pub async fn reassign_card(
    store: &dyn Store,
    user: &User,
    id: ProspectId,
    to: TelegramId,
    now: DateTime<Utc>,
) -> MoveResult<Prospect> {
    let prospect = movable(store, user, id).await?;
    let target = store.user(to).await?.ok_or(MoveError::BadOwner(to))?;
    let region = target.region.clone().ok_or(MoveError::BadOwner(to))?;
    if user.role != Role::HeadOffice && region != prospect.region {
        return Err(MoveError::NotAllowed);
    }
    if !may_own(&target, &region) {
        return Err(MoveError::BadOwner(to));
    }
    if target.telegram_id == prospect.owner {
        return Err(MoveError::Moved);
    }
    let old = store.user(prospect.owner).await?;
    let record = AuditRecord::new(now, Some(user.telegram_id), AuditAction::CardReassigned)
        .subject(format!("prospect:{id}"))
        .details(format!("{} -> {} ({} -> {region})", prospect.owner, to, prospect.region));
    let transfer = Transfer {
        moves: vec![CardMove { prospect: id, from: prospect.owner, to, region: region.clone() }],
        by: Some(user.telegram_id),
        audit: vec![record],
        notices: moved_notices(old.as_ref(), &prospect, &target, &region, now),
        leaving: None,
    };
    if !store.transfer(&transfer, now).await? {
        return Err(MoveError::Moved);
    }
    Ok(prospects::visible(store, user, id).await?)
}

/// Whom a whole portfolio goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recipients {
    /// One colleague of the division.
    One(TelegramId),
    /// Evenly across the division's other active specialists.
    Spread,
}

/// One colleague's share of a portfolio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub to: User,
    pub cards: Vec<ProspectId>,
    pub followups: i64,
}

/// A portfolio move as planned: shown as a preview, then carried out as it stands.
#[derive(Debug, Clone)]
pub struct Plan {
    pub from: User,
    pub shares: Vec<Share>,
    /// Everything `from` holds now.
    pub holdings: Holdings,
}

impl Plan {
    pub fn cards(&self) -> usize {
        self.shares.iter().map(|s| s.cards.len()).sum()
    }
}

/// Plans moving everything `from` owns (SPEC §2): to one colleague, or spread evenly (card by
/// card in turn, the colleague with the fewest cards of the move first).
pub async fn plan(
    store: &dyn Store,
    actor: Option<&User>,
    from: TelegramId,
    recipients: Recipients,
) -> MoveResult<Plan> {
    let from = store.user(from).await?.ok_or(AccessError::UnknownUser(from))?;
    if !may_move_portfolio(actor, &from) {
        return Err(MoveError::NotAllowed);
    }
    let holdings = store.holdings(from.telegram_id).await?;
    let region = from.region.clone();
    let takers: Vec<User> = match recipients {
        Recipients::One(to) => {
            let target = store.user(to).await?.ok_or(MoveError::BadOwner(to))?;
            let fits = match &region {
                Some(region) => may_own(&target, region),
                // Someone with no division holds no cards; the target only needs to be able to own.
                None => target.active && target.region.is_some(),
            };
            if !fits || target.telegram_id == from.telegram_id {
                return Err(MoveError::BadOwner(to));
            }
            vec![target]
        }
        Recipients::Spread => {
            let mut all: Vec<User> = store
                .users()
                .await?
                .into_iter()
                .filter(|u| {
                    u.role == Role::Specialist
                        && u.telegram_id != from.telegram_id
                        && region.as_ref().is_some_and(|r| may_own(u, r))
                })
                .collect();
            all.sort_by_key(|u| u.telegram_id.get());
            if all.is_empty() {
                return Err(MoveError::NobodyToSpread);
            }
            all
        }
    };
    let mut shares: Vec<Share> =
        takers.into_iter().map(|to| Share { to, cards: vec![], followups: 0 }).collect();
    let count = shares.len();
    for (i, card) in holdings.cards.iter().enumerate() {
        let share = &mut shares[i % count];
        share.cards.push(card.prospect);
        share.followups += card.followups;
    }
    Ok(Plan { from, shares, holdings })
}

/// The cards of `plan` as moves, with an audit line each and one notice per colleague (and
/// one to the former owner per colleague, while they are on staff and not leaving).
fn portfolio_transfer(
    actor: Option<&User>,
    plan: &Plan,
    leaving: Option<Leaving>,
    now: DateTime<Utc>,
) -> Transfer {
    let by = actor.map(|a| a.telegram_id);
    let from = &plan.from;
    let mut moves = vec![];
    let mut audit = vec![];
    let mut notices = vec![];
    for share in plan.shares.iter().filter(|s| !s.cards.is_empty()) {
        let Some(region) = share.to.region.clone() else { continue };
        for id in &share.cards {
            moves.push(CardMove {
                prospect: *id,
                from: from.telegram_id,
                to: share.to.telegram_id,
                region: region.clone(),
            });
            audit.push(
                AuditRecord::new(now, by, AuditAction::CardReassigned)
                    .subject(format!("prospect:{id}"))
                    .details(format!("{} -> {} (portfolio)", from.telegram_id, share.to.telegram_id)),
            );
        }
        let notice = Notice::PortfolioMoved {
            from: from.telegram_id.get(),
            to: share.to.telegram_id.get(),
            cards: share.cards.len() as i64,
            followups: share.followups,
            at: now.timestamp(),
        };
        notices.push(notice.to(share.to.telegram_id, &region));
        if from.active && leaving.is_none() {
            notices.push(notice.to(from.telegram_id, &region));
        }
    }
    Transfer { moves, by, audit, notices, leaving }
}

/// Carries out a planned portfolio move, whole or not at all.
pub async fn carry_out(
    store: &dyn Store,
    actor: Option<&User>,
    plan: &Plan,
    now: DateTime<Utc>,
) -> MoveResult<()> {
    if !may_move_portfolio(actor, &plan.from) {
        return Err(MoveError::NotAllowed);
    }
    let transfer = portfolio_transfer(actor, plan, None, now);
    if !store.transfer(&transfer, now).await? {
        return Err(MoveError::Moved);
    }
    Ok(())
}

/// What `who` holds now: their cards, open follow-ups and taken leads.
pub async fn holdings(store: &dyn Store, who: TelegramId) -> MoveResult<Holdings> {
    Ok(store.holdings(who).await?)
}

/// Disables a person (SPEC §2). One who still holds work is refused, saying how much, unless
/// `reassign_to` names who takes it: then, in one transaction, their cards and follow-ups go
/// to that colleague, their follow-ups on colleagues' cards to those cards' owners, the leads
/// they took back to the credit chat's queue as new lead cards, and they are disabled.
pub async fn disable(
    store: &dyn Store,
    actor: Option<&User>,
    id: TelegramId,
    reassign_to: Option<TelegramId>,
    now: DateTime<Utc>,
) -> MoveResult<User> {
    if actor.map(|a| a.telegram_id) == Some(id) {
        return Err(AccessError::SelfChange.into());
    }
    let person = store.user(id).await?.ok_or(AccessError::UnknownUser(id))?;
    let held = store.holdings(id).await?;
    let record = AuditRecord::new(now, actor.map(|a| a.telegram_id), AuditAction::UserDisabled)
        .subject(user_subject(id))
        .details(format!(
            "cards {}, follow-ups {}, leads {}",
            held.cards.len(),
            held.followups(),
            held.leads
        ));
    let plan = match reassign_to {
        None if held.is_empty() => None,
        None => {
            return Err(MoveError::HoldsWork {
                who: id,
                cards: held.cards.len(),
                followups: held.followups(),
                leads: held.leads,
            });
        }
        // Taken leads alone go back to the queue: nobody needs to be named to take them.
        Some(_) if held.cards.is_empty() => None,
        Some(to) => Some(plan(store, actor, id, Recipients::One(to)).await?),
    };
    if actor.is_some() && plan.is_none() && !held.is_empty() && !may_move_portfolio(actor, &person) {
        return Err(MoveError::NotAllowed);
    }
    let leaving = Leaving { who: id, audit: record };
    let transfer = match &plan {
        Some(plan) => portfolio_transfer(actor, plan, Some(leaving), now),
        None => Transfer { moves: vec![], by: None, audit: vec![], notices: vec![], leaving: Some(leaving) },
    };
    if !store.transfer(&transfer, now).await? {
        return Err(MoveError::Moved);
    }
    Ok(store.user(id).await?.ok_or(AccessError::UnknownUser(id))?)
}

/// The colleagues `from`'s cards may go to: the active specialists and managers of their
/// division, by name.
pub async fn colleagues(store: &dyn Store, from: &User) -> MoveResult<Vec<User>> {
    let Some(region) = &from.region else { return Ok(vec![]) };
    let mut found: Vec<User> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| may_own(u, region) && u.telegram_id != from.telegram_id)
        .collect();
    found.sort_by(|a, b| a.full_name.as_str().cmp(b.full_name.as_str()));
    Ok(found)
}

pub use crate::store::Absence;

/// Marks a person away from a day to a day with a colleague covering (SPEC §2): the operator,
/// an admin, or the person's manager. The cover is an active colleague of the same division.
pub async fn set_away(
    store: &dyn Store,
    actor: Option<&User>,
    absence: &Absence,
    now: DateTime<Utc>,
) -> MoveResult<()> {
    if absence.to < absence.from {
        return Err(MoveError::BadDates);
    }
    let person = store.user(absence.who).await?.ok_or(AccessError::UnknownUser(absence.who))?;
    if !may_move_portfolio(actor, &person) {
        return Err(MoveError::NotAllowed);
    }
    let cover = store.user(absence.cover).await?.ok_or(MoveError::BadCover(absence.cover))?;
    if !cover.active
        || cover.telegram_id == person.telegram_id
        || cover.region.is_none()
        || cover.region != person.region
    {
        return Err(MoveError::BadCover(absence.cover));
    }
    let record = AuditRecord::new(now, actor.map(|a| a.telegram_id), AuditAction::UserAway)
        .subject(user_subject(person.telegram_id))
        .details(format!("{} - {}, cover {}", absence.from, absence.to, cover.telegram_id));
    store.add_absence(absence, now, &record).await?;
    Ok(())
}

/// `user`'s own day at `now`: in their division's zone (Moscow's for someone without one).
async fn local_day(store: &dyn Store, user: &User, now: DateTime<Utc>) -> Result<NaiveDate, StoreError> {
    let tz = match &user.region {
        Some(code) => store.region(code).await?.map(|r| r.tz.tz()),
        None => None,
    };
    Ok(now.with_timezone(&tz.unwrap_or(chrono_tz::Europe::Moscow)).date_naive())
}

/// The leave `user` is on at `now` (their division's day), if any.
pub async fn away_now(
    store: &dyn Store,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Option<Absence>, StoreError> {
    let day = local_day(store, user, now).await?;
    store.absence_on(user.telegram_id, day).await
}

/// The colleague who gets what is addressed to `user` at `now` (their division's day): their
/// cover while they are away and the cover is active; `None` otherwise.
pub async fn cover_now(
    store: &dyn Store,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Option<User>, StoreError> {
    let day = local_day(store, user, now).await?;
    let Some(id) = store.cover_on(user.telegram_id, day).await? else { return Ok(None) };
    Ok(store.user(id).await?.filter(|c| c.active && c.telegram_id != user.telegram_id))
}

/// Ends the leave `who` is on today (SPEC §2: back early): from today their reminders and
/// notices come to them again. Whoever may mark the leave may end it. A leave planned for
/// later days stays as it is. Returns the leave as it was.
pub async fn end_leave(
    store: &dyn Store,
    actor: Option<&User>,
    who: TelegramId,
    now: DateTime<Utc>,
) -> MoveResult<Absence> {
    let person = store.user(who).await?.ok_or(AccessError::UnknownUser(who))?;
    if !may_move_portfolio(actor, &person) {
        return Err(MoveError::NotAllowed);
    }
    let day = local_day(store, &person, now).await?;
    let Some(leave) = store.absence_on(who, day).await? else { return Err(MoveError::NotAway(who)) };
    let record = AuditRecord::new(now, actor.map(|a| a.telegram_id), AuditAction::UserBack)
        .subject(user_subject(who))
        .details(format!("{} - {} ended on {day}, cover {}", leave.from, leave.to, leave.cover));
    if !store.end_absence(who, day, &record).await? {
        return Err(MoveError::NotAway(who));
    }
    Ok(leave)
}

/// «за Петрову А.»: whom a covered message is for, the name shortened as client names are
/// (SPEC §10); in Russian the surname in the accusative the preposition wants, in English in
/// its own form after the initial («For А. Петрова»).
pub fn on_behalf_of(full_name: &str, lang: Lang) -> String {
    let short = super::privacy::mask_person(full_name);
    let (surname, rest) = short.split_once(' ').unwrap_or((short.as_str(), ""));
    match (lang, rest.is_empty()) {
        (Lang::En, true) => surname.to_owned(),
        (Lang::En, false) => format!("{rest} {surname}"),
        (Lang::Ru, true) => accusative_surname(surname),
        (Lang::Ru, false) => format!("{} {rest}", accusative_surname(surname)),
    }
}

/// A Russian surname in the accusative by its usual endings; any other stays as it is.
fn accusative_surname(surname: &str) -> String {
    let lower = surname.to_lowercase();
    let cut = |n: usize, tail: &str| {
        let keep: String = surname.chars().take(surname.chars().count() - n).collect();
        format!("{keep}{tail}")
    };
    if lower.ends_with("ая") {
        cut(2, "ую")
    } else if ["ова", "ева", "ёва", "ина", "ына"].iter().any(|e| lower.ends_with(e)) {
        cut(1, "у")
    } else if ["ов", "ев", "ёв", "ин", "ын"].iter().any(|e| lower.ends_with(e)) {
        format!("{surname}а")
    } else if lower.ends_with("ский") || lower.ends_with("цкий") {
        cut(2, "ого")
    } else {
        surname.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_covered_message_names_its_addressee_in_the_accusative() {
        let ru = |name: &str| on_behalf_of(name, Lang::Ru);
        assert_eq!(ru("Иванова Анна Сергеевна"), "Иванову А.");
        assert_eq!(ru("Петров Иван Петрович"), "Петрова И.");
        assert_eq!(ru("Толстая Мария Ивановна"), "Толстую М.");
        assert_eq!(ru("Вишневский Олег Ильич"), "Вишневского О.");
        assert_eq!(ru("Ким Олег Романович"), "Ким О.");
        assert_eq!(ru("Сорокина Вера"), "Сорокину В.");
    }

    #[test]
    fn in_english_the_name_stays_as_it_is_after_the_initial() {
        assert_eq!(on_behalf_of("Иванова Анна Сергеевна", Lang::En), "А. Иванова");
        assert_eq!(on_behalf_of("Петров Иван Петрович", Lang::En), "И. Петров");
    }
}
