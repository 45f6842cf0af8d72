package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Endpoints for Relay's query features (issue 13): a GraphQL endpoint with cursor paging, pages whose cursor
// travels in headers or in the JSON body, CSV and NDJSON pages, and a slow per-value endpoint for list pagination.
//
//   - POST /api/graphql                {query, variables: {first, after, category}} → data.items {nodes, totalCount,
//     pageInfo {endCursor, hasNextPage}}. A fixed schema: the document must select `items`, otherwise the answer
//     has `errors` (as a GraphQL server answers an unknown field). variables.echoAuth makes the error message
//     repeat the request's Authorization header, to prove Relay scrubs it.
//   - GET  /api/items/by-header        request headers X-Cursor, X-Limit → a JSON array; the next cursor in the
//     response header X-Next-Cursor (absent on the last page). ?format=csv|ndjson pages the same rows as CSV
//     (header row on every page) or NDJSON.
//   - POST /api/items/search           {"page": {"cursor", "size"}, "category"} → {"results": [...], "next": cursor|null}
//   - GET  /api/values?value=         sleeps ?ms= (default 20, at most 1000) and returns [{"value", "length"}]: the
//     list-of-values benchmark's upstream with a fixed service time.

func (s *server) registerQueries(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/graphql", s.graphql)
	mux.HandleFunc("GET /api/items/by-header", s.itemsByHeader)
	mux.HandleFunc("POST /api/items/search", s.searchItems)
	mux.HandleFunc("GET /api/values", s.slowValue)
}

// cursorWindow reads an opaque cursor ("c" + offset) and a page size.
func cursorWindow(cursor, size string, n int) (offset, limit int, ok bool) {
	limit = defaultPageSize
	if size != "" {
		l, err := strconv.Atoi(size)
		if err != nil || l < 1 || l > maxPageSize {
			return 0, 0, false
		}
		limit = l
	}
	if cursor != "" {
		o, err := strconv.Atoi(strings.TrimPrefix(cursor, "c"))
		if err != nil || !strings.HasPrefix(cursor, "c") || o < 0 || o > n {
			return 0, 0, false
		}
		offset = o
	}
	return offset, limit, true
}

func window(items []item, offset, limit int) (page []item, next string) {
	end := min(offset+limit, len(items))
	if end < len(items) {
		next = "c" + strconv.Itoa(end)
	}
	return items[offset:end], next
}

func (s *server) graphql(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query     string `json:"query"`
		Variables struct {
			First    *int   `json:"first"`
			After    string `json:"after"`
			Category string `json:"category"`
			EchoAuth bool   `json:"echoAuth"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"message": "the body must be {query, variables}"}}})
		return
	}
	gqlError := func(msg string) {
		writeJSON(w, http.StatusOK, map[string]any{"data": nil, "errors": []any{map[string]any{"message": msg, "path": []string{"items"}}}})
	}
	switch {
	case req.Variables.EchoAuth:
		gqlError("not allowed for " + r.Header.Get("Authorization"))
		return
	case !strings.Contains(req.Query, "items"):
		gqlError(`Cannot query field on type "Query": this API serves items(first: Int, after: String, category: String)`)
		return
	}
	items := s.items.list(req.Variables.Category)
	size := ""
	if req.Variables.First != nil {
		size = strconv.Itoa(*req.Variables.First)
	}
	offset, limit, ok := cursorWindow(req.Variables.After, size, len(items))
	if !ok {
		gqlError("invalid cursor or first (1 to 100)")
		return
	}
	page, next := window(items, offset, limit)
	end := "c" + strconv.Itoa(offset+len(page))
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"items": map[string]any{
		"nodes": page, "totalCount": len(items),
		"pageInfo": map[string]any{"endCursor": end, "hasNextPage": next != ""}}}})
}

func (s *server) itemsByHeader(w http.ResponseWriter, r *http.Request) {
	items := s.items.list(r.URL.Query().Get("category"))
	offset, limit, ok := cursorWindow(r.Header.Get("X-Cursor"), r.Header.Get("X-Limit"), len(items))
	if !ok {
		writeError(w, http.StatusBadRequest, "bad_request", "X-Cursor must be a cursor of this API and X-Limit 1 to 100")
		return
	}
	page, next := window(items, offset, limit)
	if next != "" {
		w.Header().Set("X-Next-Cursor", next)
	}
	switch r.URL.Query().Get("format") {
	case "csv":
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		cw.Write([]string{"id", "name", "category", "price"})
		for _, it := range page {
			cw.Write([]string{strconv.Itoa(it.ID), it.Name, it.Category, strconv.FormatFloat(it.Price, 'f', -1, 64)})
		}
		cw.Flush()
		writeBody(w, http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	case "ndjson":
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for _, it := range page {
			_ = enc.Encode(it)
		}
		writeBody(w, http.StatusOK, "application/x-ndjson", buf.Bytes())
	case "":
		writeJSON(w, http.StatusOK, page)
	default:
		writeError(w, http.StatusBadRequest, "bad_request", "format must be csv or ndjson (or absent for JSON)")
	}
}

func (s *server) searchItems(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Page struct {
			Cursor string `json:"cursor"`
			Size   *int   `json:"size"`
		} `json:"page"`
		Category string `json:"category"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the body must be {page: {cursor, size}, category}")
		return
	}
	items := s.items.list(req.Category)
	size := ""
	if req.Page.Size != nil {
		size = strconv.Itoa(*req.Page.Size)
	}
	offset, limit, ok := cursorWindow(req.Page.Cursor, size, len(items))
	if !ok {
		writeError(w, http.StatusBadRequest, "bad_request", "page.cursor must be a cursor of this API and page.size 1 to 100")
		return
	}
	page, next := window(items, offset, limit)
	var nextV any
	if next != "" {
		nextV = next
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": page, "next": nextV})
}

func (s *server) slowValue(w http.ResponseWriter, r *http.Request) {
	ms, err := intParam(r, "ms", 20, 0, 1000)
	if err != nil {
		badRequest(w, err)
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	v := r.URL.Query().Get("value")
	writeJSON(w, http.StatusOK, []any{map[string]any{"value": v, "length": len(v)}})
}
