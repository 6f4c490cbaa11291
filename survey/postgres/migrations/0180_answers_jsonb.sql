-- A response's answers move into one jsonb value on the response
-- (docs/PERFORMANCE.md, issue 12): a page save was a DELETE of the page's
-- rows, a multi-row INSERT with a foreign-key check per row, and every page
-- view aggregated the rows back into JSON. Now a save is part of the UPDATE
-- of the response it already made, and a view reads one column.
--
-- responses.answers maps an item id to the page it was saved on and its
-- values in order (a multi item has several):
--   {"q3": {"p": "p2", "v": ["4"]}, "q7": {"p": "p3", "v": ["a", "c"]}}
-- An item without a value is absent. The values are strings, as before.
ALTER TABLE responses ADD COLUMN answers jsonb NOT NULL DEFAULT '{}';

-- The data moves over: one object per response, an item's page that of its
-- first value (an item is on one page of its questionnaire version).
UPDATE responses r SET answers = a.answers
	FROM (SELECT response_id, jsonb_object_agg(item_id, jsonb_build_object('p', page_id, 'v', vals)) AS answers
		FROM (SELECT response_id, item_id, (array_agg(page_id ORDER BY position))[1] AS page_id,
				jsonb_agg(value ORDER BY position) AS vals
			FROM answers GROUP BY response_id, item_id) i
		GROUP BY response_id) a
	WHERE r.id = a.response_id;

DROP TABLE answers;

-- The readers that want one row per value (analysis, review, quotas,
-- intercepts, the copy's verification) read this view, the old table's
-- columns and rows: position counts a multi item's values from 0.
CREATE VIEW answers AS
	SELECT r.id AS response_id, a.key AS item_id, (v.ord - 1)::integer AS position,
		a.value ->> 'p' AS page_id, v.value AS value
	FROM responses r
	CROSS JOIN LATERAL jsonb_each(r.answers) a
	CROSS JOIN LATERAL jsonb_array_elements_text(a.value -> 'v') WITH ORDINALITY v(value, ord);
