//! The cards an import updates (`--on-duplicate update`), written many to a statement: the
//! rows that set the same fields share an `UPDATE … FROM (VALUES …)`, which sets each card's
//! non-empty editable fields (with their normalized companions), its status, and who changed
//! it when — what setting them one by one did, in a few statements instead of a dozen a card.

use std::collections::HashSet;

use crate::domain::fields::{FIELDS, FieldSpec};
use crate::domain::import::Incoming;
use crate::domain::prospect::ProspectId;
use crate::domain::requisites::normalize_name;

/// Cards that set the same fields, updated by one statement.
#[derive(Debug)]
pub(super) struct UpdateBatch<'a> {
    /// The fields set, by their place in [`FIELDS`].
    fields: Vec<usize>,
    pub rows: Vec<&'a (ProspectId, Incoming)>,
}

/// The fields a row sets: the editable ones whose cells are not empty.
fn fields_set(row: &Incoming) -> Vec<usize> {
    FIELDS
        .iter()
        .enumerate()
        .filter(|(_, f)| f.editable && row.prospect.stored(f).is_some_and(|v| !v.is_empty()))
        .map(|(i, _)| i)
        .collect()
}

impl UpdateBatch<'_> {
    fn specs(&self) -> impl Iterator<Item = &'static FieldSpec> + '_ {
        self.fields.iter().map(|i| &FIELDS[*i])
    }

    /// The columns set from each row's values: a field's own, then its normalized companion.
    fn columns(&self) -> Vec<&'static str> {
        self.specs().flat_map(|f| std::iter::once(f.column.name).chain(f.column.normalized)).collect()
    }

    /// Parameters a row binds: the card, its values, its status and who changed it.
    fn width(&self) -> usize {
        self.columns().len() + 3
    }

    /// How many rows one statement takes within `max_params` (the time is bound once).
    fn capacity(&self, max_params: usize) -> usize {
        (max_params.saturating_sub(1) / self.width()).max(1)
    }

    /// `$1` is the time; each row binds the card, [`UpdateBatch::values`], its status and who
    /// changed it, in turn.
    pub fn sql(&self) -> String {
        let width = self.width();
        let columns = self.columns();
        let mut set: Vec<String> =
            columns.iter().enumerate().map(|(i, column)| format!("{column} = v.column{}", i + 2)).collect();
        set.push(format!("status = v.column{}", width - 1));
        set.push(format!("updated_by = v.column{width}"));
        set.push("updated_at = $1".to_owned());
        let tuples: Vec<String> = (0..self.rows.len())
            .map(|r| {
                let first = 2 + r * width;
                let params: Vec<String> = (first..first + width).map(|i| format!("${i}")).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        format!(
            "UPDATE prospects SET {} FROM (VALUES {}) AS v WHERE prospects.id = v.column1",
            set.join(", "),
            tuples.join(", ")
        )
    }

    /// A row's values in the order of the statement's columns.
    pub fn values(&self, row: &Incoming) -> Vec<String> {
        let mut values = vec![];
        for field in self.specs() {
            let value = row.prospect.stored(field).unwrap_or_default();
            let normalized = field.column.normalized.map(|_| normalize_name(&value));
            values.push(value);
            values.extend(normalized);
        }
        values
    }
}

/// The statements that write `updates`, in the order to run them. A card named twice (which
/// the import's own checks never let through) has its later row in a later statement, so the
/// later row still wins, as when each was written in turn.
pub(super) fn plan(updates: &[(ProspectId, Incoming)], max_params: usize) -> Vec<UpdateBatch<'_>> {
    let mut planned = vec![];
    let mut open: Vec<UpdateBatch> = vec![];
    let mut open_ids = HashSet::new();
    for row in updates {
        if !open_ids.insert(row.0.0) {
            planned.append(&mut open);
            open_ids.clear();
            open_ids.insert(row.0.0);
        }
        let fields = fields_set(&row.1);
        let i = match open.iter().position(|b| b.fields == fields) {
            Some(i) => i,
            None => {
                open.push(UpdateBatch { fields, rows: vec![] });
                open.len() - 1
            }
        };
        open[i].rows.push(row);
        if open[i].rows.len() >= open[i].capacity(max_params) {
            let full = open.remove(i);
            for (id, _) in &full.rows {
                open_ids.remove(&id.0);
            }
            planned.push(full);
        }
    }
    planned.append(&mut open);
    planned
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::audit::{AuditAction, AuditRecord};
    use crate::domain::ids::{RegionCode, TelegramId};
    use crate::domain::prospect::{Details, NewProspect, Status};
    use crate::domain::requisites::{CompanyName, Inn};

    /// An update of card `id` to `name`, with the city when one is given.
    fn update(id: i64, name: &str, city: Option<&str>) -> (ProspectId, Incoming) {
        let prospect = NewProspect {
            name: CompanyName::parse(name).unwrap(),
            inn: Inn::parse("7707083893").unwrap(),
            details: Details { city: city.map(str::to_owned), ..Details::default() },
            owner: TelegramId::new(101).unwrap(),
            region: RegionCode::parse("MSK").unwrap(),
        };
        let record = AuditRecord::new(Utc::now(), None, AuditAction::CardEdited);
        (ProspectId(id), Incoming { line: 1, prospect, status: Status::New, next_contact: None, record })
    }

    fn ids(batch: &UpdateBatch) -> Vec<i64> {
        batch.rows.iter().map(|(id, _)| id.0).collect()
    }

    #[test]
    fn rows_that_set_the_same_fields_share_statements_within_the_parameter_limit() {
        // The name and its normalized companion, the card, the status and who: 5 a row, and
        // the time once: 79 rows in 400 parameters.
        let mut updates: Vec<_> = (1..=100).map(|id| update(id, "ООО Ромашка", None)).collect();
        updates.insert(50, update(500, "ООО Лютик", Some("Тверь")));
        let planned = plan(&updates, 400);
        let sizes: Vec<usize> = planned.iter().map(|b| b.rows.len()).collect();
        assert_eq!(sizes, [79, 1, 21]);
        assert_eq!(ids(&planned[1]), [500]);
        assert_eq!(planned[1].values(&updates[50].1), ["ООО Лютик", "лютик", "Тверь"]);
        assert_eq!(
            planned[1].sql(),
            "UPDATE prospects SET name = v.column2, name_norm = v.column3, city = v.column4, \
             status = v.column5, updated_by = v.column6, updated_at = $1 \
             FROM (VALUES ($2, $3, $4, $5, $6, $7)) AS v WHERE prospects.id = v.column1"
        );
    }

    #[test]
    fn a_card_named_twice_is_written_in_turn_so_its_later_row_wins() {
        let updates = [
            update(1, "ООО Первое", Some("Тверь")),
            update(2, "ООО Другое", None),
            update(1, "ООО Второе", None),
        ];
        let planned: Vec<Vec<i64>> = plan(&updates, 400).iter().map(ids).collect();
        assert_eq!(planned, [vec![1], vec![2], vec![1]]);
    }
}
