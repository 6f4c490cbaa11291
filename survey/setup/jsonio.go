package setup

import (
	"bytes"
	"context"
	"encoding/json"

	"manyi/survey"
)

// EncodeJSON returns q as the questionnaire file of docs/QUESTIONNAIRE.md:
// indented, UTF-8, a final newline. ImportJSON of the result gives q back.
func EncodeJSON(q *survey.Questionnaire) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(q); err != nil {
		panic("setup: EncodeJSON: " + err.Error()) // a Questionnaire always encodes
	}
	return b.Bytes()
}

// DecodeJSON reads a questionnaire file. A file the format cannot read —
// bad JSON, an unknown field, a value of the wrong type — gives nil and
// its problems (with line and column, or the field's path). A file that
// reads but does not validate gives the questionnaire and its problems
// (missing English, a condition on a later page …): the editor keeps it as
// a draft with problems.
func DecodeJSON(data []byte) (*survey.Questionnaire, []survey.Problem, bool) {
	q, probs := survey.LoadQuestionnaire(data)
	if q != nil {
		return q, nil, true
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var lenient survey.Questionnaire
	if err := dec.Decode(&lenient); err != nil || dec.More() {
		return nil, probs, false
	}
	// Structurally sound: the problems are the format's rules only. They
	// must also be what Validate says of the decoded copy, or the strict
	// reader saw something the lenient one did not (a field given twice,
	// a field name in the wrong case).
	if len(lenient.Validate()) != len(probs) {
		return nil, probs, false
	}
	return &lenient, probs, true
}

// ImportJSON stores an uploaded questionnaire file as the next revision by
// author (see Store.SaveRevision). A file the format cannot read changes
// nothing: ImportJSON returns its problems and a nil revision.
func ImportJSON(ctx context.Context, st Store, measurementID string, data []byte, author string, base int) (*Revision, []survey.Problem, error) {
	q, probs, ok := DecodeJSON(data)
	if !ok {
		return nil, probs, nil
	}
	r, err := st.SaveRevision(ctx, measurementID, q, author, "uploaded", base)
	if err != nil {
		return nil, nil, err
	}
	return r, probs, nil
}
