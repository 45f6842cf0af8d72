package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// patternChecker counts bytes and checks each against largePattern at its offset, without keeping any of them.
type patternChecker struct {
	n   int64
	bad int64 // offset of the first wrong byte, or -1
}

func (c *patternChecker) Write(p []byte) (int, error) {
	for i, b := range p {
		if c.bad < 0 && b != largePattern[(c.n+int64(i))%int64(len(largePattern))] {
			c.bad = c.n + int64(i)
		}
	}
	c.n += int64(len(p))
	return len(p), nil
}

func streamLarge(t *testing.T, url string) (*http.Response, *patternChecker) {
	t.Helper()
	resp, err := rawClient().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	pc := &patternChecker{bad: -1}
	if _, err := io.Copy(pc, resp.Body); err != nil {
		t.Fatalf("after %d bytes: %v", pc.n, err)
	}
	return resp, pc
}

func TestLargeExactSize(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, tt := range []struct {
		query   string
		size    int64
		chunked bool
	}{
		{"size=0", 0, false},
		{"size=1", 1, false},
		{"size=65536", 65536, false},
		{"size=65537", 65537, false},
		// Many 64 KiB blocks and a partial last one: the handler reuses one block, so larger sizes (1 GiB in
		// bench/gateway) cost time, not memory, and test nothing more.
		{"size=4MiB", 4 << 20, false},
		{fmt.Sprintf("size=%d&chunked=1", 2<<20+123), 2<<20 + 123, true},
		{"", defaultLargeSize, false},
	} {
		resp, pc := streamLarge(t, ts.URL+"/large?"+tt.query)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("%s: status %d, Content-Type %q", tt.query, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if pc.n != tt.size || pc.bad >= 0 {
			t.Errorf("%s: %d bytes (want %d), first wrong byte at %d", tt.query, pc.n, tt.size, pc.bad)
		}
		wantCL := tt.size
		if tt.chunked {
			wantCL = -1
		}
		if resp.ContentLength != wantCL {
			t.Errorf("%s: Content-Length %d, want %d", tt.query, resp.ContentLength, wantCL)
		}
	}
}

func TestLargeHead(t *testing.T) {
	ts, _ := newTestAPI(t)
	resp, err := rawClient().Head(ts.URL + "/large?size=1GiB")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ContentLength != 1<<30 {
		t.Errorf("HEAD Content-Length %d", resp.ContentLength)
	}
}

func TestLargeJSON(t *testing.T) {
	ts, _ := newTestAPI(t)
	for _, size := range []int64{0, 50, 200, 1 << 20, 2<<20 + 7} {
		resp, err := rawClient().Get(fmt.Sprintf("%s/large?format=json&size=%d", ts.URL, size))
		if err != nil {
			t.Fatal(err)
		}
		cr := &countingReader{r: resp.Body}
		dec := json.NewDecoder(cr)
		var rows []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
			Pad  string `json:"pad"`
		}
		err = dec.Decode(&rows)
		rest, _ := io.Copy(io.Discard, cr)
		resp.Body.Close()
		if err != nil || rest != 0 {
			t.Fatalf("size %d: %v, %d trailing bytes", size, err, rest)
		}
		if resp.Header.Get("Content-Type") != contentTypeJSON || resp.ContentLength != -1 {
			t.Errorf("size %d: Content-Type %q, Content-Length %d", size, resp.Header.Get("Content-Type"), resp.ContentLength)
		}
		// At most size bytes, and within one object (< 200 bytes) of it; "[]" when nothing fits.
		if (size >= 2 && cr.n > size) || cr.n < size-200 {
			t.Errorf("size %d: got %d bytes", size, cr.n)
		}
		for i, r := range rows {
			if r.ID != int64(i) || r.Name != fmt.Sprintf("row-%d", i) || len(r.Pad) != 32 {
				t.Fatalf("size %d: row %d = %+v", size, i, r)
			}
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"0": 0, "1048576": 1 << 20, "64KiB": 64 << 10, "1GiB": 1 << 30, "1gib": 1 << 30, "10MB": 10e6, "2k": 2048,
		"16GiB": 16 << 30, " 3 MiB ": 3 << 20, "5b": 5,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "17GiB", "1.5MiB", "abc", "KiB", "9223372036854775807", "99999999999GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
	ts, _ := newTestAPI(t)
	for _, q := range []string{"size=17GiB", "format=xml"} {
		resp, body := get(t, ts, "/large?"+q, 0, nil)
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}
