//! The Telegram channel: translates updates into domain calls and results into messages.
//!
//! `schema()` is the whole routing tree: every update passes the delivery check and the access
//! gate first, so no handler below can be reached by someone outside the whitelist.

mod cards;
mod commands;
mod diary;
pub(crate) mod flow;
mod gate;
mod handoffs;
pub(crate) mod keyboards;
pub(crate) mod leads;
mod register;
mod reminders;
pub(crate) mod render;
mod reply;
mod reports;
mod requests;
mod routes;
mod start;
mod users;

use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;

pub use commands::{Command, register_default_commands};
pub use flow::State;
pub use gate::Caller;
pub use reports::send_file;

use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::I18n;
use crate::store::Store;

/// What every handler may use; cloned cheaply into each update's handling.
#[derive(Clone)]
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub i18n: Arc<I18n>,
    pub config: Arc<Config>,
}

pub type HandlerResult = anyhow::Result<()>;

pub fn schema() -> UpdateHandler<anyhow::Error> {
    dptree::entry()
        .filter_async(gate::not_yet_handled)
        .filter_map_async(gate::authorize)
        .branch(Update::filter_message().endpoint(start::on_message))
        .branch(Update::filter_callback_query().endpoint(start::on_callback))
}
