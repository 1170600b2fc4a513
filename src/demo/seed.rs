//! Seeding the demo database once: the catalog's divisions, people and companies, with diary
//! history and agreed next contacts at the division's local times. The first contacts come due
//! a minute or two after the seeding; those due before it were reminded of when they came due.

use std::collections::HashMap;

use chrono::{DateTime, Duration as Span, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::catalog::{
    AGREED, COMPANIES, CREDIT_CHAT, CREDIT_PRODUCTS, Company, HISTORY, MOSCOW, PEOPLE, POSITIONS, TOWNS,
    Town, VLADIVOSTOK, company_inn, contact_name, ogrn, person_inn,
};
use crate::domain::access::{NewUser, Region, User};
use crate::domain::audit::{AuditAction, AuditRecord};
use crate::domain::diary::{NewEntry, status_after};
use crate::domain::handoff::Route;
use crate::domain::ids::{FullName, RegionCode, TelegramId};
use crate::domain::prospect::{Details, NewProspect, ProspectId, Status};
use crate::domain::requisites::{CompanyName, Email, Inn, Kpp, Ogrn, Phone};
use crate::domain::{directory, prospects};
use crate::store::Store;

/// When a company's next contact was agreed for, by its place in its owner's list: the first
/// come due a minute or two after the start (the owners in turn), some were due yesterday, the
/// rest at working hours of the division's coming days; a few have none.
fn next_contact(place: usize, owner: usize, now: DateTime<Utc>, tz: Tz) -> Option<DateTime<Utc>> {
    let minute = now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now);
    let today = now.with_timezone(&tz).date_naive();
    let day = |days: i64, hour: u32, min: u32| at_local(tz, today + Span::days(days), hour, min);
    match place {
        0 => Some(minute + Span::minutes(2 + owner as i64)),
        1 => Some(minute + Span::minutes(5 + owner as i64)),
        2 | 9 => Some(day(-1, 16, 0)),
        3 => Some(day(0, 17, 30)).filter(|t| *t > now + Span::minutes(30)).or(Some(day(1, 10, 0))),
        4 | 10 => Some(day(1, 11, 30)),
        5 => Some(day(2, 15, 0)),
        7 | 12 => Some(day(3, 10, 0)),
        _ => None,
    }
}

/// A local wall-clock time of the zone as an instant (the earlier one when clocks go back).
fn at_local(tz: Tz, date: NaiveDate, hour: u32, min: u32) -> DateTime<Utc> {
    let time = NaiveTime::from_hms_opt(hour, min, 0).expect("a valid time");
    tz.from_local_datetime(&date.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&date.and_time(time)))
}

/// Routes Moscow's leads to the credit chat, unless a route is there already (a demo database
/// from before hand-offs gets them too).
async fn seed_routes(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let msk = RegionCode::parse(MOSCOW.code)?;
    for product in CREDIT_PRODUCTS {
        if store.route(&msk, *product).await?.is_none() {
            let route = Route { region: msk.clone(), product: *product, chat_id: CREDIT_CHAT };
            crate::domain::handoff::set_route(store, &route, None, now).await?;
        }
    }
    Ok(())
}

/// Seeds the demo data unless it is there already; `true` when it seeded.
pub async fn seed(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<bool> {
    if store.region(&RegionCode::parse(MOSCOW.code)?).await?.is_some() {
        seed_routes(store, now).await?;
        return Ok(false);
    }
    for division in [&MOSCOW, &VLADIVOSTOK] {
        let region = Region::parse(division.code, division.name, division.tz.name())?;
        directory::add_region(store, &region, None, now).await?;
    }
    let mut users = vec![];
    for p in PEOPLE {
        let user = NewUser::new(
            TelegramId::new(p.id)?,
            FullName::parse(p.name)?,
            p.role,
            p.region.map(RegionCode::parse).transpose()?,
            None,
        )?;
        users.push(directory::add_user(store, &user, now).await?);
    }
    // Each division's specialists own its companies in turn.
    let mut turns: HashMap<&str, usize> = HashMap::new();
    let mut owned: HashMap<i64, usize> = HashMap::new();
    let mut contacts = 0;
    for (n, c) in COMPANIES.iter().enumerate() {
        let town = TOWNS.iter().find(|t| t.name == c.town).expect("every company's town is listed");
        let division = town.division;
        let turn = turns.entry(division.code).or_default();
        let owner_id = division.specialists[*turn % division.specialists.len()];
        *turn += 1;
        let counter = owned.entry(owner_id).or_default();
        let place = *counter;
        *counter += 1;
        let owner = users.iter().find(|u| u.telegram_id.get() == owner_id).expect("a demo person");
        let order = PEOPLE.iter().position(|p| p.id == owner_id).unwrap_or_default();
        let due = next_contact(place, order, now, division.tz);
        let contacts_made = [1, 2, 3, 0, 2, 1, 3, 2][n % 8] + usize::from(due.is_some());
        // A card is made a little before its first contact; a few this very week.
        let registered = days_ago(n, contacts_made, 0) + 1 + [0, 3, 14, 30][n % 4];
        let prospect = prospect(c, town, n, &mut contacts, owner)?;
        let saved = prospects::register(store, owner, &prospect, now - Span::days(registered)).await?;
        let diary = Diary { owner, id: saved.id, n, contacts: contacts_made, due, tz: division.tz };
        diary.write(store, saved.status, now).await?;
    }
    settle_overdue(store, now).await?;
    for division in [&MOSCOW, &VLADIVOSTOK] {
        // As if this morning's digest had gone out already: the first thing the demo sends is
        // a reminder coming due, not a digest of the day.
        let local = now.with_timezone(&division.tz);
        if local.hour() >= 9 {
            store.claim_digest_day(division.code, &local.date_naive().to_string(), now).await?;
        }
    }
    seed_routes(store, now).await?;
    Ok(true)
}

/// The `n`-th company's card: requisites of its town's tax office, its contact person, a phone
/// (mobile, or the office's), and some fields left empty, as in real cards.
fn prospect(
    c: &Company,
    town: &Town,
    n: usize,
    contacts: &mut usize,
    owner: &User,
) -> anyhow::Result<NewProspect> {
    let office = town.tax_offices[n % town.tax_offices.len()];
    let sole = c.name.starts_with("ИП ");
    let number = n as u32 * 3_701 + 10_457;
    let inn = Inn::parse(&if sole { person_inn(office, number) } else { company_inn(office, number) })?;
    let kpp = (!sole && n % 3 != 2).then(|| Kpp::parse(&format!("{office}01001"), &inn)).transpose()?;
    let year = 2004 + (n as u32 * 3) % 18;
    let ogrn = (n % 4 != 3).then(|| Ogrn::parse(&ogrn(sole, year, office, number), &inn)).transpose()?;
    let (contact, position) = match c.name.strip_prefix("ИП ") {
        Some(name) => (name.to_owned(), Some("Индивидуальный предприниматель")),
        None => {
            let k = *contacts;
            *contacts += 1;
            (contact_name(k), (n % 9 != 8).then_some(POSITIONS[k % POSITIONS.len()]))
        }
    };
    let subscriber = (n as u64 * 7_919_311 + 2_345_671) % 10_000_000;
    let phone = if n % 6 == 5 {
        format!(
            "+7 {} {}{:02}-{:02}-{:02}",
            town.division.office_code,
            2 + n % 8,
            subscriber / 10_000 % 100,
            subscriber / 100 % 100,
            subscriber % 100
        )
    } else {
        let codes = town.division.mobile_codes;
        let code = codes[n % codes.len()];
        format!("+7 {code} {:03}-{:02}-{:02}", subscriber / 10_000, subscriber / 100 % 100, subscriber % 100)
    };
    Ok(NewProspect {
        name: CompanyName::parse(c.name)?,
        inn,
        details: Details {
            kpp,
            ogrn,
            industry: Some(c.industry.to_owned()),
            city: Some(c.town.to_owned()),
            contact_person: Some(contact),
            position: position.map(str::to_owned),
            phone: Some(Phone::parse(&phone)?),
            email: c.email.map(Email::parse).transpose()?,
            products: c.products.to_vec(),
        },
        owner: owner.telegram_id,
        region: owner.region.clone().ok_or_else(|| anyhow::anyhow!("a specialist works in a division"))?,
    })
}

/// How many days before the start the `i`-th of a company's `count` contacts was made: every
/// five days or so, the last one two to four days ago.
fn days_ago(n: usize, count: usize, i: usize) -> i64 {
    2 + count.saturating_sub(1 + i) as i64 * 5 + (n % 3) as i64
}

/// A company's diary: a few contacts and, when a next contact is agreed, the last one saying
/// what was agreed; each on working hours of the division's past days.
struct Diary<'a> {
    owner: &'a User,
    id: ProspectId,
    n: usize,
    contacts: usize,
    due: Option<DateTime<Utc>>,
    tz: Tz,
}

impl Diary<'_> {
    async fn write(&self, store: &dyn Store, mut status: Status, now: DateTime<Utc>) -> anyhow::Result<()> {
        let (n, tz) = (self.n, self.tz);
        let today = now.with_timezone(&tz).date_naive();
        for i in 0..self.contacts {
            let day = today - Span::days(days_ago(n, self.contacts, i));
            let happened = at_local(tz, day, 10 + ((n + i) % 8) as u32, [0, 15, 30, 45][(n + i) % 4]);
            let agreed = i + 1 == self.contacts && self.due.is_some();
            let (kind, outcome, products, summary) = if agreed {
                let (kind, outcome, summary) = AGREED[n % AGREED.len()];
                (kind, outcome, &[][..], summary)
            } else {
                HISTORY[(n * 3 + i) % HISTORY.len()]
            };
            let entry = NewEntry {
                prospect: self.id,
                author: self.owner.telegram_id,
                kind,
                outcome,
                summary: summary.to_owned(),
                products: products.to_vec(),
                happened_at: happened,
                next_contact: if agreed { self.due } else { None },
            };
            status = status_after(status, &entry);
            let record = AuditRecord::new(happened, Some(self.owner.telegram_id), AuditAction::EntryLogged)
                .subject(format!("prospect:{}", self.id))
                .details(format!("{kind} {outcome} -> {status}"));
            store.add_entry(&entry, status, happened, &record).await?;
        }
        Ok(())
    }
}

/// Follow-ups that came due before the start were reminded of when due: they stay open and
/// overdue (first in `/my`, in `/today`), and the demo does not open with reminders hours late.
async fn settle_overdue(store: &dyn Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    store.queue_due_followups(now, 500).await?;
    for item in store.claim_outbox("demo-seed", now, 60, 500).await? {
        store.outbox_sent(item.id, now).await?;
    }
    Ok(())
}
