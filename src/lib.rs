//! prospect-diary: a shared negotiation diary for a bank's corporate client-acquisition staff,
//! used from Telegram. See SPEC.md for the contract and README.md for running it.

pub mod app;
pub mod bot;
pub mod calendar_file;
pub mod cli;
pub mod clock;
pub mod config;
pub mod ctx;
pub mod demo;
pub mod domain;
pub mod i18n;
pub mod jobs;
pub mod logging;
pub mod metrics;
pub mod reports;
pub mod statements;
pub mod store;
pub mod telegram_fake;
pub mod transfer;
pub mod web;

#[cfg(test)]
mod field_table_tests;
