-- Divisions, the whitelist, the audit trail, and the bot's own bookkeeping.
-- Times are UTC instants in whole seconds since the Unix epoch (BIGINT on both backends),
-- so comparisons and indexes behave the same on SQLite and PostgreSQL.

CREATE TABLE regions (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    tz          TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    telegram_id BIGINT PRIMARY KEY,
    full_name   TEXT NOT NULL,
    role        TEXT NOT NULL
        CHECK (role IN ('specialist', 'credit_officer', 'manager', 'head_office', 'admin')),
    region_code TEXT REFERENCES regions (code),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    lang        TEXT NOT NULL DEFAULT 'ru' CHECK (lang IN ('ru', 'en')),
    unreachable BOOLEAN NOT NULL DEFAULT FALSE,
    added_by    BIGINT,
    added_at    BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT users_region_matches_role CHECK (
        (role IN ('specialist', 'credit_officer', 'manager') AND region_code IS NOT NULL)
        OR (role IN ('head_office', 'admin') AND region_code IS NULL)
    )
);
CREATE INDEX users_region ON users (region_code, role);

CREATE TABLE audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       BIGINT NOT NULL,
    actor_id BIGINT,
    action   TEXT NOT NULL,
    subject  TEXT,
    details  TEXT
);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

-- Half-filled flows, one per chat, as JSON; they survive a restart.
CREATE TABLE dialogues (
    chat_id    BIGINT PRIMARY KEY,
    state      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Update ids already handled: Telegram may deliver one again after a crash.
CREATE TABLE processed_updates (
    update_id    BIGINT PRIMARY KEY,
    processed_at BIGINT NOT NULL
);
CREATE INDEX processed_updates_age ON processed_updates (processed_at);

-- People outside the whitelist who wrote to the bot: the refusal is sent at most once an hour.
CREATE TABLE refusals (
    telegram_id    BIGINT PRIMARY KEY,
    last_notice_at BIGINT NOT NULL
);

-- Requests for access from people outside the whitelist: at most one a day per person.
CREATE TABLE access_requests (
    telegram_id  BIGINT PRIMARY KEY,
    full_name    TEXT NOT NULL,
    username     TEXT,
    requested_at BIGINT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
    decided_by   BIGINT,
    decided_at   BIGINT
);
