-- One row per person and allowance (contact views, full exports): a check against an hourly
-- allowance first takes this row, so two requests of one person at once are counted one after
-- the other. The count itself is read from audit_log, in the same transaction as the new line.
CREATE TABLE allowances (
    actor_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (actor_id, action)
);
