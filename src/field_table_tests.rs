//! The field table (`domain::fields::FIELDS`) drives every layer: the registration form, the
//! card, the edit screen, the workbook and the store's columns each list exactly its fields, in
//! its order, and a copy of it with one more optional text field shows that field in each.

use crate::domain::fields::{self, FIELDS, FieldKind, FieldSpec, Slot, Value, field};
use crate::domain::privacy::{ContactsInChat, Disclosure};
use crate::domain::prospect::Product;
use crate::i18n::{EN_FTL, RU_FTL, message_ids};
use crate::reports::xlsx::export_columns;
use crate::store::card::{insert_values, select_list, update_sql};

/// `FIELDS` with a website after the e-mail; for the test it is kept in `Details::city`.
fn with_website() -> Vec<FieldSpec> {
    let website = FieldSpec {
        export_width: 30.0,
        ..field(
            "website",
            "Website",
            FieldKind::Text,
            "website",
            Slot::Detail {
                get: |d| d.city.clone().map(Value::Text),
                set: |d, value| {
                    d.city = match value {
                        Some(Value::Text(text)) => Some(text),
                        _ => None,
                    }
                },
            },
        )
    };
    let mut table = FIELDS.to_vec();
    let at = table.iter().position(|f| f.code == "email").unwrap() + 1;
    table.insert(at, website);
    table
}

fn codes<'a>(fields: impl IntoIterator<Item = &'a FieldSpec>) -> Vec<&'static str> {
    fields.into_iter().map(|f| f.code).collect()
}

/// A company's card with every field filled, as stored.
fn stored(field: &FieldSpec) -> Option<String> {
    Some(
        match field.kind {
            FieldKind::Name => "ООО «Ромашка»",
            FieldKind::Inn => "7707083893",
            FieldKind::Kpp => "773601001",
            FieldKind::Ogrn => "1027700132195",
            FieldKind::Text if field.code == "website" => "romashka.ru",
            FieldKind::Text | FieldKind::Person => "Иван Петров",
            FieldKind::Phone => "+79123456789",
            FieldKind::Email => "ivan@romashka.ru",
            FieldKind::Products => "credit",
        }
        .to_owned(),
    )
}

fn check(table: &[FieldSpec]) {
    let all = codes(table);
    let website = all.contains(&"website");

    // The form asks every field of a company's card in the table's order.
    let mut asked = vec![];
    let mut after = None;
    while let Some(next) = fields::next_question(table, after, Some("7707083893"), |_| true) {
        asked.push(next.code);
        after = Some(next.code);
    }
    assert_eq!(asked, all, "the form's questions");

    // The card shows each filled field in order (personal data masked).
    let names = |p: &[Product]| p.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ");
    let shown = fields::shown(table, stored, Disclosure(ContactsInChat::Mask), &names);
    assert_eq!(codes(shown.iter().map(|s| s.field)), all, "the card's lines");
    assert!(shown.iter().any(|s| s.text == "Петров И."), "the contact person is masked");
    assert_eq!(website, shown.iter().any(|s| s.text == "romashka.ru"));

    // The edit screen offers every field that may change, the INN aside.
    let editable = codes(fields::editable(table, Some("7707083893")));
    assert_eq!(editable, all.iter().copied().filter(|c| *c != "inn").collect::<Vec<_>>(), "the edit buttons");

    // The workbook: the card's number, a column per field, then the bank's own columns.
    let columns = export_columns(table);
    assert_eq!(columns.len(), 1 + table.len() + 6);
    let headers: Vec<&str> = columns[1..=table.len()].iter().map(|(id, _)| id.as_str()).collect();
    let labels: Vec<String> =
        table.iter().map(|f| f.export_header.map_or_else(|| f.label(), str::to_owned)).collect();
    assert_eq!(headers, labels, "the workbook's columns");
    assert_eq!(website, headers.contains(&"field-website"));

    // The store: a column per field (and the search companions), in the table's order.
    let select: Vec<String> = table.iter().map(|f| format!("p.{}", f.column.name)).collect();
    assert_eq!(select_list(table), select.join(", "), "the columns read");
    let written: Vec<&str> =
        insert_values(table, stored).into_iter().filter(|(_, v)| v.is_some()).map(|(c, _)| c).collect();
    let mut expected = vec![];
    for f in table {
        expected.extend(f.column.normalized);
        expected.push(f.column.name);
    }
    assert_eq!(written, expected, "the columns written");
    for f in table {
        assert!(update_sql(f).starts_with(&format!("UPDATE prospects SET {} = $2", f.column.name)));
    }

    // And a card checked from the form's values carries the new one.
    let card = fields::check(table, stored).unwrap();
    let city = card.details.city.as_deref();
    assert_eq!(city, Some(if website { "romashka.ru" } else { "Иван Петров" }));
}

#[test]
fn every_layer_lists_exactly_the_tables_fields_in_order() {
    check(&FIELDS);
}

#[test]
fn a_field_added_to_a_copy_of_the_table_appears_in_every_layer() {
    check(&with_website());
}

#[test]
fn every_field_has_its_label_and_question_in_both_languages() {
    for source in [RU_FTL, EN_FTL] {
        let ids = message_ids(source);
        for f in &FIELDS {
            assert!(ids.contains(&f.label()), "{}", f.label());
            assert!(ids.contains(&f.question()), "{}", f.question());
            if let Some(header) = f.export_header {
                assert!(ids.iter().any(|id| id == header), "{header}");
            }
        }
    }
}
