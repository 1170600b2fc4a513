//! The state of each chat's current flow: one enum, each variant named for what the bot awaits
//! and carrying what was gathered so far (a form's draft is its flow's: `register/state.rs`,
//! `diary/state.rs`). Kept in the `dialogues` table, so a half-filled flow survives a restart;
//! the router loads it where it routes by it (`router::by_state`).

use serde::{Deserialize, Serialize};
use teloxide::types::ChatId;

use super::Ctx;
pub use super::diary::state::{LogDraft, LogStep};
pub use super::register::state::{Draft, NewStep};
use crate::domain::access::Role;
use crate::domain::fields::Field;
use crate::domain::prospect::Product;
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
    /// An admin marking `user` away: awaiting the first and the last day of the leave.
    AwaitLeave {
        user: i64,
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
