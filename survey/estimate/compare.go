package estimate

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Iterative reports whether the design.json in dir has a calibration is iterative (raking or
// bounded linear), which loosens every tolerance to 1e-6.
func Iterative(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "design.json"))
	if err != nil {
		return false
	}
	var d Design
	if json.Unmarshal(b, &d) != nil || d.Calibration == nil {
		return false
	}
	return d.Calibration.Method == "raking" || (d.Calibration.Method == "linear" && d.Calibration.Bounds != nil)
}

// CompareAnswers compares two answer files in the shape of expected.json and
// returns one message per difference (none when they agree). Rows of by
// answers are matched by key, in any order. It is how the tests hold the
// engine to R's reference answers, and how a caller can check that two runs
// (the results page and `manyi estimate` on its export) agree. Tolerances (relative): estimates and
// coefficients 1e-9; standard errors, interval ends and design effects
// 1e-6; everything 1e-6 when iterative.
func CompareAnswers(gotJSON, wantJSON []byte, iterative bool) []string {
	var got, want map[string]any
	if err := json.Unmarshal(gotJSON, &got); err != nil {
		return []string{fmt.Sprintf("output is not JSON: %v", err)}
	}
	if err := json.Unmarshal(wantJSON, &want); err != nil {
		return []string{fmt.Sprintf("expected.json: %v", err)}
	}
	var probs []string
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		g, ok := got[id]
		if !ok {
			probs = append(probs, fmt.Sprintf("%s: missing from output", id))
			continue
		}
		compareValue(id, g, want[id], "", iterative, &probs)
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			probs = append(probs, fmt.Sprintf("%s: not in expected.json", id))
		}
	}
	return probs
}

func tolFor(field string, iterative bool) float64 {
	if iterative {
		return 1e-6
	}
	if field == "estimate" {
		return 1e-9
	}
	return 1e-6
}

func compareValue(path string, got, want any, field string, iterative bool, probs *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*probs = append(*probs, fmt.Sprintf("%s: got %v, want an object", path, got))
			return
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				*probs = append(*probs, fmt.Sprintf("%s: unexpected key %q", path, k))
			}
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*probs = append(*probs, fmt.Sprintf("%s: missing key %q", path, k))
				continue
			}
			if k == "by" {
				compareRows(path+".by", gv, wv, iterative, probs)
				continue
			}
			compareValue(path+"."+k, gv, wv, k, iterative, probs)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*probs = append(*probs, fmt.Sprintf("%s: got %v, want %v", path, got, want))
			return
		}
		for i := range w {
			compareValue(fmt.Sprintf("%s[%d]", path, i), g[i], w[i], field, iterative, probs)
		}
	case float64:
		g, ok := got.(float64)
		if !ok {
			*probs = append(*probs, fmt.Sprintf("%s: got %v, want %v", path, got, w))
			return
		}
		tol := tolFor(field, iterative)
		if math.Abs(g-w) > tol*math.Abs(w)+1e-300 {
			*probs = append(*probs, fmt.Sprintf("%s: got %.15g, want %.15g (rel diff %.3g > %g)", path, g, w, math.Abs(g-w)/math.Abs(w), tol))
		}
	default:
		if fmt.Sprint(got) != fmt.Sprint(want) {
			*probs = append(*probs, fmt.Sprintf("%s: got %v, want %v", path, got, want))
		}
	}
}

// compareRows matches by rows by key, in any order.
func compareRows(path string, got, want any, iterative bool, probs *[]string) {
	key := func(r any) string {
		m, _ := r.(map[string]any)
		k, _ := m["key"].(map[string]any)
		names := make([]string, 0, len(k))
		for n := range k {
			names = append(names, n)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, n := range names {
			parts[i] = fmt.Sprintf("%s=%v", n, k[n])
		}
		return strings.Join(parts, ",")
	}
	g, _ := got.([]any)
	w, _ := want.([]any)
	if len(g) != len(w) {
		*probs = append(*probs, fmt.Sprintf("%s: got %d rows, want %d", path, len(g), len(w)))
	}
	gm := map[string]any{}
	for _, r := range g {
		gm[key(r)] = r
	}
	for _, r := range w {
		k := key(r)
		gr, ok := gm[k]
		if !ok {
			*probs = append(*probs, fmt.Sprintf("%s: no row %s", path, k))
			continue
		}
		compareValue(path+"{"+k+"}", gr, r, "", iterative, probs)
	}
}
