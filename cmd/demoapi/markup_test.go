package main

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
)

// wellFormed walks the document with encoding/xml and counts elements by local name.
func wellFormed(t *testing.T, body []byte) map[string]int {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	counts := map[string]int{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return counts
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			counts[se.Name.Local]++
		}
	}
}

func TestMarkupEndpoints(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, c := range []struct {
		path, ct, elem string
		n              int
	}{
		{"/api/catalogue.xml", "application/xml; charset=utf-8", "item", catalogueRows},
		{"/api/feed.rss", "application/rss+xml; charset=utf-8", "item", 10},
		{"/api/soap/stock", "text/xml; charset=utf-8", "Stock", 5},
	} {
		resp, body := get(t, ts, c.path, http.StatusOK, nil)
		if got := resp.Header.Get("Content-Type"); got != c.ct {
			t.Errorf("%s: Content-Type %q", c.path, got)
		}
		if got := wellFormed(t, body)[c.elem]; got != c.n {
			t.Errorf("%s: %d <%s>, want %d", c.path, got, c.elem, c.n)
		}
	}
	_, body := get(t, ts, "/api/catalogue.xml", http.StatusOK, nil)
	if !bytes.Contains(body, []byte(`<item id="2" category="electronics"><name>Blue Chair 002</name><sku>9007199254740006</sku><price currency="EUR">84.18</price>`)) {
		t.Errorf("catalogue item 2: %.300s", body)
	}
	resp, body := get(t, ts, "/status.html", http.StatusOK, nil)
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{`<table id="services"`, `<td colspan="2">n/a</td>`, `<a href="/svc/api">`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("status page lacks %s", want)
		}
	}
	_, body = get(t, ts, "/api/laughs.xml", http.StatusOK, nil)
	if !bytes.Contains(body, []byte(`<!ENTITY lol9 "&lol8;&lol8;`)) || len(body) > 2048 {
		t.Errorf("laughs: %d bytes", len(body))
	}
}
