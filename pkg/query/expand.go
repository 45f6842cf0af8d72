package query

import (
	"encoding/json"
	"errors"
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
	if q.BodyType != "" {
		return req, m.expandForm(q, &req)
	}
	if req.Body, err = m.expandAt(q.Body, placeBody, "body"); err != nil {
		return req, err
	}
	return req, nil
}

// expandPipeline expands the pipeline's strings by place: jq programs as
// code, expressions as expressions (each step type declares its
// expression and code fields), every other string (root, columns, field
// names, intervals) as text. It rewrites the decoded pipeline (a copy):
// nothing is encoded or decoded again, and step types added later are
// covered without a change here.
func (m Macros) expandPipeline(p *transform.Pipeline) (*transform.Pipeline, error) {
	if p == nil {
		return &transform.Pipeline{}, nil
	}
	out, err := p.MapStrings(func(path string, kind transform.StringKind, s string) (string, error) {
		at := placeText
		switch kind {
		case transform.StringExpr:
			at = placeExpr
		case transform.StringCode:
			at = placeCode
		}
		return m.expandAt(s, at, path)
	})
	if err != nil {
		var ae *apierr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, apierr.BadRequest("invalid_pipeline", "pipeline: %s", err)
	}
	return out, nil
}
