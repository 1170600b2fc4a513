//! The state of each chat's current flow: one enum, each variant named for what the bot awaits
//! and carrying what was gathered so far. Kept in the `dialogues` table, so a half-filled flow
//! survives a restart.

use serde::{Deserialize, Serialize};
use teloxide::types::ChatId;

use super::Ctx;
use crate::domain::access::Role;

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
}

pub async fn load(ctx: &Ctx, chat: ChatId) -> anyhow::Result<State> {
    let Some(json) = ctx.store.dialogue(chat.0).await? else {
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
    ctx.store
        .set_dialogue(chat.0, &json, ctx.clock.now())
        .await?;
    Ok(())
}

pub async fn clear(ctx: &Ctx, chat: ChatId) -> anyhow::Result<()> {
    ctx.store.remove_dialogue(chat.0).await?;
    Ok(())
}
