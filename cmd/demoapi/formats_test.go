package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExportCSV(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, tt := range []struct {
		query string
		comma rune
	}{{"", ','}, {"?delimiter=;", ';'}, {"?delimiter=%09", '\t'}} {
		resp, body := get(t, ts, "/api/export.csv"+tt.query, http.StatusOK, nil)
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		cr := csv.NewReader(bytes.NewReader(body))
		cr.Comma = tt.comma
		records, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", tt.query, err)
		}
		if len(records) != exportRows+1 {
			t.Fatalf("%q: %d records", tt.query, len(records))
		}
		if got := strings.Join(records[0], "|"); got != "id|name|category|price|in_stock|created_at|rating|note" {
			t.Errorf("header %s", got)
		}
		if got := strings.Join(records[2], "|"); got != "2|Blue Chair 002|electronics|84.18|true|2024-01-01T06:17:00Z|2.3|" {
			t.Errorf("row 2: %s", got)
		}
		if r := records[20]; r[6] != "" || r[7] != `multi-word, "quoted"; note` { // id 20: null rating, quoted note
			t.Errorf("row 20: %q", r)
		}
	}
	semi := string(mustGet(t, ts, "/api/export.csv?delimiter=;"))
	if first := strings.SplitN(semi, "\n", 2)[0]; first != "id;name;category;price;in_stock;created_at;rating;note" {
		t.Errorf("semicolon header %q", first)
	}
	resp, body := get(t, ts, "/api/export.csv?delimiter=ab", http.StatusBadRequest, nil)
	checkAPIError(t, resp, body, http.StatusBadRequest)
}

func mustGet(t *testing.T, ts *httptest.Server, path string) []byte {
	t.Helper()
	_, body := get(t, ts, path, http.StatusOK, nil)
	return body
}

func TestEventsNDJSON(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := get(t, ts, "/api/events.ndjson", http.StatusOK, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type %q", ct)
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	lines, withUser := 0, 0
	for sc.Scan() {
		var ev event
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if ev != eventAt(lines) {
			t.Errorf("line %d = %+v", lines+1, ev)
		}
		if ev.User != "" {
			withUser++
		}
		lines++
	}
	if lines != eventCount || withUser != 34 {
		t.Errorf("%d lines (want %d), %d with user (want 34)", lines, eventCount, withUser)
	}
	if !bytes.HasPrefix(body, []byte(`{"time":"2024-01-01T00:00:00Z","ts":1704067200000,"level":"info"`)) {
		t.Errorf("first line %q", strings.SplitN(string(body), "\n", 2)[0])
	}
}

func gunzip(t *testing.T, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGzip(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := rawClient()
	plain := mustGet(t, ts, "/api/items?limit=100")

	req := newRequest(t, http.MethodGet, ts.URL+"/api/items?limit=100", nil)
	req.Header.Set("Accept-Encoding", "br;q=1, gzip;q=0.8")
	resp, body := send(t, c, req)
	checkStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" ||
		resp.Header.Get("Content-Type") != contentTypeJSON || len(body) >= len(plain) {
		t.Fatalf("headers %v, %d compressed bytes vs %d plain", resp.Header, len(body), len(plain))
	}
	if got := gunzip(t, body); !bytes.Equal(got, plain) {
		t.Errorf("gunzipped body differs from the plain one")
	}

	req = newRequest(t, http.MethodGet, ts.URL+"/api/items", nil)
	req.Header.Set("Accept-Encoding", "*, gzip;q=0")
	if resp, _ := send(t, c, req); resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 still got Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}

	// items.json.gz is gzip whatever the client accepts.
	resp, body = send(t, c, newRequest(t, http.MethodGet, ts.URL+"/api/items.json.gz", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != contentTypeJSON {
		t.Fatalf("items.json.gz headers %v", resp.Header)
	}
	var all []item
	decode(t, gunzip(t, body), &all)
	if len(all) != seedItemCount || all[249].ID != 250 {
		t.Errorf("items.json.gz has %d items", len(all))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0": false, "gzip; q=0.0": false,
		"*": true, "*;q=0": false, "br": false, "identity": false, "x-gzip": true, "*, gzip;q=0": false,
		"gzip;q=0, *": false, "br, *;q=0.1": true, "gzip;level=1;q=0.5": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("Accept-Encoding %q: %v, want %v", header, got, want)
		}
	}
}
