package main

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
)

func TestEchoExactPath(t *testing.T) {
	ts, _ := newTestAPI(t)
	// Dot segments, doubled slashes and an encoded slash arrive verbatim: no mux cleaning, no redirect.
	req := newRequest(t, http.MethodDelete, ts.URL+"/api/echo/a/../b%2Fc//d?x=1&x=2&y=%20&api_key=k", nil)
	req.Header.Set("Authorization", "Bearer injected")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	resp, body := send(t, ts.Client(), req)
	checkStatus(t, resp, body, http.StatusOK)
	var e echoResponse
	decode(t, body, &e)
	if e.Method != http.MethodDelete || e.Rest == nil || *e.Rest != "a/../b/c//d" || e.Path != "/api/echo/a/../b/c//d" ||
		e.EscapedPath != "/api/echo/a/../b%2Fc//d" || e.RawPath != "/api/echo/a/../b%2Fc//d" ||
		e.RequestURI != "/api/echo/a/../b%2Fc//d?x=1&x=2&y=%20&api_key=k" || e.RawQuery != "x=1&x=2&y=%20&api_key=k" {
		t.Errorf("echo %s", body)
	}
	if strings.Join(e.Query["x"], ",") != "1,2" || e.Query.Get("y") != " " || e.Host != strings.TrimPrefix(ts.URL, "http://") {
		t.Errorf("query %v host %s", e.Query, e.Host)
	}
	if e.Headers.Get("Authorization") != "Bearer injected" || strings.Join(e.Headers.Values("X-Multi"), ",") != "one,two" {
		t.Errorf("headers %v", e.Headers)
	}
}

func TestEchoBodies(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := ts.Client()

	resp, body := send(t, c, jsonRequest(t, http.MethodPost, ts.URL+"/api/echo", `{"a": [1, 2]}`))
	checkStatus(t, resp, body, http.StatusOK)
	var e echoResponse
	decode(t, body, &e)
	if e.Rest != nil || e.Body != `{"a": [1, 2]}` || string(e.JSON) != `{"a":[1,2]}` || e.BodyEncoding != "utf-8" ||
		e.ContentLength != 13 || e.Headers.Get("Content-Type") != contentTypeJSON {
		t.Errorf("JSON echo %s", body)
	}

	bin := []byte{0xff, 0x00, 0xfe}
	resp, body = send(t, c, newRequest(t, http.MethodPut, ts.URL+"/api/echo/upload", strings.NewReader(string(bin))))
	checkStatus(t, resp, body, http.StatusOK)
	e = echoResponse{}
	decode(t, body, &e)
	if e.BodyEncoding != "base64" || e.Body != base64.StdEncoding.EncodeToString(bin) || e.JSON != nil {
		t.Errorf("binary echo %s", body)
	}

	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPatch, "PROPFIND"} {
		resp, body = send(t, c, newRequest(t, m, ts.URL+"/api/echo/x/y", nil))
		checkStatus(t, resp, body, http.StatusOK)
	}
	resp, body = send(t, c, newRequest(t, http.MethodGet, ts.URL+"/api/echo", nil))
	checkAPIError(t, resp, body, http.StatusMethodNotAllowed)

	resp, body = send(t, c, newRequest(t, http.MethodPost, ts.URL+"/api/echo",
		strings.NewReader(strings.Repeat("x", maxEchoBody+1))))
	checkAPIError(t, resp, body, http.StatusRequestEntityTooLarge)
}

func TestHeadersEndpoint(t *testing.T) {
	ts, _ := newTestAPI(t)
	req := newRequest(t, http.MethodGet, ts.URL+"/headers", nil)
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Set("Cookie", "a=b")
	resp, body := send(t, ts.Client(), req)
	checkStatus(t, resp, body, http.StatusOK)
	var got struct {
		Host    string
		Headers http.Header
	}
	decode(t, body, &got)
	if got.Headers.Get("X-Forwarded-For") != "10.0.0.1" || got.Headers.Get("Cookie") != "a=b" || got.Host == "" {
		t.Errorf("headers %s", body)
	}
}
