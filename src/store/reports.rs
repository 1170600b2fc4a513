//! Reports in SQL (SPEC §7): every figure is a `GROUP BY` over the period, on both backends,
//! so a month over millions of entries never comes into memory; listings (diary entries,
//! hand-offs, exported cards) are streamed row by row into a bounded channel, so the reader
//! sets the pace and memory stays flat. Region scoping is part of each query.

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use futures::TryStreamExt;
use tokio::sync::mpsc::Sender;

use super::StoreResult;
use super::card::{CardColumns, select_list};
use super::sql::{Pool, SqlStore, instant, on_pool, secs};
use crate::domain::audit::AuditRecord;
use crate::domain::diary::Kind;
use crate::domain::fields::FIELDS;
use crate::domain::ids::TelegramId;
use crate::domain::report::{ActivityRow, QualityBucket, STALE_DAYS};
use crate::domain::requisites::{INN10_WEIGHTS, INN12_WEIGHTS_1, INN12_WEIGHTS_2};

/// One diary entry as the report lists it: no contact person, phone or e-mail.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryLine {
    pub happened_at: i64,
    /// The division's name (its code if the division is gone), as the figure sheets show it.
    pub region_name: String,
    pub author: String,
    pub company: String,
    pub inn: String,
    pub kind: String,
    pub outcome: String,
    pub summary: String,
    /// The card's contact person, whose name the summary must not carry into a masked file.
    pub contact_person: Option<String>,
}

/// One hand-off touched in the period (sent, taken or closed in it).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HandoffLine {
    pub id: i64,
    pub created_at: i64,
    pub region_name: String,
    pub company: String,
    pub inn: String,
    pub product: String,
    pub from_name: String,
    pub state: String,
    pub taken_name: Option<String>,
    pub taken_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// One card as exported: its fields as stored, and what the bank keeps about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportLine {
    pub id: i64,
    #[sqlx(flatten)]
    pub card: CardColumns,
    pub status: String,
    pub owner_name: String,
    pub region_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub next_contact: Option<i64>,
    /// Who owns the card and its division, as an import names them (the export's columns).
    pub owner_id: i64,
    pub region_code: String,
    /// What was agreed for the next contact.
    pub next_agreed: Option<String>,
}

/// A line of a card's audit trail, with the actor's name when they are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub record: AuditRecord,
    pub actor_name: Option<String>,
}

#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Per division and person: the period's activity, and follow-ups overdue at `now`. Every
    /// active specialist and manager in scope has a row, idle or not.
    async fn activity(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ActivityRow>>;
    /// Cards per division, owner and number of filled key fields, with their quality counts.
    async fn quality(&self, region: Option<&str>, now: DateTime<Utc>) -> StoreResult<Vec<QualityBucket>>;
    /// Streams the period's diary entries, oldest first, into `sink`; returns how many were sent.
    async fn stream_entries(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: Sender<EntryLine>,
    ) -> StoreResult<u64>;
    /// How many diary entries `stream_entries` lists for the same arguments.
    async fn count_entries(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<u64>;
    async fn stream_handoffs(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: Sender<HandoffLine>,
    ) -> StoreResult<u64>;
    /// Streams the cards of a division (or all) for export, by id.
    async fn stream_prospects(&self, region: Option<&str>, sink: Sender<ExportLine>) -> StoreResult<u64>;
    /// A page of the audit trail of `subject`, newest first, and how many lines there are.
    async fn audit_page(&self, subject: &str, offset: i64, limit: i64) -> StoreResult<(Vec<AuditLine>, i64)>;
    /// Claims the weekly report of `scope` for `week`; `true` for the first claimant only.
    async fn claim_report_week(&self, scope: &str, week: &str, now: DateTime<Utc>) -> StoreResult<bool>;
}

/// A card's division by name, as every sheet shows it (`regions r` joined on `p.region_code`).
const REGION_NAME: &str = "COALESCE(r.name, p.region_code) AS region_name";

/// `CAST($n AS TEXT) IS NULL` lets one text serve both "every region" and "this region".
fn scoped(column: &str, n: u8) -> String {
    format!("(CAST(${n} AS TEXT) IS NULL OR {column} = ${n})")
}

/// The diary entries of a division (`$1`), or of every one when it is NULL. For a division the
/// entries are also picked by their authors (the division's people), so the `(author,
/// happened_at)` index reads just that division's month instead of the whole bank's.
fn entries_scoped(region: Option<&str>) -> String {
    match region {
        Some(_) => {
            "p.region_code = $1 AND i.author_id IN (SELECT telegram_id FROM users WHERE region_code = $1)"
                .to_owned()
        }
        None => "CAST($1 AS TEXT) IS NULL".to_owned(),
    }
}

const OPEN: &str = "('pending', 'sent', 'snoozed')";

/// 1 when `column` holds an INN whose check digits are right, else 0: the domain's rule
/// (`Inn::parse`) in SQL, built from the same weights.
fn inn_valid(column: &str) -> String {
    let digit = |i: usize| format!("CAST(SUBSTR({column}, {i}, 1) AS INTEGER)");
    let check = |weights: &[u32], at: usize| {
        let sum: Vec<String> =
            weights.iter().enumerate().map(|(i, w)| format!("{w} * {}", digit(i + 1))).collect();
        format!("(({}) % 11 % 10 = {})", sum.join(" + "), digit(at))
    };
    let non_digits = (0..10).fold(column.to_owned(), |text, d| format!("REPLACE({text}, '{d}', '')"));
    format!(
        "CASE WHEN {non_digits} <> '' THEN 0 \
         WHEN LENGTH({column}) = 10 AND {} THEN 1 \
         WHEN LENGTH({column}) = 12 AND {} AND {} THEN 1 ELSE 0 END",
        check(&INN10_WEIGHTS, 10),
        check(&INN12_WEIGHTS_1, 11),
        check(&INN12_WEIGHTS_2, 12)
    )
}

fn filled(column: &str) -> String {
    format!("CASE WHEN {column} IS NOT NULL AND {column} <> '' THEN 1 ELSE 0 END")
}

fn quality_sql() -> String {
    let cards = format!(
        "SELECT p.region_code, p.owner_id, {inn} AS inn_ok, {contact} AS contact, {phone} AS phone, \
         {email} AS email, {industry} AS industry, \
         CASE WHEN EXISTS (SELECT 1 FROM followups f WHERE f.prospect_id = p.id AND f.state IN {OPEN}) \
         THEN 1 ELSE 0 END AS has_next, \
         (SELECT COUNT(*) FROM followups f WHERE f.prospect_id = p.id AND f.state IN {OPEN} \
          AND f.due_at < $2) AS overdue, \
         CASE WHEN p.status IN ('new', 'in_talks', 'interested', 'handed_off') AND p.created_at < $3 \
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.prospect_id = p.id AND i.happened_at >= $3) \
         THEN 1 ELSE 0 END AS stale \
         FROM prospects p WHERE {scope}",
        inn = inn_valid("p.inn"),
        contact = filled("p.contact_person"),
        phone = filled("p.phone"),
        email = filled("p.email"),
        industry = filled("p.industry"),
        scope = scoped("p.region_code", 1),
    );
    format!(
        "SELECT q.region_code, q.owner_id, \
         CAST(q.inn_ok + q.contact + q.phone + q.email + q.industry + q.has_next AS BIGINT) AS filled, \
         COUNT(*) AS cards, CAST(SUM(q.inn_ok) AS BIGINT) AS with_inn, \
         CAST(SUM(q.contact) AS BIGINT) AS with_contact, CAST(SUM(q.phone) AS BIGINT) AS with_phone, \
         CAST(SUM(q.email) AS BIGINT) AS with_email, CAST(SUM(q.industry) AS BIGINT) AS with_industry, \
         CAST(SUM(q.has_next) AS BIGINT) AS with_next, CAST(SUM(q.stale) AS BIGINT) AS stale, \
         CAST(SUM(q.overdue) AS BIGINT) AS overdue \
         FROM ({cards}) q GROUP BY q.region_code, q.owner_id, \
         CAST(q.inn_ok + q.contact + q.phone + q.email + q.industry + q.has_next AS BIGINT)"
    )
}

#[derive(sqlx::FromRow)]
struct BucketRow {
    region_code: String,
    owner_id: i64,
    filled: i64,
    cards: i64,
    with_inn: i64,
    with_contact: i64,
    with_phone: i64,
    with_email: i64,
    with_industry: i64,
    with_next: i64,
    stale: i64,
    overdue: i64,
}

/// Runs a streaming query and forwards each row to `sink`; stops early when the reader is gone.
macro_rules! stream_into {
    ($store:expr, $sink:expr, $row:ty, $sql:expr, [$($bind:expr),*]) => {
        on_pool!($store, p => async {
            let mut rows = sqlx::query_as::<_, $row>($sql)$(.bind($bind))*.fetch(p);
            let mut sent = 0u64;
            while let Some(row) = rows.try_next().await? {
                if $sink.send(row).await.is_err() {
                    break;
                }
                sent += 1;
            }
            Ok::<u64, sqlx::Error>(sent)
        }.await)
    };
}

#[async_trait]
impl ReportStore for SqlStore {
    async fn activity(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ActivityRow>> {
        let (from, to, now) = (secs(from), secs(to), secs(now));
        let staff_sql = format!(
            "SELECT region_code, telegram_id FROM users WHERE active AND region_code IS NOT NULL \
             AND role IN ('specialist', 'manager') AND {}",
            scoped("region_code", 1)
        );
        let created_sql = format!(
            "SELECT p.region_code, p.created_by, COUNT(*) FROM prospects p \
             WHERE p.created_at >= $2 AND p.created_at < $3 AND {} GROUP BY p.region_code, p.created_by",
            scoped("p.region_code", 1)
        );
        // Counted per author and the author's division: the covering index on the period is
        // read without visiting each entry's company.
        let authors = match region {
            Some(_) => "i.author_id IN (SELECT telegram_id FROM users WHERE region_code = $1)",
            None => "CAST($1 AS TEXT) IS NULL",
        };
        let contacts_sql = format!(
            "SELECT COALESCE(u.region_code, '') AS region_code, i.author_id, i.kind, COUNT(*), \
             CAST(SUM(CASE WHEN i.outcome = 'positive' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM interactions i JOIN users u ON u.telegram_id = i.author_id \
             WHERE i.happened_at >= $2 AND i.happened_at < $3 AND {authors} \
             GROUP BY u.region_code, i.author_id, i.kind"
        );
        let handoff = |column: &str, extra: &str| {
            format!(
                "SELECT h.region_code, h.from_id, COUNT(*) FROM handoffs h \
                 WHERE h.{column} >= $2 AND h.{column} < $3 {extra} AND {} GROUP BY h.region_code, h.from_id",
                scoped("h.region_code", 1)
            )
        };
        // Sent: for whoever made the hand-off, in their division, even when the lead later went
        // along with its company to another division (then followed by the card's new owner).
        let sent_sql = format!(
            "SELECT COALESCE(h.sent_region, h.region_code), COALESCE(h.sent_by, h.from_id), COUNT(*) \
             FROM handoffs h WHERE h.created_at >= $2 AND h.created_at < $3 AND {} \
             GROUP BY COALESCE(h.sent_region, h.region_code), COALESCE(h.sent_by, h.from_id)",
            scoped("COALESCE(h.sent_region, h.region_code)", 1)
        );
        let taken_sql = handoff("taken_at", "AND h.taken_by IS NOT NULL");
        let won_sql = handoff("closed_at", "AND h.state = 'won'");
        let overdue_sql = format!(
            "SELECT p.region_code, f.owner_id, COUNT(*) FROM followups f \
             JOIN prospects p ON p.id = f.prospect_id \
             WHERE f.state IN {OPEN} AND f.due_at < $2 AND {} GROUP BY p.region_code, f.owner_id",
            scoped("p.region_code", 1)
        );
        type Count = (String, i64, i64);
        let (staff, created, contacts, sent, taken, won, overdue, names, regions) = on_pool!(self, p => async {
            let staff: Vec<(String, i64)> = sqlx::query_as(&staff_sql).bind(region).fetch_all(p).await?;
            let created: Vec<Count> =
                sqlx::query_as(&created_sql).bind(region).bind(from).bind(to).fetch_all(p).await?;
            let contacts: Vec<(String, i64, String, i64, i64)> =
                sqlx::query_as(&contacts_sql).bind(region).bind(from).bind(to).fetch_all(p).await?;
            let sent: Vec<Count> = sqlx::query_as(&sent_sql).bind(region).bind(from).bind(to).fetch_all(p).await?;
            let taken: Vec<Count> =
                sqlx::query_as(&taken_sql).bind(region).bind(from).bind(to).fetch_all(p).await?;
            let won: Vec<Count> = sqlx::query_as(&won_sql).bind(region).bind(from).bind(to).fetch_all(p).await?;
            let overdue: Vec<Count> = sqlx::query_as(&overdue_sql).bind(region).bind(now).fetch_all(p).await?;
            let names: Vec<(i64, String)> =
                sqlx::query_as("SELECT telegram_id, full_name FROM users").fetch_all(p).await?;
            let regions: Vec<(String, String)> =
                sqlx::query_as("SELECT code, name FROM regions").fetch_all(p).await?;
            Ok::<_, sqlx::Error>((staff, created, contacts, sent, taken, won, overdue, names, regions))
        }.await)?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        let regions: HashMap<String, String> = regions.into_iter().collect();
        let mut rows: BTreeMap<(String, i64), ActivityRow> = BTreeMap::new();
        let fresh = |region: &str, person: i64| ActivityRow {
            region: region.to_owned(),
            region_name: regions.get(region).cloned().unwrap_or_else(|| region.to_owned()),
            person_id: person,
            person_name: names.get(&person).cloned().unwrap_or_else(|| person.to_string()),
            ..ActivityRow::default()
        };
        macro_rules! row {
            ($region:expr, $person:expr) => {
                rows.entry(($region.to_owned(), $person)).or_insert_with(|| fresh(&$region, $person))
            };
        }
        for (region, person) in staff {
            row!(region, person);
        }
        for (region, person, n) in created {
            row!(region, person).new_prospects += n;
        }
        for (region, person, kind, n, positive) in contacts {
            let r = row!(region, person);
            if let Some(i) = Kind::ALL.iter().position(|k| k.as_str() == kind) {
                r.contacts[i] += n;
            }
            r.positive += positive;
        }
        for (region, person, n) in sent {
            row!(region, person).handoffs_sent += n;
        }
        for (region, person, n) in taken {
            row!(region, person).handoffs_taken += n;
        }
        for (region, person, n) in won {
            row!(region, person).handoffs_won += n;
        }
        for (region, person, n) in overdue {
            row!(region, person).overdue += n;
        }
        let mut rows: Vec<ActivityRow> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            (a.region.as_str(), a.person_name.to_lowercase())
                .cmp(&(b.region.as_str(), b.person_name.to_lowercase()))
        });
        Ok(rows)
    }

    async fn quality(&self, region: Option<&str>, now: DateTime<Utc>) -> StoreResult<Vec<QualityBucket>> {
        let sql = quality_sql();
        let stale_before = secs(now - Duration::days(STALE_DAYS));
        let (rows, names, regions) = on_pool!(self, p => async {
            let rows: Vec<BucketRow> =
                sqlx::query_as(&sql).bind(region).bind(secs(now)).bind(stale_before).fetch_all(p).await?;
            let names: Vec<(i64, String)> =
                sqlx::query_as("SELECT telegram_id, full_name FROM users").fetch_all(p).await?;
            let regions: Vec<(String, String)> =
                sqlx::query_as("SELECT code, name FROM regions").fetch_all(p).await?;
            Ok::<_, sqlx::Error>((rows, names, regions))
        }.await)?;
        let names: HashMap<i64, String> = names.into_iter().collect();
        let regions: HashMap<String, String> = regions.into_iter().collect();
        Ok(rows
            .into_iter()
            .map(|r| QualityBucket {
                region_name: regions.get(&r.region_code).cloned().unwrap_or_else(|| r.region_code.clone()),
                region: r.region_code,
                owner_name: names.get(&r.owner_id).cloned().unwrap_or_else(|| r.owner_id.to_string()),
                owner_id: r.owner_id,
                filled: r.filled,
                cards: r.cards,
                with_inn: r.with_inn,
                with_contact: r.with_contact,
                with_phone: r.with_phone,
                with_email: r.with_email,
                with_industry: r.with_industry,
                with_next: r.with_next,
                stale: r.stale,
                overdue: r.overdue,
            })
            .collect())
    }

    async fn stream_entries(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: Sender<EntryLine>,
    ) -> StoreResult<u64> {
        let sql = format!(
            "SELECT i.happened_at, {REGION_NAME}, u.full_name AS author, p.name AS company, p.inn, \
             i.kind, i.outcome, i.summary, p.contact_person FROM interactions i \
             JOIN prospects p ON p.id = i.prospect_id JOIN users u ON u.telegram_id = i.author_id \
             LEFT JOIN regions r ON r.code = p.region_code \
             WHERE i.happened_at >= $2 AND i.happened_at < $3 AND {} ORDER BY i.happened_at, i.id",
            entries_scoped(region)
        );
        Ok(stream_into!(self, sink, EntryLine, &sql, [region, secs(from), secs(to)])?)
    }

    async fn count_entries(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<u64> {
        // Every entry has its card and its author (foreign keys): the count needs no join
        // unless a division's cards are asked for.
        let sql = match region {
            Some(_) => format!(
                "SELECT COUNT(*) FROM interactions i JOIN prospects p ON p.id = i.prospect_id \
                 WHERE i.happened_at >= $2 AND i.happened_at < $3 AND {}",
                entries_scoped(region)
            ),
            None => "SELECT COUNT(*) FROM interactions i \
                     WHERE i.happened_at >= $2 AND i.happened_at < $3 AND CAST($1 AS TEXT) IS NULL"
                .to_owned(),
        };
        let (n,): (i64,) = on_pool!(self, p => sqlx::query_as(&sql)
            .bind(region)
            .bind(secs(from))
            .bind(secs(to))
            .fetch_one(p)
            .await)?;
        Ok(n.max(0) as u64)
    }

    async fn stream_handoffs(
        &self,
        region: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        sink: Sender<HandoffLine>,
    ) -> StoreResult<u64> {
        let within = |c: &str| format!("(h.{c} >= $2 AND h.{c} < $3)");
        let sql = format!(
            "SELECT h.id, h.created_at, COALESCE(r.name, h.region_code) AS region_name, p.name AS company, \
             p.inn, h.product, uf.full_name AS from_name, h.state, ut.full_name AS taken_name, h.taken_at, \
             h.closed_at FROM handoffs h JOIN prospects p ON p.id = h.prospect_id \
             LEFT JOIN regions r ON r.code = h.region_code \
             JOIN users uf ON uf.telegram_id = h.from_id LEFT JOIN users ut ON ut.telegram_id = h.taken_by \
             WHERE ({} OR {} OR {}) AND {} ORDER BY h.created_at, h.id",
            within("created_at"),
            within("taken_at"),
            within("closed_at"),
            scoped("h.region_code", 1)
        );
        Ok(stream_into!(self, sink, HandoffLine, &sql, [region, secs(from), secs(to)])?)
    }

    async fn stream_prospects(&self, region: Option<&str>, sink: Sender<ExportLine>) -> StoreResult<u64> {
        let sql = format!(
            "SELECT p.id, {}, p.status, u.full_name AS owner_name, {REGION_NAME}, p.created_at, p.updated_at, \
             (SELECT MIN(f.due_at) FROM followups f WHERE f.prospect_id = p.id AND f.state IN {OPEN}) \
             AS next_contact, p.owner_id, p.region_code, \
             (SELECT f.agreed FROM followups f WHERE f.prospect_id = p.id AND f.state IN {OPEN} \
              ORDER BY f.due_at, f.id LIMIT 1) AS next_agreed \
             FROM prospects p JOIN users u ON u.telegram_id = p.owner_id \
             LEFT JOIN regions r ON r.code = p.region_code \
             WHERE {} ORDER BY p.id",
            select_list(&FIELDS),
            scoped("p.region_code", 1)
        );
        Ok(stream_into!(self, sink, ExportLine, &sql, [region])?)
    }

    async fn audit_page(&self, subject: &str, offset: i64, limit: i64) -> StoreResult<(Vec<AuditLine>, i64)> {
        let page = "SELECT a.at, a.actor_id, u.full_name, a.action, a.details FROM audit_log a \
                    LEFT JOIN users u ON u.telegram_id = a.actor_id WHERE a.subject = $1 \
                    ORDER BY a.at DESC, a.id DESC LIMIT $2 OFFSET $3";
        let count = "SELECT COUNT(*) FROM audit_log WHERE subject = $1";
        type Row = (i64, Option<i64>, Option<String>, String, Option<String>);
        let (rows, total) = on_pool!(self, p => async {
            let rows: Vec<Row> =
                sqlx::query_as(page).bind(subject).bind(limit).bind(offset).fetch_all(p).await?;
            let (total,): (i64,) = sqlx::query_as(count).bind(subject).fetch_one(p).await?;
            Ok::<_, sqlx::Error>((rows, total))
        }.await)?;
        let lines = rows
            .into_iter()
            .map(|(at, actor, name, action, details)| AuditLine {
                record: AuditRecord {
                    at: instant(at),
                    actor: actor.and_then(|id| TelegramId::new(id).ok()),
                    action,
                    subject: Some(subject.to_owned()),
                    details,
                },
                actor_name: name,
            })
            .collect();
        Ok((lines, total))
    }

    async fn claim_report_week(&self, scope: &str, week: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        let sql = "INSERT INTO report_weeks (scope, week, created_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (scope, week) DO NOTHING";
        let claimed = on_pool!(self, p => sqlx::query(sql)
            .bind(scope)
            .bind(week)
            .bind(secs(now))
            .execute(p)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(claimed == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inn_check_in_sql_names_every_weight() {
        let sql = inn_valid("p.inn");
        assert!(sql.contains("LENGTH(p.inn) = 10"));
        assert!(sql.contains("8 * CAST(SUBSTR(p.inn, 11, 1) AS INTEGER)"), "{sql}");
    }
}
