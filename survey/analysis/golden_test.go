package analysis

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files in testdata/")

// flatten writes every number, string and flag reachable from v as
// "path\tvalue" lines (fields tagged json:"-" skipped, map keys sorted), so
// that two computations can be compared value by value with a tolerance.
func flatten(v reflect.Value, path string, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			*out = append(*out, path+"\tnil")
			return
		}
		flatten(v.Elem(), path, out)
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			flatten(v.Field(i), path+"."+f.Name, out)
		}
	case reflect.Slice, reflect.Array:
		*out = append(*out, path+".len\t"+strconv.Itoa(v.Len()))
		for i := 0; i < v.Len(); i++ {
			flatten(v.Index(i), fmt.Sprintf("%s[%d]", path, i), out)
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(a, b int) bool { return fmt.Sprint(keys[a]) < fmt.Sprint(keys[b]) })
		for _, k := range keys {
			flatten(v.MapIndex(k), fmt.Sprintf("%s[%v]", path, k), out)
		}
	case reflect.Float32, reflect.Float64:
		*out = append(*out, path+"\t"+strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		*out = append(*out, path+"\t"+strconv.FormatInt(v.Int(), 10))
	case reflect.Bool:
		*out = append(*out, path+"\t"+strconv.FormatBool(v.Bool()))
	case reflect.String:
		*out = append(*out, path+"\t"+strconv.Quote(v.String()))
	default:
		panic("flatten: unexpected kind " + v.Kind().String() + " at " + path)
	}
}

// sameNumber reports whether two golden values agree: equal text, or
// numbers within 1e-12 relative (absolute below 1), the bound the
// performance work promised to stay within.
func sameNumber(a, b string) bool {
	if a == b {
		return true
	}
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return false
	}
	return math.Abs(x-y) <= 1e-12*math.Max(1, math.Abs(x))
}

// TestComputeGolden compares every figure of Compute on seeded data sets
// with testdata/golden/*.txt, written before the engine was made faster
// (go test -run ComputeGolden -update rewrites them). It guards that speed
// work changes no number by more than 1e-12.
func TestComputeGolden(t *testing.T) {
	prev := &Previous{Dataset: Simulate(SimOptions{N: 1500, Seed: 12, Shift: -0.2, IDPrefix: "2025-"}), Spec: DefaultWeightingSpec()}
	expert := IndexMethod{Method: MethodExpert, Weights: map[string]float64{"product": 3, "construction": 1, "service": 2, "environment": 2, "public": 1}}
	post := WeightingSpec{DesignWeights: true, Calibration: CalPostStratify, Margins: [][]string{{VarDistrict, VarGender, VarAgeBand}}}
	linear := WeightingSpec{DesignWeights: true, Calibration: CalLinear, Margins: [][]string{{VarDistrict}, {VarGender}, {VarAgeBand}}, Bounds: []float64{0.2, 6}}
	cases := []struct {
		name string
		ds   *Dataset
		spec WeightingSpec
		opt  Options
	}{
		{"raking-groupitems-prev", Simulate(SimOptions{N: 2500, Seed: 11}), DefaultWeightingSpec(), Options{GroupItems: true, Prev: prev}},
		{"poststratify-regression", Simulate(SimOptions{N: 2000, Seed: 13, OpenLink: 0.05}), post, Options{Method: IndexMethod{Method: MethodRegression}}},
		{"linear-bounded-expert", Simulate(SimOptions{N: 1200, Seed: 14}), linear, Options{Method: expert, Level: 0.9}},
		{"uncalibrated", Simulate(SimOptions{N: 800, Seed: 15}), WeightingSpec{DesignWeights: true}, Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Compute(c.ds, c.spec, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			flatten(reflect.ValueOf(res), "", &got)
			file := filepath.Join("testdata", "golden", c.name+".txt")
			if *updateGolden {
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var want []string
			sc := bufio.NewScanner(f)
			sc.Buffer(nil, 1<<20)
			for sc.Scan() {
				want = append(want, sc.Text())
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			wantByPath := map[string]string{}
			for _, l := range want {
				p, v, _ := strings.Cut(l, "\t")
				wantByPath[p] = v
			}
			if len(got) != len(want) {
				t.Errorf("got %d values, want %d", len(got), len(want))
			}
			bad := 0
			for _, l := range got {
				p, v, _ := strings.Cut(l, "\t")
				w, ok := wantByPath[p]
				switch {
				case !ok:
					t.Errorf("%s: got %s, not in the golden file", p, v)
				case !sameNumber(v, w):
					t.Errorf("%s: got %s, want %s", p, v, w)
				default:
					continue
				}
				if bad++; bad > 20 {
					t.Fatal("too many differences")
				}
			}
		})
	}
}
