use chrono::NaiveDate;

use super::*;

fn row(line: u64, cells: &[&str]) -> SourceRow {
    SourceRow { line, cells: cells.iter().map(|c| Cell::Text((*c).to_owned())).collect() }
}

#[test]
fn headers_are_read_in_any_language_order_and_case() {
    let header =
        Header::read(&row(1, &["инн", "НАИМЕНОВАНИЕ", "Phone", "Ёмкость", "e-mail", "Ответственный"]))
            .expect("a header");
    assert_eq!(header.unknown, ["Ёмкость"]);
    let named: Vec<&str> = header.columns.iter().map(|c| c.map(Column::header).unwrap_or("-")).collect();
    assert_eq!(named, ["ИНН", "Наименование", "Телефон", "-", "E-mail", "Ответственный"]);
}

#[test]
fn the_header_may_follow_a_title_and_must_name_the_company_and_its_inn() {
    let rows = [row(1, &["Клиенты на 01.12.2026"]), row(2, &["Наименование", "ИНН", "Город"])];
    assert_eq!(Header::find(&rows).unwrap().line, 2);
    let no_inn = [row(1, &["Наименование", "Город"])];
    assert_eq!(Header::find(&no_inn).unwrap_err(), FileProblem::MissingColumns(vec!["ИНН"]));
    assert_eq!(Header::find(&[row(1, &["a", "b"])]).unwrap_err(), FileProblem::NoHeader);
    assert_eq!(Header::find(&[row(1, &["", " "])]).unwrap_err(), FileProblem::Empty);
}

#[test]
fn the_export_writes_every_field_of_the_table_and_the_five_other_columns() {
    let headers: Vec<&str> = Column::all().into_iter().map(Column::header).collect();
    assert_eq!(headers.len(), crate::domain::fields::FIELDS.len() + 5);
    assert!(headers.iter().all(|h| Column::named(h).is_some()), "{headers:?}");
}

#[test]
fn cells_read_as_text_and_dates_in_both_forms() {
    assert_eq!(Cell::Number(7707083893.0).text().as_deref(), Some("7707083893"));
    let at = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap().and_hms_opt(15, 30, 0).unwrap();
    assert_eq!(next_contact(&Cell::Text("25.12.2026 15:30".into())), Ok(Some(at)));
    assert_eq!(next_contact(&Cell::Date(at)), Ok(Some(at)));
    let morning = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap().and_hms_opt(10, 0, 0).unwrap();
    assert_eq!(next_contact(&Cell::Text("25.12.2026".into())), Ok(Some(morning)));
    assert_eq!(
        next_contact(&Cell::Number(46016.0)),
        Ok(Some(NaiveDate::from_ymd_opt(2025, 12, 25).unwrap().and_hms_opt(0, 0, 0).unwrap()))
    );
    assert!(next_contact(&Cell::Text("завтра".into())).is_err());
}

#[test]
fn a_short_russian_phone_says_how_many_digits_it_has() {
    assert_eq!(phone_digits("8 912 345-67-8"), None);
    assert_eq!(phone_digits("912 345 67 8"), Some(9));
    assert_eq!(phone_digits("+7 912 345 67 8"), Some(9));
    assert_eq!(phone_digits("+44 20 7946 0958"), None);
}

#[test]
fn products_and_statuses_read_by_code_or_name() {
    let words = Vocabulary {
        products: vec![("кредит".into(), Product::Credit), ("РКО".into(), Product::Settlement)],
        statuses: vec![("в работе".into(), Status::InTalks)],
    };
    assert_eq!(
        words.products("Кредит; рко, fx"),
        Ok(vec![Product::Credit, Product::Settlement, Product::Fx])
    );
    assert_eq!(words.products("кредит, ипотека"), Err("ипотека".to_owned()));
    assert_eq!(words.status("В работе"), Some(Status::InTalks));
    assert_eq!(words.status("in_talks"), Some(Status::InTalks));
}
