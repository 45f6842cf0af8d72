package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// ParsePipeline decodes a pipeline strictly (unknown fields, wrong JSON types and
// trailing data are errors that name their path) and validates it. Errors are
// *Error with Code CodeInvalidPipeline wrapping a *ValidationError.
func ParsePipeline(raw []byte) (*Pipeline, error) {
	var p Pipeline
	if err := p.decode(raw); err != nil {
		return nil, pipelineError(err)
	}
	if err := p.Validate(); err != nil {
		return nil, AsError(err)
	}
	return &p, nil
}

// UnmarshalJSON decodes strictly, like ParsePipeline, but does not validate:
// the query model embeds a Pipeline and validates it when compiling.
// The error is a *ValidationError.
func (p *Pipeline) UnmarshalJSON(b []byte) error {
	var q Pipeline
	if err := q.decode(b); err != nil {
		return err
	}
	*p = q
	return nil
}

func (p *Pipeline) decode(raw []byte) *ValidationError {
	obj, err := objectAt(raw, "")
	if err != nil {
		return err
	}
	if err := obj.allow("name", "format", "root", "rootSyntax", "csv", "columns", "steps", "shape"); err != nil {
		return err
	}
	var ve *ValidationError
	set := func(e *ValidationError) {
		if ve == nil {
			ve = e
		}
	}
	p.Name, err = obj.str("name")
	set(err)
	p.Format, err = obj.str("format")
	set(err)
	p.Root, err = obj.str("root")
	set(err)
	p.RootSyntax, err = obj.str("rootSyntax")
	set(err)
	p.Shape, err = obj.str("shape")
	set(err)
	if ve != nil {
		return ve
	}
	if r, ok := obj.get("csv"); ok {
		c, err := objectAt(r, "csv")
		if err != nil {
			return err
		}
		if err := c.allow("delimiter", "header", "comment"); err != nil {
			return err
		}
		var opts CSVOptions
		opts.Delimiter, err = c.str("delimiter")
		set(err)
		opts.Comment, err = c.str("comment")
		set(err)
		opts.Header, err = c.boolPtr("header")
		set(err)
		if ve != nil {
			return ve
		}
		p.CSV = &opts
	}
	cols, err := obj.array("columns")
	if err != nil {
		return err
	}
	for i, r := range cols {
		c, err := decodeColumn(r, fmt.Sprintf("columns[%d]", i))
		if err != nil {
			return err
		}
		p.Columns = append(p.Columns, c)
	}
	steps, err := obj.array("steps")
	if err != nil {
		return err
	}
	for i, r := range steps {
		s, err := decodeStep(r, fmt.Sprintf("steps[%d]", i))
		if err != nil {
			return err
		}
		p.Steps = append(p.Steps, s)
	}
	// Paths are checked while decoding too: a query's pipeline root is used
	// for pagination before the pipeline is compiled.
	return p.checkPaths()
}

func decodeColumn(raw json.RawMessage, path string) (Column, *ValidationError) {
	var c Column
	obj, err := objectAt(raw, path)
	if err != nil {
		return c, err
	}
	if err := obj.allow("name", "selector", "type", "timeFormat", "default", "enum", "timezone"); err != nil {
		return c, err
	}
	for _, f := range []struct {
		key string
		dst *string
	}{{"name", &c.Name}, {"selector", &c.Selector}, {"type", &c.Type}, {"timeFormat", &c.TimeFormat}, {"timezone", &c.Timezone}} {
		if *f.dst, err = obj.str(f.key); err != nil {
			return c, err
		}
	}
	if r, ok := obj.get("enum"); ok {
		if err := json.Unmarshal(r, &c.Enum); err != nil || c.Enum == nil {
			return c, verr(path+".enum", "must be an object mapping values to numbers, e.g. {\"ok\":0,\"warn\":1}")
		}
	}
	if r, ok := obj.get("default"); ok {
		if err := json.Unmarshal(r, &c.Default); err != nil {
			return c, verr(path+".default", "invalid JSON value")
		}
	}
	return c, nil
}

func decodeKey(raw []byte, path string) (Key, *ValidationError) {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Key{}, verr(path, "must be a field name or {\"field\":..., \"desc\":...}")
		}
		return Key{Field: s}, nil
	}
	obj, err := objectAt(raw, path)
	if err != nil {
		return Key{}, verr(path, "must be a field name or {\"field\":..., \"desc\":...}")
	}
	if err := obj.allow("field", "desc"); err != nil {
		return Key{}, err
	}
	var k Key
	if k.Field, err = obj.str("field"); err != nil {
		return k, err
	}
	d, err := obj.boolPtr("desc")
	if err != nil {
		return k, err
	}
	k.Desc = d != nil && *d
	return k, nil
}

// jsonObject is one decoded JSON object with the path used in error messages.
type jsonObject struct {
	path   string
	fields map[string]json.RawMessage
}

func objectAt(raw []byte, path string) (jsonObject, *ValidationError) {
	o := jsonObject{path: path}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&o.fields); err != nil {
		if path == "" {
			return o, verr("", "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
		}
		return o, verr(path, "must be an object")
	}
	if o.fields == nil { // the literal null
		if path == "" {
			return o, verr("", "pipeline must be a JSON object")
		}
		return o, verr(path, "must be an object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return o, verr(path, "unexpected data after the JSON object")
	}
	return o, nil
}

func (o jsonObject) sub(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

func (o jsonObject) keys() []string {
	ks := make([]string, 0, len(o.fields))
	for k := range o.fields {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// allow rejects keys outside the allowed set, reporting the first in sorted
// order so the message is deterministic.
func (o jsonObject) allow(allowed ...string) *ValidationError {
	for _, k := range o.keys() {
		if !slices.Contains(allowed, k) {
			return verr(o.sub(k), "unknown field (allowed: %s)", strings.Join(allowed, ", "))
		}
	}
	return nil
}

// get returns the raw value of key; JSON null counts as absent.
func (o jsonObject) get(key string) (json.RawMessage, bool) {
	r, ok := o.fields[key]
	if !ok || string(bytes.TrimSpace(r)) == "null" {
		return nil, false
	}
	return r, true
}

func (o jsonObject) str(key string) (string, *ValidationError) {
	r, ok := o.get(key)
	if !ok {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", verr(o.sub(key), "must be a string")
	}
	return s, nil
}

func (o jsonObject) boolPtr(key string) (*bool, *ValidationError) {
	r, ok := o.get(key)
	if !ok {
		return nil, nil
	}
	var b bool
	if err := json.Unmarshal(r, &b); err != nil {
		return nil, verr(o.sub(key), "must be true or false")
	}
	return &b, nil
}

func (o jsonObject) integer(key string) (int, *ValidationError) {
	r, ok := o.get(key)
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(r)), 10, 32)
	if err != nil {
		return 0, verr(o.sub(key), "must be an integer")
	}
	return int(n), nil
}

func (o jsonObject) array(key string) ([]json.RawMessage, *ValidationError) {
	r, ok := o.get(key)
	if !ok {
		return nil, nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(r, &a); err != nil {
		return nil, verr(o.sub(key), "must be an array")
	}
	return a, nil
}
