-- Durable delivery (SPEC §6, §9): every notification is stored before it is sent, claimed by
-- one instance at a time, sent once, retried after errors, caught up after downtime.

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL,
    chat_id         BIGINT NOT NULL,
    -- What the item is about: a follow-up id for a reminder; rendered when sent.
    ref_id          BIGINT,
    -- Pre-rendered HTML and inline keyboard (JSON) for plain notices.
    text            TEXT,
    markup          TEXT,
    -- The same event is never queued twice.
    dedupe_key      TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,
    claimed_until   BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    CONSTRAINT outbox_dedupe_unique UNIQUE (dedupe_key)
);
CREATE INDEX outbox_ready ON outbox (next_attempt_at) WHERE state IN ('pending', 'sending');

-- Morning digests already produced: one per division and local working day.
CREATE TABLE digest_days (
    region_code TEXT NOT NULL REFERENCES regions (code),
    local_date  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (region_code, local_date)
);
