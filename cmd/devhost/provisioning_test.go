package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExpandEnv(t *testing.T) {
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envMap(map[string]string{"HOST": "api.local", "PORT": "8080", "EMPTY": ""})
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"$HOST", "api.local"},
		{"${HOST}", "api.local"},
		{"http://$HOST:${PORT}/v1", "http://api.local:8080/v1"},
		{"$UNSET", ""},
		{"${UNSET}x", "x"},
		{"$$HOST", "$HOST"},
		{"price: 5$", "price: 5$"},
		{"$__env{HOST}", "api.local"},
		{"$__file{" + secretFile + "}", "from-file"},
		{"${HOST", "${HOST"},
	}
	for _, tc := range cases {
		got, err := expandEnv(tc.in, env)
		if err != nil || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := expandEnv("$__vault{x}", env); err == nil {
		t.Error("unknown provider: want an error")
	}
	if _, err := expandEnv("$__file{/does/not/exist}", env); err == nil {
		t.Error("missing file: want an error")
	}
}

func TestParseProvisioning(t *testing.T) {
	doc := `
apiVersion: 1
datasources:
  - name: Relay $NAME_SUFFIX
    type: relay-gateway-datasource
    uid: relay-${UID_SUFFIX}
    url: $DEMO_URL
    access: proxy
    basicAuth: $BASIC
    basicAuthUser: $USER
    orgId: $ORG
    version: 3
    ignoredKey: whatever
    jsonData:
      port: $PORT
      nested:
        list: ["$HOST", 2, true]
      keepCookies: [a, b]
      $KEY_NOT_EXPANDED: 1
    secureJsonData:
      apiKey: ${API_KEY}
      literal: "$$notavar"
`
	env := envMap(map[string]string{
		"NAME_SUFFIX": "demo", "UID_SUFFIX": "1", "DEMO_URL": "http://127.0.0.1:9999", "BASIC": "true",
		"USER": "svc", "ORG": "2", "PORT": "8080", "HOST": "h", "API_KEY": "k-123",
	})
	got, err := parseProvisioning([]byte(doc), env)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d data sources", len(got))
	}
	ds := got[0]
	if ds.Name != "Relay demo" || ds.UID != "relay-1" || ds.URL != "http://127.0.0.1:9999" || !ds.BasicAuth ||
		ds.BasicAuthUser != "svc" || ds.OrgID != 2 || ds.Version != 3 || ds.Access != "proxy" {
		t.Errorf("fields: %+v", ds)
	}
	wantJSON := map[string]any{
		"port":              "8080", // Grafana keeps expanded jsonData values strings
		"nested":            map[string]any{"list": []any{"h", 2, true}},
		"keepCookies":       []any{"a", "b"},
		"$KEY_NOT_EXPANDED": 1, // keys are never expanded
	}
	if !reflect.DeepEqual(ds.JSONData, wantJSON) {
		t.Errorf("jsonData = %#v\nwant %#v", ds.JSONData, wantJSON)
	}
	if want := map[string]string{"apiKey": "k-123", "literal": "$notavar"}; !reflect.DeepEqual(ds.SecureJSONData, want) {
		t.Errorf("secureJsonData = %v", ds.SecureJSONData)
	}
}

func TestParseProvisioningStringFieldsStayStrings(t *testing.T) {
	// An expanded value that looks like a number must still decode into a string field.
	got, err := parseProvisioning([]byte("apiVersion: 1\ndatasources:\n  - name: $N\n    type: t\n"), envMap(map[string]string{"N": "123"}))
	if err != nil || len(got) != 1 || got[0].Name != "123" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestParseProvisioningErrors(t *testing.T) {
	for name, doc := range map[string]string{
		"bad apiVersion": "apiVersion: 7\ndatasources: []\n",
		"bad yaml":       "apiVersion: 1\ndatasources: [\n",
		"bad orgId":      "apiVersion: 1\ndatasources:\n  - name: a\n    orgId: $ORG\n",
	} {
		if _, err := parseProvisioning([]byte(doc), envMap(map[string]string{"ORG": "two"})); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestLoadProvisioningDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("b.yaml", "apiVersion: 1\ndatasources:\n  - {name: B, type: relay-gateway-datasource, uid: b, jsonData: {x: 1}}\n")
	write("a.yml", "apiVersion: 1\ndatasources:\n  - {name: A, type: relay-gateway-datasource, uid: a}\n  - {name: P, type: prometheus, uid: p}\n")
	write("notes.txt", "not provisioning")
	write("empty.yaml", "")

	d, err := loadProvisioning(dir, "relay-gateway-datasource", envMap(nil), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	if d.count() != 2 || d.list[0].UID != "a" || d.list[1].UID != "b" || d.list[0].ID != 1 || d.list[1].ID != 2 {
		t.Fatalf("data sources: %+v", d.list)
	}
	if d.get(1, "p") != nil {
		t.Error("a data source of another type is served")
	}
	if d.get(2, "a") != nil || d.get(1, "a") == nil {
		t.Error("lookup is not per org")
	}
	s := d.get(1, "b").settings
	if s.Uid != "b" || s.Name != "B" || string(s.JsonData) != `{"x":1}` || s.LastUpdatedMS != d.updated.UnixMilli() {
		t.Errorf("instance settings: %+v", s)
	}
	if a := d.get(1, "a").settings; string(a.JsonData) != `{}` {
		t.Errorf("missing jsonData should be {}, got %s", a.JsonData)
	}
}

func TestLoadProvisioningRejects(t *testing.T) {
	cases := map[string]string{
		"duplicate uid":  "apiVersion: 1\ndatasources:\n  - {name: A, type: x, uid: same}\n  - {name: B, type: x, uid: same}\n",
		"duplicate name": "apiVersion: 1\ndatasources:\n  - {name: A, type: x, uid: a}\n  - {name: A, type: x, uid: b}\n",
		"invalid uid":    "apiVersion: 1\ndatasources:\n  - {name: A, type: x, uid: \"a/b\"}\n",
		"no name":        "apiVersion: 1\ndatasources:\n  - {type: x, uid: a}\n",
	}
	for name, doc := range cases {
		path := filepath.Join(t.TempDir(), "p.yaml")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := loadProvisioning(path, "x", envMap(nil), hclog.NewNullLogger()); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestLoadProvisioningGeneratesUID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	if err := os.WriteFile(path, []byte("apiVersion: 1\ndatasources:\n  - {name: A, type: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := loadProvisioning(path, "x", envMap(nil), hclog.NewNullLogger())
	if err != nil || d.count() != 1 || !validUID(d.list[0].UID) {
		t.Fatalf("got %+v, %v", d, err)
	}
}

func TestKeepCookies(t *testing.T) {
	var jd map[string]any
	if err := json.Unmarshal([]byte(`{"keepCookies":["a","",3,"b"]}`), &jd); err != nil {
		t.Fatal(err)
	}
	ds := &dataSource{JSONData: jd}
	if got := ds.keepCookies(); strings.Join(got, ",") != "a,b" {
		t.Errorf("keepCookies = %q", got)
	}
	if got := (&dataSource{}).keepCookies(); got != nil {
		t.Errorf("keepCookies without jsonData = %q", got)
	}
}
