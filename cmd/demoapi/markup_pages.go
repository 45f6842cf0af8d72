package main

import (
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
)

// Paged XML and HTML: the catalogue's first 100 seeded items (stable while
// tests mutate the live store), a page at a time, for pagination of markup
// formats. The parameters are /api/items' (page/per_page, offset/limit or
// cursor; a page size up to 100, 25 by default), and the Link header has
// rel="next" while more follow, so offset, page and link pagination all
// reach every item.
//
//	GET /api/pages.xml  → <items total="100"><item id=".."><name>..</name><price>..</price></item>…</items>
//	GET /api/pages.html → <table><tr><th>id</th><th>name</th><th>price</th></tr><tr><td>..</td>…</table>
func (s *server) registerMarkupPages(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/pages.xml", s.pagesXML)
	mux.HandleFunc("GET /api/pages.html", s.pagesHTML)
}

// markupPage is the window of seeded item ids a request asks for, with its
// Link header set.
func markupPage(w http.ResponseWriter, r *http.Request) (first, last int, ok bool) {
	pr, err := parsePageRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_pagination", err.Error())
		return 0, 0, false
	}
	start, end := min(pr.offset, catalogueRows), min(pr.offset+pr.size, catalogueRows)
	w.Header().Set("Link", linkHeader(r, pr, start, end < catalogueRows))
	return start + 1, end, true
}

func (s *server) pagesXML(w http.ResponseWriter, r *http.Request) {
	first, last, ok := markupPage(w, r)
	if !ok {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<items total="%d">`+"\n", catalogueRows)
	for id := first; id <= last; id++ {
		it := seedItem(id)
		fmt.Fprintf(&b, `  <item id="%d"><name>%s</name><price>%s</price></item>`+"\n",
			id, xmlEscape(it.Name), strconv.FormatFloat(it.Price, 'f', 2, 64))
	}
	b.WriteString("</items>\n")
	writeNegotiated(w, r, http.StatusOK, "application/xml; charset=utf-8", []byte(b.String()))
}

func (s *server) pagesHTML(w http.ResponseWriter, r *http.Request) {
	first, last, ok := markupPage(w, r)
	if !ok {
		return
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>Items</title></head><body>\n<table id=\"items\">\n<tr><th>id</th><th>name</th><th>price</th></tr>\n")
	for id := first; id <= last; id++ {
		it := seedItem(id)
		fmt.Fprintf(&b, "<tr><td>%d</td><td>%s</td><td>%s</td></tr>\n", id, html.EscapeString(it.Name), strconv.FormatFloat(it.Price, 'f', 2, 64))
	}
	b.WriteString("</table>\n</body></html>\n")
	writeNegotiated(w, r, http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}
