package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// echoReply mirrors the echo plugin's answer.
type echoReply struct {
	Raw struct {
		Path   string `json:"path"`
		URL    string `json:"url"`
		Method string `json:"method"`
	} `json:"raw"`
	HandlerPath   string              `json:"handlerPath"`
	HandlerQuery  string              `json:"handlerQuery"`
	Headers       map[string][]string `json:"headers"`
	BodyLength    int                 `json:"bodyLength"`
	BodyNil       bool                `json:"bodyNil"`
	User          struct{ Login, Name, Email, Role string }
	OrgID         int64  `json:"orgId"`
	PluginID      string `json:"pluginId"`
	PluginVersion string `json:"pluginVersion"`
	UserAgent     string `json:"userAgent"`
	AppURL        string `json:"appUrl"`
	Datasource    struct {
		ID               int64          `json:"id"`
		UID              string         `json:"uid"`
		Name             string         `json:"name"`
		URL              string         `json:"url"`
		BasicAuthEnabled bool           `json:"basicAuthEnabled"`
		BasicAuthUser    string         `json:"basicAuthUser"`
		JSONData         map[string]any `json:"jsonData"`
		SecureKeys       []string       `json:"secureKeys"`
		SecretLengths    map[string]int `json:"secretLengths"`
		UpdatedMS        int64          `json:"updatedMs"`
	} `json:"datasource"`
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decoding %q: %v", b, err)
	}
	return v
}

func wantStatus(t *testing.T, resp *http.Response, body []byte, code int) {
	t.Helper()
	if resp.StatusCode != code {
		t.Fatalf("%s %s: status %d, want %d; body %s", resp.Request.Method, resp.Request.URL, resp.StatusCode, code, body)
	}
}

func wantJSONMessage(t *testing.T, resp *http.Response, body []byte, code int, message string) {
	t.Helper()
	wantStatus(t, resp, body, code)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if got := decode[map[string]any](t, body)["message"]; got != message {
		t.Errorf("message %q, want %q", got, message)
	}
}

func TestDevHost(t *testing.T) {
	d := startDevHost(t)
	res := "/api/datasources/uid/echo/resources"

	t.Run("resource paths reach the plugin as from Grafana", func(t *testing.T) {
		cases := []struct{ target, path, url, handlerPath, handlerQuery string }{
			{"/a%2Fb", "a/b", "a/b", "/a/b", ""},
			{"/a%252Fb", "a%2Fb", "a%252Fb", "/a/b", ""}, // httpadapter decodes a second time
			{"/x%3Fadmin=1", "x?admin=1", "x%3Fadmin=1", "/x", "admin=1"},
			{"/x%253Fadmin=1", "x%3Fadmin=1", "x%253Fadmin=1", "/x?admin=1", ""},
			{"/hello%20world?q=a+b", "hello world", "hello%20world?q=a+b", "/hello world", "q=a+b"},
			{"/caf%C3%A9/%E2%9C%93", "café/✓", "caf%C3%A9/%E2%9C%93", "/café/✓", ""},
			{"/a/../b", "a/../b", "a/../b", "/a/../b", ""},
			{"", "", "", "/", ""},
			{"/", "", "", "/", ""},
		}
		for _, tc := range cases {
			resp, body := d.do(t, "GET", res+tc.target, "admin", nil, nil)
			wantStatus(t, resp, body, 200)
			e := decode[echoReply](t, body)
			if e.Raw.Path != tc.path || e.Raw.URL != tc.url || e.HandlerPath != tc.handlerPath || e.HandlerQuery != tc.handlerQuery {
				t.Errorf("%s: path %q url %q handler %q query %q; want %q %q %q %q", tc.target,
					e.Raw.Path, e.Raw.URL, e.HandlerPath, e.HandlerQuery, tc.path, tc.url, tc.handlerPath, tc.handlerQuery)
			}
		}
	})

	t.Run("plugin context", func(t *testing.T) {
		resp, body := d.do(t, "PATCH", res+"/ctx", "admin", []byte("12345"), nil)
		wantStatus(t, resp, body, 200)
		e := decode[echoReply](t, body)
		if e.Raw.Method != "PATCH" || e.BodyLength != 5 || e.User.Login != "admin" || e.User.Name != "The Admin" ||
			e.User.Email != "admin@example.com" || e.User.Role != "Admin" || e.OrgID != 1 ||
			e.PluginID != "relay-gateway-datasource" || e.PluginVersion == "" ||
			e.UserAgent != fmt.Sprintf("Grafana/12.4.0 (%s; %s)", runtime.GOOS, runtime.GOARCH) ||
			e.AppURL != d.url+"/" {
			t.Errorf("echo: %+v", e)
		}
		ds := e.Datasource
		if ds.ID != 1 || ds.UID != "echo" || ds.Name != "Echo" || ds.URL != "http://upstream.invalid" ||
			!ds.BasicAuthEnabled || ds.BasicAuthUser != "svc" || ds.UpdatedMS == 0 ||
			ds.SecretLengths["apiKey"] != len(testSecret) || fmt.Sprint(ds.JSONData["keepCookies"]) != "[keep_me]" {
			t.Errorf("data source settings: %+v", ds)
		}
		// Updated is fixed at start-up, so the SDK keeps one plugin instance.
		_, body2 := d.do(t, "GET", res+"/ctx", "admin", nil, nil)
		if e2 := decode[echoReply](t, body2); e2.Datasource.UpdatedMS != ds.UpdatedMS || !e2.BodyNil {
			t.Errorf("second call: updated %d (first %d), bodyNil %v", e2.Datasource.UpdatedMS, ds.UpdatedMS, e2.BodyNil)
		}
	})

	t.Run("request header rules", func(t *testing.T) {
		h := http.Header{
			"Cookie":              {"keep_me=1; grafana_session=abc; other=2"},
			"Origin":              {"http://evil.example"},
			"Referer":             {"http://grafana.local/d/x"},
			"X-Forwarded-Host":    {"evil.example"},
			"X-Grafana-User":      {"forged-admin"},
			"X-Grafana-Device-Id": {"dev"},
			"Connection":          {"X-Named"},
			"X-Named":             {"1"},
			"User-Agent":          {"client/1.0"},
			"X-Custom":            {"kept"},
		}
		resp, body := d.do(t, "GET", res+"/headers", "admin", nil, h)
		wantStatus(t, resp, body, 200)
		got := decode[echoReply](t, body).Headers
		for _, gone := range []string{"Authorization", "Origin", "Referer", "X-Forwarded-Host", "X-Grafana-Device-Id", "X-Named", "User-Agent", "Connection"} {
			if _, ok := got[gone]; ok {
				t.Errorf("%s reached the plugin: %q", gone, got[gone])
			}
		}
		want := map[string]string{
			"Cookie": "keep_me=1", "X-Grafana-User": "forged-admin", "X-Grafana-Referer": "http://grafana.local/d/x",
			"X-Forwarded-For": "127.0.0.1", "X-Custom": "kept",
		}
		for name, v := range want {
			if strings.Join(got[name], ",") != v {
				t.Errorf("%s = %q, want %q", name, got[name], v)
			}
		}
	})

	t.Run("response header rules", func(t *testing.T) {
		q := "?status=201&body=hi&header=Set-Cookie:grafana_session=x&header=X-Frame-Options:allow" +
			"&header=Content-Security-Policy:none&header=X-Plugin:yes&header=Connection:X-Hop&header=X-Hop:1"
		resp, body := d.do(t, "GET", res+"/respond"+q, "viewer", nil, nil)
		wantStatus(t, resp, body, 201)
		want := map[string]string{
			"Set-Cookie": "", "X-Hop": "", "X-Plugin": "yes", "X-Frame-Options": "deny", "Content-Security-Policy": "sandbox",
			"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", "Content-Type": "application/json",
		}
		for name, v := range want {
			if got := strings.Join(resp.Header.Values(name), ","); got != v {
				t.Errorf("%s = %q, want %q", name, got, v)
			}
		}
		if string(body) != "hi" {
			t.Errorf("body %q", body)
		}

		resp, body = d.do(t, "DELETE", res+"/respond?status=204&header=Cache-Control:private,max-age=60", "viewer", nil, nil)
		wantStatus(t, resp, body, 204)
		if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); ct != "" || cc != "private,max-age=60" {
			t.Errorf("204: Content-Type %q Cache-Control %q", ct, cc)
		}
		resp, body = d.do(t, "GET", res+"/respond?header=Content-Type:text/csv", "viewer", nil, nil)
		wantStatus(t, resp, body, 200)
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv" {
			t.Errorf("plugin Content-Type replaced: %q", ct)
		}
	})

	t.Run("authentication", func(t *testing.T) {
		resp, body := d.do(t, "GET", res+"/x", "", nil, nil)
		wantJSONMessage(t, resp, body, 401, msgNoCredentials)
		req, _ := http.NewRequest("GET", d.url+res+"/x", nil)
		req.SetBasicAuth("admin", "wrong")
		resp, err := d.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		wantJSONMessage(t, resp, body, 401, msgBadCredentials)

		resp, body = d.do(t, "GET", res+"/x", "", nil, http.Header{"Authorization": {"Bearer glsa_robot_token"}})
		wantStatus(t, resp, body, 200)
		if e := decode[echoReply](t, body); e.User.Login != "robot" || e.User.Role != "Editor" {
			t.Errorf("token user: %+v", e.User)
		}
		resp, body = d.do(t, "GET", "/api/datasources", "", nil, http.Header{"Authorization": {"Bearer wrong"}})
		wantJSONMessage(t, resp, body, 401, msgBadToken)
	})

	t.Run("role None may call resources; the plugin decides", func(t *testing.T) {
		resp, body := d.do(t, "POST", res+"/x", "nobody", []byte("{}"), nil)
		wantStatus(t, resp, body, 200)
		if role := decode[echoReply](t, body).User.Role; role != "None" {
			t.Errorf("role %q", role)
		}
	})

	t.Run("unknown, malformed and other-org uids", func(t *testing.T) {
		resp, body := d.do(t, "GET", "/api/datasources/uid/nope/resources/x", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 500, "Unable to load datasource meta data")
		resp, body = d.do(t, "GET", "/api/datasources/uid/prom/resources/x", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 500, "Unable to load datasource meta data")
		resp, body = d.do(t, "GET", "/api/datasources/uid/org2/resources/x", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 500, "Unable to load datasource meta data")
		resp, body = d.do(t, "GET", "/api/datasources/uid/bad%2Fuid/resources/x", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 400, "UID is invalid")
		resp, body = d.do(t, "GET", "/api/datasources/uid/"+strings.Repeat("a", 41)+"/resources", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 400, "UID is invalid")
		resp, body = d.do(t, "PROPFIND", res+"/x", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 404, "Not found")
	})

	t.Run("streaming: first chunk arrives before the plugin finishes", func(t *testing.T) {
		const firstSize, chunk, chunks = 100, 256 << 10, 8
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s%s/stream?id=s1&first=%d&size=%d&chunks=%d", d.url, res, firstSize, chunk, chunks), nil)
		req.SetBasicAuth("viewer", testPasswords["viewer"])
		resp, err := d.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || resp.ContentLength != -1 || len(resp.TransferEncoding) == 0 || resp.TransferEncoding[0] != "chunked" {
			t.Fatalf("status %d, length %d, transfer encoding %v", resp.StatusCode, resp.ContentLength, resp.TransferEncoding)
		}
		first := make(chan error, 1)
		go func() {
			_, err := io.ReadFull(resp.Body, make([]byte, firstSize))
			first <- err
		}()
		select {
		case err := <-first:
			if err != nil {
				t.Fatalf("reading the first chunk: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("the first chunk did not arrive while the plugin was still streaming")
		}
		rr, rbody := d.do(t, "POST", res+"/release?id=s1", "viewer", nil, nil)
		wantStatus(t, rr, rbody, 200)
		rest, err := io.ReadAll(resp.Body)
		if err != nil || len(rest) != (chunks-1)*chunk {
			t.Fatalf("rest of body: %d bytes, %v; want %d", len(rest), err, (chunks-1)*chunk)
		}
	})

	t.Run("message size limits are the plugin's, as with Grafana", func(t *testing.T) {
		// One unflushed 8 MiB response is a single gRPC message: the host must accept it (gRPC's default is 4 MiB).
		const big = 8 << 20
		resp, body := d.do(t, "GET", fmt.Sprintf("%s/stream?first=%d&chunks=1", res, big), "viewer", nil, nil)
		wantStatus(t, resp, body, 200)
		if len(body) != big {
			t.Errorf("body %d bytes, want %d", len(body), big)
		}
		// The plugin side caps requests at the SDK's 16 MiB: 8 MiB passes, 17 MiB fails before the plugin sees it.
		resp, body = d.do(t, "POST", res+"/x", "viewer", make([]byte, 8<<20), nil)
		wantStatus(t, resp, body, 200)
		if n := decode[echoReply](t, body).BodyLength; n != 8<<20 {
			t.Errorf("body length %d", n)
		}
		resp, body = d.do(t, "POST", res+"/x", "viewer", make([]byte, 17<<20), nil)
		wantJSONMessage(t, resp, body, 500, "Failed to call resource")
	})

	t.Run("client disconnect cancels the plugin call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", d.url+res+"/wait?id=c1", nil)
		req.SetBasicAuth("viewer", testPasswords["viewer"])
		resp, err := d.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		cancel() // the plugin handler is now waiting; closing the connection must reach its context
		resp.Body.Close()
		r, body := d.do(t, "GET", res+"/cancelled?id=c1", "viewer", nil, nil)
		wantStatus(t, r, body, 200)
		if !decode[map[string]bool](t, body)["cancelled"] {
			t.Error("the plugin's context was not cancelled when the client went away")
		}
	})

	t.Run("plugin environment", func(t *testing.T) {
		for name, want := range map[string]string{"GF_VERSION": "12.4.0", "GF_EDITION": "oss", "ECHO_TEST_SECRET": testSecret} {
			resp, body := d.do(t, "GET", res+"/env?name="+name, "admin", nil, nil)
			wantStatus(t, resp, body, 200)
			if v := decode[map[string]any](t, body)["value"]; v != want {
				t.Errorf("%s = %q", name, v)
			}
		}
	})

	t.Run("query", func(t *testing.T) {
		q := `{"from":"now-1h","to":"now","queries":[
			{"refId":"A","datasource":{"uid":"echo","type":"relay-gateway-datasource"},"intervalMs":250,"maxDataPoints":42,"queryType":"table","custom":{"x":1}},
			{"refId":"B","datasource":{"uid":"echo"}}]}`
		before := time.Now()
		resp, body := d.do(t, "POST", "/api/ds/query", "viewer", []byte(q), http.Header{"Content-Type": {"application/json"}})
		wantStatus(t, resp, body, 200)
		type frameJSON struct {
			Schema struct {
				Name   string `json:"name"`
				Fields []struct {
					Name string `json:"name"`
					Type string `json:"type"`
				} `json:"fields"`
				Meta struct {
					Custom map[string]any `json:"custom"`
				} `json:"meta"`
			} `json:"schema"`
			Data struct {
				Values [][]any `json:"values"`
			} `json:"data"`
		}
		type result struct {
			Status      int         `json:"status"`
			Frames      []frameJSON `json:"frames"`
			Error       string      `json:"error"`
			ErrorSource string      `json:"errorSource"`
		}
		out := decode[struct {
			Results map[string]result `json:"results"`
		}](t, body)
		a := out.Results["A"]
		if a.Status != 200 || len(a.Frames) != 1 || a.Frames[0].Schema.Name != "A" || len(a.Frames[0].Schema.Fields) != 2 ||
			a.Frames[0].Schema.Fields[0].Type != "time" || a.Frames[0].Schema.Fields[1].Type != "number" ||
			len(a.Frames[0].Data.Values) != 2 || len(a.Frames[0].Data.Values[1]) != 2 {
			t.Fatalf("result A: %s", body)
		}
		meta := a.Frames[0].Schema.Meta.Custom
		from, to := int64(meta["fromMs"].(float64)), int64(meta["toMs"].(float64))
		if meta["intervalMs"] != 250.0 || meta["maxDataPoints"] != 42.0 || meta["queryType"] != "table" || meta["role"] != "Viewer" ||
			fmt.Sprint(meta["query"].(map[string]any)["custom"]) != "map[x:1]" || to-from != time.Hour.Milliseconds() ||
			to < before.UnixMilli() {
			t.Errorf("query as the plugin saw it: %v", meta)
		}
		if b := out.Results["B"].Frames[0].Schema.Meta.Custom; b["intervalMs"] != 1000.0 || b["maxDataPoints"] != 100.0 {
			t.Errorf("Grafana's defaults not applied: %v", b)
		}

		q = `{"from":"1700000000000","to":1700003600000,"queries":[{"refId":"A","datasource":{"uid":"echo"}},{"refId":"B","datasource":{"uid":"echo"},"fail":true}]}`
		resp, body = d.do(t, "POST", "/api/ds/query", "viewer", []byte(q), nil)
		wantStatus(t, resp, body, 400)
		out = decode[struct {
			Results map[string]result `json:"results"`
		}](t, body)
		if len(out.Results["A"].Frames) != 1 || out.Results["A"].Frames[0].Schema.Meta.Custom["fromMs"] != 1700000000000.0 {
			t.Errorf("successful result missing from a failed request: %s", body)
		}
		if b := out.Results["B"]; b.Status != 400 || b.Error != "echo: query failed as asked" || b.ErrorSource != "downstream" {
			t.Errorf("failed result: %+v", b)
		}

		for _, bad := range []string{`{"queries":[]}`, `{"queries":[{"refId":"A"}]}`, `{`, `{"from":"yesterday-ish","queries":[{"refId":"A","datasource":{"uid":"echo"}}]}`} {
			resp, body = d.do(t, "POST", "/api/ds/query", "viewer", []byte(bad), nil)
			wantStatus(t, resp, body, 400)
		}
		resp, body = d.do(t, "POST", "/api/ds/query", "viewer", []byte(`{"queries":[{"refId":"A","datasource":{"uid":"nope"}}]}`), nil)
		wantJSONMessage(t, resp, body, 500, "Unable to load datasource meta data")
	})

	t.Run("health", func(t *testing.T) {
		resp, body := d.do(t, "GET", "/api/datasources/uid/echo/health", "viewer", nil, nil)
		wantStatus(t, resp, body, 200)
		h := decode[map[string]any](t, body)
		if h["status"] != "OK" || h["message"] != "echo plugin is healthy" || fmt.Sprint(h["details"]) != "map[uid:echo]" {
			t.Errorf("health: %s", body)
		}
		resp, body = d.do(t, "GET", "/api/datasources/uid/sick/health", "viewer", nil, nil)
		wantStatus(t, resp, body, 400)
		if h := decode[map[string]any](t, body); h["status"] != "ERROR" || h["message"] != "echo: unhealthy as configured" {
			t.Errorf("health: %s", body)
		}
	})

	t.Run("data source list has no secrets", func(t *testing.T) {
		resp, body := d.do(t, "GET", "/api/datasources", "viewer", nil, nil)
		wantStatus(t, resp, body, 200)
		list := decode[[]map[string]any](t, body)
		if len(list) != 2 || list[0]["uid"] != "echo" || list[1]["uid"] != "sick" {
			t.Errorf("list: %s", body)
		}
		if fields := list[0]["secureJsonFields"].(map[string]any); fields["apiKey"] != true {
			t.Errorf("secureJsonFields: %v", fields)
		}
		if strings.Contains(string(body), testSecret) || strings.Contains(d.log.String(), testSecret) {
			t.Error("a secret value appears in the listing or the log")
		}
	})

	t.Run("liveness and plugin info are public", func(t *testing.T) {
		resp, body := d.do(t, "GET", "/api/health", "", nil, nil)
		wantStatus(t, resp, body, 200)
		if decode[map[string]any](t, body)["database"] != "ok" {
			t.Errorf("health: %s", body)
		}
		resp, body = d.do(t, "GET", "/api/devhost/plugin", "", nil, nil)
		wantStatus(t, resp, body, 200)
		if info := decode[map[string]any](t, body); info["pid"].(float64) <= 0 || info["exited"] != false {
			t.Errorf("plugin info: %s", body)
		}
		resp, body = d.do(t, "GET", "/api/nothing-here", "admin", nil, nil)
		wantJSONMessage(t, resp, body, 404, "Not found")
	})
}

func TestRequestBodyLimit(t *testing.T) {
	d := startDevHost(t, "-max-request-bytes", "1024")
	resp, body := d.do(t, "POST", "/api/datasources/uid/echo/resources/x", "admin", make([]byte, 1024), nil)
	wantStatus(t, resp, body, 200)
	if n := decode[echoReply](t, body).BodyLength; n != 1024 {
		t.Errorf("body length %d", n)
	}
	resp, body = d.do(t, "POST", "/api/datasources/uid/echo/resources/x", "admin", make([]byte, 1025), nil)
	wantJSONMessage(t, resp, body, 413, "Request body too large")
}

// killPlugin kills the plugin process and returns its PID.
func killPlugin(t *testing.T, d *devHost) int {
	t.Helper()
	_, body := d.do(t, "GET", "/api/devhost/plugin", "", nil, nil)
	pid := int(decode[map[string]any](t, body)["pid"].(float64))
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("killing plugin %d: %v", pid, err)
	}
	return pid
}

// waitPlugin polls /api/devhost/plugin, bounded in time, until ok accepts its answer.
func waitPlugin(t *testing.T, d *devHost, what string, ok func(info map[string]any) bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := d.do(t, "GET", "/api/devhost/plugin", "", nil, nil)
		if ok(decode[map[string]any](t, body)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPluginDeathGives503(t *testing.T) {
	d := startDevHost(t, "-restart-interval", "0")
	killPlugin(t, d)
	// go-plugin notices the exit asynchronously.
	waitPlugin(t, d, "the dev host notices the plugin's death", func(info map[string]any) bool { return info["exited"] == true })
	resp, body := d.do(t, "GET", "/api/datasources/uid/echo/resources/x", "admin", nil, nil)
	wantJSONMessage(t, resp, body, 503, "Plugin unavailable")
	resp, body = d.do(t, "POST", "/api/ds/query", "admin", []byte(`{"queries":[{"refId":"A","datasource":{"uid":"echo"}}]}`), nil)
	wantJSONMessage(t, resp, body, 503, "Plugin unavailable")
	resp, body = d.do(t, "GET", "/api/datasources/uid/echo/health", "admin", nil, nil)
	wantJSONMessage(t, resp, body, 503, "Plugin unavailable")
}

// Like Grafana, the dev host starts a plugin that died again.
func TestPluginRestartsAfterDeath(t *testing.T) {
	d := startDevHost(t, "-restart-interval", "100ms")
	pid := killPlugin(t, d)
	waitPlugin(t, d, "a new plugin process", func(info map[string]any) bool {
		return info["exited"] == false && int(info["pid"].(float64)) != pid
	})
	resp, body := d.do(t, "GET", "/api/datasources/uid/echo/resources/x", "admin", nil, nil)
	wantStatus(t, resp, body, 200)
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("the old plugin process %d is still there: %v", pid, err)
	}
}

func TestRunRejectsBadSetup(t *testing.T) {
	plugin := echoPluginPath(t)
	var stderr syncBuffer
	empty := t.TempDir()
	cases := map[string][]string{
		"no plugin":        {},
		"remote address":   {"-plugin", plugin, "-addr", "0.0.0.0:0"},
		"missing file":     {"-plugin", plugin, "-provisioning", "/does/not/exist.yaml"},
		"not executable":   {"-plugin", os.DevNull},
		"bad log level":    {"-plugin", plugin, "-log-level", "loud"},
		"negative restart": {"-plugin", plugin, "-restart-interval", "-1s"},
		"extra arguments":  {"-plugin", plugin, "oops"},
		"frontend alone":   {"-plugin", plugin, "-frontend", empty},
		"no module.js":     {"-plugin", plugin, "-frontend", empty, "-playground", empty},
	}
	for name, args := range cases {
		err := run(context.Background(), args, io.Discard, &stderr)
		if err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("%s: run returned %v", name, err)
		}
	}
}
