//! The Telegram channel: translates updates into domain calls and results into messages.
//!
//! `schema()` (`once.rs`) claims each update and its person's turn in the database, then hands
//! it to `router::schema()`, the whole routing tree: every update passes the access gate first, so no handler below can be reached by someone outside the whitelist.
//! Each flow keeps its state's handling, its buttons (`buttons.rs` encodes them all) and its
//! handlers together; the widgets they share are in `ui/`.

pub(crate) mod agenda;
mod buttons;
mod cards;
mod commands;
mod diary;
pub(crate) mod flow;
mod gate;
mod general;
pub(crate) mod handoffs;
mod imports;
mod listing;
pub(crate) mod notices;
mod once;
mod register;
mod reminders;
pub(crate) mod render;
mod reply;
mod reports;
mod requests;
mod router;
mod routes;
mod ui;
mod users;

pub use buttons::VERSION as BUTTON_VERSION;
pub use commands::{Command, register_default_commands};
pub use flow::State;
pub use gate::Caller;
pub use once::{CLAIM_SECS, Outcome, handle as handle_once, schema, type_check};
pub use reports::send_file;
pub use router::schema as routes;
pub use routes::{ChatCheck, check_route_chat};

pub use crate::ctx::Ctx;

pub type HandlerResult = anyhow::Result<()>;
