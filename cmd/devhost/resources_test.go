package main

import (
	"net/http/httptest"
	"testing"
)

func TestResourcePathAndURL(t *testing.T) {
	// target is what the client sends after /resources/; path and url are what the plugin must receive.
	cases := []struct {
		target   string
		wantPath string
		wantURL  string
	}{
		{"a%2Fb", "a/b", "a/b"},
		{"a%252Fb", "a%2Fb", "a%252Fb"},
		{"x%3Fadmin=1", "x?admin=1", "x%3Fadmin=1"},
		{"x%3Fadmin=1?q=1", "x?admin=1", "x%3Fadmin=1?q=1"},
		{"x%253Fadmin=1", "x%3Fadmin=1", "x%253Fadmin=1"},
		{"hello%20world", "hello world", "hello%20world"},
		{"a+b", "a+b", "a+b"},
		{"caf%C3%A9/%E2%9C%93", "café/✓", "caf%C3%A9/%E2%9C%93"},
		{"café", "café", "caf%C3%A9"},
		{"items?limit=5&sort=name", "items", "items?limit=5&sort=name"},
		{"", "", ""},
		{"?q=1", "", "?q=1"},
		{"a/../b", "a/../b", "a/../b"},
		{"%2e%2e/admin", "../admin", "../admin"},
		{"a//b/", "a//b/", "a//b/"},
		{"a:b", "a:b", "./a:b"}, // net/url's rule for a colon in a relative path's first segment, as in Grafana
		{"%23frag", "#frag", "%23frag"},
	}
	for _, tc := range cases {
		t.Run(tc.target, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/api/datasources/uid/ds1/resources/"+tc.target, nil)
			uid, wildcard, ok := matchResourceRoute(r.URL.EscapedPath())
			if !ok || uid != "ds1" {
				t.Fatalf("route not matched: ok=%v uid=%q", ok, uid)
			}
			path, u, err := resourcePathAndURL(wildcard, r.URL.RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			if path != tc.wantPath || u != tc.wantURL {
				t.Errorf("got path %q url %q, want path %q url %q", path, u, tc.wantPath, tc.wantURL)
			}
		})
	}
}

func TestMatchResourceRoute(t *testing.T) {
	cases := []struct {
		path         string
		ok           bool
		uid, escaped string
	}{
		{"/api/datasources/uid/ds1/resources", true, "ds1", ""},
		{"/api/datasources/uid/ds1/resources/", true, "ds1", ""},
		{"/api/datasources/uid/ds1/resources/a%2Fb", true, "ds1", "a%2Fb"},
		{"/api/datasources/uid/a%2Fb/resources/x", true, "a%2Fb", "x"}, // decoded and rejected as invalid later
		{"/api/datasources/uid/ds1/resourcesX", false, "", ""},
		{"/api/datasources/uid/ds1/health", false, "", ""},
		{"/api/datasources/uid//resources", false, "", ""},
		{"/api/datasources/uid/ds1", false, "", ""},
		{"/api/datasources", false, "", ""},
	}
	for _, tc := range cases {
		uid, escaped, ok := matchResourceRoute(tc.path)
		if ok != tc.ok || uid != tc.uid || escaped != tc.escaped {
			t.Errorf("%s: got (%q, %q, %v), want (%q, %q, %v)", tc.path, uid, escaped, ok, tc.uid, tc.escaped, tc.ok)
		}
	}
}

func TestListenLoopbackOnly(t *testing.T) {
	for _, addr := range []string{":0", "127.0.0.1:0", "localhost:0"} {
		l, err := listen(addr, false)
		if err != nil {
			t.Errorf("%s: %v", addr, err)
			continue
		}
		if host := l.Addr().String(); host[:10] != "127.0.0.1:" {
			t.Errorf("%s bound %s, want 127.0.0.1", addr, host)
		}
		l.Close()
	}
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "example.com:0"} {
		if l, err := listen(addr, false); err == nil {
			l.Close()
			t.Errorf("%s: listened without -allow-remote", addr)
		}
	}
}
