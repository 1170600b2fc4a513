-- Head office's month counts contacts per author and kind: the author's index also carries
-- the kind and the outcome, so the count reads the index alone (on SQLite 0.3 s instead of
-- 2.2 s over a bank's month of 833 000 entries, where every entry's row was read). It has the
-- old index's columns first, so it serves every lookup the old one did.
DROP INDEX IF EXISTS interactions_author;
CREATE INDEX interactions_author ON interactions (author_id, happened_at, kind, outcome);
