package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// instanceReply mirrors the echo plugin's /instance: which plugin instance answered, built from which settings.
type instanceReply struct {
	Seq           int64          `json:"seq"`
	Name          string         `json:"name"`
	JSONData      map[string]any `json:"jsonData"`
	UpdatedMS     int64          `json:"updatedMs"`
	SecretLengths map[string]int `json:"secretLengths"`
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// noSecret fails when a secret value appears in a body or in the dev host's log.
func noSecret(t *testing.T, d *devHost, body []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(string(body), s) || strings.Contains(d.log.String(), s) {
			t.Errorf("secret %q appears in a response or the log", s)
		}
	}
}

func TestDataSourceRoutes(t *testing.T) {
	d := startDevHost(t)
	const newSecret = "n3w-s3cr3t-never-shown"

	t.Run("get by uid and by id, Grafana's shape, secrets by name only", func(t *testing.T) {
		for _, path := range []string{"/api/datasources/uid/echo", "/api/datasources/1"} {
			resp, body := d.do(t, "GET", path, "viewer", nil, nil)
			wantStatus(t, resp, body, 200)
			v := decode[map[string]any](t, body)
			if v["id"] != 1.0 || v["uid"] != "echo" || v["name"] != "Echo" || v["type"] != "relay-gateway-datasource" ||
				v["url"] != "http://upstream.invalid" || v["basicAuthUser"] != "svc" || v["readOnly"] != false {
				t.Errorf("%s: %s", path, body)
			}
			if fields, _ := v["secureJsonFields"].(map[string]any); len(fields) != 1 || fields["apiKey"] != true {
				t.Errorf("%s: secureJsonFields %v", path, v["secureJsonFields"])
			}
			if _, ok := v["secureJsonData"]; ok {
				t.Errorf("%s: has secureJsonData", path)
			}
			noSecret(t, d, body, testSecret)
		}
	})

	t.Run("unknown, other org's and malformed ids", func(t *testing.T) {
		for path, want := range map[string]int{
			"/api/datasources/uid/nope": 404, "/api/datasources/uid/org2": 404, "/api/datasources/3": 404,
			"/api/datasources/99": 404, "/api/datasources/abc": 400,
		} {
			resp, body := d.do(t, "GET", path, "admin", nil, nil)
			wantStatus(t, resp, body, want)
		}
		resp, body := d.do(t, "GET", "/api/datasources/uid/echo", "", nil, nil)
		wantJSONMessage(t, resp, body, 401, "Unauthorized")
	})

	update := map[string]any{
		"name": "Echo", "type": "relay-gateway-datasource", "url": "http://upstream2.invalid", "access": "proxy",
		"basicAuth": true, "basicAuthUser": "svc", "version": 0,
		"jsonData":       map[string]any{"keepCookies": []string{"keep_me"}, "edited": true},
		"secureJsonData": map[string]string{"token": newSecret},
	}

	t.Run("only Admins may save a data source", func(t *testing.T) {
		before := decode[instanceReply](t, second(d.do(t, "GET", "/api/datasources/uid/echo/resources/instance", "viewer", nil, nil)))
		for _, login := range []string{"viewer", "nobody"} {
			resp, body := d.do(t, "PUT", "/api/datasources/uid/echo", login, mustJSON(t, update), nil)
			wantJSONMessage(t, resp, body, 403, msgNeedsWrite)
			noSecret(t, d, body, newSecret)
		}
		resp, body := d.do(t, "PUT", "/api/datasources/uid/echo", "", mustJSON(t, update), nil)
		wantStatus(t, resp, body, 401)
		_, body = d.do(t, "GET", "/api/datasources/uid/echo", "admin", nil, nil)
		if v := decode[map[string]any](t, body); v["url"] != "http://upstream.invalid" || v["version"] != 0.0 {
			t.Errorf("refused saves changed the data source: %s", body)
		}
		after := decode[instanceReply](t, second(d.do(t, "GET", "/api/datasources/uid/echo/resources/instance", "viewer", nil, nil)))
		if after.Seq != before.Seq {
			t.Errorf("a refused save rebuilt the plugin instance (%d → %d)", before.Seq, after.Seq)
		}
	})

	t.Run("an Admin's save updates the settings and the plugin builds a new instance from them", func(t *testing.T) {
		before := decode[instanceReply](t, second(d.do(t, "GET", "/api/datasources/uid/echo/resources/instance", "admin", nil, nil)))
		resp, body := d.do(t, "PUT", "/api/datasources/uid/echo", "admin", mustJSON(t, update), nil)
		wantStatus(t, resp, body, 200)
		noSecret(t, d, body, testSecret, newSecret)
		saved := decode[struct {
			Message    string         `json:"message"`
			ID         int64          `json:"id"`
			Datasource dataSourceView `json:"datasource"`
		}](t, body)
		if saved.Message != "Datasource updated" || saved.ID != 1 || saved.Datasource.Version != 1 ||
			saved.Datasource.URL != "http://upstream2.invalid" || saved.Datasource.JSONData["edited"] != true ||
			!saved.Datasource.SecureJSONFields["apiKey"] || !saved.Datasource.SecureJSONFields["token"] {
			t.Errorf("saved: %s", body)
		}
		after := decode[instanceReply](t, second(d.do(t, "GET", "/api/datasources/uid/echo/resources/instance", "admin", nil, nil)))
		if after.Seq == before.Seq || after.UpdatedMS <= before.UpdatedMS || after.JSONData["edited"] != true {
			t.Errorf("instance not rebuilt from the new settings: before %+v, after %+v", before, after)
		}
		// The secret not named in the save is kept; the new one arrives; neither is ever shown.
		if after.SecretLengths["apiKey"] != len(testSecret) || after.SecretLengths["token"] != len(newSecret) {
			t.Errorf("secrets: %v", after.SecretLengths)
		}
		_, list := d.do(t, "GET", "/api/datasources", "admin", nil, nil)
		noSecret(t, d, list, testSecret, newSecret)
	})

	t.Run("an empty secret resets it; stale versions and duplicate names are refused", func(t *testing.T) {
		reset := map[string]any{"name": "Echo", "url": "http://upstream2.invalid", "version": 1,
			"secureJsonData": map[string]string{"apiKey": ""}}
		resp, body := d.do(t, "PUT", "/api/datasources/uid/echo", "admin", mustJSON(t, reset), nil)
		wantStatus(t, resp, body, 200)
		if fields := decode[struct{ Datasource dataSourceView }](t, body).Datasource.SecureJSONFields; fields["apiKey"] || !fields["token"] {
			t.Errorf("secureJsonFields after reset: %v", fields)
		}
		inst := decode[instanceReply](t, second(d.do(t, "GET", "/api/datasources/uid/echo/resources/instance", "admin", nil, nil)))
		if _, ok := inst.SecretLengths["apiKey"]; ok || inst.SecretLengths["token"] != len(newSecret) {
			t.Errorf("after reset the plugin has %v", inst.SecretLengths)
		}

		reset["version"] = 1 // the data source is at version 2 now
		resp, body = d.do(t, "PUT", "/api/datasources/uid/echo", "admin", mustJSON(t, reset), nil)
		wantStatus(t, resp, body, 409)
		resp, body = d.do(t, "PUT", "/api/datasources/uid/echo", "admin", mustJSON(t, map[string]any{"name": "Unhealthy"}), nil)
		wantJSONMessage(t, resp, body, 409, "Data source with the same name already exists")
		resp, body = d.do(t, "PUT", "/api/datasources/uid/echo", "admin", mustJSON(t, map[string]any{"url": "x"}), nil)
		wantStatus(t, resp, body, 400)
		resp, body = d.do(t, "PUT", "/api/datasources/uid/nope", "admin", mustJSON(t, map[string]any{"name": "x"}), nil)
		wantStatus(t, resp, body, 404)
		// A body that does not decode is refused without echoing it (it may hold a secret).
		resp, body = d.do(t, "PUT", "/api/datasources/uid/echo", "admin", []byte(`{"secureJsonData":{"k":"`+newSecret+`"`), nil)
		wantJSONMessage(t, resp, body, 400, "bad request data")
		noSecret(t, d, body, newSecret)
	})
}

// second returns the body of a (response, body) pair.
func second(_ *http.Response, body []byte) []byte { return body }
