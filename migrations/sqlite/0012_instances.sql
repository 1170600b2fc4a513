-- Several instances on one database.
--
-- An update is claimed before it is handled: `claimed_until` set means an instance holds it
-- (and renews the claim while it works); NULL means it was handled. A claim whose holder died
-- runs out, and Telegram's next delivery of the update is handled by whoever gets it.
ALTER TABLE processed_updates ADD COLUMN holder TEXT;
ALTER TABLE processed_updates ADD COLUMN claimed_until BIGINT;

-- Named leases, each held by one instance until `until` (unix milliseconds, wall clock) unless it
-- renews: `poller` (the one instance that long-polls Telegram) and `person:<id>` (a person's
-- update in hand, so one person's updates never interleave across instances).
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  BIGINT NOT NULL
);
