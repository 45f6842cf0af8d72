package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
)

// Endpoints for Relay's query features (issue 13): a GraphQL endpoint with cursor paging, pages whose cursor
// travels in headers or in the JSON body, CSV and NDJSON pages, and a slow per-value endpoint for list pagination.
//
//   - POST /api/graphql                {query, variables}: items(first, after, category) → {nodes, totalCount,
//     pageInfo {endCursor, hasNextPage}} (graphqlSchema below); unknown fields and bad variables are GraphQL
//     errors. items(echoAuth: true) fails with a message repeating the request's Authorization header. One
//     mutation, renameItem(id, name), and introspection (the query editor's completion reads the schema).
//   - GET  /api/items/by-header        request headers X-Cursor, X-Limit → a JSON array; the next cursor in the
//     response header X-Next-Cursor (absent on the last page). ?format=csv|ndjson pages the same rows as CSV
//     (header row on every page) or NDJSON.
//   - POST /api/items/search           {"page": {"cursor", "size"}, "category"} → {"results": [...], "next": cursor|null}
//   - GET  /api/values?value=         sleeps ?ms= (default 20, at most 1000) and returns [{"value", "length"}]: the
//     list-of-values benchmark's upstream with a fixed service time.

func (s *server) registerQueries(mux *http.ServeMux) {
	// Depth 10: the query editor's introspection (pkg/query/graphql_schema.go) is 9 levels deep.
	schema := graphql.MustParseSchema(graphqlSchema, &gqlRoot{s}, graphql.MaxDepth(10))
	mux.HandleFunc("POST /api/graphql", func(w http.ResponseWriter, r *http.Request) { serveGraphQL(w, r, schema) })
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

// graphqlSchema is the demo's GraphQL API, served by graph-gophers/graphql-go (parsing, validation, variables and
// error answers as a real GraphQL server gives them). echoAuth makes items fail with a message that repeats the
// request's Authorization header, to prove Relay scrubs upstream error messages.
const graphqlSchema = `
schema { query: Query mutation: Mutation }
type Query {
  items(first: Int = 25, after: String, category: String, echoAuth: Boolean = false): ItemConnection!
}
type Mutation {
  "Renames an item: the write a GraphQL-aware proxy rule keeps from Viewers."
  renameItem(id: Int!, name: String!): Item!
}
type ItemConnection { nodes: [Item!]! totalCount: Int! pageInfo: PageInfo! }
type PageInfo { endCursor: String hasNextPage: Boolean! }
type Item { id: Int! name: String! category: String! price: Float! in_stock: Boolean! created_at: String! tags: [String!]! }
`

type gqlRoot struct{ s *server }

type authKey struct{}

func (q *gqlRoot) Items(ctx context.Context, args struct {
	First    int32
	After    *string
	Category *string
	EchoAuth bool
}) (*gqlConnection, error) {
	if args.EchoAuth {
		auth, _ := ctx.Value(authKey{}).(string)
		return nil, errors.New("not allowed for " + auth)
	}
	category, after := "", ""
	if args.Category != nil {
		category = *args.Category
	}
	if args.After != nil {
		after = *args.After
	}
	items := q.s.items.list(category)
	offset, limit, ok := cursorWindow(after, strconv.Itoa(int(args.First)), len(items))
	if !ok {
		return nil, errors.New("invalid cursor, or first outside 1 to 100")
	}
	page, next := window(items, offset, limit)
	return &gqlConnection{page: page, total: len(items), end: "c" + strconv.Itoa(offset+len(page)), more: next != ""}, nil
}

// RenameItem is the demo's mutation (issue 27 §2): black-box tests show a Viewer's rule refuses it before it
// reaches this API (the item keeps its name, /api/counter shows no call).
func (q *gqlRoot) RenameItem(args struct {
	ID   int32
	Name string
}) (*gqlItem, error) {
	if strings.TrimSpace(args.Name) == "" {
		return nil, errors.New("name must not be empty")
	}
	it, err := q.s.items.update(int(args.ID), func(old item) (item, error) {
		old.Name = args.Name
		return old, nil
	})
	if err != nil {
		return nil, fmt.Errorf("item %d: %w", args.ID, err)
	}
	return &gqlItem{it}, nil
}

type gqlConnection struct {
	page  []item
	total int
	end   string
	more  bool
}

func (c *gqlConnection) Nodes() []*gqlItem {
	out := make([]*gqlItem, len(c.page))
	for i, it := range c.page {
		out[i] = &gqlItem{it}
	}
	return out
}
func (c *gqlConnection) TotalCount() int32 { return int32(c.total) }
func (c *gqlConnection) PageInfo() *gqlPageInfo {
	return &gqlPageInfo{end: c.end, more: c.more}
}

type gqlPageInfo struct {
	end  string
	more bool
}

func (p *gqlPageInfo) EndCursor() *string { return &p.end }
func (p *gqlPageInfo) HasNextPage() bool  { return p.more }

type gqlItem struct{ it item }

func (i *gqlItem) ID() int32         { return int32(i.it.ID) }
func (i *gqlItem) Name() string      { return i.it.Name }
func (i *gqlItem) Category() string  { return i.it.Category }
func (i *gqlItem) Price() float64    { return i.it.Price }
func (i *gqlItem) InStock() bool     { return i.it.InStock }
func (i *gqlItem) CreatedAt() string { return i.it.CreatedAt.Format(time.RFC3339) }
func (i *gqlItem) Tags() []string    { return append([]string{}, i.it.Tags...) }

// POST /api/graphql {query, operationName, variables}: 200 with data and/or errors, as GraphQL over HTTP answers;
// 400 for a body that is no GraphQL request.
func serveGraphQL(w http.ResponseWriter, r *http.Request, schema *graphql.Schema) {
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{"message": "the body must be {query, variables}"}}})
		return
	}
	ctx := context.WithValue(r.Context(), authKey{}, r.Header.Get("Authorization"))
	writeJSON(w, http.StatusOK, schema.Exec(ctx, req.Query, req.OperationName, req.Variables))
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
