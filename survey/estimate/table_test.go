package estimate

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// TestAddTextNumbers checks that the fast path for short digit strings
// gives exactly what strconv.ParseFloat gives, and that the kind of a
// column does not depend on where its first number or text sits.
func TestAddTextNumbers(t *testing.T) {
	cases := []struct {
		name    string
		vals    []string
		numeric bool
	}{
		{"codes", []string{"1", "10", "007", "99", "123456789"}, true},
		{"signs-and-spaces", []string{"+7", " 7 ", "-0", "1e3", "0.1"}, true},
		{"long-digits", []string{"1234567890123", "99999999999999999999"}, true},
		{"missing-first", []string{"", "NA", "3"}, true},
		{"all-missing", []string{"", "NA"}, true},
		{"text-first", []string{"d1", "2"}, false},
		{"text-later", []string{"2", "", "d1"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb := NewTable(len(c.vals))
			if err := tb.AddText("x", c.vals); err != nil {
				t.Fatal(err)
			}
			col := tb.Column("x")
			if col.Numeric != c.numeric {
				t.Fatalf("numeric: got %v, want %v", col.Numeric, c.numeric)
			}
			if !c.numeric {
				return
			}
			for i, v := range c.vals {
				got := col.Num[i]
				if v == "" || v == "NA" {
					if !math.IsNaN(got) || !col.Missing[i] {
						t.Errorf("row %d %q: got %v (missing %v), want NaN, missing", i, v, got, col.Missing[i])
					}
					continue
				}
				want, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if math.Float64bits(got) != math.Float64bits(want) {
					t.Errorf("row %d %q: got %v, want %v", i, v, got, want)
				}
			}
		})
	}
}

// TestByGroupsCached checks that the domains of a set of by columns are
// coded once per table and shared, that numeric columns added with
// AddNumeric group by their text form, and that joint domains come out
// sorted by key with missing values in no domain.
func TestByGroupsCached(t *testing.T) {
	tb := NewTable(6)
	if err := tb.AddText("g", []string{"b", "a", "b", "", "a", "c"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.AddNumeric("h", []float64{2, 10, 2, 1, math.NaN(), 10}); err != nil {
		t.Fatal(err)
	}
	dm, err := byGroups(tb, []string{"g", "h"}, "q")
	if err != nil {
		t.Fatal(err)
	}
	again, err := byGroups(tb, []string{"g", "h"}, "q")
	if err != nil {
		t.Fatal(err)
	}
	if dm != again {
		t.Errorf("second call: got a new domains value, want the cached one")
	}
	wantKeys := [][]string{{"a", "10"}, {"b", "2"}, {"c", "10"}}
	if len(dm.keys) != len(wantKeys) {
		t.Fatalf("got keys %v, want %v", dm.keys, wantKeys)
	}
	for g, k := range wantKeys {
		if strings.Join(dm.keys[g], "|") != strings.Join(k, "|") {
			t.Errorf("domain %d: got %v, want %v", g, dm.keys[g], k)
		}
	}
	wantCode := []int{1, 0, 1, -1, -1, 2}
	for i, c := range wantCode {
		if dm.groups.Code[i] != c {
			t.Errorf("row %d: got domain %d, want %d", i, dm.groups.Code[i], c)
		}
	}
	// Numeric keys sort as text, as they always did ("10" < "2").
	one, err := byGroups(tb, []string{"h"}, "q")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join([]string{one.keys[0][0], one.keys[1][0], one.keys[2][0]}, ","); got != "1,10,2" {
		t.Errorf("numeric keys: got %s, want 1,10,2", got)
	}
}

// TestByGroupsManyValues checks the coding of a text column with more
// distinct values than the linear scan keeps (it switches to a map): every
// row's domain key is its own value.
func TestByGroupsManyValues(t *testing.T) {
	const n = 200
	vals := make([]string, n)
	for i := range vals {
		vals[i] = "v" + strconv.Itoa((i*7)%23)
		if i%31 == 0 {
			vals[i] = ""
		}
	}
	tb := NewTable(n)
	if err := tb.AddText("g", vals); err != nil {
		t.Fatal(err)
	}
	dm, err := byGroups(tb, []string{"g"}, "q")
	if err != nil {
		t.Fatal(err)
	}
	if dm.groups.Len != 23 {
		t.Errorf("got %d domains, want 23", dm.groups.Len)
	}
	for i, v := range vals {
		c := dm.groups.Code[i]
		if v == "" {
			if c != -1 {
				t.Errorf("row %d (missing): got domain %d, want -1", i, c)
			}
			continue
		}
		if c < 0 || dm.keys[c][0] != v {
			t.Errorf("row %d (%q): got domain %d", i, v, c)
		}
	}
}
