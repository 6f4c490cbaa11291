package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"manyi/stats"
	"manyi/survey/estimate"
)

func init() {
	register("pls", "PLS path model and satisfaction index from data.csv and model.json", runPLS)
}

const plsUsage = "usage: manyi pls --data data.csv --model model.json [--format json|table] [--bootstrap N --seed S --strata COL --psu COL]"

// runPLS implements `manyi pls --data data.csv --model model.json
// [--format json|table]`: it fits the model (docs/PLS.md) and prints the
// results in the shape of testdata/pls/*/expected.json. With --bootstrap N
// the JSON gains a "bootstrap" section. On any error it prints one line on
// stderr, nothing on stdout, and returns 2.
func runPLS(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pls", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dataPath := fs.String("data", "", "data file (CSV, UTF-8, header row)")
	modelPath := fs.String("model", "", "model file (JSON)")
	format := fs.String("format", "json", "output format: json or table")
	reps := fs.Int("bootstrap", 0, "bootstrap replicates (0: none)")
	seed := fs.Uint64("seed", 1, "bootstrap seed")
	strata := fs.String("strata", "", "bootstrap: column of strata codes")
	psu := fs.String("psu", "", "bootstrap: column of PSU (cluster) codes")
	fail := func(err error) int {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		fmt.Fprintf(stderr, "manyi pls: %s\n", msg)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, plsUsage)
			return 0
		}
		return fail(err)
	}
	if fs.NArg() > 0 {
		return fail(fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if *dataPath == "" || *modelPath == "" {
		return fail(fmt.Errorf("--data and --model are required (%s)", plsUsage))
	}
	if *format != "json" && *format != "table" {
		return fail(fmt.Errorf("--format %q: want json or table", *format))
	}
	if *reps < 0 || *reps == 1 {
		return fail(fmt.Errorf("--bootstrap %d: want 0 or at least 2 replicates", *reps))
	}
	if *reps == 0 && (*strata != "" || *psu != "") {
		return fail(errors.New("--strata and --psu need --bootstrap N"))
	}
	in, err := readPLSInput(*dataPath, *modelPath, *strata, *psu)
	if err != nil {
		return fail(err)
	}
	res, err := stats.FitPLS(in.x, in.w, in.model)
	if err != nil {
		return fail(err)
	}
	var boot *stats.PLSBoot
	if *reps > 0 {
		boot, err = stats.BootstrapPLS(in.x, in.w, in.model, in.design, stats.PLSBootOptions{Reps: *reps, Seed: *seed})
		if err != nil {
			return fail(err)
		}
	}
	var out bytes.Buffer
	if *format == "json" {
		err = writePLSJSON(&out, in, res, boot)
	} else {
		err = writePLSTable(&out, in, res, boot)
	}
	if err != nil {
		return fail(err)
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return fail(err)
	}
	return 0
}

// plsInput is a model and its data, read and checked.
type plsInput struct {
	spec   stats.PLSSpec
	model  stats.PLSModel
	header []string
	x      [][]float64 // x[j]: column j, NaN where missing (or don't know)
	w      []float64
	design stats.PLSDesign
}

func readPLSInput(dataPath, modelPath, strataCol, psuCol string) (*plsInput, error) {
	read := func(path string) ([]byte, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s: %v", path, pe.Err)
			}
			return nil, err
		}
		return b, nil
	}
	in := &plsInput{}
	mb, err := read(modelPath)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in.spec); err != nil {
		return nil, fmt.Errorf("%s: %v", modelPath, err)
	}
	db, err := read(dataPath)
	if err != nil {
		return nil, err
	}
	t, err := estimate.ReadCSV(bytes.NewReader(db))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", dataPath, err)
	}
	for _, c := range t.Columns() {
		in.header = append(in.header, c.Name)
	}
	if in.model, err = in.spec.Model(in.header); err != nil {
		return nil, fmt.Errorf("%s: %v", modelPath, err)
	}
	// Only the columns the model reads must be numbers.
	need := map[int]bool{}
	for _, b := range in.model.Blocks {
		for _, j := range b.Indicators {
			need[j] = true
		}
	}
	in.x = make([][]float64, len(in.header))
	for j, c := range t.Columns() {
		if !need[j] {
			continue
		}
		col, err := plsNumbers(dataPath, c)
		if err != nil {
			return nil, err
		}
		for i, v := range col {
			if in.spec.IsDontKnow(v) {
				col[i] = math.NaN()
			}
		}
		in.x[j] = col
	}
	for j := range in.x {
		if in.x[j] == nil {
			in.x[j] = []float64{} // unread; FitPLS reads only the model's columns
		}
	}
	if in.spec.Weight != "" {
		if in.w, err = plsNumbers(dataPath, t.Column(in.spec.Weight)); err != nil {
			return nil, err
		}
		for i, v := range in.w {
			if math.IsNaN(v) || v < 0 {
				return nil, fmt.Errorf("%s row %d, column %q: weight %q must be a number ≥ 0", dataPath, i+1, in.spec.Weight, t.Column(in.spec.Weight).Text(i))
			}
		}
	}
	codes := func(name string) ([]int, error) {
		c := t.Column(name)
		if c == nil {
			return nil, fmt.Errorf("%s: column %q is not in the data", dataPath, name)
		}
		ids := map[string]int{}
		out := make([]int, t.Rows())
		for i := range out {
			if c.Missing[i] {
				return nil, fmt.Errorf("%s row %d, column %q: the code is missing", dataPath, i+1, name)
			}
			k, ok := ids[c.Text(i)]
			if !ok {
				k = len(ids)
				ids[c.Text(i)] = k
			}
			out[i] = k
		}
		return out, nil
	}
	if strataCol != "" {
		if in.design.Strata, err = codes(strataCol); err != nil {
			return nil, err
		}
	}
	if psuCol != "" {
		if in.design.PSU, err = codes(psuCol); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// plsNumbers returns a column's numbers or says which row is not one.
func plsNumbers(dataPath string, c *estimate.Column) ([]float64, error) {
	if !c.Numeric {
		for i, v := range c.Raw {
			if c.Missing[i] {
				continue
			}
			if _, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || strings.EqualFold(strings.TrimSpace(v), "nan") || strings.Contains(strings.ToLower(v), "inf") {
				return nil, fmt.Errorf("%s row %d, column %q: %q is not a number", dataPath, i+1, c.Name, v)
			}
		}
		return nil, fmt.Errorf("%s column %q is not numeric", dataPath, c.Name)
	}
	return append([]float64(nil), c.Num...), nil
}

// jsonObj writes an ordered JSON object.
type jsonObj struct {
	keys []string
	vals []any
}

func (o *jsonObj) add(k string, v any) { o.keys = append(o.keys, k); o.vals = append(o.vals, v) }

func (o *jsonObj) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(jsonText(k))
		b.WriteByte(':')
		var vb []byte
		var err error
		if f, ok := o.vals[i].(float64); ok {
			vb, err = plsNumber(f)
		} else if str, ok := o.vals[i].(string); ok {
			vb = jsonText(str)
		} else {
			vb, err = jsonNoEscape(o.vals[i], "")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", k, err)
		}
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonText quotes s as JSON without escaping <, > and & (keys such as
// "SAT -> LOY" stay readable, as in expected.json).
func jsonText(s string) []byte {
	b, _ := jsonNoEscape(s, "") // a string always encodes
	return b
}

// jsonNoEscape is json.Marshal (indented by indent) without HTML escapes.
func jsonNoEscape(v any, indent string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// plsNumber writes a float in the shortest exact form, null for NaN.
func plsNumber(f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// plsPairs lists the ordered construct pairs [from, to] that plspm's
// $effects lists (from before to in the model), then any later-to-earlier
// pair with an effect.
func plsPairs(r *stats.PLSResult) [][2]int {
	nb := len(r.Model.Blocks)
	var out [][2]int
	for f := 0; f < nb; f++ {
		for t := f + 1; t < nb; t++ {
			out = append(out, [2]int{f, t})
		}
	}
	for f := 0; f < nb; f++ {
		for t := 0; t < f; t++ {
			if r.TotalEffects.At(t, f) != 0 {
				out = append(out, [2]int{f, t})
			}
		}
	}
	return out
}

// plsPathList lists the paths as plspm's $path_coefs is read: by the
// construct pointed to, then by the one pointing.
func plsPathList(m stats.PLSModel) [][2]int {
	var out [][2]int
	nb := len(m.Blocks)
	for t := 0; t < nb; t++ {
		for f := 0; f < nb; f++ {
			for _, p := range m.Paths {
				if p == [2]int{f, t} {
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func writePLSJSON(w io.Writer, in *plsInput, r *stats.PLSResult, boot *stats.PLSBoot) error {
	m := r.Model
	name := func(b int) string { return m.Blocks[b].Name }
	top := &jsonObj{}
	pc := &jsonObj{}
	for _, p := range plsPathList(m) {
		pc.add(name(p[1])+"<-"+name(p[0]), r.Paths.At(p[1], p[0]))
	}
	top.add("path_coefficients", pc)
	ow, ld := &jsonObj{}, &jsonObj{}
	for b, bl := range m.Blocks {
		for k, j := range bl.Indicators {
			ow.add(in.header[j], r.OuterWeights[b][k])
			ld.add(in.header[j], r.Loadings[b][k])
		}
	}
	top.add("outer_weights", ow)
	top.add("loadings", ld)
	r2, ave := &jsonObj{}, &jsonObj{}
	for b := range m.Blocks {
		r2.add(name(b), r.R2[b])
		ave.add(name(b), r.AVE[b])
	}
	top.add("r2", r2)
	top.add("ave", ave)
	te := &jsonObj{}
	for _, p := range plsPairs(r) {
		te.add(name(p[0])+" -> "+name(p[1]), r.TotalEffects.At(p[1], p[0]))
	}
	top.add("total_effects", te)
	top.add("gof", r.GoF)
	if r.Indices != nil && !m.Standardize {
		idx := &jsonObj{}
		for b := range m.Blocks {
			idx.add(name(b), r.Indices[b])
		}
		top.add("index", idx)
	}
	ref := &jsonObj{}
	ref.add("package", "manyi")
	ref.add("version", "stats.FitPLS")
	ref.add("call", fmt.Sprintf("FitPLS(scheme='%s', standardize=%v, missing='%s', tol=%g, maxiter=%d)", m.Scheme, m.Standardize, m.Missing, m.Tol, m.MaxIter))
	ref.add("note", fmt.Sprintf("%d rows, converged in %d iterations; %d answers missing", r.N, r.Iterations, sumInts(r.Imputed)))
	top.add("reference", ref)
	if boot != nil {
		top.add("bootstrap", plsBootJSON(in, r, boot))
	}
	b, err := jsonNoEscape(top, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func plsBootJSON(in *plsInput, r *stats.PLSResult, bt *stats.PLSBoot) *jsonObj {
	m := r.Model
	name := func(b int) string { return m.Blocks[b].Name }
	stat := func(s stats.PLSBootStat) *jsonObj {
		o := &jsonObj{}
		o.add("estimate", s.Estimate)
		o.add("se", s.SE)
		o.add("lo", s.Lo)
		o.add("hi", s.Hi)
		return o
	}
	o := &jsonObj{}
	o.add("replicates", bt.Reps)
	o.add("failed", bt.Failed)
	o.add("level", bt.Level)
	pc := &jsonObj{}
	for _, p := range plsPathList(m) {
		for k, q := range m.Paths {
			if q == p {
				pc.add(name(p[1])+"<-"+name(p[0]), stat(bt.Paths[k]))
			}
		}
	}
	o.add("path_coefficients", pc)
	te := &jsonObj{}
	for _, p := range plsPairs(r) {
		te.add(name(p[0])+" -> "+name(p[1]), stat(bt.TotalEffects[p[1]][p[0]]))
	}
	o.add("total_effects", te)
	r2 := &jsonObj{}
	for b := range m.Blocks {
		r2.add(name(b), stat(bt.R2[b]))
	}
	o.add("r2", r2)
	if bt.Index != nil {
		idx := &jsonObj{}
		for b := range m.Blocks {
			idx.add(name(b), stat(bt.Index[b]))
		}
		o.add("index", idx)
	}
	return o
}

func sumInts(a []int) int {
	var s int
	for _, v := range a {
		s += v
	}
	return s
}

func writePLSTable(w io.Writer, in *plsInput, r *stats.PLSResult, bt *stats.PLSBoot) error {
	m := r.Model
	name := func(b int) string { return m.Blocks[b].Name }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	// Lines without a tab end a column block: each section aligns alone.
	fmt.Fprintf(tw, "PLS path model: %d rows, scheme %s, %s, missing %s, %d iterations, GoF %s\n\n",
		r.N, m.Scheme, map[bool]string{true: "standardized", false: "centred"}[m.Standardize], m.Missing, r.Iterations, f(r.GoF))
	hdr := "construct\tmode\tR²\tAVE\talpha\tCR\tindex\t"
	if bt != nil {
		hdr = "construct\tmode\tR²\tAVE\talpha\tCR\tindex\tse\tlo\thi\t"
	}
	fmt.Fprintln(tw, hdr)
	for b, bl := range m.Blocks {
		mode := bl.Mode
		if mode == "" {
			mode = "A"
		}
		idx := "-"
		if r.Indices != nil && !math.IsNaN(r.Indices[b]) {
			idx = strconv.FormatFloat(r.Indices[b], 'f', 2, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t", bl.Name, mode, f(r.R2[b]), f(r.AVE[b]), f(r.CronbachAlpha[b]), f(r.CompositeReliability[b]), idx)
		if bt != nil && bt.Index != nil {
			s := bt.Index[b]
			fmt.Fprintf(tw, "%.2f\t%.2f\t%.2f\t", s.SE, s.Lo, s.Hi)
		} else if bt != nil {
			fmt.Fprint(tw, "-\t-\t-\t")
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw)
	if bt != nil {
		fmt.Fprintln(tw, "path\tcoefficient\ttotal effect\tse\tlo\thi\t")
	} else {
		fmt.Fprintln(tw, "path\tcoefficient\ttotal effect\t")
	}
	for _, p := range plsPathList(m) {
		fmt.Fprintf(tw, "%s -> %s\t%s\t%s\t", name(p[0]), name(p[1]), f(r.Paths.At(p[1], p[0])), f(r.TotalEffects.At(p[1], p[0])))
		if bt != nil {
			for k, q := range m.Paths {
				if q == p {
					s := bt.Paths[k]
					fmt.Fprintf(tw, "%s\t%s\t%s\t", f(s.SE), f(s.Lo), f(s.Hi))
				}
			}
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "indicator\tconstruct\tweight\tloading\tflag\t")
	for b, bl := range m.Blocks {
		for k, j := range bl.Indicators {
			flag := ""
			if r.Loadings[b][k] < 0.7 && bl.Mode != stats.PLSModeB {
				flag = "loading < 0.7"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", in.header[j], bl.Name, f(r.OuterWeights[b][k]), f(r.Loadings[b][k]), flag)
		}
	}
	return tw.Flush()
}
