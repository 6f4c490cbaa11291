-- Three more call outcomes, so that the AAPOR counts get their non-contacts
-- and other non-interviews from the call record (fieldwork.AAPORDisposition):
-- not_available (AAPOR 2.21), unable (2.32), language (2.33).
ALTER TABLE call_attempts DROP CONSTRAINT call_attempts_outcome_check;
ALTER TABLE call_attempts ADD CONSTRAINT call_attempts_outcome_check CHECK (outcome IN ('no_answer', 'busy',
	'not_available', 'callback', 'refused', 'unable', 'language', 'wrong_number', 'completed'));
