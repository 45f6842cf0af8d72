package main

import (
	"net/http"
	"reflect"
	"testing"
)

func TestResourceRequestHeaders(t *testing.T) {
	in := http.Header{
		"Referer":               {"http://grafana.local/d/abc"},
		"Origin":                {"http://evil.example"},
		"X-Forwarded-Host":      {"evil.example"},
		"X-Forwarded-Port":      {"443"},
		"X-Forwarded-Proto":     {"https"},
		"X-Forwarded-For":       {"10.0.0.1"},
		"Authorization":         {"Basic YWRtaW46YWRtaW4="},
		"X-Grafana-Device-Id":   {"device"},
		"Cookie":                {"grafana_session=s; keep_b=2; other=3", "keep_a=1"},
		"Connection":            {"keep-alive, X-Named-By-Connection"},
		"X-Named-By-Connection": {"drop me"},
		"Keep-Alive":            {"timeout=5"},
		"Proxy-Authorization":   {"Basic eA=="},
		"Te":                    {"trailers"},
		"Trailer":               {"X-T"},
		"Transfer-Encoding":     {"chunked"},
		"Upgrade":               {"websocket"},
		"User-Agent":            {"curl/8"},
		"X-Grafana-User":        {"admin"},
		"X-Grafana-Id":          {"forged"},
		"Accept":                {"application/json"},
		"Content-Type":          {"application/json"},
	}
	before := in.Clone()
	got := resourceRequestHeaders(in, "192.0.2.7:54321", []string{"keep_a", "keep_b", "grafana_session"})

	want := http.Header{
		"X-Grafana-Referer": {"http://grafana.local/d/abc"},
		"X-Forwarded-For":   {"10.0.0.1, 192.0.2.7"},
		"Cookie":            {"keep_a=1; keep_b=2"},
		"X-Grafana-User":    {"admin"},
		"X-Grafana-Id":      {"forged"},
		"Accept":            {"application/json"},
		"Content-Type":      {"application/json"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("headers\n got %v\nwant %v", got, want)
	}
	if !reflect.DeepEqual(in, before) {
		t.Errorf("input headers were modified: %v", in)
	}
}

func TestResourceRequestHeadersCookies(t *testing.T) {
	cases := []struct {
		name   string
		cookie []string
		keep   []string
		want   []string // nil: no Cookie header
	}{
		{"no keepCookies drops all", []string{"a=1; b=2"}, nil, nil},
		{"none kept drops header", []string{"a=1"}, []string{"z"}, nil},
		{"session never kept", []string{"grafana_session=x; grafana_session_expiry=1"}, []string{"grafana_session", "grafana_session_expiry"}, nil},
		{"kept sorted by name", []string{"z=26; a=1; m=13"}, []string{"z", "a"}, []string{"a=1; z=26"}},
		{"quoted value kept as sent", []string{`q="x y"`}, []string{"q"}, []string{`q="x y"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := resourceRequestHeaders(http.Header{"Cookie": tc.cookie}, "127.0.0.1:1", tc.keep)
			if !reflect.DeepEqual(got.Values("Cookie"), tc.want) {
				t.Errorf("Cookie = %q, want %q", got.Values("Cookie"), tc.want)
			}
		})
	}
}

func TestResourceRequestHeadersWithoutClientIP(t *testing.T) {
	// A RemoteAddr without a port (some test servers, unix sockets) leaves X-Forwarded-For as the client sent it.
	got := resourceRequestHeaders(http.Header{"X-Forwarded-For": {"10.0.0.1"}}, "@", nil)
	if v := got.Values("X-Forwarded-For"); !reflect.DeepEqual(v, []string{"10.0.0.1"}) {
		t.Errorf("X-Forwarded-For = %q", v)
	}
}

func TestResourceResponseHeaders(t *testing.T) {
	cases := []struct {
		name   string
		plugin http.Header
		status int
		want   http.Header
	}{
		{
			name:   "defaults",
			plugin: http.Header{},
			status: 200,
			want: http.Header{
				"Content-Type": {"application/json"}, "Content-Security-Policy": {"sandbox"},
				"Cache-Control": {"no-store"}, "X-Frame-Options": {"deny"}, "X-Content-Type-Options": {"nosniff"},
			},
		},
		{
			name:   "no content type for 204",
			plugin: http.Header{},
			status: 204,
			want: http.Header{
				"Content-Security-Policy": {"sandbox"}, "Cache-Control": {"no-store"},
				"X-Frame-Options": {"deny"}, "X-Content-Type-Options": {"nosniff"},
			},
		},
		{
			name: "plugin headers filtered, security headers forced",
			plugin: http.Header{
				"Content-Type":            {"text/csv"},
				"Set-Cookie":              {"grafana_session=stolen"},
				"Connection":              {"X-Hop"},
				"X-Hop":                   {"1"},
				"Transfer-Encoding":       {"chunked"},
				"Content-Security-Policy": {"default-src *"},
				"X-Frame-Options":         {"allow"},
				"Cache-Control":           {"public, max-age=600"},
				"X-Plugin":                {"a", "b"},
			},
			status: 200,
			want: http.Header{
				"Content-Type": {"text/csv"}, "Content-Security-Policy": {"sandbox"}, "Cache-Control": {"no-store"},
				"X-Frame-Options": {"deny"}, "X-Content-Type-Options": {"nosniff"}, "X-Plugin": {"a", "b"},
			},
		},
		{
			name:   "private cache-control kept",
			plugin: http.Header{"Cache-Control": {"private, max-age=60"}},
			status: 200,
			want: http.Header{
				"Content-Type": {"application/json"}, "Content-Security-Policy": {"sandbox"},
				"Cache-Control": {"private, max-age=60"}, "X-Frame-Options": {"deny"}, "X-Content-Type-Options": {"nosniff"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := http.Header{}
			setDefaultResponseHeaders(dst)
			resourceResponseHeaders(dst, tc.plugin, tc.status)
			if !reflect.DeepEqual(dst, tc.want) {
				t.Errorf("headers\n got %v\nwant %v", dst, tc.want)
			}
		})
	}
}
