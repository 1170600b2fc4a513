//! The bank's side of the product: who may do what, and the records they keep.
//!
//! Nothing here knows about Telegram. A handler of any channel (Telegram, a web page, the
//! operator CLI) turns its input into these types, whose constructors are the only validators:
//! a value of a domain type is valid wherever it travels.

pub mod access;
pub mod audit;
pub mod contacts;
pub mod diary;
pub mod directory;
pub mod fields;
pub mod followup;
pub mod handoff;
pub mod ids;
pub mod import;
pub mod notice;
pub mod portfolio;
pub mod privacy;
pub mod prospect;
pub mod prospects;
pub mod report;
pub mod requisites;
pub mod session;
pub mod worktime;

pub use access::{Lang, NewUser, Region, Role, User};
pub use ids::{FullName, RegionCode, TelegramId, TimeZoneName};
