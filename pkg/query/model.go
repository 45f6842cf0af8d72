// Package query runs Relay's queries: fetch from the upstream (with macros and
// pagination), then the transformation engine. QueryData, /transform and
// /schema share it, so dashboards, Explore and alert rules see the same result.
package query

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Query is the query model: the JSON of each Grafana query.
type Query struct {
	// Upstream names the upstream to call ("" or "default": the data source's own).
	Upstream string                `json:"upstream,omitempty"`
	Method   string                `json:"method,omitempty"`
	Path     string                `json:"path"`
	Params   map[string]ParamValue `json:"params,omitempty"`
	Headers  map[string]string     `json:"headers,omitempty"`
	Body     string                `json:"body,omitempty"`
	// Data is inline input instead of an upstream call: a JSON string holds
	// text (CSV, NDJSON, JSON text), any other JSON value is the JSON input.
	Data json.RawMessage `json:"data,omitempty"`
	// GraphQL makes the call a GraphQL POST of {query, variables} to Path.
	GraphQL    *GraphQL            `json:"graphql,omitempty"`
	Pipeline   *transform.Pipeline `json:"pipeline,omitempty"`
	Format     string              `json:"format,omitempty"` // table | timeseries | logs | trace | nodegraph
	Pagination *Pagination         `json:"pagination,omitempty"`
	// CacheTTL and StaleWhileRevalidate cache the query's upstream answer
	// (cache.go): absent, the proxy rule's cacheTTL for the path applies to
	// user queries; "0s" never caches.
	CacheTTL             *settings.Duration `json:"cacheTTL,omitempty"`
	StaleWhileRevalidate *settings.Duration `json:"staleWhileRevalidate,omitempty"`
	// AcceptStatus and ResponseFields read answers as data (answers.go).
	AcceptStatus   []string `json:"acceptStatus,omitempty"`
	ResponseFields []string `json:"responseFields,omitempty"`
	accept         *statusSet
}

// GraphQL is a GraphQL operation. Variables is a JSON object, given as an
// object or as the text of one (the editor's JSON field).
type GraphQL struct {
	Query         string          `json:"query"`
	Variables     json.RawMessage `json:"variables,omitempty"`
	OperationName string          `json:"operationName,omitempty"`
}

// ParamValue is a query parameter's value: a string, or a list of strings
// sent as a repeated parameter (a multi-value variable in "repeat" mode).
type ParamValue []string

// UnmarshalJSON accepts "v" and ["v1", "v2"].
func (p *ParamValue) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*p = ParamValue{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("a parameter value is a string or a list of strings")
	}
	*p = many
	return nil
}

// MarshalJSON writes a single value as a string.
func (p ParamValue) MarshalJSON() ([]byte, error) {
	if len(p) == 1 {
		return json.Marshal(p[0])
	}
	return json.Marshal([]string(p))
}

// Pagination describes how to fetch more pages of a list (JSON, NDJSON or
// CSV pages), or one request per value (mode list).
type Pagination struct {
	Mode PaginationMode `json:"mode"` // see PaginationModes
	// In says where the offset, page, cursor or list value goes: query (the
	// default; a query parameter), header, body (a field of the JSON body, a
	// dotted path) or variable (a GraphQL variable; the default for GraphQL).
	In string `json:"in,omitempty"`
	// MaxPages bounds the pages fetched (at most the data source's query.maxPages).
	MaxPages int `json:"maxPages,omitempty"`
	// offset mode: ?<offsetParam>=N&<limitParam>=<pageSize>
	OffsetParam string `json:"offsetParam,omitempty"`
	LimitParam  string `json:"limitParam,omitempty"`
	PageSize    int    `json:"pageSize,omitempty"`
	// page mode: ?<pageParam>=N (starting at StartPage) &<limitParam>=<pageSize>
	PageParam string `json:"pageParam,omitempty"`
	StartPage int    `json:"startPage,omitempty"`
	// cursor mode: the next cursor is read at CursorPath (gjson) and sent as ?<cursorParam>=
	CursorParam string `json:"cursorParam,omitempty"`
	CursorPath  string `json:"cursorPath,omitempty"`
	// CursorHeader reads the next cursor from a response header instead.
	CursorHeader string `json:"cursorHeader,omitempty"`
	// HasNextPath (gjson) stops cursor paging when it reads false
	// (GraphQL's pageInfo.hasNextPage).
	HasNextPath string `json:"hasNextPath,omitempty"`
	// list mode: one request per value, sent as ValueParam (per In); the rows
	// get a column ValueColumn (default "value") naming the value.
	Values      []string `json:"values,omitempty"`
	ValueParam  string   `json:"valueParam,omitempty"`
	ValueColumn string   `json:"valueColumn,omitempty"`
	// Concurrency of list requests (at most maxListConcurrency, the default).
	Concurrency int `json:"concurrency,omitempty"`
	// link mode: the next URL comes from NextPath (gjson) or the Link rel="next" header.
	NextPath string `json:"nextPath,omitempty"`
}

// Parse reads a query's JSON and validates it.
func Parse(raw []byte) (*Query, error) {
	var q Query
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, fmt.Errorf("query is not valid JSON: %s", err)
	}
	if q.Method == "" {
		q.Method = http.MethodGet
		if q.GraphQL != nil {
			q.Method = http.MethodPost
		}
	}
	q.Method = strings.ToUpper(q.Method)
	switch q.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
	default:
		return nil, fmt.Errorf("method: %q is not supported", q.Method)
	}
	if err := q.normalizeSource(); err != nil {
		return nil, err
	}
	if q.Path == "" {
		q.Path = "/"
	}
	if !strings.HasPrefix(q.Path, "/") {
		q.Path = "/" + q.Path
	}
	switch q.Format {
	case "", "table", "timeseries", "logs", "trace", "nodegraph":
	default:
		return nil, fmt.Errorf("format: %q is not one of table, timeseries, logs, trace, nodegraph", q.Format)
	}
	for name := range q.Headers {
		if why := upstream.CheckHeader(name); why != "" {
			return nil, fmt.Errorf("headers: %q cannot be set by a query: %s", name, why)
		}
	}
	if q.Pipeline == nil {
		q.Pipeline = &transform.Pipeline{}
	}
	if q.Format == "timeseries" && q.Pipeline.Shape == "" {
		q.Pipeline.Shape = transform.ShapeTimeSeriesWide
	}
	if err := q.Pagination.validate(&q); err != nil {
		return nil, err
	}
	if err := q.validateCache(); err != nil {
		return nil, err
	}
	if err := q.validateAnswers(); err != nil {
		return nil, err
	}
	return &q, nil
}

// normalizeSource checks inline data and GraphQL: data makes no upstream
// call, GraphQL is a POST of a JSON body Relay builds.
func (q *Query) normalizeSource() error {
	if len(q.Data) > 0 && string(q.Data) == "null" {
		q.Data = nil
	}
	switch {
	case len(q.Data) > 0 && q.GraphQL != nil:
		return fmt.Errorf("data: a query has inline data or graphql, not both")
	case len(q.Data) > 0 && q.Pagination != nil && q.Pagination.Mode.paged():
		return fmt.Errorf("pagination: inline data has no pages")
	case q.GraphQL != nil:
		g := q.GraphQL
		if strings.TrimSpace(g.Query) == "" {
			return fmt.Errorf("graphql.query: required (e.g. \"{ items { id } }\")")
		}
		if q.Body != "" {
			return fmt.Errorf("body: a GraphQL query's body is built from graphql.query and graphql.variables; leave body empty")
		}
		if q.Method != http.MethodPost {
			return fmt.Errorf("method: GraphQL queries are POSTed; %s is not supported", q.Method)
		}
		vars := g.Variables
		var text string
		if json.Unmarshal(vars, &text) == nil {
			vars = json.RawMessage(text)
		}
		if len(strings.TrimSpace(string(vars))) == 0 {
			vars = json.RawMessage("{}")
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(vars, &obj); err != nil || obj == nil {
			return fmt.Errorf("graphql.variables: must be a JSON object (e.g. {\"first\": 10})")
		}
		g.Variables = vars
		if q.Path == "" {
			q.Path = "/graphql"
		}
	}
	return nil
}

// maxListValues bounds list pagination's values (each is one request, also
// charged to the request's call budget); maxListConcurrency its parallelism.
const (
	maxListValues      = 1000
	maxListConcurrency = 8
)

func (p *Pagination) validate(q *Query) error {
	if p == nil {
		return nil
	}
	method := q.Method
	if p.In == "" {
		p.In = "query"
		if q.GraphQL != nil {
			p.In = "variable"
		}
	}
	switch p.In {
	case "query", "body":
	case "header":
		for _, name := range []string{p.OffsetParam, p.LimitParam, p.PageParam, p.CursorParam, p.ValueParam} {
			if name == "" {
				continue
			}
			if why := upstream.CheckHeader(name); why != "" {
				return fmt.Errorf("pagination: header %q cannot be set by a query: %s", name, why)
			}
		}
	case "variable":
		if q.GraphQL == nil {
			return fmt.Errorf("pagination.in: variable is for GraphQL queries (use query, header or body)")
		}
	default:
		return fmt.Errorf("pagination.in: %q is not one of query, header, body, variable", p.In)
	}
	if p.Mode == PageLink && method != http.MethodGet && method != http.MethodHead {
		return fmt.Errorf("pagination.mode: link pagination follows next links with GET; a %s query cannot use it (use cursor, offset or page)", method)
	}
	for field, path := range map[string]string{"cursorPath": p.CursorPath, "nextPath": p.NextPath, "hasNextPath": p.HasNextPath} {
		if err := transform.CheckPath(path); err != nil {
			return fmt.Errorf("pagination.%s: %s", field, err)
		}
	}
	if !p.Mode.known() {
		return fmt.Errorf("pagination.mode: %q is not one of %s", p.Mode, joinModes())
	}
	if p.PageSize < 0 || p.MaxPages < 0 || p.StartPage < 0 || p.Concurrency < 0 {
		return fmt.Errorf("pagination: pageSize, maxPages, startPage and concurrency must not be negative")
	}
	if p.Mode == PageCursor && p.CursorPath == "" && p.CursorHeader == "" {
		return fmt.Errorf("pagination.cursorPath: required for cursor pagination (e.g. \"next_cursor\"), or cursorHeader")
	}
	if p.Mode == PageLink && q.GraphQL != nil {
		return fmt.Errorf("pagination.mode: link pagination does not apply to GraphQL (use cursor)")
	}
	if p.Mode == PageList {
		switch {
		case len(p.Values) == 0:
			return fmt.Errorf("pagination.values: list pagination needs at least one value")
		case len(p.Values) > maxListValues:
			return fmt.Errorf("pagination.values: %d values; at most %d", len(p.Values), maxListValues)
		case p.ValueParam == "":
			return fmt.Errorf("pagination.valueParam: required for list pagination (the parameter, header or field that carries each value)")
		case p.Concurrency > maxListConcurrency:
			return fmt.Errorf("pagination.concurrency: at most %d", maxListConcurrency)
		}
	}
	return nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
