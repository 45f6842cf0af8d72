package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestQueryEndpoints(t *testing.T) {
	ts, _ := newTestAPI(t)
	do := func(method, path, body string, hdr map[string]string) (*http.Response, map[string]any, []byte) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, b := send(t, ts.Client(), req)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return resp, m, b
	}
	// GraphQL: 250 items in pages of 100, the last with hasNextPage false.
	cursor, pages, nodes := "", 0, 0
	for {
		_, m, b := do("POST", "/api/graphql", `{"query":"query($first:Int, $after:String){ items(first:$first, after:$after){ nodes{id} pageInfo{endCursor hasNextPage} } }","variables":{"first":100,"after":"`+cursor+`"}}`, nil)
		d, _ := m["data"].(map[string]any)
		items, _ := d["items"].(map[string]any)
		if items == nil {
			t.Fatalf("graphql: %s", b)
		}
		pages++
		nodes += len(items["nodes"].([]any))
		info := items["pageInfo"].(map[string]any)
		if !info["hasNextPage"].(bool) {
			break
		}
		cursor = info["endCursor"].(string)
	}
	if pages != 3 || nodes != 250 {
		t.Errorf("graphql paging: %d pages %d nodes", pages, nodes)
	}
	if _, _, b := do("POST", "/api/graphql", `{"query":"{ users { id } }"}`, nil); !strings.Contains(string(b), `Cannot query field \"users\" on type \"Query\"`) {
		t.Errorf("unknown field: %s", b)
	}
	if _, _, b := do("POST", "/api/graphql", `{"query":"{ items(echoAuth: true) { totalCount } }"}`, map[string]string{"Authorization": "Bearer x"}); !strings.Contains(string(b), "not allowed for Bearer x") {
		t.Errorf("echoAuth: %s", b)
	}
	// The mutation renames an item; introspection answers the schema with it.
	if _, _, b := do("POST", "/api/graphql", `{"query":"mutation { renameItem(id: 1, name: \"renamed\") { id name } }"}`, nil); !strings.Contains(string(b), `"name":"renamed"`) {
		t.Errorf("renameItem: %s", b)
	}
	if _, _, b := do("POST", "/api/graphql", `{"query":"{ items(first: 1) { nodes { name } } }"}`, nil); !strings.Contains(string(b), `"name":"renamed"`) {
		t.Errorf("after renameItem: %s", b)
	}
	if _, _, b := do("POST", "/api/graphql", `{"query":"{ __schema { mutationType { fields { name } } } }"}`, nil); !strings.Contains(string(b), `"renameItem"`) {
		t.Errorf("introspection: %s", b)
	}
	// Header cursor.
	resp, _, b := do("GET", "/api/items/by-header?format=csv", "", map[string]string{"X-Limit": "100", "X-Cursor": "c200"})
	if resp.Header.Get("X-Next-Cursor") != "" || strings.Count(string(b), "\n") != 51 {
		t.Errorf("last csv page: next %q, %d lines", resp.Header.Get("X-Next-Cursor"), strings.Count(string(b), "\n"))
	}
	if resp, _, _ := do("GET", "/api/items/by-header", "", nil); resp.Header.Get("X-Next-Cursor") != "c25" {
		t.Errorf("first page next cursor %q", resp.Header.Get("X-Next-Cursor"))
	}
	// Body cursor.
	_, m, _ := do("POST", "/api/items/search", `{"page":{"cursor":"c240","size":50}}`, nil)
	if len(m["results"].([]any)) != 10 || m["next"] != nil {
		t.Errorf("search last page: %v", m)
	}
	if resp, _, _ := do("GET", "/api/values?value=abc&ms=0", "", nil); resp.StatusCode != 200 {
		t.Errorf("values: %d", resp.StatusCode)
	}
}
