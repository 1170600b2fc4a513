-- Leave (SPEC §2): a person away from a day to a day (inclusive, in their division's zone), and
-- the colleague who covers meanwhile. Their reminders and notices go to the cover, marked whose
-- they are: the outbox item passed on remembers whom it was for.
CREATE TABLE absences (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (telegram_id),
    cover_id   BIGINT NOT NULL REFERENCES users (telegram_id),
    from_day   TEXT NOT NULL,   -- YYYY-MM-DD
    to_day     TEXT NOT NULL,   -- YYYY-MM-DD, the last day away
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX absences_user ON absences (user_id, to_day);

ALTER TABLE outbox ADD COLUMN for_id BIGINT;

-- A lead put back in the credit chat's queue (the officer who took it left) waits from then:
-- its SLA and expiry count from this moment, its hand-off still dates from when it was made.
ALTER TABLE handoffs ADD COLUMN queued_at BIGINT;
