//! What the bot tells people on its own, as the domain decides it. A notice is queued in the
//! outbox inside the transaction of the change it reports, so the change and its notices are
//! saved together or not at all; the channel renders it in the reader's language when it is
//! sent, from what is stored then (rights are checked again at that moment, SPEC §2).

use serde::{Deserialize, Serialize};

use super::access::Audience;
use super::diary::Entry;
use super::handoff::{Handoff, HandoffState};
use super::ids::{RegionCode, TelegramId};
use super::prospect::{Prospect, ProspectId};
use crate::store::{NewOutgoing, Store, StoreResult};

/// The outbox kind of every [`Notice`]; its details travel as JSON beside it.
pub const KIND: &str = "event";

/// A notice about something that happened, addressed to one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "notice", rename_all = "snake_case")]
pub enum Notice {
    /// A colleague wrote diary entry `entry` on the card `prospect` the reader owns (SPEC §5).
    ColleagueEntry { prospect: i64, entry: i64 },
    /// The specialist's lead `handoff` moved to `state` (taken, declined, won, lost, expired).
    LeadNews { handoff: i64, state: HandoffState },
}

impl Notice {
    /// The outbox item that carries this notice to `to`; `about` is the division whose data it
    /// shows. The same event is never queued twice.
    pub fn to(self, to: TelegramId, about: &RegionCode) -> NewOutgoing {
        let (ref_id, dedupe_key) = match self {
            Self::ColleagueEntry { prospect, entry } => (prospect, format!("entry:{entry}:owner")),
            Self::LeadNews { handoff, state } => (handoff, format!("handoff:{handoff}:{state}")),
        };
        NewOutgoing {
            kind: KIND,
            chat_id: to.get(),
            ref_id: Some(ref_id),
            text: None,
            markup: None,
            dedupe_key,
            audience: Audience::Region(about.clone()),
            notice: serde_json::to_string(&self).ok(),
        }
    }

    /// Read back from the outbox; `None` for what this version does not know.
    pub fn parse(stored: &str) -> Option<Self> {
        serde_json::from_str(stored).ok()
    }
}

/// A notice with what it tells of, read when it is sent.
#[derive(Debug, Clone)]
pub enum Loaded {
    ColleagueEntry(Box<Prospect>, Box<Entry>),
    /// The lead as it stands, showing the step the notice was queued for.
    LeadNews(Box<Handoff>),
}

/// Reads what `notice` tells of; `None` when it is gone.
pub async fn load(store: &dyn Store, notice: Notice) -> StoreResult<Option<Loaded>> {
    Ok(match notice {
        Notice::ColleagueEntry { prospect, entry } => {
            let id = ProspectId(prospect);
            match (store.prospect(id, None).await?, store.entry(id, entry).await?) {
                (Some(prospect), Some(entry)) => {
                    Some(Loaded::ColleagueEntry(Box::new(prospect), Box::new(entry)))
                }
                _ => None,
            }
        }
        Notice::LeadNews { handoff, state } => store.handoff(handoff).await?.map(|h| {
            // The lead may have moved on since; this notice tells of the step it was queued for.
            Loaded::LeadNews(Box::new(Handoff { state, ..h }))
        }),
    })
}

/// The lead card a hand-off posts to its division's chat. It is rendered when sent, so the facts
/// the specialist gave meanwhile are on it; it is queued with the hand-off, due when the wait for
/// those facts ends (or at once, when they are all given).
pub fn lead_card(handoff: i64, chat_id: i64, region: &RegionCode) -> NewOutgoing {
    NewOutgoing {
        kind: "lead",
        chat_id,
        ref_id: Some(handoff),
        text: None,
        markup: None,
        dedupe_key: format!("handoff:{handoff}:lead"),
        audience: Audience::Region(region.clone()),
        notice: None,
    }
}

/// The edit that shows a lead's new state on its card in the chat.
pub fn lead_edit(h: &Handoff) -> NewOutgoing {
    NewOutgoing {
        kind: "lead_edit",
        chat_id: h.chat_id,
        ref_id: Some(h.id),
        text: None,
        markup: None,
        dedupe_key: format!("handoff:{}:edit:{}", h.id, h.state),
        audience: Audience::Region(h.region.clone()),
        notice: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_reads_back_as_it_was_queued() {
        let region = RegionCode::parse("MSK").unwrap();
        let owner = TelegramId::new(42).unwrap();
        for notice in [
            Notice::ColleagueEntry { prospect: 7, entry: 9 },
            Notice::LeadNews { handoff: 3, state: HandoffState::Accepted },
        ] {
            let item = notice.to(owner, &region);
            assert_eq!(item.kind, KIND);
            assert_eq!(Notice::parse(item.notice.as_deref().unwrap()), Some(notice));
        }
        assert_eq!(Notice::parse("{\"notice\":\"from_the_future\"}"), None);
    }
}
