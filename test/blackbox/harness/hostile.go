package harness

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Hostile is an upstream on loopback that serves the worst cases of the
// security review (issue 21): small answers that parse into large trees, or
// take quadratic time to match. Black-box tests and bench/memory point a
// data source (or a named upstream) at it. Every answer is built once.
type Hostile struct {
	srv *httptest.Server
}

// HostilePaths are the answers Hostile serves, by path.
var HostilePaths = []string{
	"/gzip-as-html", "/gzip-bomb.json", "/spans.html", "/deep.xml", "/wide.html", "/lists.html", "/cells.csv", "/echo",
}

type hostileAnswer struct {
	contentType, encoding string
	body                  []byte
}

var (
	hostileOnce    sync.Once
	hostileAnswers map[string]hostileAnswer
)

func buildHostile() {
	bomb := gzipOf(bytes.Repeat([]byte("<p>"), 64<<20/3)) // 64 MiB of paragraphs: ~64 KB of gzip
	zeros := gzipOf(bytes.Repeat([]byte(" "), 256<<20))   // 256 MiB of JSON white space: ~256 KB
	hostileAnswers = map[string]hostileAnswer{
		// gzip served as HTML without Content-Encoding: decoded on magic
		// bytes it was 64 MiB of elements, 2.6 GB of DOM.
		"/gzip-as-html": {contentType: "text/html", body: bomb},
		// A declared gzip body decompressing far past any input limit.
		"/gzip-bomb.json": {contentType: "application/json", encoding: "gzip", body: zeros},
		// 1.4 MB of cells spanning 1,000 columns and 1,000 rows: 1.7 GB of grid.
		"/spans.html": {contentType: "text/html", body: spans()},
		// 511 nested elements with 10 KB names (10 MB): every open element's
		// path kept as a string was 1.28 GB.
		"/deep.xml": {contentType: "application/xml", body: deepXML()},
		// 70,000 sibling <p> (480 KB): :nth-child over them is quadratic.
		"/wide.html": {contentType: "text/html", body: []byte("<html><body><div>" + strings.Repeat("<p>x</p>", 60_000) + "</div></body></html>")},
		// 16 MiB of CSV: 1,000 columns of one-digit cells (8 million cells).
		"/cells.csv": {contentType: "text/csv", body: cellsCSV()},
		// 80 lists inside 500 nested elements sharing one id, then 40,000
		// empty elements (290 KB): root suggestions asked "does #x select
		// this ancestor alone" with a walk of the page per ancestor per list.
		"/lists.html": {contentType: "text/html", body: []byte("<html><body>" + strings.Repeat(`<div id=x>`, 500) +
			strings.Repeat("<ul><li>a<li>b</ul>", 80) + strings.Repeat("</div>", 500) + strings.Repeat("<i></i>", 40_000) + "</body></html>")},
	}
}

func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

func spans() []byte {
	var b strings.Builder
	b.WriteString("<table>")
	for b.Len() < 1_400_000 {
		b.WriteString(`<tr><td colspan=1000 rowspan=1000>x</td></tr>`)
	}
	b.WriteString("</table>")
	return []byte(b.String())
}

func cellsCSV() []byte {
	var b bytes.Buffer
	for i := range 1000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("c" + strconv.Itoa(i))
	}
	b.WriteByte('\n')
	row := strings.TrimSuffix(strings.Repeat("1,", 1000), ",") + "\n"
	for b.Len()+len(row) <= 16<<20-64 {
		b.WriteString(row)
	}
	return b.Bytes()
}

func deepXML() []byte {
	name := "n" + strings.Repeat("a", 10_000)
	var b bytes.Buffer
	for range 511 {
		b.WriteString("<" + name + ">")
	}
	for range 511 {
		b.WriteString("</" + name + ">")
	}
	return b.Bytes()
}

// StartHostile serves the hostile answers until t ends; /echo answers a
// JSON object echoing the request body (for pagination bodies).
func StartHostile(t testing.TB) *Hostile {
	t.Helper()
	hostileOnce.Do(buildHostile)
	h := &Hostile{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/echo" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"items":[{"id":1}]}`))
			return
		}
		a, ok := hostileAnswers[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		if a.encoding != "" {
			w.Header().Set("Content-Encoding", a.encoding)
		}
		_, _ = w.Write(a.body)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// URL is the hostile upstream's base URL.
func (h *Hostile) URL() string { return h.srv.URL }
