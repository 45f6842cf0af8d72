package query_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// formUpstream records the parsed form of every request it gets.
type formUpstream struct {
	mu    sync.Mutex
	types []string
	forms []map[string][]string
}

func (f *formUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	var form map[string][]string
	if strings.HasPrefix(ct, "multipart/form-data") {
		if err := r.ParseMultipartForm(1 << 20); err == nil {
			form = r.MultipartForm.Value
		}
	} else if err := r.ParseForm(); err == nil {
		form = r.PostForm
	}
	f.mu.Lock()
	f.types, f.forms = append(f.types, ct), append(f.forms, form)
	f.mu.Unlock()
	_, _ = w.Write([]byte(`[{"ok":true}]`))
}

func TestFormAndMultipartBodies(t *testing.T) {
	up := &formUpstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	r := newRunner(t, srv.URL, `{"network":{"allowPrivateNetworks":true},"proxy":{"rules":[{"path":"/f","methods":["POST"],"minRole":"Editor"}]}}`)
	ask := func(js string) backend.DataResponse {
		t.Helper()
		resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
			PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Editor"}},
			Queries:       []backend.DataQuery{query("A", js)}})
		return resp.Responses["A"]
	}
	// Values that would break a hand-built body stay inside their field.
	tricky := `a&b=c\r\n--boundary"; name="x`
	for _, typ := range []string{"form", "multipart"} {
		up.types, up.forms = nil, nil
		dr := ask(`{"method":"POST","path":"/f","bodyType":"` + typ + `","bodyForm":[
			{"key":"user","value":"${__user.login}"},{"key":"tag","value":"x"},{"key":"tag","value":"y"},
			{"key":"odd","value":"` + strings.ReplaceAll(strings.ReplaceAll(tricky, `\`, `\\`), `"`, `\"`) + `"}]}`)
		if dr.Error != nil {
			t.Fatalf("%s: %v", typ, dr.Error)
		}
		want := map[string]string{"form": "application/x-www-form-urlencoded", "multipart": "multipart/form-data; boundary="}
		if len(up.types) != 1 || !strings.HasPrefix(up.types[0], want[typ]) {
			t.Fatalf("%s: Content-Type %v", typ, up.types)
		}
		got := up.forms[0]
		if strings.Join(got["user"], ",") != "ada" || strings.Join(got["tag"], ",") != "x,y" || strings.Join(got["odd"], "") != tricky || len(got) != 3 {
			t.Errorf("%s: the upstream parsed %q", typ, got)
		}
	}

	// The unresolved-variable check names the row.
	if dr := ask(`{"method":"POST","path":"/f","bodyType":"form","bodyForm":[{"key":"a","value":"1"},{"key":"b","value":"$region"}]}`); dr.Error == nil ||
		!strings.Contains(dr.Error.Error(), "bodyForm[1].value") {
		t.Errorf("unresolved variable in a value: %v", dr.Error)
	}
	if dr := ask(`{"method":"POST","path":"/f","bodyType":"multipart","bodyForm":[{"key":"${k}","value":"1"}]}`); dr.Error == nil ||
		!strings.Contains(dr.Error.Error(), "bodyForm[0].key") {
		t.Errorf("unresolved variable in a key: %v", dr.Error)
	}

	// List pagination puts each value in the form (pagination.in: body).
	up.types, up.forms = nil, nil
	if dr := ask(`{"method":"POST","path":"/f","bodyType":"form","bodyForm":[{"key":"fixed","value":"1"}],
		"pagination":{"mode":"list","in":"body","values":["a","b"],"valueParam":"site","concurrency":1}}`); dr.Error != nil {
		t.Fatalf("list: %v", dr.Error)
	}
	seen := map[string]bool{}
	for _, f := range up.forms {
		if strings.Join(f["fixed"], ",") != "1" || len(f["site"]) != 1 {
			t.Errorf("list page form %q", f)
		}
		seen[strings.Join(f["site"], "")] = true
	}
	if !seen["a"] || !seen["b"] || len(up.forms) != 2 {
		t.Errorf("list pages sent %q", up.forms)
	}

	// Refused before any call.
	up.forms = nil
	for js, msg := range map[string]string{
		`{"method":"GET","path":"/f","bodyType":"form","bodyForm":[{"key":"a","value":"1"}]}`:                   "not GET",
		`{"method":"POST","path":"/f","bodyType":"form","body":"x=1"}`:                                          "leave body empty",
		`{"method":"POST","path":"/f","bodyType":"xml"}`:                                                        "not one of form, multipart",
		`{"method":"POST","path":"/f","bodyForm":[{"key":"a","value":"1"}]}`:                                    "set bodyType",
		`{"method":"POST","path":"/f","bodyType":"form","bodyForm":[{"key":"","value":"1"}]}`:                   "bodyForm[0].key: required",
		`{"method":"POST","path":"/f","bodyType":"form","headers":{"content-type":"text/plain"},"bodyForm":[]}`: "Content-Type is set by bodyType",
		`{"method":"POST","path":"/g","bodyType":"multipart","graphql":{"query":"{ a }"},"bodyForm":[]}`:        "GraphQL",
	} {
		if dr := ask(js); dr.Error == nil || !strings.Contains(dr.Error.Error(), msg) {
			t.Errorf("%s: %v, want %q", js, dr.Error, msg)
		}
	}
	if len(up.forms) != 0 {
		t.Errorf("refused queries reached the upstream: %q", up.forms)
	}
}
