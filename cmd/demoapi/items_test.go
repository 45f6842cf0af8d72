package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSeedItemsAreDeterministic(t *testing.T) {
	ts, _ := newTestAPI(t)
	var got map[string]any
	get(t, ts, "/api/items/2", http.StatusOK, &got)
	want := map[string]any{
		"id": 2.0, "name": "Blue Chair 002", "category": "electronics", "price": 84.18, "in_stock": true,
		"created_at": "2024-01-01T06:17:00Z", "tags": []any{"sale"}, "dimensions": map[string]any{"w": 13.7, "h": 10.3},
		"rating": 2.3,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("item 2 =\n%v\nwant\n%v", got, want)
	}
	get(t, ts, "/api/items/10", http.StatusOK, &got)
	if r, ok := got["rating"]; !ok || r != nil {
		t.Errorf("item 10 rating = %v (present %v), want null", r, ok)
	}

	// Every item: fields well-formed; ratings null for exactly one in ten; some empty tag lists.
	var p listPage
	var items []item
	for off := 0; off < seedItemCount; off += maxPageSize {
		get(t, ts, fmt.Sprintf("/api/items?offset=%d&limit=%d", off, maxPageSize), http.StatusOK, &p)
		items = append(items, p.Items...)
	}
	nullRatings, emptyTags := 0, 0
	for _, it := range items {
		if it.Rating == nil {
			nullRatings++
		} else if *it.Rating < 1 || *it.Rating > 5 {
			t.Errorf("item %d rating %v", it.ID, *it.Rating)
		}
		if it.Tags == nil {
			t.Errorf("item %d tags null", it.ID)
		} else if len(it.Tags) == 0 {
			emptyTags++
		}
		if it.Name == "" || it.Price <= 0 || it.CreatedAt.IsZero() || it.Dimensions.W <= 0 || it.Dimensions.H <= 0 {
			t.Errorf("item %d malformed: %+v", it.ID, it)
		}
	}
	if nullRatings != 25 || emptyTags == 0 {
		t.Errorf("%d null ratings (want 25), %d empty tag lists", nullRatings, emptyTags)
	}
}

func TestItemNotFoundAndBadID(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, body := get(t, ts, "/api/items/251", http.StatusNotFound, nil)
	checkAPIError(t, resp, body, http.StatusNotFound)
	resp, body = get(t, ts, "/api/items/abc", http.StatusBadRequest, nil)
	checkAPIError(t, resp, body, http.StatusBadRequest)
}

func jsonRequest(t *testing.T, method, url, body string) *http.Request {
	req := newRequest(t, method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestItemCRUD(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
	ts, _ := newTestAPI(t, func(s *server) { s.now = clock.Now })
	c := ts.Client()

	resp, body := send(t, c, jsonRequest(t, http.MethodPost, ts.URL+"/api/items",
		`{"id": 7, "name": "Test Widget", "price": 9.5, "tags": ["x"], "rating": null, "extra": 1}`))
	checkStatus(t, resp, body, http.StatusCreated)
	var created item
	decode(t, body, &created)
	if created.ID != 251 || created.Name != "Test Widget" || created.Price != 9.5 || created.Category != "misc" ||
		created.Rating != nil || !created.CreatedAt.Equal(clock.Now()) || len(created.Tags) != 1 {
		t.Fatalf("created %+v", created)
	}
	if loc := resp.Header.Get("Location"); loc != "/api/items/251" {
		t.Errorf("Location %q", loc)
	}
	var got item
	get(t, ts, "/api/items/251", http.StatusOK, &got)
	if got.Name != "Test Widget" {
		t.Fatalf("GET after POST: %+v", got)
	}

	// PATCH changes only what it names; null clears the rating.
	resp, body = send(t, c, jsonRequest(t, http.MethodPatch, ts.URL+"/api/items/3", `{"price": 1.25, "rating": null}`))
	checkStatus(t, resp, body, http.StatusOK)
	decode(t, body, &got)
	seed := seedItem(3)
	if got.Price != 1.25 || got.Rating != nil || got.Name != seed.Name || len(got.Tags) != len(seed.Tags) {
		t.Errorf("patched %+v", got)
	}

	// PUT replaces: absent fields return to defaults, id and created_at stay.
	resp, body = send(t, c, jsonRequest(t, http.MethodPut, ts.URL+"/api/items/3", `{"name": "Replaced", "id": 99}`))
	checkStatus(t, resp, body, http.StatusOK)
	decode(t, body, &got)
	if got.ID != 3 || got.Name != "Replaced" || got.Price != 0 || len(got.Tags) != 0 || got.Category != "misc" ||
		!got.CreatedAt.Equal(seed.CreatedAt) {
		t.Errorf("replaced %+v", got)
	}

	resp, body = send(t, c, newRequest(t, http.MethodDelete, ts.URL+"/api/items/3", nil))
	checkStatus(t, resp, body, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != contentTypeJSON {
		t.Errorf("DELETE Content-Type %q", ct)
	}
	get(t, ts, "/api/items/3", http.StatusNotFound, nil)
	for _, m := range []string{http.MethodDelete, http.MethodPatch, http.MethodPut} {
		resp, body = send(t, c, jsonRequest(t, m, ts.URL+"/api/items/3", `{"name":"x"}`))
		checkAPIError(t, resp, body, http.StatusNotFound)
	}

	var p listPage
	get(t, ts, "/api/items?limit=1", http.StatusOK, &p)
	if *p.Total != seedItemCount { // one created, one deleted
		t.Errorf("total %d", *p.Total)
	}
	resp, body = send(t, c, newRequest(t, http.MethodPost, ts.URL+"/api/items/reset", nil))
	checkStatus(t, resp, body, http.StatusOK)
	get(t, ts, "/api/items/3", http.StatusOK, &got)
	get(t, ts, "/api/items/251", http.StatusNotFound, nil)
	if got.Name != seed.Name {
		t.Errorf("after reset item 3 = %+v", got)
	}
}

func TestItemWritesValidate(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := ts.Client()
	tests := []struct {
		method, path, ctype, body string
		status                    int
	}{
		{http.MethodPost, "/api/items", "application/json", `{"price": 1}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": ""}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": "a", "price": -1}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": "a", "rating": 6}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": "a", "tags": [1]}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": "a", "dimensions": {"w": 1}}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name": "a", "in_stock": "yes"}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `[1]`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `null`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "application/json", `{"name":"a"} {}`, http.StatusBadRequest},
		{http.MethodPost, "/api/items", "text/plain", `{"name": "a"}`, http.StatusUnsupportedMediaType},
		{http.MethodPost, "/api/items", "application/json", `{"name":"` + strings.Repeat("a", maxItemBody) + `"}`,
			http.StatusRequestEntityTooLarge},
		{http.MethodPatch, "/api/items/1", "application/merge-patch+json", `{"name": null}`, http.StatusBadRequest},
		{http.MethodPut, "/api/items/1", "application/json", `{"price": 2}`, http.StatusBadRequest},
		{http.MethodPut, "/api/items/x", "application/json", `{"name": "a"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		req := newRequest(t, tt.method, ts.URL+tt.path, strings.NewReader(tt.body))
		req.Header.Set("Content-Type", tt.ctype)
		resp, body := send(t, c, req)
		checkAPIError(t, resp, body, tt.status)
	}
	var it item
	get(t, ts, "/api/items/1", http.StatusOK, &it)
	if want := seedItem(1); it.Name != want.Name || it.Price != want.Price {
		t.Errorf("failed writes changed item 1: %+v", it)
	}
}

// TestConcurrentWrites runs under -race: creates and patches from many goroutines must not lose updates.
func TestConcurrentWrites(t *testing.T) {
	ts, _ := newTestAPI(t)
	c := ts.Client()
	const workers = 8
	var wg sync.WaitGroup
	ids := make([]int, workers)
	errs := make(chan error, 2*workers)
	for w := range workers {
		wg.Go(func() {
			resp, err := c.Do(jsonRequest(t, http.MethodPost, ts.URL+"/api/items", fmt.Sprintf(`{"name":"w%d"}`, w)))
			if err != nil {
				errs <- err
				return
			}
			var it item
			err = json.NewDecoder(resp.Body).Decode(&it)
			resp.Body.Close()
			ids[w] = it.ID
			if err != nil {
				errs <- err
			}
			resp, err = c.Do(jsonRequest(t, http.MethodPatch, ts.URL+"/api/items/1", fmt.Sprintf(`{"tags":["w%d"]}`, w)))
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	seen := map[int]bool{}
	for _, id := range ids {
		if id <= seedItemCount || seen[id] {
			t.Errorf("ids %v: not unique or reused a seeded id", ids)
		}
		seen[id] = true
	}
	var p listPage
	get(t, ts, "/api/items?limit=1", http.StatusOK, &p)
	if *p.Total != seedItemCount+workers {
		t.Errorf("total %d, want %d", *p.Total, seedItemCount+workers)
	}
}
