//! The short summaries that go with the files, as HTML for a chat: names are escaped, and the
//! text stays within Telegram's 4096 characters (rows that do not fit are counted, not shown).

use chrono::{DateTime, Utc};

use super::Reader;
use super::chart::{self, Bar};
use crate::domain::diary::Kind;
use crate::domain::report::{ActivityReport, ActivityRow, QualityReport, ReportScope};
use crate::i18n::Args;

/// Telegram's limit on a message, less room for the closing line.
const TEXT_LIMIT: usize = 3900;

fn percent(value: f64) -> i64 {
    value.round() as i64
}

fn fill(reader: &Reader, mut lines: Vec<String>, rows: Vec<String>) -> String {
    let mut used: usize = lines.iter().map(|l| l.chars().count() + 1).sum();
    let mut shown = 0;
    for row in &rows {
        let len = row.chars().count() + 1;
        if used + len > TEXT_LIMIT {
            break;
        }
        used += len;
        lines.push(row.clone());
        shown += 1;
    }
    if shown < rows.len() {
        let more = (rows.len() - shown) as i64;
        lines.push(reader.i18n.get(reader.lang, "report-more-rows", Args::new().num("count", more)));
    }
    lines.join("\n")
}

fn scope_line(reader: &Reader, scope: &ReportScope, region_name: Option<&str>) -> String {
    let name = match scope {
        ReportScope::All => reader.t("report-scope-all"),
        ReportScope::Region(code) => region_name.map(str::to_owned).unwrap_or_else(|| code.to_string()),
    };
    reader.i18n.get(reader.lang, "report-scope", Args::new().text("name", name))
}

fn row_line(reader: &Reader, label: &str, row: &ActivityRow) -> String {
    reader.i18n.get(
        reader.lang,
        "report-row",
        Args::new()
            .text("name", label)
            .num("new", row.new_prospects)
            .num("contacts", row.contacts_total())
            .num("positive", row.positive)
            .num("sent", row.handoffs_sent)
            .num("overdue", row.overdue),
    )
}

/// The activity summary: totals, then a line per person (manager) or division (head office).
pub fn activity(reader: &Reader, report: &ActivityReport) -> String {
    let t = report.totals();
    let args = |a: Args| reader.i18n.get(reader.lang, "report-totals", a);
    let mut kinds = Args::new()
        .markup("period", report.period.label())
        .num("new", t.new_prospects)
        .num("contacts", t.contacts_total())
        .num("positive", t.positive)
        .num("sent", t.handoffs_sent)
        .num("taken", t.handoffs_taken)
        .num("won", t.handoffs_won)
        .num("overdue", t.overdue);
    for kind in Kind::ALL {
        let name = match kind {
            Kind::Call => "call",
            Kind::Meeting => "meeting",
            Kind::Email => "email",
            Kind::Messenger => "messenger",
            Kind::Other => "other",
        };
        kinds = kinds.num(name, t.contacts_of(*kind));
    }
    let head = vec![
        scope_line(reader, &report.scope, report.rows.first().map(|r| r.region_name.as_str())),
        args(kinds),
        String::new(),
    ];
    let (title, rows): (&str, Vec<String>) = match report.scope {
        ReportScope::All => (
            "report-by-region",
            report.by_region().iter().map(|r| row_line(reader, &r.region_name, r)).collect(),
        ),
        ReportScope::Region(_) => {
            ("report-by-person", report.rows.iter().map(|r| row_line(reader, &r.person_name, r)).collect())
        }
    };
    let mut lines = head;
    lines.push(reader.t(title));
    fill(reader, lines, rows)
}

/// The caption of the activity workbook and chart (Telegram allows 1024 characters).
pub fn activity_caption(reader: &Reader, report: &ActivityReport) -> String {
    reader.i18n.get(reader.lang, "report-caption", Args::new().markup("period", report.period.label()))
}

/// The activity chart: contacts and positive outcomes per person or division.
pub fn activity_chart(reader: &Reader, report: &ActivityReport) -> anyhow::Result<Vec<u8>> {
    let rows = match report.scope {
        ReportScope::All => report.by_region(),
        ReportScope::Region(_) => report.rows.clone(),
    };
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: if report.scope == ReportScope::All {
                r.region_name.clone()
            } else {
                r.person_name.clone()
            },
            values: vec![r.contacts_total() as f64, r.positive as f64],
        })
        .collect();
    let bars = chart::capped(bars, &reader.t("report-chart-others"));
    let title = reader.i18n.get(
        reader.lang,
        "report-chart-title",
        Args::new().markup("period", report.period.label()),
    );
    let division = scope_line(reader, &report.scope, report.rows.first().map(|r| r.region_name.as_str()));
    let series = [reader.t("report-col-contacts"), reader.t("report-col-positive")];
    chart::bars(&title, &division, &series, &bars, None, false)
}

fn local_date(reader: &Reader, at: DateTime<Utc>) -> String {
    at.with_timezone(&reader.tz).format("%d.%m.%Y").to_string()
}

/// The data-quality summary: totals, then rows ranked by completeness.
pub fn quality(reader: &Reader, report: &QualityReport, region_name: Option<&str>) -> String {
    let t = &report.total;
    let head = vec![
        reader.i18n.get(
            reader.lang,
            "quality-title",
            Args::new().markup("date", local_date(reader, report.at)),
        ),
        scope_line(reader, &report.scope, region_name),
        reader.i18n.get(
            reader.lang,
            "quality-totals",
            Args::new()
                .num("cards", t.cards)
                .num("completeness", percent(t.completeness()))
                .num("inn", percent(t.share(t.with_inn)))
                .num("contact", percent(t.share(t.with_contact)))
                .num("phone", percent(t.share(t.with_phone)))
                .num("email", percent(t.share(t.with_email)))
                .num("industry", percent(t.share(t.with_industry)))
                .num("next", percent(t.share(t.with_next)))
                .num("stale", t.stale)
                .num("overdue", t.overdue),
        ),
        String::new(),
        reader.t(match report.scope {
            ReportScope::All => "quality-by-region",
            ReportScope::Region(_) => "quality-by-person",
        }),
    ];
    let rows = report
        .rows
        .iter()
        .map(|r| {
            reader.i18n.get(
                reader.lang,
                "quality-row",
                Args::new()
                    .text("name", &r.label)
                    .num("cards", r.cards)
                    .num("completeness", percent(r.completeness()))
                    .num("stale", r.stale)
                    .num("overdue", r.overdue),
            )
        })
        .collect();
    fill(reader, head, rows)
}

/// The data-quality chart: groups ranked by average completeness.
pub fn quality_chart(
    reader: &Reader,
    report: &QualityReport,
    region_name: Option<&str>,
) -> anyhow::Result<Vec<u8>> {
    let bars: Vec<Bar> =
        report.rows.iter().map(|r| Bar { label: r.label.clone(), values: vec![r.completeness()] }).collect();
    let bars = if bars.len() > chart::MAX_BARS { bars[..chart::MAX_BARS].to_vec() } else { bars };
    let title = reader.i18n.get(
        reader.lang,
        "quality-chart-title",
        Args::new().markup("date", local_date(reader, report.at)),
    );
    let division = scope_line(reader, &report.scope, region_name);
    chart::bars(&title, &division, &[reader.t("quality-col-completeness")], &bars, Some(100.0), true)
}
