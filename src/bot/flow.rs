//! The state of each chat's current flow: one enum, each variant named for what the bot awaits
//! and carrying what was gathered so far. Kept in the `dialogues` table, so a half-filled flow
//! survives a restart.

use serde::{Deserialize, Serialize};
use teloxide::types::ChatId;

use super::Ctx;
use crate::domain::access::Role;
use crate::domain::diary::{Kind, Outcome};
use crate::domain::prospect::{Field, Product, codes};
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

codes! {
    /// The steps of the registration form, in order.
    NewStep {
        Name = "name",
        Inn = "inn",
        Kpp = "kpp",
        Ogrn = "ogrn",
        Industry = "industry",
        City = "city",
        Contact = "contact",
        Position = "position",
        Phone = "phone",
        Email = "email",
        Products = "products",
        Confirm = "confirm",
    }
}

/// A prospect being registered; each value already checked when it was typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub name: Option<String>,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub ogrn: Option<String>,
    pub industry: Option<String>,
    pub city: Option<String>,
    pub contact: Option<String>,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub products: Vec<Product>,
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
