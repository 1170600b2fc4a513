//! Update claims and leases of a database that one process serves: SQLite.
//!
//! Claims and leases exist so that several instances share the work without doing any of it
//! twice; they live in the database for that. An SQLite file is served by one instance only
//! (`app.rs` locks the file, a second refuses to start), so there they are kept here, in the
//! store's memory, with the same rules as the SQL that keeps them on PostgreSQL. What must
//! outlive the process — that an update was handled — is still written to the database.
//!
//! Each update then costs SQLite one read when it starts and one write when it ends, instead
//! of a transaction each: every statement is a hop to a connection's thread and every write a
//! turn of the one write lock, and with 20 people at once those were half of the bot's time.

use std::collections::HashMap;
use std::sync::Mutex;

/// A claim or lease: who holds it, and until when (in the unit its caller uses).
struct Held {
    holder: String,
    until: i64,
}

#[derive(Default)]
pub(super) struct Claims {
    /// Updates in hand, by id; `until` in seconds (the claim's `claimed_until`).
    updates: Mutex<HashMap<i64, Held>>,
    /// Leases by name; `until` in milliseconds.
    leases: Mutex<HashMap<String, Held>>,
}

impl Claims {
    /// Claims update `id` for `holder` unless a live claim (at `now`) holds it: `true` when
    /// claimed. Whether it was handled is the database's to say, asked after this (see
    /// `SqlStore::start_update`).
    pub fn claim_update(&self, id: i64, holder: &str, now: i64, until: i64) -> bool {
        let mut updates = self.updates.lock().expect("update claims");
        if updates.get(&id).is_some_and(|held| held.until >= now) {
            return false;
        }
        updates.insert(id, Held { holder: holder.to_owned(), until });
        true
    }

    /// Extends `holder`'s claim on update `id`.
    pub fn renew_update(&self, id: i64, holder: &str, until: i64) {
        if let Some(held) = self.updates.lock().expect("update claims").get_mut(&id)
            && held.holder == holder
        {
            held.until = until;
        }
    }

    /// Drops `holder`'s claim on update `id` (handled, or given up).
    pub fn release_update(&self, id: i64, holder: &str) {
        let mut updates = self.updates.lock().expect("update claims");
        if updates.get(&id).is_some_and(|held| held.holder == holder) {
            updates.remove(&id);
        }
    }

    /// Takes or renews lease `name` for `holder` until `until`: `true` when it was free,
    /// expired (at `now`) or already `holder`'s — `TAKE_LEASE`'s rule.
    pub fn take_lease(&self, name: &str, holder: &str, now: i64, until: i64) -> bool {
        let mut leases = self.leases.lock().expect("leases");
        if let Some(held) = leases.get(name)
            && held.holder != holder
            && held.until >= now
        {
            return false;
        }
        leases.insert(name.to_owned(), Held { holder: holder.to_owned(), until });
        true
    }

    /// Gives lease `name` up, if `holder` has it.
    pub fn release_lease(&self, name: &str, holder: &str) {
        let mut leases = self.leases.lock().expect("leases");
        if leases.get(name).is_some_and(|held| held.holder == holder) {
            leases.remove(name);
        }
    }

    /// Extends `holder`'s lease `name`: `false` when it is no longer theirs.
    pub fn renew_lease(&self, name: &str, holder: &str, until: i64) -> bool {
        match self.leases.lock().expect("leases").get_mut(name) {
            Some(held) if held.holder == holder => {
                held.until = until;
                true
            }
            _ => false,
        }
    }

    /// Ends lease `name` whoever holds it: `true` when it was live at `now`.
    pub fn end_lease(&self, name: &str, now: i64) -> bool {
        self.leases.lock().expect("leases").remove(name).is_some_and(|held| held.until >= now)
    }

    /// Who holds lease `name` at `now`.
    pub fn lease_holder(&self, name: &str, now: i64) -> Option<String> {
        let leases = self.leases.lock().expect("leases");
        leases.get(name).filter(|held| held.until >= now).map(|held| held.holder.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_claim_keeps_an_update_and_an_expired_one_lets_it_go() {
        let claims = Claims::default();
        assert!(claims.claim_update(1, "a", 100, 110));
        assert!(!claims.claim_update(1, "b", 105, 115), "a's claim is live");
        assert!(claims.claim_update(1, "b", 111, 121), "a's claim ran out");
        claims.release_update(1, "a");
        assert!(!claims.claim_update(1, "c", 112, 122), "only b may give b's claim up");
        claims.renew_update(1, "b", 200);
        assert!(!claims.claim_update(1, "c", 150, 160), "renewed");
        claims.release_update(1, "b");
        assert!(claims.claim_update(1, "c", 150, 160));
    }

    #[test]
    fn a_lease_is_its_holders_until_it_runs_out_or_ends() {
        let leases = Claims::default();
        assert!(leases.take_lease("poller", "a", 0, 1_000));
        assert!(!leases.take_lease("poller", "b", 10, 1_010));
        assert!(leases.take_lease("poller", "a", 10, 2_000), "renewed by its holder");
        assert_eq!(leases.lease_holder("poller", 1_500).as_deref(), Some("a"));
        assert_eq!(leases.lease_holder("poller", 2_001), None);
        assert!(leases.take_lease("poller", "b", 2_001, 3_000), "expired");
        assert!(!leases.renew_lease("poller", "a", 4_000), "no longer a's");
        assert!(leases.renew_lease("poller", "b", 4_000));
        leases.release_lease("poller", "a");
        assert_eq!(leases.lease_holder("poller", 3_500).as_deref(), Some("b"), "a cannot free b's");
        assert!(leases.end_lease("poller", 3_500));
        assert!(!leases.end_lease("poller", 3_500), "already ended");
        assert!(leases.take_lease("listing:7", "job", 0, 10));
        assert!(!leases.end_lease("listing:7", 11), "it had run out");
    }
}
