-- Mirrors PostgreSQL's 0017, which turns off the trigram indexes' pending list there. SQLite's
-- FTS5 index has no such list (each insert writes its own segment and merges them as it goes),
-- so nothing changes here; the number is kept so both backends' migrations stay in step.
SELECT 1;
