-- Hand-offs of interested companies to the credit officers' chat (SPEC §3, §6). The region is
-- the prospect's at the time of the hand-off: it decides who may take it.

CREATE TABLE handoffs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    prospect_id  BIGINT NOT NULL REFERENCES prospects (id),
    product      TEXT NOT NULL
        CHECK (product IN ('credit', 'leasing', 'guarantee', 'deposit', 'settlement', 'payroll', 'acquiring', 'fx')),
    region_code  TEXT NOT NULL REFERENCES regions (code),
    from_id      BIGINT NOT NULL REFERENCES users (telegram_id),
    chat_id      BIGINT NOT NULL,
    -- The lead card's message in the chat, once it has been posted.
    message_id   BIGINT,
    -- What the client needs: the entry's summary.
    need         TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'accepted', 'declined', 'won', 'lost', 'expired')),
    taken_by     BIGINT REFERENCES users (telegram_id),
    taken_at     BIGINT,
    closed_by    BIGINT REFERENCES users (telegram_id),
    closed_at    BIGINT,
    reason       TEXT,
    created_at   BIGINT NOT NULL,
    -- When the chat was reminded and the manager told of a lead nobody took.
    reminded_at  BIGINT,
    escalated_at BIGINT
);
-- Never two open hand-offs of one prospect for one product.
CREATE UNIQUE INDEX handoffs_open_unique ON handoffs (prospect_id, product) WHERE state IN ('pending', 'accepted');
CREATE INDEX handoffs_prospect ON handoffs (prospect_id, created_at);
CREATE INDEX handoffs_from ON handoffs (from_id, created_at);
CREATE INDEX handoffs_region_state ON handoffs (region_code, state, created_at);
CREATE INDEX handoffs_waiting ON handoffs (created_at) WHERE state = 'pending';
