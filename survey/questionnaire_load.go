package survey

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
)

//go:embed default_questionnaire.json
var defaultQuestionnaireJSON []byte

// DefaultQuestionnaireJSON returns the embedded default template as JSON
// (a copy: callers may keep or change it).
func DefaultQuestionnaireJSON() []byte {
	return bytes.Clone(defaultQuestionnaireJSON)
}

// DefaultQuestionnaire returns the default template from DOMAIN.md. Each call
// decodes the embedded file again, so the caller owns the result and may
// change it. The tests keep the embedded file valid; a broken one panics.
func DefaultQuestionnaire() *Questionnaire {
	q := new(Questionnaire)
	if err := json.Unmarshal(defaultQuestionnaireJSON, q); err != nil {
		panic("survey: embedded default questionnaire: " + err.Error())
	}
	return q
}

// LoadQuestionnaire decodes a JSON questionnaire strictly and validates it.
// It reports every problem it finds: JSON syntax errors (path "line L,
// column C"), unknown or repeated fields and values of the wrong JSON type
// (with the path of the field, e.g. "pages[2].items[4].colour"), and then,
// when the structure is sound, everything Validate finds. The questionnaire
// is nil whenever a problem is reported.
func LoadQuestionnaire(data []byte) (*Questionnaire, []Problem) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // editors on Windows add a BOM
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Problem{{Path: "line 1, column 1", Message: "the file is empty; want a JSON object"}}
	}
	probs, fatal := checkJSON(data, reflect.TypeFor[Questionnaire]())
	if fatal {
		return nil, probs
	}
	// The structure may still have unknown fields or wrong types; decoding
	// leniently and validating anyway reports every problem in one run,
	// except those related to a path already reported.
	q := new(Questionnaire)
	var typeErr *json.UnmarshalTypeError
	if err := json.Unmarshal(data, q); err != nil && !errors.As(err, &typeErr) {
		return nil, append(probs, Problem{Path: "(file)", Message: err.Error()})
	}
	for _, vp := range q.Validate() {
		if !related(vp.Path, probs) {
			probs = append(probs, vp)
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return q, nil
}

// related reports whether path is one of the problems' paths, inside one,
// or contains one: a value of the wrong type decodes as zero, so what
// validation says about it or its parent only echoes the type problem.
func related(path string, probs []Problem) bool {
	inside := func(a, b string) bool {
		return a == b || strings.HasPrefix(a, b+".") || strings.HasPrefix(a, b+"[")
	}
	for _, p := range probs {
		if inside(path, p.Path) || inside(p.Path, path) {
			return true
		}
	}
	return false
}

// checkJSON walks the token stream of data against the Go type t (by its
// json tags) and reports what encoding/json would silently accept or stop
// at: unknown fields (all of them, with their paths), fields given twice,
// field names in the wrong case, values of the wrong JSON type, non-integral
// numbers for int fields, trailing data, and syntax errors with line and
// column.
// fatal reports a syntax error, after which nothing can be decoded.
func checkJSON(data []byte, t reflect.Type) (probs []Problem, fatal bool) {
	c := &jsonChecker{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	c.dec.UseNumber()
	tok, err := c.token("")
	if err == nil {
		err = c.value(tok, t, "")
	}
	if err == nil {
		off := c.skipSpace(c.dec.InputOffset())
		if _, err2 := c.dec.Token(); err2 != io.EOF {
			line, col := c.lineCol(off)
			c.probs = append(c.probs, Problem{
				Path:    fmt.Sprintf("line %d, column %d", line, col),
				Message: "unexpected data after the end of the questionnaire object",
			})
			return c.probs, true
		}
	}
	return c.probs, err != nil
}

type jsonChecker struct {
	data  []byte
	dec   *json.Decoder
	probs []Problem
	start int64 // offset where the last token began
}

// errStop ends the walk after a syntax error; the problem is already recorded.
var errStop = errors.New("stop")

// token reads the next token, recording a syntax error (with its line and
// column) as a problem and returning errStop.
func (c *jsonChecker) token(path string) (json.Token, error) {
	c.start = c.skipSpace(c.dec.InputOffset())
	tok, err := c.dec.Token()
	if err == nil {
		return tok, nil
	}
	// SyntaxError.Offset from Token is not reliable (it depends on how the
	// decoder buffered), so the position is where the bad token begins.
	off := c.start
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		off = int64(len(c.data))
		msg = "unexpected end of file (a bracket or quote is not closed)"
	}
	if path != "" {
		msg += " (inside " + path + ")"
	}
	line, col := c.lineCol(off)
	c.probs = append(c.probs, Problem{Path: fmt.Sprintf("line %d, column %d", line, col), Message: "invalid JSON: " + msg})
	return nil, errStop
}

// skipSpace moves off past whitespace and the one separator (',' or ':')
// the decoder has not yet consumed, so that positions point at the token
// itself (or at a second, stray separator).
func (c *jsonChecker) skipSpace(off int64) int64 {
	ws := func() {
		for off < int64(len(c.data)) && strings.IndexByte(" \t\r\n", c.data[off]) >= 0 {
			off++
		}
	}
	ws()
	if off < int64(len(c.data)) && (c.data[off] == ',' || c.data[off] == ':') {
		off++
		ws()
	}
	return off
}

// lineCol converts a byte offset into a 1-based line and column (in runes).
func (c *jsonChecker) lineCol(off int64) (line, col int) {
	if off > int64(len(c.data)) {
		off = int64(len(c.data))
	}
	before := c.data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	col = len([]rune(string(before[lineStart:]))) + 1
	return line, col
}

func (c *jsonChecker) here() string {
	line, col := c.lineCol(c.start)
	return fmt.Sprintf("line %d, column %d", line, col)
}

func (c *jsonChecker) problem(path, format string, args ...any) {
	if path == "" {
		path = "(file)"
	}
	c.probs = append(c.probs, Problem{Path: path, Message: fmt.Sprintf(format, args...) + " (" + c.here() + ")"})
}

// value checks the value that begins with tok against t.
func (c *jsonChecker) value(tok json.Token, t reflect.Type, path string) error {
	if tok == nil { // null leaves any field at its zero value, as Unmarshal does
		return nil
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			c.problem(path, "want an object, got %s", describe(tok))
			return c.skip(tok, path)
		}
		return c.object(t, path)
	case reflect.Slice:
		if d, ok := tok.(json.Delim); !ok || d != '[' {
			c.problem(path, "want an array, got %s", describe(tok))
			return c.skip(tok, path)
		}
		for i := 0; c.dec.More(); i++ {
			el, err := c.token(path)
			if err != nil {
				return err
			}
			if err := c.value(el, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := c.token(path) // ']'
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			c.problem(path, "want a string, got %s", describe(tok))
			return c.skip(tok, path)
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			c.problem(path, "want true or false, got %s", describe(tok))
			return c.skip(tok, path)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			c.problem(path, "want a whole number, got %s", describe(tok))
			return c.skip(tok, path)
		}
		if _, err := n.Int64(); err != nil {
			c.problem(path, "want a whole number, got %s", n)
		}
	case reflect.Float32, reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			c.problem(path, "want a number, got %s", describe(tok))
			return c.skip(tok, path)
		}
		if _, err := n.Float64(); err != nil {
			c.problem(path, "number %s is out of range", n)
		}
	default:
		panic("survey: checkJSON cannot check " + t.String())
	}
	return nil
}

// object checks the members of an object whose '{' has been read.
func (c *jsonChecker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := map[string]bool{}
	for c.dec.More() {
		kt, err := c.token(path)
		if err != nil {
			return err
		}
		key, _ := kt.(string) // the decoder guarantees object keys are strings
		sub := key
		if path != "" {
			sub = path + "." + key
		}
		ft, known := fields[key]
		switch {
		case known && seen[key]:
			c.problem(sub, "field given twice")
		case !known:
			hint := ""
			for name := range fields {
				if strings.EqualFold(name, key) {
					hint = fmt.Sprintf("; did you mean %q? (names are lower case)", name)
				}
			}
			c.problem(sub, "unknown field%s", hint)
		}
		seen[key] = true
		vt, err := c.token(sub)
		if err != nil {
			return err
		}
		if !known {
			if err := c.skip(vt, sub); err != nil {
				return err
			}
			continue
		}
		if err := c.value(vt, ft, sub); err != nil {
			return err
		}
	}
	_, err := c.token(path) // '}'
	return err
}

// skip consumes the rest of a value that begins with tok.
func (c *jsonChecker) skip(tok json.Token, path string) error {
	d, ok := tok.(json.Delim)
	if !ok || (d != '{' && d != '[') {
		return nil
	}
	for depth := 1; depth > 0; {
		t, err := c.token(path)
		if err != nil {
			return err
		}
		if d, ok := t.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
	}
	return nil
}

// jsonFields maps the JSON names of t's exported fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}

// describe names a token's JSON type for messages.
func describe(tok json.Token) string {
	switch v := tok.(type) {
	case nil:
		return "null"
	case bool:
		return fmt.Sprintf("%t", v)
	case json.Number:
		return "the number " + v.String()
	case string:
		if len([]rune(v)) > 20 {
			v = string([]rune(v)[:20]) + "…"
		}
		return fmt.Sprintf("the string %q", v)
	case json.Delim:
		if v == '{' {
			return "an object"
		}
		return "an array"
	}
	return fmt.Sprintf("%v", tok)
}

//go:embed default_csi_questionnaire.json
var defaultServiceQuestionnaireJSON []byte

// DefaultServiceQuestionnaireJSON returns the embedded CCSI template of a
// service measurement as JSON (a copy).
func DefaultServiceQuestionnaireJSON() []byte {
	return bytes.Clone(defaultServiceQuestionnaireJSON)
}

// DefaultServiceQuestionnaire returns the CCSI template of a service
// measurement (docs/QUESTIONNAIRE.md, "The service template"): a screener
// with the sector, recent use, district and age, 3–4 items on 1–10 per
// construct, background. Each call decodes it again.
func DefaultServiceQuestionnaire() *Questionnaire {
	q := new(Questionnaire)
	if err := json.Unmarshal(defaultServiceQuestionnaireJSON, q); err != nil {
		panic("survey: embedded service questionnaire: " + err.Error())
	}
	return q
}
