//! What every channel (the bot, the Mini App page, the operator's commands) and every job may
//! use: the store, the clock, the texts and the configuration. It sits below them all, so none
//! of them imports another to reach it.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::I18n;
use crate::store::Store;

/// Cloned cheaply into each update's handling and each job's run.
#[derive(Clone)]
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub i18n: Arc<I18n>,
    pub config: Arc<Config>,
}
