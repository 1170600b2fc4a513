//! The Telegram channel: translates updates into domain calls and results into messages.
//!
//! `schema()` is the whole routing tree: every update passes the delivery check and the access
//! gate first, so no handler below can be reached by someone outside the whitelist.

pub(crate) mod agenda;
mod cards;
mod commands;
mod diary;
pub(crate) mod flow;
mod gate;
mod handoffs;
pub(crate) mod keyboards;
pub(crate) mod leads;
pub(crate) mod notices;
mod register;
mod reminders;
pub(crate) mod render;
mod reply;
mod reports;
mod requests;
mod routes;
mod start;
mod users;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

pub use commands::{Command, register_default_commands};
pub use flow::State;
pub use gate::Caller;
pub use reports::send_file;
pub use routes::{ChatCheck, check_route_chat};

pub use crate::ctx::Ctx;

pub type HandlerResult = anyhow::Result<()>;

pub fn schema() -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .filter_async(gate::not_yet_handled)
        .filter_map_async(gate::authorize)
        .branch(Update::filter_message().endpoint(start::on_message))
        .branch(Update::filter_callback_query().endpoint(start::on_callback))
}
