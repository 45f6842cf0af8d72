package main

import (
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// listPage is the union of the fields any pagination style returns.
type listPage struct {
	Items      []item  `json:"items"`
	Total      *int    `json:"total"`
	Offset     *int    `json:"offset"`
	Limit      *int    `json:"limit"`
	Page       *int    `json:"page"`
	PerPage    *int    `json:"per_page"`
	TotalPages *int    `json:"total_pages"`
	NextCursor *string `json:"next_cursor"`
	Next       *string `json:"next"`
}

const maxWalkPages = 100 // bounds every walk: 250 items need at most 11 pages of 25

// walk follows pages from first until next returns "", and checks all 250 items came exactly once, in id order.
func walk(t *testing.T, ts *httptest.Server, first string, wantKeys []string,
	next func(resp *http.Response, p listPage) string) int {
	t.Helper()
	var ids []int
	url, pages := first, 0
	for ; url != ""; pages++ {
		if pages == maxWalkPages {
			t.Fatalf("no end after %d pages", maxWalkPages)
		}
		var p listPage
		var keys map[string]any
		resp, body := get(t, ts, url, http.StatusOK, &p)
		decode(t, body, &keys)
		if wantKeys != nil {
			if got := slices.Sorted(maps.Keys(keys)); !slices.Equal(got, wantKeys) {
				t.Fatalf("%s: keys %v, want %v", url, got, wantKeys)
			}
		}
		for _, it := range p.Items {
			ids = append(ids, it.ID)
		}
		url = next(resp, p)
	}
	if len(ids) != seedItemCount {
		t.Fatalf("got %d items, want %d", len(ids), seedItemCount)
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("item %d has id %d: items repeated, skipped or out of order", i, id)
		}
	}
	return pages
}

var linkNext = regexp.MustCompile(`<([^>]*)>\s*;\s*rel="next"`)

func nextFromLink(resp *http.Response, _ listPage) string {
	if m := linkNext.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
		return m[1]
	}
	return ""
}

func nextFromBody(_ *http.Response, p listPage) string {
	if p.Next != nil {
		return *p.Next
	}
	return ""
}

func TestPaginationStylesReachEveryItemOnce(t *testing.T) {
	ts, _ := newTestAPI(t)
	offsetNext := func(_ *http.Response, p listPage) string {
		if *p.Offset+len(p.Items) >= *p.Total {
			return ""
		}
		return fmt.Sprintf("/api/items?style=offset&offset=%d&limit=%d", *p.Offset+len(p.Items), *p.Limit)
	}
	pageNext := func(_ *http.Response, p listPage) string {
		if *p.Page >= *p.TotalPages {
			return ""
		}
		return fmt.Sprintf("/api/items?style=page&page=%d&per_page=%d", *p.Page+1, *p.PerPage)
	}
	cursorNext := func(_ *http.Response, p listPage) string {
		if p.NextCursor == nil {
			return ""
		}
		return "/api/items?style=cursor&limit=40&cursor=" + *p.NextCursor
	}
	fullCursorNext := func(_ *http.Response, p listPage) string {
		if p.NextCursor == nil {
			return ""
		}
		return "/api/items?cursor=" + *p.NextCursor
	}
	tests := []struct {
		name      string
		first     string
		keys      []string
		next      func(*http.Response, listPage) string
		wantPages int
	}{
		{"offset", "/api/items?style=offset&offset=0&limit=40", []string{"items", "limit", "offset", "total"}, offsetNext, 7},
		{"page", "/api/items?style=page&page=1&per_page=40", []string{"items", "page", "per_page", "total", "total_pages"}, pageNext, 7},
		{"cursor", "/api/items?style=cursor&limit=40", []string{"items", "next_cursor"}, cursorNext, 7},
		{"link header", "/api/items?style=link&limit=40", []string{"items", "next"}, nextFromLink, 7},
		{"next field", "/api/items?style=link&limit=40", []string{"items", "next"}, nextFromBody, 7},
		// Without ?style every field is present: a cursor client's first request has no cursor yet.
		{"cursor, no style", "/api/items", nil, fullCursorNext, 10},
		{"link header, no style, page params", "/api/items?page=1&per_page=100", nil, nextFromLink, 3},
		{"next field, no style, default size", "/api/items", nil, nextFromBody, 10},
		{"next field keeps cursor family", "/api/items?cursor=&limit=100", nil, nextFromBody, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pages := walk(t, ts, tt.first, tt.keys, tt.next); pages != tt.wantPages {
				t.Errorf("took %d pages, want %d", pages, tt.wantPages)
			}
		})
	}
}

func TestPaginationFullBodyAndLinks(t *testing.T) {
	ts, _ := newTestAPI(t)
	var p listPage
	get(t, ts, "/api/items?page=2&per_page=100&category=books", http.StatusOK, &p)
	// 250 items, 5 categories → 50 books, so page 2 of 100 is past the end.
	if *p.Total != 50 || len(p.Items) != 0 || *p.TotalPages != 1 || p.Next != nil || p.NextCursor != nil {
		t.Fatalf("category page 2: %+v", p)
	}
	get(t, ts, "/api/items?offset=30&limit=10&category=books", http.StatusOK, &p)
	if len(p.Items) != 10 || p.Items[0].ID != 151 || p.Items[0].Category != "books" || *p.Page != 4 {
		t.Fatalf("books from offset 30: first %+v, page %d", p.Items[0], *p.Page)
	}
	if want := ts.URL + "/api/items?category=books&limit=10&offset=40"; p.Next == nil || *p.Next != want {
		t.Errorf("next = %v, want %s", p.Next, want)
	}
	resp, _ := get(t, ts, "/api/items?offset=30&limit=10&category=books", http.StatusOK, nil)
	wantLink := `<` + ts.URL + `/api/items?category=books&limit=10&offset=0>; rel="first", ` +
		`<` + ts.URL + `/api/items?category=books&limit=10&offset=20>; rel="prev", ` +
		`<` + ts.URL + `/api/items?category=books&limit=10&offset=40>; rel="next"`
	if got := resp.Header.Get("Link"); got != wantLink {
		t.Errorf("Link =\n%s\nwant\n%s", got, wantLink)
	}
	// Next links stay in the request's parameter family.
	get(t, ts, "/api/items?cursor=&limit=10", http.StatusOK, &p)
	if p.Next == nil || !strings.Contains(*p.Next, "cursor="+*p.NextCursor) || strings.Contains(*p.Next, "offset=") {
		t.Errorf("cursor request: next = %v, next_cursor = %v", p.Next, p.NextCursor)
	}
	get(t, ts, "/api/items?page=3&per_page=10", http.StatusOK, &p)
	if want := ts.URL + "/api/items?page=4&per_page=10"; p.Next == nil || *p.Next != want || p.Items[0].ID != 21 {
		t.Errorf("page request: next = %v, want %s; first id %d", p.Next, want, p.Items[0].ID)
	}
	// Strict offset and page styles carry no Link header.
	if resp, _ := get(t, ts, "/api/items?style=offset", http.StatusOK, nil); resp.Header.Get("Link") != "" {
		t.Errorf("style=offset sent a Link header")
	}
	// The last page has no next link.
	resp, _ = get(t, ts, "/api/items?offset=240&limit=10", http.StatusOK, &p)
	if p.Next != nil || p.NextCursor != nil || linkNext.MatchString(resp.Header.Get("Link")) {
		t.Errorf("last page advertises a next page: next=%v cursor=%v link=%q", p.Next, p.NextCursor, resp.Header.Get("Link"))
	}
}

func TestPaginationRejectsBadParameters(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, q := range []string{
		"offset=0&page=1", "cursor=&offset=0", "page=1&limit=10", "limit=0", "limit=101", "per_page=101",
		"offset=-1", "offset=x", "page=0", "cursor=bm9wZQ", "cursor=%%%", "style=bogus", "style=cursor&offset=0",
		"style=offset&page=2", "style=page&cursor=",
	} {
		resp, body := send(t, ts.Client(), newRequest(t, http.MethodGet, ts.URL+"/api/items?"+q, nil))
		if e := checkAPIError(t, resp, body, http.StatusBadRequest); e.Code != "invalid_pagination" {
			t.Errorf("%s: code %q", q, e.Code)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	for _, off := range []int{0, 1, 25, 249, maxOffset} {
		got, err := decodeCursor(encodeCursor(off))
		if err != nil || got != off {
			t.Errorf("cursor for %d decodes to %d, %v", off, got, err)
		}
	}
	if _, err := decodeCursor(encodeCursor(maxOffset + 1)); err == nil {
		t.Error("cursor past maxOffset accepted")
	}
	if _, err := decodeCursor("b2Zmc2V0Oi0x"); err == nil { // "offset:-1"
		t.Error("negative cursor accepted")
	}
}
