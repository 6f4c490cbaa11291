package estimate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// MarshalJSON writes the results in the shape of expected.json: an object
// keyed by query id, in query order, numbers with 15 significant digits.
func (r Results) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, x := range r.Items {
		b.WriteString("  ")
		b.Write(jsonString(x.ID))
		b.WriteString(": ")
		x.write(&b, "  ")
		if i < len(r.Items)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("}")
	return b.Bytes(), nil
}

func (x *Result) write(b *bytes.Buffer, ind string) {
	in := ind + "  "
	b.WriteString("{\n")
	switch {
	case x.Coef != nil:
		b.WriteString(in + "\"coef\": [\n")
		for i, c := range x.Coef {
			fmt.Fprintf(b, "%s  {\"term\": %s, \"estimate\": %s, \"se\": %s}", in, jsonString(c.Term), formatNumber(c.Estimate), formatNumber(c.SE))
			if i < len(x.Coef)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(in + "]\n")
	case x.By != nil:
		b.WriteString(in + "\"by\": [\n")
		for i, row := range x.By {
			b.WriteString(in + "  {\"key\": {")
			for j, kv := range row.Key {
				if j > 0 {
					b.WriteString(", ")
				}
				b.Write(jsonString(kv.Column))
				b.WriteString(": ")
				b.Write(jsonString(kv.Value))
			}
			fmt.Fprintf(b, "}, \"estimate\": %s, \"se\": %s, \"ci\": [%s, %s]", formatNumber(row.Estimate), formatNumber(row.SE), formatNumber(row.CI[0]), formatNumber(row.CI[1]))
			if row.Deff != nil {
				fmt.Fprintf(b, ", \"deff\": %s", formatNumber(*row.Deff))
			}
			b.WriteString("}")
			if i < len(x.By)-1 {
				b.WriteByte(',')
			}
			b.WriteByte('\n')
		}
		b.WriteString(in + "],\n")
		fmt.Fprintf(b, "%s\"df\": %s\n", in, dfString(x.DF))
	default:
		fmt.Fprintf(b, "%s\"estimate\": %s,\n", in, formatNumber(x.Estimate))
		fmt.Fprintf(b, "%s\"se\": %s,\n", in, formatNumber(x.SE))
		fmt.Fprintf(b, "%s\"ci\": [%s, %s],\n", in, formatNumber(x.CI[0]), formatNumber(x.CI[1]))
		fmt.Fprintf(b, "%s\"df\": %s", in, dfString(x.DF))
		if x.Deff != nil {
			fmt.Fprintf(b, ",\n%s\"deff\": %s", in, formatNumber(*x.Deff))
		}
		b.WriteByte('\n')
	}
	b.WriteString(ind + "}")
}

func dfString(df *int) string {
	if df == nil {
		return "null"
	}
	return strconv.Itoa(*df)
}

func jsonString(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

// WriteJSON writes the results as JSON in the shape of expected.json.
func WriteJSON(w io.Writer, r *Results) error {
	b, _ := r.MarshalJSON()
	b = append(b, '\n')
	_, err := w.Write(b)
	return err
}

// WriteTable writes the results as a readable table: one line per
// estimate, domain or coefficient.
func WriteTable(w io.Writer, r *Results) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "query\tdomain\testimate\tse\tci\tdf\tdeff")
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	ci := func(c [2]float64, level float64) string {
		return fmt.Sprintf("%s%% [%s, %s]", strconv.FormatFloat(100*level, 'g', 4, 64), num(c[0]), num(c[1]))
	}
	df := func(d *int) string {
		if d == nil {
			return "normal"
		}
		return strconv.Itoa(*d)
	}
	deff := func(d *float64) string {
		if d == nil {
			return ""
		}
		return strconv.FormatFloat(*d, 'f', 3, 64)
	}
	for _, x := range r.Items {
		switch {
		case x.Coef != nil:
			for _, c := range x.Coef {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\t\n", x.ID, c.Term, num(c.Estimate), num(c.SE))
			}
		case x.By != nil:
			for _, row := range x.By {
				parts := make([]string, len(row.Key))
				for j, kv := range row.Key {
					parts[j] = kv.Column + "=" + kv.Value
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, strings.Join(parts, ","), num(row.Estimate), num(row.SE), ci(row.CI, x.Level), df(x.DF), deff(row.Deff))
			}
		default:
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", x.ID, "(all)", num(x.Estimate), num(x.SE), ci(x.CI, x.Level), df(x.DF), deff(x.Deff))
		}
	}
	return tw.Flush()
}
