//! A card's fields in the `prospects` table, mapped by the field table (`domain::fields`): the
//! columns a read selects and how a row's values come back, and the columns an insert writes.
//! Each field keeps its own typed column (a migration adds it); nothing here names a field.

use sqlx::{ColumnIndex, Decode, FromRow, Row, Type};

use crate::domain::fields::{FIELDS, FieldSpec};
use crate::domain::requisites::normalize_name;

/// The fields' columns on the alias `p`, in the table's order: `p.name, p.inn, …`.
pub(crate) fn select_list(table: &[FieldSpec]) -> String {
    table.iter().map(|f| format!("p.{}", f.column.name)).collect::<Vec<_>>().join(", ")
}

/// The columns an insert writes and their values: each field's column, and its normalized
/// companion kept in step for search (empty when the field is).
pub(crate) fn insert_values(
    table: &[FieldSpec],
    stored: impl Fn(&FieldSpec) -> Option<String>,
) -> Vec<(&'static str, Option<String>)> {
    let mut columns = vec![];
    for field in table {
        let value = stored(field);
        if let Some(normalized) = field.column.normalized {
            columns.push((normalized, Some(value.as_deref().map(normalize_name).unwrap_or_default())));
        }
        columns.push((field.column.name, value));
    }
    columns
}

/// The SQL that sets one field: its column, its normalized companion if it has one (`$3`), and
/// who changed the card when. `$1` is the card, `$2` the value.
pub(crate) fn update_sql(field: &FieldSpec) -> String {
    let column = field.column.name;
    match field.column.normalized {
        Some(norm) => format!(
            "UPDATE prospects SET {column} = $2, {norm} = $3, updated_by = $4, updated_at = $5 WHERE id = $1"
        ),
        None => format!("UPDATE prospects SET {column} = $2, updated_by = $3, updated_at = $4 WHERE id = $1"),
    }
}

/// The fields of one row as stored, read by the columns of [`FIELDS`].
#[derive(Debug, Clone, Default)]
pub struct CardColumns(Vec<Option<String>>);

impl CardColumns {
    /// The stored value of `field`, if it is filled.
    pub fn get(&self, field: &FieldSpec) -> Option<&str> {
        let i = FIELDS.iter().position(|f| f.code == field.code)?;
        self.0.get(i)?.as_deref()
    }
}

impl<'r, R: Row> FromRow<'r, R> for CardColumns
where
    &'r str: ColumnIndex<R>,
    String: Decode<'r, R::Database> + Type<R::Database>,
{
    fn from_row(row: &'r R) -> Result<Self, sqlx::Error> {
        FIELDS
            .iter()
            .map(|f| row.try_get::<Option<String>, _>(f.column.name))
            .collect::<Result<_, _>>()
            .map(Self)
    }
}
