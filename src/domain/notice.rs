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
    /// The card `prospect` passed from `from` to `to` at `at` (Unix seconds); both are told.
    CardMoved { prospect: i64, from: i64, to: i64, at: i64 },
    /// `cards` cards and `followups` open follow-ups of `from` passed to `to` at `at`.
    PortfolioMoved { from: i64, to: i64, cards: i64, followups: i64, at: i64 },
}

impl Notice {
    /// The outbox item that carries this notice to `to`; `about` is the division whose data it
    /// shows. The same event is never queued twice.
    pub fn to(self, to: TelegramId, about: &RegionCode) -> NewOutgoing {
        let (ref_id, dedupe_key) = match self {
            Self::ColleagueEntry { prospect, entry } => (Some(prospect), format!("entry:{entry}:owner")),
            Self::LeadNews { handoff, state } => (Some(handoff), format!("handoff:{handoff}:{state}")),
            Self::CardMoved { prospect, at, .. } => {
                (Some(prospect), format!("card:{prospect}:moved:{at}:{to}"))
            }
            Self::PortfolioMoved { from, to: new, at, .. } => {
                (None, format!("portfolio:{from}:{new}:{at}:{to}"))
            }
        };
        NewOutgoing {
            kind: KIND,
            chat_id: to.get(),
            ref_id,
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
    /// The card as it stands, with the names of its former and its new owner.
    CardMoved {
        prospect: Box<Prospect>,
        from: String,
        to: String,
        to_id: TelegramId,
    },
    /// Names of the former and the new owner, and how much passed.
    PortfolioMoved {
        from: String,
        to: String,
        to_id: TelegramId,
        cards: i64,
        followups: i64,
    },
}

/// A person's name as the whitelist has it; a person no longer there is named by their id.
async fn name_of(store: &dyn Store, id: i64) -> StoreResult<String> {
    let Ok(id) = TelegramId::new(id) else { return Ok(id.to_string()) };
    Ok(store.user(id).await?.map_or_else(|| id.to_string(), |u| u.full_name.as_str().to_owned()))
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
        Notice::CardMoved { prospect, from, to, .. } => {
            match store.prospect(ProspectId(prospect), None).await? {
                Some(card) => Some(Loaded::CardMoved {
                    prospect: Box::new(card),
                    from: name_of(store, from).await?,
                    to: name_of(store, to).await?,
                    to_id: TelegramId::new(to)
                        .map_err(|_| crate::store::StoreError::Corrupt("notice".into()))?,
                }),
                None => None,
            }
        }
        Notice::PortfolioMoved { from, to, cards, followups, .. } => Some(Loaded::PortfolioMoved {
            from: name_of(store, from).await?,
            to: name_of(store, to).await?,
            to_id: TelegramId::new(to).map_err(|_| crate::store::StoreError::Corrupt("notice".into()))?,
            cards,
            followups,
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

/// The edit that shows a lead's new state on its card in the chat. A lead put back in the
/// queue (its officer left) is posted anew, so its next steps edit the new card.
pub fn lead_edit(h: &Handoff) -> NewOutgoing {
    NewOutgoing {
        kind: "lead_edit",
        chat_id: h.chat_id,
        ref_id: Some(h.id),
        text: None,
        markup: None,
        dedupe_key: format!("handoff:{}:edit:{}:{}", h.id, h.state, h.message_id.unwrap_or(0)),
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
            Notice::CardMoved { prospect: 7, from: 42, to: 43, at: 1_800_000_000 },
            Notice::PortfolioMoved { from: 42, to: 43, cards: 12, followups: 5, at: 1_800_000_000 },
        ] {
            let item = notice.to(owner, &region);
            assert_eq!(item.kind, KIND);
            assert_eq!(Notice::parse(item.notice.as_deref().unwrap()), Some(notice));
        }
        assert_eq!(Notice::parse("{\"notice\":\"from_the_future\"}"), None);
    }
}
