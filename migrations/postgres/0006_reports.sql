-- Reports (SPEC §7): what the period aggregates read by time, and the weekly reports already
-- queued, one per scope (a division's code, or ALL for head office) and ISO week.

-- Covering the period's aggregates, so they read the index and not the entries themselves.
CREATE INDEX interactions_happened ON interactions (happened_at, prospect_id, author_id, kind, outcome);
CREATE INDEX prospects_created ON prospects (created_at);
CREATE INDEX handoffs_taken ON handoffs (taken_at) WHERE taken_at IS NOT NULL;
CREATE INDEX handoffs_closed ON handoffs (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE report_weeks (
    scope      TEXT NOT NULL,
    week       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, week)
);
