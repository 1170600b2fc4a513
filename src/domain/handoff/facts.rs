//! What a lead's card tells the credit officers besides the company (SPEC §6, §10): facts the
//! specialist picks with buttons — amount, term, urgency — never free text.

use serde::{Deserialize, Serialize};

use crate::domain::prospect::codes;

/// How long a new lead waits for the specialist's facts before its card goes without them.
pub const FACTS_WAIT_MINUTES: i64 = 10;

codes! {
    /// The amount the client spoke of, in the bands credit officers sort leads by (roubles).
    AmountBand {
        UpTo5m = "lt5",
        From5To30m = "5-30",
        From30To100m = "30-100",
        Over100m = "gt100",
        NotDiscussed = "none",
    }
}

codes! {
    /// The term the client spoke of.
    TermBand {
        UpToYear = "lt1",
        OneToThreeYears = "1-3",
        OverThreeYears = "gt3",
        NotDiscussed = "none",
    }
}

codes! {
    /// How soon the client needs a decision.
    Urgency {
        Urgent = "urgent",
        ThisMonth = "month",
        NotUrgent = "later",
    }
}

/// One fact of a lead, as the specialist picked it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    Amount(AmountBand),
    Term(TermBand),
    Urgency(Urgency),
}

/// What the lead card in a group says about the client's need: only values picked from these
/// lists, never typed text. `None` is "not given".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadFacts {
    pub amount: Option<AmountBand>,
    pub term: Option<TermBand>,
    pub urgency: Option<Urgency>,
}

/// The facts asked for, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Amount,
    Term,
    Urgency,
}

impl LeadFacts {
    /// The next fact to ask for; `None` when every one is given.
    pub fn next_question(&self) -> Option<Question> {
        if self.amount.is_none() {
            Some(Question::Amount)
        } else if self.term.is_none() {
            Some(Question::Term)
        } else if self.urgency.is_none() {
            Some(Question::Urgency)
        } else {
            None
        }
    }
}
