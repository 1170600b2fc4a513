-- Working time (SPEC §6): each division's working hours, and the bank's calendar of the days
-- that differ from a plain Monday-to-Friday week (holidays on weekdays, transferred working
-- Saturdays, shortened pre-holiday days), loaded by the operator once a year.
ALTER TABLE regions ADD COLUMN hours TEXT NOT NULL DEFAULT '09:00-18:00';

CREATE TABLE calendar_days (
    day        TEXT PRIMARY KEY,   -- YYYY-MM-DD
    kind       TEXT NOT NULL CHECK (kind IN ('working', 'short', 'weekend', 'holiday')),
    updated_at BIGINT NOT NULL
);
