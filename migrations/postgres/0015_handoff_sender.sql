-- A lead nobody had taken goes along when its company moves to another division: its division,
-- chat and the specialist who follows it become the new ones. Who sent it, and from which
-- division, is kept here (NULL: as `from_id` and `region_code` still say), so the activity
-- report counts the hand-off for whoever made it.
ALTER TABLE handoffs ADD COLUMN sent_by BIGINT;
ALTER TABLE handoffs ADD COLUMN sent_region TEXT;
