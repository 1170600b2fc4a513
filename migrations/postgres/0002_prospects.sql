-- The prospect base, the diary, follow-ups, and saved searches (SPEC §3).

CREATE TABLE prospects (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL,
    name_norm      TEXT NOT NULL,
    inn            TEXT NOT NULL,
    kpp            TEXT,
    ogrn           TEXT,
    industry       TEXT,
    city           TEXT,
    contact_person TEXT,
    contact_norm   TEXT NOT NULL DEFAULT '',
    position       TEXT,
    phone          TEXT,
    email          TEXT,
    products       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'new'
        CHECK (status IN ('new', 'in_talks', 'interested', 'handed_off', 'client', 'declined', 'archived')),
    owner_id       BIGINT NOT NULL REFERENCES users (telegram_id),
    region_code    TEXT NOT NULL REFERENCES regions (code),
    created_by     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_by     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CONSTRAINT prospects_inn_unique UNIQUE (inn)
);
CREATE INDEX prospects_region_name ON prospects (region_code, name_norm);
CREATE INDEX prospects_phone ON prospects (phone);
CREATE INDEX prospects_owner ON prospects (owner_id);

-- Substring search on names and contact persons: a trigram index (pg_trgm here, FTS5 there).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX prospects_name_trgm ON prospects USING gin (name_norm gin_trgm_ops);
CREATE INDEX prospects_contact_trgm ON prospects USING gin (contact_norm gin_trgm_ops);

CREATE TABLE interactions (
    id              BIGSERIAL PRIMARY KEY,
    prospect_id     BIGINT NOT NULL REFERENCES prospects (id),
    author_id       BIGINT NOT NULL REFERENCES users (telegram_id),
    kind            TEXT NOT NULL CHECK (kind IN ('call', 'meeting', 'email', 'messenger', 'other')),
    outcome         TEXT NOT NULL CHECK (outcome IN ('positive', 'neutral', 'negative', 'no_answer')),
    summary         TEXT NOT NULL,
    products        TEXT NOT NULL DEFAULT '',
    happened_at     BIGINT NOT NULL,
    next_contact_at BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX interactions_prospect ON interactions (prospect_id, happened_at);
CREATE INDEX interactions_author ON interactions (author_id, happened_at);

CREATE TABLE followups (
    id             BIGSERIAL PRIMARY KEY,
    prospect_id    BIGINT NOT NULL REFERENCES prospects (id),
    owner_id       BIGINT NOT NULL REFERENCES users (telegram_id),
    due_at         BIGINT NOT NULL,
    agreed         TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'sent', 'done', 'snoozed', 'cancelled')),
    interaction_id BIGINT REFERENCES interactions (id),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
-- Open follow-ups: a card's next contact, an owner's agenda, what is due for a reminder.
CREATE INDEX followups_open ON followups (prospect_id, due_at) WHERE state IN ('pending', 'sent', 'snoozed');
CREATE INDEX followups_owner_open ON followups (owner_id, due_at) WHERE state IN ('pending', 'sent', 'snoozed');
CREATE INDEX followups_due ON followups (due_at) WHERE state IN ('pending', 'snoozed');

-- The last search of each chat, so result pages can be turned with short buttons.
CREATE TABLE saved_searches (
    chat_id    BIGINT PRIMARY KEY,
    query      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
