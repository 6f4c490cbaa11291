package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Undefined names a figure of Results that is not a finite number, which
// the JSON form writes as null.
type Undefined struct {
	// Path is the figure's place in the JSON, e.g. "drivers.domains[2].share".
	Path string `json:"path"`
	// Reason says why it has no value.
	Reason string `json:"reason"`
}

// MarshalJSON writes Results as JSON. encoding/json refuses NaN and
// infinities, and one undefined figure (a standard deviation of a
// constant, a ratio over zero weights) must not lose the whole page: such
// a figure is written as null and listed, with its path and the reason,
// in "undefined". Results with every figure finite are written exactly
// as encoding/json writes them (no "undefined" key).
func (r Results) MarshalJSON() ([]byte, error) {
	type plain Results // without this method
	b, err := json.Marshal(plain(r))
	var ue *json.UnsupportedValueError
	if err == nil || !errors.As(err, &ue) {
		return b, err
	}
	var undefined []Undefined
	c := sanitize(reflect.ValueOf(plain(r)), "", &undefined).Interface().(plain)
	c.Undefined = append(c.Undefined, undefined...)
	if b, err = json.Marshal(c); err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(b, sentinelJSON, []byte("null")), nil
}

// sentinel stands in for a non-finite figure in the sanitized copy; its
// JSON text is then replaced by null. No computed figure reaches it.
const sentinel = math.MaxFloat64

var sentinelJSON, _ = json.Marshal(sentinel)

// sanitize returns a deep copy of v in which every non-finite float is
// the sentinel, recording each one's JSON path in undefined. Fields
// tagged json:"-" are copied as they are.
func sanitize(v reflect.Value, path string, undefined *[]Undefined) reflect.Value {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			return v
		}
		reason := "not defined for these data (NaN)"
		if math.IsInf(f, 0) {
			reason = "infinite (a division by zero)"
		}
		*undefined = append(*undefined, Undefined{Path: path, Reason: reason})
		out := reflect.New(v.Type()).Elem()
		out.SetFloat(sentinel)
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(sanitize(v.Elem(), path, undefined))
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(sanitize(v.Index(i), path+"["+strconv.Itoa(i)+"]", undefined))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(sanitize(v.Index(i), path+"["+strconv.Itoa(i)+"]", undefined))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			out.SetMapIndex(it.Key(), sanitize(it.Value(), joinPath(path, it.Key().String()), undefined))
		}
		return out
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v) // unexported fields too
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			p := path
			if !(f.Anonymous && name == "") {
				if name == "" {
					name = f.Name
				}
				p = joinPath(path, name)
			}
			out.Field(i).Set(sanitize(v.Field(i), p, undefined))
		}
		return out
	}
	return v
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
