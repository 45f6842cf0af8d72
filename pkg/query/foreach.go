package query

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// ForEach is a dependent request ("list the ids, then the details of each"):
// the query runs once per distinct value of Field in the rows of query
// Query of the same request, which runs first. The value replaces {{Field}}
// in the path, params, headers and body (escaped for its place); the rows of
// all the answers are concatenated, each with the value in a column.
type ForEach struct {
	Query string `json:"query"`
	Field string `json:"field"`
	// Max caps the values (first-seen order); at most, and by default, the
	// data source's query.maxForEach.
	Max int `json:"max,omitempty"`
	// Column names the value's column (default: Field). It replaces a field
	// of the answer's rows of the same name.
	Column string `json:"column,omitempty"`
}

// placeholder is what a value replaces: {{id}}.
func (f *ForEach) placeholder() string { return "{{" + f.Field + "}}" }

func (f *ForEach) validate(q *Query) error {
	if f == nil {
		return nil
	}
	switch {
	case f.Query == "":
		return fmt.Errorf("forEach.query: required (the refId of the query whose values are read)")
	case f.Field == "":
		return fmt.Errorf("forEach.field: required (the field of that query's rows whose values are used)")
	case strings.ContainsAny(f.Field, "{}"):
		return fmt.Errorf("forEach.field: %q cannot contain braces", f.Field)
	case f.Max < 0:
		return fmt.Errorf("forEach.max: must not be negative")
	case len(q.Data) > 0:
		return fmt.Errorf("forEach: inline data makes no calls; forEach repeats an upstream call")
	case q.Pagination != nil:
		return fmt.Errorf("forEach: a query has pagination or forEach, not both")
	}
	ph := f.placeholder()
	texts := []string{q.Path, q.Body}
	if q.GraphQL != nil {
		texts = append(texts, string(q.GraphQL.Variables))
	}
	for k, vs := range q.Params {
		texts = append(texts, k)
		texts = append(texts, vs...)
	}
	for _, v := range q.Headers {
		texts = append(texts, v)
	}
	if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, ph) }) {
		return fmt.Errorf("forEach: %s appears nowhere in path, params, headers or body, so every call would be the same", ph)
	}
	return nil
}

// request is the call for one value: {{field}} replaced in the path
// (percent-encoded like a path macro: the value stays in its segment), in
// params and headers (as it is: url.Values encodes params, and a header
// value with control characters is refused) and in the body (as JSON string
// content, like a body macro). The request is a copy.
func (f *ForEach) request(base request, v string) (request, error) {
	ph := f.placeholder()
	req := base
	req.Path = strings.ReplaceAll(base.Path, ph, pathUnsafe.Replace(v))
	req.Params = url.Values{}
	for k, vs := range base.Params {
		name := strings.ReplaceAll(k, ph, v)
		for _, s := range vs {
			req.Params.Add(name, strings.ReplaceAll(s, ph, v))
		}
	}
	req.Headers = make(map[string]string, len(base.Headers))
	for _, k := range slices.Sorted(maps.Keys(base.Headers)) {
		h := strings.ReplaceAll(base.Headers[k], ph, v)
		if why := upstream.CheckHeaderValue(h); why != "" {
			return req, apierr.BadRequest("bad_query", "headers.%s: %s", k, why)
		}
		req.Headers[k] = h
	}
	req.Body = strings.ReplaceAll(base.Body, ph, jsonContent(v))
	return req, nil
}

// forEachPages makes the calls of a forEach query and hands their answers
// to the engine as pages, each labelled with its value. It never uses the
// query cache: its calls depend on another query's rows.
func (r *Runner) forEachPages(ctx context.Context, c *call, q *Query, x *expanded) (*transform.Pages, []data.Notice, error) {
	f := q.ForEach
	values, err := forEachValues(q.inputs[f.Query], f)
	if err != nil {
		return nil, nil, err
	}
	var notices []data.Notice
	limit := r.settings.Query.MaxForEach
	if f.Max > 0 && f.Max < limit {
		limit = f.Max
	}
	if len(values) > limit {
		notices = append(notices, data.Notice{Severity: data.NoticeSeverityWarning,
			Text: fmt.Sprintf("forEach: the first %d of %d values of %s.%s were read (forEach.max or query.maxForEach)", limit, len(values), f.Query, f.Field)})
		values = values[:limit]
	}
	pg := r.pagingOf(c, x.prog.NewPages(r.limits(c.lease), orDefault(f.Column, f.Field)))
	err = r.fetchEach(ctx, c, pg, values, maxListConcurrency,
		func(v string) (request, error) { return f.request(x.req, v) },
		func(_ int, v string) string { return fmt.Sprintf("forEach %s=%q", f.Field, v) })
	if err != nil {
		return nil, nil, err
	}
	return pg.read, append(notices, pg.notices()...), nil
}

// forEachValues are the distinct non-null, non-empty values of the field, in
// first-seen order, as text: numbers in their shortest decimal (42, not
// 42.0), times in RFC 3339, JSON as its text.
func forEachValues(frame *data.Frame, f *ForEach) ([]string, error) {
	if frame == nil {
		return nil, apierr.BadRequest("bad_query", "forEach.query: query %q gave no frame", f.Query)
	}
	fl, _ := frame.FieldByName(f.Field)
	if fl == nil {
		names := make([]string, len(frame.Fields))
		for i, x := range frame.Fields {
			names[i] = x.Name
		}
		return nil, apierr.BadRequest("bad_query", "forEach.field: query %q has no field %q (fields: %s)", f.Query, f.Field, strings.Join(names, ", "))
	}
	seen := map[string]bool{}
	var out []string
	for i := 0; i < fl.Len(); i++ {
		v, ok := fl.ConcreteAt(i)
		if !ok {
			continue
		}
		s := valueText(v)
		if s == "" || seen[s] {
			continue
		}
		seen[s] = true
		out = append(out, s)
	}
	return out, nil
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10)
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case json.RawMessage:
		return string(x)
	}
	return fmt.Sprint(v)
}
