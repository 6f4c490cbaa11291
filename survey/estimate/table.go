package estimate

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
)

// Column is one variable of a Table. A column is numeric when every
// non-missing value parses as a finite number; otherwise it is categorical
// and its values compare as strings.
type Column struct {
	Name string
	// Raw holds the values as text ("" for missing). It is nil for a
	// column added with AddNumeric; use Text.
	Raw []string
	// Missing marks missing values (an empty field or NA).
	Missing []bool
	// Numeric says whether every non-missing value is a number.
	Numeric bool
	// Num holds the numeric values, NaN where missing (nil when not Numeric).
	Num []float64
	// badRow is the first row (0-based) whose value is not a number, or −1.
	badRow int
}

// Text returns value i as text: as read for a column from text, the
// shortest exact decimal for one added with AddNumeric, "" when missing.
func (c *Column) Text(i int) string {
	if c.Missing[i] {
		return ""
	}
	if c.Raw != nil {
		return c.Raw[i]
	}
	return strconv.FormatFloat(c.Num[i], 'g', -1, 64)
}

// Table is a data set: named columns of equal length. Columns may be
// added at any time, but a column's values must not change once queries
// have run on the table (the by-domains of each set of columns are cached).
type Table struct {
	cols  []*Column
	index map[string]int
	n     int

	// mu guards groups, the by-domains already coded: RunOn may run on
	// one table from several goroutines.
	mu     sync.Mutex
	groups map[string]groupCache
}

// NewTable returns an empty table with n rows.
func NewTable(n int) *Table { return &Table{index: map[string]int{}, n: n} }

// Rows returns the number of rows.
func (t *Table) Rows() int { return t.n }

// Columns returns the columns in order.
func (t *Table) Columns() []*Column { return t.cols }

// Column returns the named column, or nil.
func (t *Table) Column(name string) *Column {
	if i, ok := t.index[name]; ok {
		return t.cols[i]
	}
	return nil
}

// checkName rejects empty, duplicate and byte-order-mark-prefixed names
// (the last would not survive WriteCSV and ReadCSV).
func (t *Table) checkName(name string) error {
	if name == "" {
		return fmt.Errorf("column %d has no name", len(t.cols)+1)
	}
	if strings.HasPrefix(name, "\ufeff") {
		return fmt.Errorf("column %d name starts with a byte-order mark", len(t.cols)+1)
	}
	if _, dup := t.index[name]; dup {
		return fmt.Errorf("column %q appears twice", name)
	}
	return nil
}

// AddText adds a column from text values; "" and "NA" are missing. The
// column is numeric when every other value parses as a number, exactly as
// when read from a CSV file.
func (t *Table) AddText(name string, vals []string) error {
	if len(vals) != t.n {
		return fmt.Errorf("column %q has %d values, want %d", name, len(vals), t.n)
	}
	if err := t.checkName(name); err != nil {
		return err
	}
	c := &Column{Name: name, Raw: vals, Missing: make([]bool, t.n), badRow: -1}
	// The numbers are allocated at the first number: a text column (ids,
	// codes such as "d1") usually says so at its first value.
	var num []float64
	for i, v := range vals {
		if v == "" || v == "NA" {
			c.Missing[i] = true
			if num != nil {
				num[i] = math.NaN()
			}
			continue
		}
		if c.badRow >= 0 {
			continue
		}
		f, ok := smallUint(v)
		if !ok {
			var err error
			f, err = strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				c.badRow = i
				continue
			}
		}
		if num == nil {
			num = make([]float64, t.n)
			for j := 0; j < i; j++ {
				num[j] = math.NaN() // every earlier value is missing
			}
		}
		num[i] = f
	}
	if c.badRow < 0 {
		if num == nil { // every value missing
			num = make([]float64, t.n)
			for j := range num {
				num[j] = math.NaN()
			}
		}
		c.Numeric = true
		c.Num = num
	}
	t.index[name] = len(t.cols)
	t.cols = append(t.cols, c)
	return nil
}

// smallUint parses a value of at most 9 decimal digits and nothing else
// (answer codes, counts) without strconv: such a value is an integer below
// 2^53, so it is exactly what ParseFloat would return.
func smallUint(v string) (float64, bool) {
	if len(v) == 0 || len(v) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return float64(n), true
}

// AddNumeric adds a numeric column; NaN is missing. Its text form (Text,
// WriteCSV, by keys) is the shortest decimal that reads back to the same
// float64, made on demand, so a table written by WriteCSV and read again
// gives identical estimates.
func (t *Table) AddNumeric(name string, vals []float64) error {
	if len(vals) != t.n {
		return fmt.Errorf("column %q has %d values, want %d", name, len(vals), t.n)
	}
	if err := t.checkName(name); err != nil {
		return err
	}
	c := &Column{Name: name, Missing: make([]bool, t.n), Numeric: true, Num: make([]float64, t.n), badRow: -1}
	for i, v := range vals {
		if math.IsNaN(v) {
			c.Missing[i] = true
			c.Num[i] = math.NaN()
			continue
		}
		if math.IsInf(v, 0) {
			return fmt.Errorf("column %q row %d: %v is not a finite number", name, i+1, v)
		}
		c.Num[i] = v
	}
	t.index[name] = len(t.cols)
	t.cols = append(t.cols, c)
	return nil
}

// ReadCSV reads a UTF-8 CSV file with a header row (a leading byte-order
// mark, as Excel writes, is skipped). An empty field or NA is missing.
func ReadCSV(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cr := csv.NewReader(bytes.NewReader(data))
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("the file is empty: want a header row")
	}
	if err != nil {
		return nil, csvError(err)
	}
	seen := map[string]bool{}
	for j, h := range header {
		if h == "" {
			return nil, fmt.Errorf("header: column %d has no name", j+1)
		}
		if seen[h] {
			return nil, fmt.Errorf("header: column %q appears twice", h)
		}
		seen[h] = true
	}
	cols := make([][]string, len(header))
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		for j, v := range rec {
			cols[j] = append(cols[j], v)
		}
	}
	n := len(cols[0])
	t := NewTable(n)
	for j, h := range header {
		if err := t.AddText(h, cols[j]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// csvError rewords encoding/csv errors with the data row.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if pe.StartLine <= 1 {
			return fmt.Errorf("header (line %d): %v", pe.Line, pe.Err)
		}
		return fmt.Errorf("row %d (line %d): %v", pe.StartLine-1, pe.Line, pe.Err)
	}
	return err
}

// WriteCSV writes the table as UTF-8 CSV with a header row, missing values
// as empty fields, numbers in their shortest exact form.
func WriteCSV(w io.Writer, t *Table) error {
	cw := csv.NewWriter(w)
	rec := make([]string, len(t.cols))
	for j, c := range t.cols {
		rec[j] = c.Name
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for i := 0; i < t.n; i++ {
		for j, c := range t.cols {
			if c.Missing[i] {
				rec[j] = ""
			} else {
				rec[j] = c.Text(i)
			}
		}
		if len(rec) == 1 && rec[0] == "" {
			// A lone empty field would be an empty line, which readers
			// skip: quote it so the row survives.
			cw.Flush()
			if _, err := io.WriteString(w, "\"\"\n"); err != nil {
				return err
			}
			continue
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// numeric returns the named column's numbers, or an error naming the column
// (and the first non-numeric row).
func (t *Table) numeric(name, where string) ([]float64, error) {
	c := t.Column(name)
	if c == nil {
		return nil, fmt.Errorf("%s: unknown column %q", where, name)
	}
	if !c.Numeric {
		return nil, fmt.Errorf("%s: column %q must be numeric but row %d has %q", where, name, c.badRow+1, c.Raw[c.badRow])
	}
	return c.Num, nil
}

// column returns the named column or an error.
func (t *Table) column(name, where string) (*Column, error) {
	c := t.Column(name)
	if c == nil {
		return nil, fmt.Errorf("%s: unknown column %q", where, name)
	}
	return c, nil
}
