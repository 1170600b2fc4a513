-- Whose data an outbox item carries (SPEC §2: rights are checked again when it is sent): a
-- division's code, '*' for every division (head office only), or NULL for no client data.
ALTER TABLE outbox ADD COLUMN audience TEXT;
