// Package query runs Relay's queries: fetch from the upstream (with macros and
// pagination), then the transformation engine. QueryData, /transform and
// /schema share it, so dashboards, Explore and alert rules see the same result.
package query

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Query is the query model: the JSON of each Grafana query.
type Query struct {
	// Upstream names the upstream to call ("" or "default": the data source's own).
	Upstream   string              `json:"upstream,omitempty"`
	Method     string              `json:"method,omitempty"`
	Path       string              `json:"path"`
	Params     map[string]string   `json:"params,omitempty"`
	Headers    map[string]string   `json:"headers,omitempty"`
	Body       string              `json:"body,omitempty"`
	Pipeline   *transform.Pipeline `json:"pipeline,omitempty"`
	Format     string              `json:"format,omitempty"` // table | timeseries
	Pagination *Pagination         `json:"pagination,omitempty"`
}

// Pagination describes how to fetch more pages of a JSON list.
type Pagination struct {
	Mode string `json:"mode"` // none | offset | page | cursor | link
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
	}
	q.Method = strings.ToUpper(q.Method)
	switch q.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead:
	default:
		return nil, fmt.Errorf("method: %q is not supported", q.Method)
	}
	if q.Path == "" {
		q.Path = "/"
	}
	if !strings.HasPrefix(q.Path, "/") {
		q.Path = "/" + q.Path
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
	if err := q.Pagination.validate(q.Method); err != nil {
		return nil, err
	}
	return &q, nil
}

func (p *Pagination) validate(method string) error {
	if p == nil {
		return nil
	}
	if p.Mode == "link" && method != http.MethodGet && method != http.MethodHead {
		return fmt.Errorf("pagination.mode: link pagination follows next links with GET; a %s query cannot use it (use cursor, offset or page)", method)
	}
	for field, path := range map[string]string{"cursorPath": p.CursorPath, "nextPath": p.NextPath} {
		if err := transform.CheckPath(path); err != nil {
			return fmt.Errorf("pagination.%s: %s", field, err)
		}
	}
	switch p.Mode {
	case "", "none", "offset", "page", "cursor", "link":
	default:
		return fmt.Errorf("pagination.mode: %q is not one of none, offset, page, cursor, link", p.Mode)
	}
	if p.PageSize < 0 || p.MaxPages < 0 || p.StartPage < 0 {
		return fmt.Errorf("pagination: pageSize, maxPages and startPage must not be negative")
	}
	if p.Mode == "cursor" && p.CursorPath == "" {
		return fmt.Errorf("pagination.cursorPath: required for cursor pagination (e.g. \"next_cursor\")")
	}
	return nil
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
