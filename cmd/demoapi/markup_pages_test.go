package main

import (
	"net/http"
	"strings"
	"testing"
)

// Following rel="next" from the first page reaches the 100 items once, in
// both markups.
func TestMarkupPagesFollowNextLinks(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, c := range []struct{ path, row string }{{"/api/pages.xml", "<item "}, {"/api/pages.html", "<tr><td>"}} {
		next, rows, pages := ts.URL+c.path+"?page=1&per_page=30", 0, 0
		for next != "" && pages < 10 {
			resp, body := get(t, ts, strings.TrimPrefix(next, ts.URL), http.StatusOK, nil)
			rows += strings.Count(string(body), c.row)
			pages++
			next = ""
			for _, l := range strings.Split(resp.Header.Get("Link"), ", ") {
				if strings.HasSuffix(l, `rel="next"`) {
					next = strings.TrimSuffix(strings.TrimPrefix(strings.Split(l, ";")[0], "<"), ">")
				}
			}
		}
		if rows != catalogueRows || pages != 4 {
			t.Errorf("%s: %d rows in %d pages", c.path, rows, pages)
		}
	}
	_, body := get(t, ts, "/api/pages.xml?offset=1&limit=1", http.StatusOK, nil)
	if !strings.Contains(string(body), `<item id="2"><name>Blue Chair 002</name><price>84.18</price></item>`) {
		t.Errorf("xml item 2: %s", body)
	}
	get(t, ts, "/api/pages.html?per_page=500", http.StatusBadRequest, nil)
}
