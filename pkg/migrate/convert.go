package migrate

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/relay-gateway/relay/pkg/query"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// conv is one target's conversion: the Relay query and the report fields.
type conv struct {
	q      map[string]any
	typ    string
	status string
	reason string
	notes  []string

	// the query being built
	rq       query.Query
	cacheTTL string
	variable map[string]any

	// Infinity variables: the query inside and its options' fields
	variableTarget map[string]any
	variableMap    map[string]any
}

func (c *conv) note(format string, a ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, a...))
}

// partial notes something dropped or to be done by hand: the query runs.
func (c *conv) partial(format string, a ...any) {
	if c.status != Skipped {
		c.status = Partial
	}
	c.note(format, a...)
}

func (c *conv) skip(format string, a ...any) *conv {
	c.status, c.reason = Skipped, fmt.Sprintf(format, a...)
	return c
}

// convertTarget converts one target of plugin kind; it never panics (a
// panic is a bug and becomes a skipped entry naming it), so no target is
// ever dropped from the report.
func convertTarget(kind string, t map[string]any, src *Source, use targetUse) (c *conv) {
	c = &conv{status: Converted, typ: "json"}
	defer func() {
		if r := recover(); r != nil {
			c.status, c.reason, c.q = Skipped, fmt.Sprintf("internal error converting this target: %v", r), nil
		}
	}()
	switch kind {
	case PluginJSONAPI:
		c.typ = "jsonapi"
		convertJSONAPI(c, t, src, use)
	case PluginInfinity:
		convertInfinity(c, t, src, use)
	default:
		return c.skip("not an Infinity or JSON API target")
	}
	if c.status != Skipped {
		c.finish()
	}
	return c
}

// finish validates the built query exactly as Relay will parse it, and
// renders it as the target's JSON.
func (c *conv) finish() {
	raw, err := json.Marshal(&c.rq)
	if err != nil {
		c.skip("internal error: %v", err)
		return
	}
	if _, err := query.Parse(raw); err != nil {
		c.skip("the converted query is not valid in Relay: %v", err)
		return
	}
	if c.rq.Pipeline != nil {
		if _, err := transform.Compile(c.rq.Pipeline); err != nil && !strings.Contains(err.Error(), "$") {
			c.skip("the converted pipeline is not valid in Relay: %v", err)
			return
		}
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		c.skip("internal error: %v", err)
		return
	}
	if p, ok := m["path"].(string); ok && p == "" && c.rq.Data != nil {
		delete(m, "path")
	}
	if c.cacheTTL != "" {
		m["cacheTTL"] = c.cacheTTL
	}
	if c.variable != nil {
		m["variable"] = c.variable
	}
	c.q = m
}

// setPlacement points the query at the upstream and path for a URL.
func (c *conv) setPlacement(p placement) {
	c.rq.Upstream, c.rq.Path = p.upstream, p.path
	if p.note != "" {
		if p.partial {
			c.partial("%s", p.note)
		} else {
			c.note("%s", p.note)
		}
	}
	for _, k := range slices.Sorted(mapKeys(p.query)) {
		c.addParam(k, p.query[k]...)
	}
}

func mapKeys(v url.Values) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range v {
			if !yield(k) {
				return
			}
		}
	}
}

func (c *conv) addParam(k string, vals ...string) {
	if k == "" {
		return
	}
	if c.rq.Params == nil {
		c.rq.Params = map[string]query.ParamValue{}
	}
	c.rq.Params[k] = append(c.rq.Params[k], vals...)
}

// addHeader sets a request header, unless Relay refuses it in queries
// (credentials come from the data source settings).
func (c *conv) addHeader(k, v string) {
	if k == "" {
		return
	}
	if why := upstream.CheckHeader(k); why != "" {
		c.partial("header %s dropped: %s; set it in the Relay data source (relay-migrate datasource lists the secrets)", k, why)
		return
	}
	if c.rq.Headers == nil {
		c.rq.Headers = map[string]string{}
	}
	c.rq.Headers[k] = v
}

func (c *conv) pipeline() *transform.Pipeline {
	if c.rq.Pipeline == nil {
		c.rq.Pipeline = &transform.Pipeline{}
	}
	return c.rq.Pipeline
}

func (c *conv) addStep(s transform.Step) {
	p := c.pipeline()
	p.Steps = append(p.Steps, s)
}

// flagMacros notes source macros Relay does not expand.
func (c *conv) flagMacros(texts ...string) {
	for _, t := range texts {
		for _, m := range []string{"${__plugin.", "$__plugin"} {
			if strings.Contains(t, m) {
				c.partial("%s… (the plugin's id and version) has no Relay equivalent: remove it from the query", m)
				return
			}
		}
	}
}

// list reads a JSON array of objects (or nothing).
func objects(v any) []map[string]any {
	arr, _ := v.([]any)
	out := make([]map[string]any, 0, len(arr))
	for _, x := range arr {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case string:
		var f float64
		_, err := fmt.Sscanf(x, "%g", &f)
		return f, err == nil
	}
	return 0, false
}

func boolean(v any) bool { b, _ := v.(bool); return b }
