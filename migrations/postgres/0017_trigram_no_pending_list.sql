-- Name and contact searches read the trigram indexes on every `/find`. A GIN index's fast-update
-- mode keeps new rows in a pending list of up to 4 MB that every search scans in full until a
-- vacuum merges it: at 1 000 000 companies a search of a name's end took 8 ms idle (and 100–200
-- ms under load) instead of 1.2 ms. Without the list each new card updates the index at once,
-- which costs an import of 100 000 rows about 3 s more; searches never scan a backlog.
ALTER INDEX prospects_name_trgm SET (fastupdate = off);
ALTER INDEX prospects_contact_trgm SET (fastupdate = off);
SELECT gin_clean_pending_list('prospects_name_trgm'::regclass);
SELECT gin_clean_pending_list('prospects_contact_trgm'::regclass);
