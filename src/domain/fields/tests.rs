//! The field table's own checks.

use super::*;

fn named(code: &str) -> Field {
    Field::named(code).unwrap()
}

#[test]
fn each_field_has_its_own_check_and_its_own_error() {
    let inn = Inn::parse("7707083893").unwrap();
    assert_eq!(named("city").parse("  Тверь ", None), Ok(Value::Text("Тверь".into())));
    assert_eq!(named("city").parse("", None), Err(RequisiteError::ShortText));
    assert_eq!(named("position").parse(&"д".repeat(129), None), Err(RequisiteError::ShortText));
    assert_eq!(named("name").parse("", None), Err(RequisiteError::CompanyName));
    assert_eq!(named("kpp").parse("773601001", None), Err(RequisiteError::Inn), "no INN yet");
    assert!(matches!(named("kpp").parse("773601001", Some(&inn)), Ok(Value::Kpp(_))));
    assert_eq!(named("phone").parse("позвоните", None), Err(RequisiteError::Phone));
}

#[test]
fn the_table_keeps_its_invariants() {
    let codes: Vec<&str> = FIELDS.iter().map(|f| f.code).collect();
    let mut unique = codes.clone();
    unique.dedup();
    assert_eq!(codes, unique);
    assert_eq!(FIELDS.iter().filter(|f| matches!(f.slot, Slot::Name)).count(), 1);
    let inn = codes.iter().position(|c| *c == "inn").unwrap();
    for f in FIELDS.iter().filter(|f| matches!(f.kind, FieldKind::Kpp | FieldKind::Ogrn)) {
        assert!(codes.iter().position(|c| *c == f.code).unwrap() > inn, "{} after the INN", f.code);
    }
    for f in &FIELDS {
        assert!(f.qualifies.is_none_or(|q| codes.contains(&q)), "{}", f.code);
    }
}

#[test]
fn fields_are_named_by_code_and_read_from_states_saved_before_the_table() {
    assert_eq!(named("contact").to_string(), "contact");
    assert_eq!(format!("{:?}", named("contact")), "ContactPerson", "as the audit trail names it");
    for old in ["ContactPerson", "Contact", "contact"] {
        assert_eq!(Field::try_from(old.to_owned()), Ok(named("contact")));
    }
    assert!("ContactPerson".parse::<Field>().is_err(), "button data is by code only");
    let json = serde_json::to_string(&named("phone")).unwrap();
    assert_eq!(json, "\"phone\"");
}

#[test]
fn a_stored_card_reads_back_and_a_corrupt_name_is_named() {
    let stored = |f: &FieldSpec| match f.code {
        "name" => Some("ООО «Ромашка»"),
        "inn" => Some("7707083893"),
        "kpp" => Some("bogus"),
        "city" => Some("Тверь"),
        "products" => Some("credit,fx"),
        _ => None,
    };
    let card = load(&FIELDS, stored).unwrap();
    assert_eq!(card.details.kpp, None, "an invalid detail is left out");
    assert_eq!(card.details.city.as_deref(), Some("Тверь"));
    assert_eq!(card.details.products, vec![Product::Credit, Product::Fx]);
    let corrupt = |f: &FieldSpec| if f.code == "name" { Some("") } else { stored(f) };
    assert_eq!(load(&FIELDS, corrupt).unwrap_err(), "name");
}
