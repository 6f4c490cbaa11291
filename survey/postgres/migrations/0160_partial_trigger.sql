-- The trigger that moves a sampled case to 'partial' on a page saved after
-- the first (0060) counted the response's pages and ran its INSERT and
-- UPDATE on every first save of a page, though most responses have no case
-- (open links, the demo) and a case is moved once. It now looks for a case
-- still to move first (cases.invitation_id is UNIQUE: at most one) and
-- counts the pages only then. Same effect as before.
CREATE OR REPLACE FUNCTION cases_response_partial() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	c_id   bigint;
	c_disp text;
BEGIN
	SELECT c.id, c.disposition INTO c_id, c_disp FROM responses r
		JOIN cases c ON c.invitation_id = r.invitation_id
		WHERE r.id = NEW.response_id AND r.status = 'in_progress'
		AND c.disposition IN ('not_sent', 'sent', 'opened', 'unreachable');
	IF c_id IS NULL THEN
		RETURN NULL;
	END IF;
	IF (SELECT count(*) FROM page_paradata WHERE response_id = NEW.response_id) < 2 THEN
		RETURN NULL;
	END IF;
	UPDATE cases SET disposition = 'partial', updated_at = NEW.saved_at
		WHERE id = c_id AND disposition IN ('not_sent', 'sent', 'opened', 'unreachable')
		RETURNING id INTO c_id;
	IF c_id IS NOT NULL THEN
		INSERT INTO case_history (case_id, from_disp, to_disp, at, by)
			VALUES (c_id, c_disp, 'partial', NEW.saved_at, 'resident');
	END IF;
	RETURN NULL;
END;
$$;
