package query_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/plugin/plugintest"
	relayquery "github.com/relay-gateway/relay/pkg/query"
)

func answersUpstream(t *testing.T) *httptest.Server {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "rid-42")
		switch r.URL.Path {
		case "/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`[{"error":"no such item"}]`))
		case "/down":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<html>maintenance</html>`))
		case "/empty":
			w.WriteHeader(http.StatusNoContent)
		case "/moved":
			http.Redirect(w, r, "/ok?page=2", http.StatusFound)
		default:
			_, _ = w.Write([]byte(`[{"v":1},{"v":2}]`))
		}
	}))
	t.Cleanup(up.Close)
	return up
}

func field(t *testing.T, f *data.Frame, name string) *data.Field {
	t.Helper()
	fl, i := f.FieldByName(name)
	if i < 0 {
		t.Fatalf("no column %q in %v", name, f.Fields)
	}
	return fl
}

func val(f *data.Field, i int) any {
	v, _ := f.ConcreteAt(i)
	return v
}

func TestAnswersAsData(t *testing.T) {
	up := answersUpstream(t)
	r := newRunnerWith(t, plugintest.Config{UID: "answers", URL: up.URL,
		JSONData: `{"auth":{"type":"apiKey","apiKeyName":"key","apiKeyIn":"query"},"network":{"allowPrivateNetworks":true}}`,
		Secure:   map[string]string{"apiKeyValue": "secret-key-in-query-77"}})
	resp := r.QueryData(context.Background(), &backend.QueryDataRequest{
		PluginContext: backend.PluginContext{User: &backend.User{Login: "ada", Role: "Viewer"}},
		Queries: []backend.DataQuery{
			query("A", `{"path":"/missing","acceptStatus":["2xx","404"],"responseFields":["status","durationMs","url","header:X-Request-Id"]}`),
			query("B", `{"path":"/down","acceptStatus":["5xx"]}`),
			query("C", `{"path":"/down"}`),
			query("D", `{"path":"/moved","responseFields":["status","url"]}`),
			query("E", `{"path":"/empty","responseFields":["durationMs"]}`),
		}})
	if e := resp.Responses["E"]; e.Error != nil || len(e.Frames) != 1 || len(e.Frames[0].Fields) != 2 ||
		e.Frames[0].Fields[0].At(0) != int64(204) {
		t.Errorf("E: an empty 204 is one row with the status: %+v", e)
	}
	a := resp.Responses["A"]
	if a.Error != nil || len(a.Frames) != 1 {
		t.Fatalf("A: %+v", a)
	}
	f := a.Frames[0]
	if n, _ := f.RowLen(); n != 1 || val(field(t, f, "error"), 0) != "no such item" {
		t.Errorf("the 404 body is data: %v", f.Fields)
	}
	if field(t, f, "status").At(0) != int64(404) || field(t, f, "X-Request-Id").At(0) != "rid-42" {
		t.Errorf("status/header columns: %v %v", field(t, f, "status").At(0), field(t, f, "X-Request-Id").At(0))
	}
	if ms, _ := field(t, f, "durationMs").At(0).(float64); ms <= 0 {
		t.Errorf("durationMs %v", ms)
	}
	if u, _ := field(t, f, "url").At(0).(string); !strings.HasSuffix(u, "/missing") || strings.Contains(u, "secret-key") {
		t.Errorf("url %q: want the final URL without the API key", u)
	}

	b := resp.Responses["B"]
	if b.Error != nil || len(b.Frames) != 1 || len(b.Frames[0].Fields) != 1 || b.Frames[0].Fields[0].At(0) != int64(503) {
		t.Errorf("B: an accepted non-JSON 503 is a frame with the status only: %+v", b)
	}
	if c := resp.Responses["C"]; c.Error == nil || !strings.Contains(c.Error.Error(), "503") {
		t.Errorf("C: without acceptStatus a 503 fails: %+v", c)
	}
	d := resp.Responses["D"]
	if d.Error != nil || len(d.Frames) != 1 {
		t.Fatalf("D: %+v", d)
	}
	if n, _ := d.Frames[0].RowLen(); n != 2 || field(t, d.Frames[0], "status").At(1) != int64(200) ||
		!strings.HasSuffix(field(t, d.Frames[0], "url").At(0).(string), "/ok?page=2") {
		t.Errorf("D: every row has the final answer's status and URL: %v", d.Frames[0].Fields)
	}
}

func TestAnswersValidation(t *testing.T) {
	for js, want := range map[string]string{
		`{"path":"/","acceptStatus":["4x"]}`:                                    "acceptStatus",
		`{"path":"/","acceptStatus":["700"]}`:                                   "acceptStatus",
		`{"path":"/","responseFields":["body"]}`:                                "responseFields",
		`{"path":"/","responseFields":["header:"]}`:                             "responseFields",
		`{"path":"/","responseFields":["status","status"]}`:                     "twice",
		`{"path":"/","responseFields":["status"],"pagination":{"mode":"page"}}`: "pagination",
	} {
		if _, err := relayquery.Parse([]byte(js)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error about %s", js, err, want)
		}
	}
	if _, err := relayquery.Parse([]byte(`{"path":"/","acceptStatus":["2xx","404","5XX"],"responseFields":["status","header:ETag"]}`)); err != nil {
		t.Error(err)
	}
}
