package actions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
)

// maxSafeInteger is the largest integer a JSON number carries exactly in
// every client (2^53).
const maxSafeInteger = 1 << 53

// FieldError is one entry of a 400's details: which parameter, and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// param is a compiled parameter declaration. Values are typed: string,
// int64 (integer), float64 (number) or bool (boolean).
type param struct {
	settings.ActionParam
	re       *regexp.Regexp
	enum     []any
	def      any // typed default, nil when none
	required bool
}

func compileParam(p settings.ActionParam, inPath bool) (*param, error) {
	c := &param{ActionParam: p, required: p.Required || inPath}
	if p.Pattern != "" {
		if p.Type != "string" {
			return nil, fmt.Errorf("pattern applies to string parameters only")
		}
		re, err := regexp.Compile(p.Pattern)
		if err != nil {
			return nil, fmt.Errorf("pattern is not a valid regular expression")
		}
		c.re = re
	}
	if p.Type == "boolean" && (p.Min != nil || p.Max != nil) {
		return nil, fmt.Errorf("min and max do not apply to boolean parameters")
	}
	if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
		return nil, fmt.Errorf("min is greater than max")
	}
	for i, e := range p.Enum {
		v, msg := c.convert(e)
		if msg != "" {
			return nil, fmt.Errorf("enum[%d]: %s", i, msg)
		}
		c.enum = append(c.enum, v)
	}
	if p.Default != nil {
		v, msg := c.check(p.Default)
		if msg != "" {
			return nil, fmt.Errorf("default: %s", msg)
		}
		c.def = v
	}
	return c, nil
}

// convert types a decoded JSON value (string, float64, json.Number, bool).
// Numbers and booleans may come as strings, because Grafana's variable
// interpolation in panel actions produces strings.
func (p *param) convert(v any) (any, string) {
	if n, ok := v.(json.Number); ok {
		v = string(n)
		if p.Type == "string" {
			return nil, "must be a string"
		}
	}
	switch p.Type {
	case "string":
		s, ok := v.(string)
		if !ok {
			return nil, "must be a string"
		}
		return s, ""
	case "boolean":
		switch x := v.(type) {
		case bool:
			return x, ""
		case string:
			if b, err := strconv.ParseBool(x); err == nil && (x == "true" || x == "false") {
				return b, ""
			}
		}
		return nil, "must be a boolean (true or false)"
	case "integer", "number":
		f, ok := toFloat(v)
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, map[string]string{"integer": "must be an integer", "number": "must be a number"}[p.Type]
		}
		if p.Type == "number" {
			return f, ""
		}
		if f != math.Trunc(f) || math.Abs(f) > maxSafeInteger {
			return nil, fmt.Sprintf("must be a whole number between -%d and %d", int64(maxSafeInteger), int64(maxSafeInteger))
		}
		return int64(f), ""
	}
	return nil, "has an unknown type"
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil && strings.TrimSpace(x) != ""
	}
	return 0, false
}

// check converts and validates one value against the declaration.
func (p *param) check(raw any) (any, string) {
	v, msg := p.convert(raw)
	if msg != "" {
		return nil, msg
	}
	if len(p.enum) > 0 && !slices.Contains(p.enum, v) {
		return nil, "must be one of " + enumText(p.Enum)
	}
	switch x := v.(type) {
	case string:
		n := float64(utf8.RuneCountInString(x))
		if p.Min != nil && n < *p.Min {
			return nil, fmt.Sprintf("must be at least %g character(s) long", *p.Min)
		}
		if p.Max != nil && n > *p.Max {
			return nil, fmt.Sprintf("must be at most %g character(s) long", *p.Max)
		}
		if p.re != nil && !p.re.MatchString(x) {
			return nil, fmt.Sprintf("must match the pattern %s", p.Pattern)
		}
	case int64, float64:
		f, ok := x.(float64)
		if !ok {
			f = float64(x.(int64))
		}
		if p.Min != nil && f < *p.Min {
			return nil, fmt.Sprintf("must be at least %g", *p.Min)
		}
		if p.Max != nil && f > *p.Max {
			return nil, fmt.Sprintf("must be at most %g", *p.Max)
		}
	}
	return v, ""
}

func enumText(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		b, _ := json.Marshal(v)
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// parseParams reads the run request body {"params": {...}} (an empty body is
// no parameters) and returns the typed values, defaults applied, or every
// problem found.
func (a *action) parseParams(body []byte) (map[string]any, []FieldError) {
	raw := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		var req struct {
			Params map[string]any `json:"params"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := httpx.DecodeOnly(dec, &req); err != nil {
			return nil, []FieldError{{Field: "body", Message: `must be a JSON object {"params": {...}}`}}
		}
		if req.Params != nil {
			raw = req.Params
		}
	}
	var errs []FieldError
	out := make(map[string]any, len(a.params))
	for _, p := range a.params {
		v, present := raw[p.Name]
		if !present || v == nil {
			switch {
			case p.def != nil:
				out[p.Name] = p.def
			case p.required:
				errs = append(errs, FieldError{Field: "params." + p.Name, Message: "is required"})
			}
			continue
		}
		typed, msg := p.check(v)
		if msg != "" {
			errs = append(errs, FieldError{Field: "params." + p.Name, Message: msg})
			continue
		}
		out[p.Name] = typed
	}
	var unknown []string
	for name := range raw {
		if a.param(name) == nil {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		errs = append(errs, FieldError{Field: "params." + name, Message: "is not a parameter of this action"})
	}
	return out, errs
}

func (a *action) param(name string) *param {
	for _, p := range a.params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// text is a typed value as it appears inside a path segment, a query value or
// an interpolated string.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}
