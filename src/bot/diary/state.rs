//! What a diary entry being written has gathered, and the step it is at; kept in the chat's
//! `flow::State` between messages.

use serde::{Deserialize, Serialize};

use crate::domain::diary::{Kind, Outcome};
use crate::domain::prospect::{Product, codes};

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
