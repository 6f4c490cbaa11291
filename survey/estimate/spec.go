package estimate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// Design is design.json: the sampling design, calibration and variance
// method.
type Design struct {
	// IDs names the cluster column of each stage; empty: every row is its own PSU.
	IDs []string `json:"ids"`
	// Strata names the stratum column; "": one stratum.
	Strata string `json:"strata,omitempty"`
	// Weights names the sampling-weight column; "": weight 1.
	Weights string `json:"weights,omitempty"`
	// FPC names, per stage, a column of population counts (> 1) or sampling
	// fractions (≤ 1); empty: with replacement.
	FPC []string `json:"fpc,omitempty"`
	// Nest says PSU ids are only unique within strata.
	Nest bool `json:"nest"`
	// LonelyPSU is fail, adjust, average, certainty or remove.
	LonelyPSU   string       `json:"lonely_psu,omitempty"`
	Calibration *Calibration `json:"calibration,omitempty"`
	Replicates  *Replicates  `json:"replicates,omitempty"`
	// Notes says how the design was made (free text).
	Notes string `json:"notes,omitempty"`
}

// Calibration is design.json's calibration block.
type Calibration struct {
	// Method is raking, poststratify or linear.
	Method  string   `json:"method"`
	Margins []Margin `json:"margins"`
	// Bounds, when given, is [L, U] on the ratio new weight / old weight.
	Bounds []float64 `json:"bounds,omitempty"`
	// Epsilon is the convergence tolerance (default 1e-10).
	Epsilon float64 `json:"epsilon,omitempty"`
	// MaxIter is the iteration limit (default 100).
	MaxIter int `json:"maxit,omitempty"`
}

// Margin is one calibration margin: the variables (joint when more than
// one; cells named by joining their values with "|") and the population
// total of every cell.
type Margin struct {
	Variables []string           `json:"variables"`
	Totals    map[string]float64 `json:"totals"`
}

// Replicates is design.json's replicate-weights block.
type Replicates struct {
	// Type is JK1, JKn, bootstrap, BRR or Fay.
	Type string `json:"type"`
	// Columns names the replicate-weight columns; empty: build them from
	// the design (JK1, JKn, BRR, Fay; bootstrap with Count and Seed).
	Columns []string  `json:"columns,omitempty"`
	Scale   *float64  `json:"scale,omitempty"`
	RScales []float64 `json:"rscales,omitempty"`
	MSE     bool      `json:"mse"`
	// Rho is Fay's factor.
	Rho float64 `json:"rho,omitempty"`
	// Count and Seed make bootstrap replicates from the design.
	Count int    `json:"count,omitempty"`
	Seed  uint64 `json:"seed,omitempty"`
}

// Query is one entry of queries.json.
type Query struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // mean, total, ratio, proportion, index, regression, contrast

	Var   string `json:"var,omitempty"`
	Value Value  `json:"value,omitempty"`
	Num   string `json:"num,omitempty"`
	Den   string `json:"den,omitempty"`
	Items []Item `json:"items,omitempty"`

	Y string   `json:"y,omitempty"`
	X []string `json:"x,omitempty"`

	Of string            `json:"of,omitempty"`
	A  map[string]string `json:"a,omitempty"`
	B  map[string]string `json:"b,omitempty"`

	By    []string `json:"by,omitempty"`
	Level float64  `json:"level,omitempty"` // default 0.95
	CI    string   `json:"ci,omitempty"`    // wald (default), logit, beta
	DF    string   `json:"df,omitempty"`    // inf (default) or design
	Deff  bool     `json:"deff,omitempty"`
}

// Item is one item of an index query.
type Item struct {
	Var    string  `json:"var"`
	Weight float64 `json:"weight"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

// Value is a proportion's category; JSON may give it as a string or a number.
type Value string

// UnmarshalJSON accepts a string or a number.
func (v *Value) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = Value(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return errors.New("want a string or a number")
	}
	*v = Value(n.String())
	return nil
}

// ReadDesign reads design.json strictly: unknown fields, wrong types and
// invalid values are errors naming the field.
func ReadDesign(r io.Reader) (*Design, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var d Design
	if err := strictDecode(data, &d); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// Validate checks the fields that JSON types cannot.
func (d *Design) Validate() error {
	for i, s := range d.IDs {
		if s == "" {
			return fmt.Errorf("field \"ids[%d]\": empty column name", i)
		}
	}
	if len(d.FPC) > max(len(d.IDs), 1) {
		return fmt.Errorf("field \"fpc\": %d columns for %d stages", len(d.FPC), max(len(d.IDs), 1))
	}
	if len(d.IDs) > 1 && len(d.FPC) > 0 && len(d.FPC) != len(d.IDs) {
		return fmt.Errorf("field \"fpc\": give one fpc column per stage of \"ids\" (%d), or none; got %d", len(d.IDs), len(d.FPC))
	}
	switch d.LonelyPSU {
	case "", "fail", "adjust", "average", "certainty", "remove":
	default:
		return fmt.Errorf("field \"lonely_psu\": %q is not fail, adjust, average, certainty or remove", d.LonelyPSU)
	}
	if c := d.Calibration; c != nil {
		switch c.Method {
		case "raking", "poststratify", "linear":
		default:
			return fmt.Errorf("field \"calibration.method\": %q is not raking, poststratify or linear", c.Method)
		}
		if len(c.Margins) == 0 {
			return errors.New("field \"calibration.margins\": at least one margin is needed")
		}
		if c.Method == "poststratify" && len(c.Margins) != 1 {
			return errors.New("field \"calibration.margins\": poststratify takes one margin (joint variables allowed)")
		}
		for k, m := range c.Margins {
			if len(m.Variables) == 0 {
				return fmt.Errorf("field \"calibration.margins[%d].variables\": at least one variable is needed", k)
			}
			if len(m.Totals) == 0 {
				return fmt.Errorf("field \"calibration.margins[%d].totals\": no totals", k)
			}
		}
		if c.Bounds != nil && (len(c.Bounds) != 2 || !(c.Bounds[0] < 1 && c.Bounds[1] > 1 && c.Bounds[0] >= 0)) {
			return fmt.Errorf("field \"calibration.bounds\": want [L, U] with 0 ≤ L < 1 < U, got %v", c.Bounds)
		}
		if c.Epsilon < 0 || c.MaxIter < 0 || c.MaxIter > 10000 {
			return errors.New("field \"calibration.epsilon\"/\"maxit\": must not be negative, and maxit at most 10000")
		}
	}
	if r := d.Replicates; r != nil {
		switch r.Type {
		case "JK1", "JKn", "bootstrap", "BRR", "Fay":
		default:
			return fmt.Errorf("field \"replicates.type\": %q is not JK1, JKn, bootstrap, BRR or Fay", r.Type)
		}
		if r.RScales != nil && len(r.Columns) > 0 && len(r.RScales) != len(r.Columns) {
			return fmt.Errorf("field \"replicates.rscales\": %d values for %d columns", len(r.RScales), len(r.Columns))
		}
		if r.Scale != nil && !(*r.Scale > 0) {
			return fmt.Errorf("field \"replicates.scale\": %v is not positive", *r.Scale)
		}
		if r.Type == "Fay" && !(r.Rho > 0 && r.Rho < 1) {
			return fmt.Errorf("field \"replicates.rho\": Fay needs 0 < rho < 1, got %v", r.Rho)
		}
		if r.Count < 0 || r.Count > 10000 {
			return fmt.Errorf("field \"replicates.count\": %d is not between 2 and 10000", r.Count)
		}
		if r.Type == "bootstrap" && len(r.Columns) == 0 && r.Count < 2 {
			return errors.New("field \"replicates.count\": bootstrap replicates from the design need count ≥ 2 (or give columns)")
		}
	}
	return nil
}

// ReadQueries reads queries.json strictly: every query is checked for its
// kind's fields, and errors name the query and the field.
func ReadQueries(r io.Reader) ([]Query, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var raw []json.RawMessage
	if err := strictDecode(data, &raw); err != nil {
		return nil, err
	}
	qs := make([]Query, len(raw))
	for i, m := range raw {
		if err := strictDecode(m, &qs[i]); err != nil {
			return nil, fmt.Errorf("query %d%s: %v", i+1, idHint(m), err)
		}
	}
	if err := ValidateQueries(qs); err != nil {
		return nil, err
	}
	return qs, nil
}

// idHint returns ` ("id")` when the raw query has a readable id.
func idHint(m json.RawMessage) string {
	var q struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(m, &q) == nil {
		if s, ok := q.ID.(string); ok && s != "" {
			return fmt.Sprintf(" (%q)", s)
		}
	}
	return ""
}

// ValidateQueries checks every query's fields for its kind, the ids for
// uniqueness and the contrasts' references.
func ValidateQueries(qs []Query) error {
	ids := map[string]int{}
	for i, q := range qs {
		where := fmt.Sprintf("query %d", i+1)
		if q.ID != "" {
			where = fmt.Sprintf("query %d (%q)", i+1, q.ID)
		}
		fail := func(field, format string, a ...any) error {
			return fmt.Errorf("%s: field %q: %s", where, field, fmt.Sprintf(format, a...))
		}
		if q.ID == "" {
			return fail("id", "is required")
		}
		if _, dup := ids[q.ID]; dup {
			return fail("id", "%q is used twice", q.ID)
		}
		ids[q.ID] = i
		need := func(field, v string) error {
			if v == "" {
				return fail(field, "is required for kind %q", q.Kind)
			}
			return nil
		}
		// Fields that only some kinds take.
		allowed := map[string]bool{}
		switch q.Kind {
		case "mean", "total":
			allowed["var"], allowed["by"], allowed["deff"] = true, true, true
			if err := need("var", q.Var); err != nil {
				return err
			}
		case "proportion":
			allowed["var"], allowed["value"], allowed["by"], allowed["deff"] = true, true, true, true
			if err := need("var", q.Var); err != nil {
				return err
			}
			if err := need("value", string(q.Value)); err != nil {
				return err
			}
		case "ratio":
			allowed["num"], allowed["den"], allowed["by"] = true, true, true
			if err := need("num", q.Num); err != nil {
				return err
			}
			if err := need("den", q.Den); err != nil {
				return err
			}
		case "index":
			allowed["items"], allowed["by"] = true, true
			if len(q.Items) == 0 {
				return fail("items", "at least one item is required for kind \"index\"")
			}
			for k, it := range q.Items {
				if it.Var == "" {
					return fail(fmt.Sprintf("items[%d].var", k), "is required")
				}
				if !(it.Weight > 0) {
					return fail(fmt.Sprintf("items[%d].weight", k), "must be positive, got %v", it.Weight)
				}
				if !(it.Max > it.Min) {
					return fail(fmt.Sprintf("items[%d].max", k), "must be greater than min (%v), got %v", it.Min, it.Max)
				}
			}
		case "regression":
			allowed["y"], allowed["x"] = true, true
			if err := need("y", q.Y); err != nil {
				return err
			}
			if len(q.X) == 0 {
				return fail("x", "at least one predictor is required for kind \"regression\"")
			}
		case "contrast":
			allowed["of"], allowed["a"], allowed["b"] = true, true, true
			if err := need("of", q.Of); err != nil {
				return err
			}
			if len(q.A) == 0 {
				return fail("a", "is required for kind \"contrast\"")
			}
			if len(q.B) == 0 {
				return fail("b", "is required for kind \"contrast\"")
			}
		case "":
			return fail("kind", "is required")
		default:
			return fail("kind", "%q is not mean, total, ratio, proportion, index, regression or contrast", q.Kind)
		}
		present := map[string]bool{
			"var": q.Var != "", "value": q.Value != "", "num": q.Num != "", "den": q.Den != "",
			"items": q.Items != nil, "y": q.Y != "", "x": q.X != nil, "of": q.Of != "",
			"a": q.A != nil, "b": q.B != nil, "by": q.By != nil, "deff": q.Deff,
		}
		for _, f := range []string{"var", "value", "num", "den", "items", "y", "x", "of", "a", "b", "by", "deff"} {
			if present[f] && !allowed[f] {
				return fail(f, "does not apply to kind %q", q.Kind)
			}
		}
		for k, b := range q.By {
			if b == "" {
				return fail(fmt.Sprintf("by[%d]", k), "empty column name")
			}
		}
		if q.Level != 0 && !(q.Level > 0 && q.Level < 1) {
			return fail("level", "must be between 0 and 1, got %v", q.Level)
		}
		switch q.CI {
		case "", "wald":
		case "logit", "beta":
			if q.Kind != "proportion" {
				return fail("ci", "%q applies to proportions only", q.CI)
			}
		default:
			return fail("ci", "%q is not wald, logit or beta", q.CI)
		}
		switch q.DF {
		case "", "inf", "design":
		default:
			return fail("df", "%q is not inf or design", q.DF)
		}
	}
	for i, q := range qs {
		if q.Kind != "contrast" {
			continue
		}
		j, ok := ids[q.Of]
		if !ok {
			return fmt.Errorf("query %d (%q): field \"of\": no query has id %q", i+1, q.ID, q.Of)
		}
		if len(qs[j].By) == 0 {
			return fmt.Errorf("query %d (%q): field \"of\": query %q has no \"by\", so it has no domains to contrast", i+1, q.ID, q.Of)
		}
		for _, ab := range []struct {
			name string
			key  map[string]string
		}{{"a", q.A}, {"b", q.B}} {
			if len(ab.key) != len(qs[j].By) {
				return fmt.Errorf("query %d (%q): field %q: want a value for each of %v", i+1, q.ID, ab.name, qs[j].By)
			}
			for _, col := range qs[j].By {
				if _, ok := ab.key[col]; !ok {
					return fmt.Errorf("query %d (%q): field %q: no value for %q", i+1, q.ID, ab.name, col)
				}
			}
		}
	}
	return nil
}

// strictDecode decodes one JSON value, rejecting unknown fields and trailing
// data, and rewords errors to name the field or the line.
func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(data, err)
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset)
		return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return fmt.Errorf("want %s, got a JSON %s", kindName(te.Type), te.Value)
		}
		return fmt.Errorf("field %q: want %s, got a JSON %s", field, kindName(te.Type), te.Value)
	case errors.Is(err, io.EOF):
		return errors.New("empty file: want a JSON value")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("invalid JSON: unexpected end of file")
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "json: unknown field ") {
		return fmt.Errorf("unknown field %s", strings.TrimPrefix(msg, "json: unknown field "))
	}
	return errors.New(strings.TrimPrefix(msg, "json: "))
}

// kindName names a Go type the way a JSON author thinks of it.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return kindName(t.Elem())
	}
	return t.String()
}

func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// WriteDesign writes design.json (indented).
func WriteDesign(w io.Writer, d *Design) error {
	if d.IDs == nil {
		dd := *d
		dd.IDs = []string{}
		d = &dd
	}
	return writeJSON(w, d)
}

// WriteQueries writes queries.json (indented).
func WriteQueries(w io.Writer, qs []Query) error { return writeJSON(w, qs) }

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = w.Write(b)
	return err
}

// formatNumber writes a float with 15 significant digits, as expected.json
// does; NaN and infinities become null.
func formatNumber(v float64) string {
	if v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308 {
		return "null"
	}
	return strconv.FormatFloat(v, 'g', 15, 64)
}
