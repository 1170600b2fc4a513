//! What an import says, in the reader's language: why a row was rejected («ИНН: неверная
//! контрольная цифра»), the preview's counts with their plural forms, the names of products,
//! statuses and roles a file may use. Plain text: the error workbook and the CLI are not HTML.

use crate::domain::access::{AccessError, Lang, Role};
use crate::domain::fields::Field;
use crate::domain::import::users::UserProblem;
use crate::domain::import::{FileProblem, HEADER_SEARCH_ROWS, Outcome, Problem, Vocabulary};
use crate::domain::prospect::{Product, Status};
use crate::domain::requisites::RequisiteError;
use crate::i18n::{Args, I18n, count, requisite_error_id};

/// A field's label as it starts a reason: «телефон», but «ИНН», «E-mail».
fn label(i18n: &I18n, lang: Lang, code: &str) -> String {
    let id = Field::named(code).map(|f| f.label()).unwrap_or_else(|| code.to_owned());
    let label = i18n.t(lang, &id);
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if second.is_lowercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        _ => label,
    }
}

/// What is wrong with a whole file, and what to do about it.
pub fn file_problem(i18n: &I18n, lang: Lang, problem: &FileProblem) -> String {
    let t = |id: &str, args: Args| i18n.get(lang, id, args);
    match problem {
        FileProblem::NotSpreadsheet => t("import-file-not-spreadsheet", Args::new()),
        FileProblem::OldExcel => t("import-file-old-excel", Args::new()),
        FileProblem::Empty => t("import-file-empty", Args::new()),
        FileProblem::NoHeader => {
            t("import-file-no-header", Args::new().num("rows", HEADER_SEARCH_ROWS as i64))
        }
        FileProblem::MissingColumns(columns) => {
            t("import-file-missing-columns", Args::new().markup("columns", columns.join(", ")))
        }
        FileProblem::Password => t("import-file-password", Args::new()),
        FileProblem::Formula(cell) => t("import-file-formula", Args::new().markup("cell", cell.clone())),
        FileProblem::Merged(range) => t("import-file-merged", Args::new().markup("range", range.clone())),
        FileProblem::TooLarge(_) => t("import-too-large", Args::new()),
        FileProblem::Unreadable(why) => t("import-file-unreadable", Args::new().markup("why", why.clone())),
    }
}

/// Why a row was rejected, in words.
pub fn problem(i18n: &I18n, lang: Lang, problem: &Problem) -> String {
    let t = |id: &str, args: Args| i18n.get(lang, id, args);
    match problem {
        Problem::Field { field, error: RequisiteError::InnCheckDigit, .. } => {
            t("import-err-check-digit", Args::new().markup("field", label(i18n, lang, field)))
        }
        Problem::Field { field, error: RequisiteError::Phone, digits: Some(n) } => t(
            "import-err-phone-digits",
            Args::new().markup("field", label(i18n, lang, field)).num("count", *n as i64),
        ),
        Problem::Field { field, error, .. } => t(
            "import-err-field",
            Args::new()
                .markup("field", label(i18n, lang, field))
                .markup("reason", i18n.t(lang, requisite_error_id(error))),
        ),
        Problem::Missing(field) => {
            t("import-err-missing", Args::new().markup("field", label(i18n, lang, field)))
        }
        Problem::UnknownProduct(word) => t("import-err-product", Args::new().markup("word", word.clone())),
        Problem::UnknownStatus(word) => t("import-err-status", Args::new().markup("word", word.clone())),
        Problem::BadDate(text) => t("import-err-date", Args::new().markup("text", text.clone())),
        Problem::BadComment => t("import-err-comment", Args::new()),
        Problem::UnknownOwner(text) => t("import-err-owner", Args::new().markup("owner", text.clone())),
        Problem::OwnerNotThere { owner, division } => t(
            "import-err-owner-elsewhere",
            Args::new().markup("owner", owner.clone()).markup("division", division.clone()),
        ),
        Problem::NoOwner => t("import-err-no-owner", Args::new()),
        Problem::UnknownDivision(text) => {
            t("import-err-division", Args::new().markup("division", text.clone()))
        }
        Problem::NoDivision => t("import-err-no-division", Args::new()),
        Problem::DivisionNotYours(name) => {
            t("import-err-not-your-division", Args::new().markup("division", name.clone()))
        }
        Problem::InnElsewhere { division } => {
            t("import-err-inn-elsewhere", Args::new().markup("division", division.clone()))
        }
        Problem::InnRepeated { line } => t("import-err-inn-repeated", Args::new().num("line", *line as i64)),
        Problem::PhoneRepeated { line } => {
            t("import-err-phone-repeated", Args::new().num("line", *line as i64))
        }
        Problem::PhoneTaken { card, name } => {
            t("import-err-phone-taken", Args::new().markup("name", name.clone()).num("card", *card))
        }
    }
}

/// Why a person of a staff list was not whitelisted, in words.
pub fn user_problem(i18n: &I18n, lang: Lang, problem: &UserProblem) -> String {
    let t = |id: &str, args: Args| i18n.get(lang, id, args);
    match problem {
        UserProblem::BadId(text) => t("import-err-user-id", Args::new().markup("text", text.clone())),
        UserProblem::BadName => i18n.t(lang, "err-full-name"),
        UserProblem::UnknownRole(text) => t("import-err-role", Args::new().markup("role", text.clone())),
        UserProblem::UnknownDivision(text) => {
            t("import-err-division", Args::new().markup("division", text.clone()))
        }
        UserProblem::Placement(AccessError::RegionRequired(role)) => {
            t("err-region-required", Args::new().markup("role", i18n.t(lang, &format!("role-{role}"))))
        }
        UserProblem::Placement(AccessError::RegionNotAllowed(role)) => {
            t("err-region-not-allowed", Args::new().markup("role", i18n.t(lang, &format!("role-{role}"))))
        }
        UserProblem::Placement(err) => {
            t("import-err-placement", Args::new().markup("reason", err.to_string()))
        }
        UserProblem::Exists(id) => t("err-user-exists", Args::new().markup("id", id.to_string())),
        UserProblem::Repeated { line } => {
            t("import-err-user-repeated", Args::new().num("line", *line as i64))
        }
    }
}

/// All of a row's reasons, one after another.
pub fn problems(i18n: &I18n, lang: Lang, problems: &[Problem]) -> String {
    problems.iter().map(|p| problem(i18n, lang, p)).collect::<Vec<_>>().join("; ")
}

/// «1 240 строк: 1 180 новых, 35 уже в базе (будут пропущены), 25 с ошибками».
pub fn preview(i18n: &I18n, lang: Lang, outcome: &Outcome, update: bool) -> String {
    let id = if update { "import-preview-update" } else { "import-preview" };
    let n = |v: u64| v as i64;
    i18n.get(
        lang,
        id,
        Args::new()
            .num("rows", n(outcome.rows))
            .markup("rows_text", count(outcome.rows))
            .num("new", n(outcome.new))
            .markup("new_text", count(outcome.new))
            .num("existing", n(outcome.existing))
            .markup("existing_text", count(outcome.existing))
            .num("rejected", n(outcome.rejected))
            .markup("rejected_text", count(outcome.rejected)),
    )
}

/// The names a file may give products, statuses and roles: the labels in every language.
pub fn vocabulary(i18n: &I18n) -> Vocabulary {
    let mut words = Vocabulary::default();
    for lang in [Lang::Ru, Lang::En] {
        for p in Product::ALL {
            words.products.push((i18n.t(lang, &format!("product-{p}")), *p));
        }
        for s in Status::ALL {
            words.statuses.push((i18n.t(lang, &format!("status-{s}")), *s));
        }
    }
    words
}

/// The names of roles, in every language.
pub fn roles(i18n: &I18n) -> Vec<(String, Role)> {
    let mut roles = vec![];
    for lang in [Lang::Ru, Lang::En] {
        for role in Role::ALL {
            roles.push((i18n.t(lang, &format!("role-{role}")), role));
        }
    }
    roles
}
