-- The lead card in a group carries no free text typed by people (SPEC §6, §10): instead of the
-- entry's summary, the facts the specialist picks with buttons. The officer who takes the lead
-- reads the summary on the card in private, so the hand-off keeps no copy of it.

-- NULL: not given (the card says «не указано»); 'none': given as "not discussed".
ALTER TABLE handoffs ADD COLUMN amount TEXT CHECK (amount IN ('lt5', '5-30', '30-100', 'gt100', 'none'));
ALTER TABLE handoffs ADD COLUMN term TEXT CHECK (term IN ('lt1', '1-3', 'gt3', 'none'));
ALTER TABLE handoffs ADD COLUMN urgency TEXT CHECK (urgency IN ('urgent', 'month', 'later'));
-- While set, the lead card waits for the specialist's answers; at this moment it goes to the
-- chat with what was given. NULL once the card is queued.
ALTER TABLE handoffs ADD COLUMN held_until BIGINT;
-- What the lead card in the chat shows (text and buttons), so an edit that would change
-- nothing is not sent: Telegram refuses it.
ALTER TABLE handoffs ADD COLUMN card_shown TEXT;
ALTER TABLE handoffs DROP COLUMN need;
CREATE INDEX handoffs_held ON handoffs (held_until) WHERE held_until IS NOT NULL;
