package query

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// expanded is a query with its macros expanded and every string checked for
// unresolved template variables: what Run executes. Nothing is sent upstream
// before the whole query has passed.
type expanded struct {
	req      request
	pipeline *transform.Pipeline
	prog     *transform.Program // the pipeline compiled (Run)
	data     []byte             // inline data; nil for an upstream query
	values   []string
}

func (q *Query) expand(m Macros) (*expanded, error) {
	x := &expanded{}
	var err error
	if x.pipeline, err = m.expandPipeline(q.Pipeline); err != nil {
		return nil, err
	}
	if len(q.Data) > 0 {
		raw := q.Data
		var text string
		if json.Unmarshal(raw, &text) == nil {
			raw = []byte(text)
		}
		s, err := m.expandAt(string(raw), placeBody, "data")
		if err != nil {
			return nil, err
		}
		x.data = []byte(s)
		return x, nil
	}
	if x.req, err = q.request(m); err != nil {
		return nil, err
	}
	if p := q.Pagination; p != nil && p.Mode == PageList {
		for i, v := range p.Values {
			s, err := m.expandAt(v, placeText, "pagination.values["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			x.values = append(x.values, s)
		}
	}
	return x, nil
}

// request renders the upstream call of a query with its macros expanded; a
// query string written into path joins params.
func (q *Query) request(m Macros) (request, error) {
	req := request{Method: q.Method, Params: url.Values{}, Headers: map[string]string{}, Accept: q.accept}
	var err error
	// The query string is found in the path as written, before expansion:
	// a value can then never start one (placeFormat).
	path, rawQuery, hasQuery := strings.Cut(q.Path, "?")
	if req.Path, err = m.expandAt(path, placePath, "path"); err != nil {
		return req, err
	}
	if hasQuery {
		if rawQuery, err = m.expandAt(rawQuery, placePathQuery, "path"); err != nil {
			return req, err
		}
		extra, err := url.ParseQuery(rawQuery)
		if err != nil {
			return req, apierr.BadRequest("bad_query", "path: the query string is malformed")
		}
		req.Params = extra
	}
	for _, k := range slices.Sorted(maps.Keys(q.Params)) {
		name, err := m.Expand(k, "params")
		if err != nil {
			return req, err
		}
		req.Params.Del(name)
		for _, v := range q.Params[k] {
			v, err := m.Expand(v, "params."+k)
			if err != nil {
				return req, err
			}
			req.Params.Add(name, v)
		}
	}
	for k, v := range q.Headers {
		if req.Headers[k], err = m.Expand(v, "headers."+k); err != nil {
			return req, err
		}
		if why := upstream.CheckHeaderValue(req.Headers[k]); why != "" {
			return req, apierr.BadRequest("bad_query", "headers.%s: %s", k, why)
		}
	}
	if g := q.GraphQL; g != nil {
		req.GraphQL = true
		doc, err := m.expandAt(g.Query, placeCode, "graphql.query")
		if err != nil {
			return req, err
		}
		vars, err := m.expandAt(string(g.Variables), placeBody, "graphql.variables")
		if err != nil {
			return req, err
		}
		if !json.Valid([]byte(vars)) {
			return req, apierr.BadRequest("bad_query", "graphql.variables: not valid JSON once its macros are expanded")
		}
		body := map[string]any{"query": doc, "variables": json.RawMessage(vars)}
		if g.OperationName != "" {
			body["operationName"] = g.OperationName
		}
		b, _ := json.Marshal(body)
		req.Body = string(b)
		return req, nil
	}
	if req.Body, err = m.expandAt(q.Body, placeBody, "body"); err != nil {
		return req, err
	}
	return req, nil
}

// expandPipeline expands the pipeline's strings by place: jq programs as
// code, filter and compute expressions as expressions, every other string
// (root, columns, field names, intervals) as text. It walks the pipeline's
// JSON, so step types added later are covered without a change here.
func (m Macros) expandPipeline(p *transform.Pipeline) (*transform.Pipeline, error) {
	if p == nil {
		return &transform.Pipeline{}, nil
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return nil, apierr.BadRequest("invalid_pipeline", "pipeline: %s", err)
	}
	if !bytes.ContainsAny(raw, "$") && !bytes.Contains(raw, []byte("[[")) {
		return p, nil // nothing to expand: no copy
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, apierr.BadRequest("invalid_pipeline", "pipeline: %s", err)
	}
	tree, aerr := m.walk(tree, "", placeText)
	if aerr != nil {
		return nil, aerr
	}
	out, _ := json.Marshal(tree)
	var np transform.Pipeline
	if err := json.Unmarshal(out, &np); err != nil {
		return nil, apierr.BadRequest("invalid_pipeline", "pipeline: %s", err)
	}
	return &np, nil
}

// maxWalkDepth and maxWalkPath bound the walk of a pipeline's JSON: values
// of type any (a column's default) may nest as deep as encoding/json allows
// (10,000), and a path string per level, each longer than its parent, made
// 10,000 levels of 1 KB keys into gigabytes (issue 21).
const (
	maxWalkDepth = 64
	maxWalkPath  = 256
)

func (m Macros) walk(v any, path string, at place) (any, *apierr.Error) {
	return m.walkDepth(v, path, at, 0)
}

func (m Macros) walkDepth(v any, path string, at place, depth int) (any, *apierr.Error) {
	if depth > maxWalkDepth {
		return nil, apierr.BadRequest("invalid_pipeline", "pipeline: %.256s… is nested deeper than %d levels", path, maxWalkDepth)
	}
	switch x := v.(type) {
	case string:
		return m.expand(x, at, path)
	case []any:
		for i := range x {
			var err *apierr.Error
			p := path
			if len(p) < maxWalkPath {
				p += "[" + strconv.Itoa(i) + "]"
			}
			if x[i], err = m.walkDepth(x[i], p, at, depth+1); err != nil {
				return nil, err
			}
		}
	case map[string]any:
		typ, _ := x["type"].(string)
		for _, k := range slices.Sorted(maps.Keys(x)) {
			child := x[k]
			p := k
			if path != "" {
				p = path + "." + k
			}
			if len(p) > maxWalkPath { // a path for messages, not a copy of every key above
				p = strings.Clone(p[:maxWalkPath])
			}
			childAt := at
			if path == "" && k == "root" && x["rootSyntax"] == transform.RootSyntaxJQ {
				childAt = placeCode // a jq root: its $x are jq's own
			}
			if strings.HasPrefix(path, "steps[") && !strings.Contains(path, ".") && k == "expr" {
				childAt = placeExpr
				if typ == transform.StepJQ {
					childAt = placeCode
				}
			}
			var err *apierr.Error
			if x[k], err = m.walkDepth(child, p, childAt, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}
