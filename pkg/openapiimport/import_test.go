package openapiimport

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

func mustImport(t *testing.T, doc string, o Options) *Proposal {
	t.Helper()
	p, err := Import([]byte(doc), o)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return p
}

func demoDocument(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../cmd/demoapi/openapi/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func findRule(p *Proposal, id string) *Rule {
	for i := range p.Rules {
		if p.Rules[i].OperationID == id {
			return &p.Rules[i]
		}
	}
	return nil
}

func findAction(p *Proposal, name string) *Action {
	for i := range p.Actions {
		if p.Actions[i].Name == name {
			return &p.Actions[i]
		}
	}
	return nil
}

func findParam(a *Action, name string) *settings.ActionParam {
	for i := range a.Params {
		if a.Params[i].Name == name {
			return &a.Params[i]
		}
	}
	return nil
}

func findQuery(p *Proposal, id string) *QueryPath {
	for i := range p.Queries {
		if p.Queries[i].OperationID == id {
			return &p.Queries[i]
		}
	}
	return nil
}

func fieldTypes(q *QueryPath) map[string]string {
	out := map[string]string{}
	for _, f := range q.Fields {
		out[f.Name] = f.Type
	}
	return out
}

func hasNote(p *Proposal, substr string) bool {
	for _, n := range p.Notes {
		if strings.Contains(n.Message, substr) {
			return true
		}
	}
	return false
}

// The demo API's own description (3.0): every operation becomes a rule with
// its role, writes become typed actions, GETs query paths with typed fields.
func TestImportDemoOpenAPI30(t *testing.T) {
	p, err := Import(demoDocument(t, "openapi.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.OpenAPI != "3.0.3" || p.Source.Title != "Relay demo API" || p.Stats.Operations != 6 {
		t.Fatalf("source/stats: %+v %+v", p.Source, p.Stats)
	}
	for id, want := range map[string]struct {
		path, method string
		role         role.Role
	}{
		"listItems":   {"/api/items", "GET", role.Viewer},
		"createItem":  {"/api/items", "POST", role.Editor},
		"getItem":     {"/api/items/*", "GET", role.Viewer},
		"updateItem":  {"/api/items/*", "PATCH", role.Editor},
		"deleteItem":  {"/api/items/*", "DELETE", role.Editor},
		"listMetrics": {"/api/metrics", "GET", role.Viewer},
	} {
		r := findRule(p, id)
		if r == nil || r.Path != want.path || len(r.Methods) != 1 || r.Methods[0] != want.method || r.MinRole != want.role {
			t.Errorf("rule %s: %+v, want %+v", id, r, want)
		}
	}
	if r := findRule(p, "getItem"); r.Template != "/api/items/{id}" {
		t.Errorf("a widened rule names its template: %+v", r)
	}
	if !hasNote(p, "/items/{id} → /items/*") {
		t.Errorf("widened rules are noted: %+v", p.Notes)
	}
	if len(p.Actions) != 3 {
		t.Fatalf("actions: %+v", p.Actions)
	}
	create := findAction(p, "createItem")
	if create == nil || create.Method != "POST" || create.Path != "/api/items" || create.MinRole != role.Editor {
		t.Fatalf("createItem: %+v", create)
	}
	// Constraints from the body schema, through $ref and allOf (required
	// comes from the second allOf member).
	name := findParam(create, "name")
	if name == nil || name.Type != "string" || !name.Required || *name.Min != 1 || *name.Max != 200 {
		t.Errorf("name: %+v", name)
	}
	price := findParam(create, "price")
	if price == nil || price.Type != "number" || !price.Required || *price.Min != 0 || *price.Max != 100000 {
		t.Errorf("price: %+v", price)
	}
	cat := findParam(create, "category")
	if cat == nil || cat.Required || len(cat.Enum) != 5 || cat.Enum[0] != "books" {
		t.Errorf("category (enum through a $ref): %+v", cat)
	}
	if findParam(create, "tags") != nil || !hasNote(p, `body property "tags": is an array`) {
		t.Errorf("an array property is a note, not a parameter: %+v", create.Params)
	}
	body, _ := json.Marshal(create.Body)
	if !strings.Contains(string(body), `"name":"{{name}}"`) || strings.Contains(string(body), "tags") {
		t.Errorf("body template: %s", body)
	}
	del := findAction(p, "deleteItem")
	id := findParam(del, "id")
	if id == nil || id.Type != "integer" || !id.Required || *id.Min != 1 || del.Body != nil || del.Confirm == "" {
		t.Errorf("deleteItem: %+v id %+v", del, id)
	}
	list := findQuery(p, "listItems")
	if list == nil || list.Root != "items" || strings.Join(list.Params, ",") != "category,limit,offset" {
		t.Fatalf("listItems query: %+v", list)
	}
	want := map[string]string{"id": "int64", "name": "string", "price": "number", "in_stock": "boolean",
		"created_at": "time", "dimensions": "json", "tags": "json", "rating": "number", "category": "string"}
	if got := fieldTypes(list); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("listItems fields: %v, want %v", got, want)
	}
	if m := findQuery(p, "listMetrics"); m == nil || m.Root != "" || fieldTypes(m)["time"] != "time" || fieldTypes(m)["up"] != "boolean" {
		t.Errorf("listMetrics (an array answer): %+v", m)
	}
	// A single object whose only arrays hold scalars is one row.
	if g := findQuery(p, "getItem"); g == nil || g.Root != "" || fieldTypes(g)["id"] != "int64" {
		t.Errorf("getItem: %+v", g)
	}
}

// Swagger 2.0 is converted by kin-openapi: basePath prefixes the paths, a
// body parameter becomes the JSON body.
func TestImportSwagger20(t *testing.T) {
	p, err := Import(demoDocument(t, "swagger.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source.OpenAPI != "2.0" || p.Source.BasePath != "/api" {
		t.Fatalf("source: %+v", p.Source)
	}
	if r := findRule(p, "deleteItem"); r == nil || r.Path != "/api/items/*" || r.MinRole != role.Editor {
		t.Errorf("deleteItem rule: %+v", r)
	}
	create := findAction(p, "createItem")
	if create == nil || findParam(create, "name") == nil || !findParam(create, "price").Required {
		t.Fatalf("createItem: %+v", create)
	}
	if q := findQuery(p, "listItems"); q == nil || q.Root != "items" || fieldTypes(q)["created_at"] != "time" || fieldTypes(q)["price"] != "number" {
		t.Errorf("listItems: %+v", q)
	}
	// The request may say the upstream's URL already ends in the base path.
	empty := ""
	p, _ = Import(demoDocument(t, "swagger.json"), Options{BasePath: &empty})
	if r := findRule(p, "listItems"); r.Path != "/items" {
		t.Errorf("basePath override: %+v", r)
	}
}

// OpenAPI 3.1: type lists with "null", numeric exclusive bounds, boolean
// schemas, YAML.
func TestImportOpenAPI31YAML(t *testing.T) {
	doc := `
openapi: 3.1.0
info: {title: t, version: "1"}
servers: [{url: "https://api.example.com/{version}", variables: {version: {default: v2}}}]
paths:
  /hosts:
    get:
      operationId: listHosts
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: object, properties: {hosts: {type: array, items: {$ref: "#/components/schemas/Host"}}}}
    post:
      operationId: addHost
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name]
              properties:
                name: {type: [string, "null"], pattern: "^[a-z]+$"}
                weight: {type: number, exclusiveMinimum: 0, maximum: 1}
                extra: true
                mode: {type: string, pattern: "(?<=a)b"}
      responses: {"201": {description: created}}
components:
  schemas:
    Host:
      type: object
      properties:
        name: {type: string}
        seen: {type: [string, "null"], format: date-time}
        load: {type: [number, "null"]}
        labels: {type: object}
`
	p := mustImport(t, doc, Options{})
	if p.Source.OpenAPI != "3.1.0" || p.Source.BasePath != "/v2" {
		t.Fatalf("source: %+v", p.Source)
	}
	q := findQuery(p, "listHosts")
	if q == nil || q.Root != "data.hosts" || q.Path != "/v2/hosts" {
		t.Fatalf("query: %+v", q)
	}
	if got := fieldTypes(q); got["seen"] != "time" || got["load"] != "number" || got["labels"] != "json" {
		t.Errorf("fields: %v", got)
	}
	a := findAction(p, "addHost")
	if n := findParam(a, "name"); n == nil || n.Type != "string" || !n.Required || n.Pattern != "^[a-z]+$" {
		t.Errorf("name: %+v", n)
	}
	if w := findParam(a, "weight"); w == nil || w.Min == nil || *w.Min != 0 || *w.Max != 1 || !hasNote(p, "exclusive bounds") {
		t.Errorf("weight: %+v", w)
	}
	if m := findParam(a, "mode"); m == nil || m.Pattern != "" || !hasNote(p, "not a pattern Go's regexp reads") {
		t.Errorf("a lookbehind pattern is left out with a note: %+v", m)
	}
}

// External $refs are never fetched, in 3.x and in Swagger 2.0 alike: the
// import makes no request on a document's behalf (SSRF).
func TestImportNeverFollowsExternalRefs(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write([]byte(`{"type":"object","properties":{"x":{"type":"string"}}}`))
	}))
	defer srv.Close()
	v3 := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"operationId":"a","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"` + srv.URL + `/s.json"}}}}}},
		"post":{"operationId":"b","requestBody":{"$ref":"/etc/passwd"},"responses":{"200":{"description":"ok"}}}}}}`
	p := mustImport(t, v3, Options{})
	if !hasNote(p, "external $refs were not followed") || findQuery(p, "a") != nil {
		t.Errorf("notes: %+v queries %+v", p.Notes, p.Queries)
	}
	v2 := `{"swagger":"2.0","info":{"title":"t","version":"1"},"paths":{"/a":{"get":{"responses":{"200":{"description":"ok","schema":{"$ref":"` + srv.URL + `/s.json"}}}}}}}`
	_, err := Import([]byte(v2), Options{})
	if err == nil || !errors.Is(err, ErrDocument) {
		t.Errorf("a Swagger document with an external ref: %v", err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the import fetched an external $ref %d time(s)", n)
	}
}

// Cyclic and exponentially composed schemas end, fast.
func TestImportHostileSchemas(t *testing.T) {
	var schemas []string
	const levels = 60
	for i := range levels {
		schemas = append(schemas, fmt.Sprintf(`"S%d":{"allOf":[{"$ref":"#/components/schemas/S%d"},{"$ref":"#/components/schemas/S%d"}],"properties":{"p%d":{"$ref":"#/components/schemas/S%d"}}}`, i, i+1, i+1, i, i+1))
	}
	schemas = append(schemas, fmt.Sprintf(`"S%d":{"$ref":"#/components/schemas/S0"}`, levels), // a cycle back to the top
		`"Loop":{"$ref":"#/components/schemas/Loop"}`)
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a":{"get":{"operationId":"a","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"type":"array","items":{"$ref":"#/components/schemas/S0"}}}}}}},
	      "post":{"operationId":"b","requestBody":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/S0"}}}},"responses":{"200":{"description":"ok"}}}},
	"/b":{"get":{"operationId":"c","responses":{"200":{"description":"ok","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Loop"}}}}}}}},
	"components":{"schemas":{` + strings.Join(schemas, ",") + `}}}`
	start := time.Now()
	p := mustImport(t, doc, Options{})
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d) // a bound on runaway work, not a performance target (that is the benchmark)
	}
	if q := findQuery(p, "a"); q == nil || len(q.Fields) != maxSchemaDepth+1 || !hasNote(p, "allOf nested more than") {
		t.Errorf("the rows merge each allOf level once, down to maxSchemaDepth: %+v", q)
	}
	if findQuery(p, "c") != nil || !hasNote(p, "did not resolve") {
		t.Errorf("a $ref cycle resolves to nothing, with a note: %+v", p.Notes)
	}
}

func TestImportRefusesWhatIsNotADocument(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":      ``,
		"not json":   `{"openapi": `,
		"no version": `{"info": {}}`,
		"openapi 4":  `{"openapi": "4.0.0"}`,
		"array":      `[1, 2]`,
	} {
		if _, err := Import([]byte(doc), Options{}); !errors.Is(err, ErrDocument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	big := make([]byte, MaxDocumentBytes+1)
	if _, err := Import(big, Options{}); !errors.Is(err, ErrDocument) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("a document over the limit: %v", err)
	}
}

// Unmappable parts are notes, never silently dropped.
func TestImportNotesWhatItCannotMap(t *testing.T) {
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/upload":{"post":{"operationId":"upload","parameters":[{"name":"X-Trace","in":"header","required":true,"schema":{"type":"string"}}],
		"requestBody":{"content":{"multipart/form-data":{"schema":{"type":"object"}}}},"responses":{"200":{"description":"ok"}}}},
	"/csv":{"get":{"operationId":"csv","responses":{"200":{"description":"ok","content":{"text/csv":{}}}}}},
	"/pick":{"put":{"operationId":"pick","requestBody":{"content":{"application/json":{"schema":{"type":"object","properties":{
		"choice":{"oneOf":[{"type":"string"},{"type":"integer"}]},"count":{"type":"integer","multipleOf":2,"enum":[2,4,"six"]}}}}}},
		"responses":{"200":{"description":"ok"}}}}}}`
	p := mustImport(t, doc, Options{})
	for _, want := range []string{
		`required header parameter "X-Trace" is not mapped`,
		"the request body (multipart/form-data) is not JSON",
		"no JSON success answer",
		`body property "choice": has no single type`,
		"multipleOf is not checked",
		"enum value six is not an integer",
	} {
		if !hasNote(p, want) {
			t.Errorf("no note %q in %+v", want, p.Notes)
		}
	}
	if c := findParam(findAction(p, "pick"), "count"); c == nil || len(c.Enum) != 2 {
		t.Errorf("count keeps its valid enum values: %+v", c)
	}
}

// Action names are valid and unique whatever the operationIds are.
func TestImportActionNames(t *testing.T) {
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a":{"post":{"operationId":"do it/now","responses":{"200":{"description":"ok"}}}},
	"/b":{"post":{"operationId":"do it now","responses":{"200":{"description":"ok"}}}},
	"/c":{"delete":{"responses":{"200":{"description":"ok"}}}}}}`
	p := mustImport(t, doc, Options{})
	var names []string
	for _, a := range p.Actions {
		names = append(names, a.Name)
	}
	if strings.Join(names, ",") != "do-it-now,do-it-now-2,delete-c" {
		t.Errorf("names: %v", names)
	}
}

// A document of more operations than a proposal covers: the first ones in
// path order are proposed, all are counted, and a note says so.
func TestImportCapsOperations(t *testing.T) {
	defer func(n int) { maxOperations = n }(maxOperations)
	maxOperations = 5
	doc := `{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{
	"/a":{"get":{"responses":{"200":{"description":"ok"}}},"post":{"responses":{"200":{"description":"ok"}}}},
	"/b":{"get":{"responses":{"200":{"description":"ok"}}},"delete":{"responses":{"200":{"description":"ok"}}}},
	"/c":{"get":{"responses":{"200":{"description":"ok"}}},"put":{"responses":{"200":{"description":"ok"}}}},
	"/d":{"get":{"responses":{"200":{"description":"ok"}}}}}}`
	p := mustImport(t, doc, Options{})
	if p.Stats.Operations != 7 || len(p.Rules) != 5 || p.Stats.Rules != 5 {
		t.Fatalf("operations %d, rules %d (stats %d)", p.Stats.Operations, len(p.Rules), p.Stats.Rules)
	}
	if last := p.Rules[len(p.Rules)-1]; last.Path != "/c" || last.Methods[0] != "GET" {
		t.Errorf("not the first five in path order: last %+v", last)
	}
	if !hasNote(p, "the document has 7 operations: the proposal covers the first 5") {
		t.Errorf("no note: %+v", p.Notes)
	}
}
