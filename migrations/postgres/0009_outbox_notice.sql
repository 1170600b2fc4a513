-- A notice the domain decided (JSON of `domain::notice::Notice`), rendered in the reader's
-- language when it is sent. Queued in the transaction of the change it reports.
ALTER TABLE outbox ADD COLUMN notice TEXT;
