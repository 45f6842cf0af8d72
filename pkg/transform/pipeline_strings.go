package transform

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// StringKind is what a string of a pipeline is, for a caller that rewrites
// them (the query's macros expand each by its place).
type StringKind uint8

const (
	// StringText is a name, path, selector, interval…: plain text.
	StringText StringKind = iota
	// StringExpr is an expression (a step field declared so: filter and
	// compute's expr).
	StringExpr
	// StringCode is a jq program: a jq step's expr, a jq root.
	StringCode
)

// Bounds of the walk over values of type any (a column's default), which a
// caller's JSON may nest as deep as encoding/json allows (10,000 levels): a
// path per level, each longer than its parent, made 10,000 levels of 1 KB
// keys into gigabytes (issue 21).
const (
	maxStringsDepth = 64
	maxStringsPath  = 256
)

// MapStrings returns a deep copy of p in which every string — the root,
// the columns' fields, defaults, every step's fields — is fn's answer for
// it: path names the field ("root", "columns[1].selector",
// "steps[2].expr"), kind says what it is (each step type declares its
// expression and code fields; a jq root is code). Map keys are not strings
// it rewrites. It works on the decoded pipeline: nothing is encoded or
// decoded again. When fn changes nothing, p itself is returned. The first
// error of fn is returned as it is.
func (p *Pipeline) MapStrings(fn func(path string, kind StringKind, s string) (string, error)) (*Pipeline, error) {
	if p == nil {
		p = &Pipeline{}
	}
	changed := false
	out, err := p.mapStrings(func(path string, kind StringKind, s string) (string, error) {
		v, err := fn(path, kind, s)
		changed = changed || v != s
		return v, err
	}, maxStringsDepth)
	if err != nil || !changed {
		return p, err
	}
	return out, nil
}

func (p *Pipeline) mapStrings(fn func(path string, kind StringKind, s string) (string, error), maxDepth int) (*Pipeline, error) {
	w := &stringWalker{fn: fn, maxDepth: maxDepth}
	out := *p
	rootKind := StringText
	if p.RootSyntax == RootSyntaxJQ {
		rootKind = StringCode
	}
	for _, f := range []struct {
		path string
		kind StringKind
		s    *string
	}{{"name", StringText, &out.Name}, {"format", StringText, &out.Format}, {"root", rootKind, &out.Root},
		{"rootSyntax", StringText, &out.RootSyntax}, {"shape", StringText, &out.Shape}} {
		w.str(f.path, f.kind, f.s)
	}
	if p.CSV != nil {
		o := *p.CSV
		if o.Header != nil {
			h := *o.Header
			o.Header = &h
		}
		w.str("csv.delimiter", StringText, &o.Delimiter)
		w.str("csv.comment", StringText, &o.Comment)
		out.CSV = &o
	}
	if p.Columns != nil {
		out.Columns = make([]Column, len(p.Columns))
		for i, c := range p.Columns {
			path := "columns[" + strconv.Itoa(i) + "]"
			w.str(path+".name", StringText, &c.Name)
			w.str(path+".selector", StringText, &c.Selector)
			w.str(path+".type", StringText, &c.Type)
			w.str(path+".timeFormat", StringText, &c.TimeFormat)
			w.str(path+".timezone", StringText, &c.Timezone)
			c.Default = w.anyValue(path+".default", c.Default, 0)
			if c.Enum != nil {
				enum := make(map[string]float64, len(c.Enum))
				for k, v := range c.Enum {
					enum[k] = v
				}
				c.Enum = enum
			}
			out.Columns[i] = c
		}
	}
	if p.Steps != nil {
		out.Steps = make([]Step, len(p.Steps))
		for i, s := range p.Steps {
			out.Steps[i] = w.step("steps["+strconv.Itoa(i)+"]", s)
		}
	}
	if w.err != nil {
		return nil, w.err
	}
	return &out, nil
}

// clone is a deep copy of p (Compile keeps its own), as deep as p is.
// p must be JSON-encodable (Compile has encoded it).
func (p *Pipeline) clone() *Pipeline {
	out, err := p.mapStrings(func(_ string, _ StringKind, s string) (string, error) { return s, nil }, math.MaxInt)
	if err != nil {
		panic("transform: cannot copy an encodable pipeline: " + err.Error())
	}
	return out
}

type stringWalker struct {
	fn       func(path string, kind StringKind, s string) (string, error)
	maxDepth int
	err      error
}

func (w *stringWalker) str(path string, kind StringKind, s *string) {
	if w.err != nil || *s == "" {
		return
	}
	v, err := w.fn(path, kind, *s)
	if err != nil {
		w.err = err
		return
	}
	*s = v
}

// step copies a step (a pointer to its struct) field by field; a field's
// kind is what its step type declares.
func (w *stringWalker) step(path string, s Step) Step {
	if s == nil {
		return nil
	}
	kinds := map[string]StringKind{}
	if k := stepKindOf(s.StepType()); k != nil {
		for _, f := range k.fields {
			kinds[f.Name] = f.kind
		}
	}
	src := reflect.ValueOf(s)
	if src.Kind() != reflect.Pointer || src.Elem().Kind() != reflect.Struct {
		return s // not a struct step: nothing of ours to copy
	}
	dst := reflect.New(src.Elem().Type())
	dst.Elem().Set(src.Elem())
	st := dst.Elem().Type()
	for i := range st.NumField() {
		f := st.Field(i)
		name := jsonName(f)
		if name == "" {
			continue
		}
		w.value(path+"."+name, kinds[name], dst.Elem().Field(i), 0)
	}
	return dst.Interface().(Step)
}

// value rewrites the strings of v (settable) in place, copying the slices,
// maps and pointers it goes through.
func (w *stringWalker) value(path string, kind StringKind, v reflect.Value, depth int) {
	if w.err != nil {
		return
	}
	if depth > w.maxDepth {
		w.err = pipelineError(verr(path, "nested deeper than %d levels", w.maxDepth))
		return
	}
	if len(path) > maxStringsPath { // a path for messages, not a copy of every key above
		path = strings.Clone(path[:maxStringsPath])
	}
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		w.str(path, kind, &s)
		v.SetString(s)
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		for i := range c.Len() {
			w.value(path+"["+strconv.Itoa(i)+"]", kind, c.Index(i), depth+1)
		}
		v.Set(c)
	case reflect.Map:
		if v.IsNil() {
			return
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(it.Value())
			w.value(path+"."+fmt.Sprint(it.Key().Interface()), kind, e, depth+1)
			c.SetMapIndex(it.Key(), e)
		}
		v.Set(c)
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(v.Elem())
		w.value(path, kind, c.Elem(), depth+1)
		v.Set(c)
	case reflect.Struct:
		if k, ok := v.Addr().Interface().(*Key); ok {
			w.str(path, kind, &k.Field) // a key is its field's name in JSON ("by":["host"])
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if name := jsonName(f); name != "" {
				w.value(path+"."+name, kind, v.Field(i), depth+1)
			}
		}
	case reflect.Interface:
		if !v.IsNil() {
			v.Set(reflect.ValueOf(w.anyValue(path, v.Interface(), depth+1)))
		}
	}
}

// anyValue copies a decoded JSON value (a column's default), rewriting its
// strings as text. Values a caller built in Go of other types are taken
// as their JSON, as decoding the pipeline would have them.
func (w *stringWalker) anyValue(path string, v any, depth int) any {
	if w.err != nil || v == nil {
		return v
	}
	if depth > w.maxDepth {
		w.err = pipelineError(verr(path, "nested deeper than %d levels", w.maxDepth))
		return v
	}
	if len(path) > maxStringsPath {
		path = strings.Clone(path[:maxStringsPath])
	}
	switch x := v.(type) {
	case string:
		w.str(path, StringText, &x)
		return x
	case float64, bool:
		return x
	case []any:
		c := make([]any, len(x))
		for i, e := range x {
			c[i] = w.anyValue(path+"["+strconv.Itoa(i)+"]", e, depth+1)
		}
		return c
	case map[string]any:
		c := make(map[string]any, len(x))
		for k, e := range x {
			c[k] = w.anyValue(path+"."+k, e, depth+1)
		}
		return c
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = pipelineError(verr(path, "not a JSON value: %s", err))
		return v
	}
	var d any
	if err := json.Unmarshal(b, &d); err != nil {
		w.err = pipelineError(verr(path, "not a JSON value"))
		return v
	}
	return w.anyValue(path, d, depth)
}

// jsonName is a struct field's JSON name; "" for fields JSON leaves out.
func jsonName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	tag := f.Tag.Get("json")
	if tag == "-" {
		return ""
	}
	if name, _, _ := strings.Cut(tag, ","); name != "" {
		return name
	}
	return f.Name
}
