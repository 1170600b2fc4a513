//! The state of each chat's current flow: one enum, each variant named for what the bot awaits
//! and carrying what was gathered so far. Kept in the `dialogues` table, so a half-filled flow
//! survives a restart.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use teloxide::types::ChatId;

use super::Ctx;
use crate::domain::access::Role;
use crate::domain::diary::{Kind, Outcome};
use crate::domain::fields::{FIELDS, Field, FieldKind, FieldSpec, Value};
use crate::domain::prospect::{Product, codes, products_to_text};
use crate::domain::session;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub enum State {
    #[default]
    Idle,
    /// Admin adding a user: awaiting the Telegram id.
    AwaitUserId,
    AwaitUserName {
        id: i64,
    },
    AwaitUserRole {
        id: i64,
        name: String,
    },
    AwaitUserRegion {
        id: i64,
        name: String,
        role: Role,
    },
    ConfirmUser {
        id: i64,
        name: String,
        role: Role,
        region: Option<String>,
    },
    /// Registering a prospect: what was typed so far, the step awaited, and whether the person
    /// came from the summary to change one field (then they go back to it).
    NewProspect {
        draft: Draft,
        step: NewStep,
        editing: bool,
    },
    /// Editing one field of a card.
    EditField {
        id: i64,
        field: Field,
    },
    EditProducts {
        id: i64,
        products: Vec<Product>,
    },
    /// `/log` without a card: awaiting its number or INN.
    LogCard,
    /// `/find` without words: awaiting what to find.
    AwaitFind,
    Log {
        draft: LogDraft,
        step: LogStep,
    },
    /// The card's "schedule" button: awaiting the date (and then the time).
    Schedule {
        id: i64,
        day: Option<chrono::NaiveDate>,
    },
    /// Scheduling chose a moment more than a year ahead (a Unix second): awaiting confirmation.
    ScheduleFar {
        id: i64,
        due: i64,
    },
    /// An officer declining a lead (or closing it as lost): awaiting the reason.
    HandoffReason {
        id: i64,
        lost: bool,
    },
}

impl State {
    /// The steps of adding a person (`/users add`).
    pub fn adds_user(&self) -> bool {
        matches!(
            self,
            State::AwaitUserId
                | State::AwaitUserName { .. }
                | State::AwaitUserRole { .. }
                | State::AwaitUserRegion { .. }
                | State::ConfirmUser { .. }
        )
    }

    /// The step's name, for a log line: never what was gathered.
    pub fn name(&self) -> String {
        format!("{self:?}").split([' ', '{', '(']).next().unwrap_or_default().to_owned()
    }
}

/// A step of the registration form: a field's question (in the order of `FIELDS`), or the
/// summary to confirm. Named by the field's code, or `confirm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum NewStep {
    Ask(Field),
    Confirm,
}

impl NewStep {
    /// The field a step asks for with buttons rather than text (the products).
    pub fn is_products(self) -> bool {
        matches!(self, NewStep::Ask(field) if field.kind == FieldKind::Products)
    }
}

impl fmt::Display for NewStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewStep::Ask(field) => field.fmt(f),
            NewStep::Confirm => f.write_str("confirm"),
        }
    }
}

impl FromStr for NewStep {
    type Err = ();

    fn from_str(code: &str) -> Result<Self, ()> {
        if code == "confirm" { Ok(NewStep::Confirm) } else { code.parse().map(NewStep::Ask) }
    }
}

impl From<NewStep> for String {
    fn from(step: NewStep) -> String {
        step.to_string()
    }
}

impl TryFrom<String> for NewStep {
    type Error = String;

    // States saved before the field table wrote `Confirm` and `Contact`: still read.
    fn try_from(code: String) -> Result<Self, String> {
        if code.eq_ignore_ascii_case("confirm") {
            return Ok(NewStep::Confirm);
        }
        Field::try_from(code).map(NewStep::Ask)
    }
}

/// A prospect being registered; each value already checked when it was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The typed values as stored, by field code.
    #[serde(flatten)]
    pub values: BTreeMap<String, Option<String>>,
    pub products: Vec<Product>,
}

impl Draft {
    /// The value of `field` as stored; the products always (none chosen is a value too).
    pub fn stored(&self, field: &FieldSpec) -> Option<String> {
        if field.kind == FieldKind::Products {
            return Some(products_to_text(&self.products));
        }
        self.values.get(field.code).cloned().flatten()
    }

    pub fn filled(&self, code: &str) -> bool {
        self.values.get(code).is_some_and(Option::is_some)
    }

    /// The INN as typed, once it is.
    pub fn inn(&self) -> Option<&str> {
        let field = FIELDS.iter().find(|f| f.kind == FieldKind::Inn)?;
        self.values.get(field.code)?.as_deref()
    }

    /// Puts a checked value in; a value that no longer applies (a KPP once the INN is a sole
    /// proprietor's) is dropped.
    pub fn set(&mut self, field: &FieldSpec, value: Value) {
        match value {
            Value::Products(products) => self.products = products,
            value => {
                self.values.insert(field.code.to_owned(), Some(value.stored()));
            }
        }
        let inn = self.inn().map(str::to_owned);
        self.values.retain(|code, _| Field::named(code).is_none_or(|f| f.applies_to(inn.as_deref())));
    }
}

codes! {
    /// The steps of a diary entry.
    LogStep {
        Kind = "kind",
        Outcome = "outcome",
        Summary = "summary",
        Products = "products",
        Next = "next",
        // A next contact more than a year ahead: awaiting "yes, that is right" or another one.
        Far = "far",
        Confirm = "confirm",
    }
}

/// A diary entry being written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogDraft {
    pub prospect: i64,
    pub kind: Option<Kind>,
    pub outcome: Option<Outcome>,
    pub summary: String,
    pub products: Vec<Product>,
    /// The next contact as a Unix second, once chosen.
    pub next: Option<i64>,
    /// "No next contact" was chosen.
    pub no_next: bool,
    /// A day picked in the calendar, awaiting its time.
    pub day: Option<chrono::NaiveDate>,
}

pub async fn load(ctx: &Ctx, chat: ChatId) -> anyhow::Result<State> {
    let Some(json) = session::flow(ctx.store.as_ref(), chat.0).await? else {
        return Ok(State::Idle);
    };
    Ok(serde_json::from_str(&json).unwrap_or_else(|e| {
        // A state written by an older release: start afresh rather than fail every message.
        tracing::warn!(chat = chat.0, error = %e, "unreadable flow state dropped");
        State::Idle
    }))
}

pub async fn save(ctx: &Ctx, chat: ChatId, state: &State) -> anyhow::Result<()> {
    if *state == State::Idle {
        return clear(ctx, chat).await;
    }
    let json = serde_json::to_string(state)?;
    session::keep_flow(ctx.store.as_ref(), chat.0, &json, ctx.clock.now()).await?;
    Ok(())
}

pub async fn clear(ctx: &Ctx, chat: ChatId) -> anyhow::Result<()> {
    session::end_flow(ctx.store.as_ref(), chat.0).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_saved_before_the_field_table_is_still_read() {
        let json = r#"{"NewProspect":{"draft":{"name":"ООО Ромашка","inn":"7707083893","kpp":null,
            "ogrn":null,"industry":"Торговля","city":null,"contact":"Иван Петров","position":null,
            "phone":null,"email":null,"products":["Credit"]},"step":"Contact","editing":false}}"#;
        let State::NewProspect { draft, step, editing } = serde_json::from_str(json).unwrap() else {
            panic!("a registration form");
        };
        assert_eq!(step, NewStep::Ask(Field::named("contact").unwrap()));
        assert!(!editing);
        assert_eq!(draft.inn(), Some("7707083893"));
        assert!(draft.filled("industry") && !draft.filled("kpp"));
        assert_eq!(draft.products, vec![Product::Credit]);
        let again: State = serde_json::from_str(
            &serde_json::to_string(&State::NewProspect {
                draft: draft.clone(),
                step: NewStep::Confirm,
                editing,
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(again, State::NewProspect { draft, step: NewStep::Confirm, editing });
    }
}
