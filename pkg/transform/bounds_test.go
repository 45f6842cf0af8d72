package transform

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// Issue 21: what is built from the input is charged as it grows; selectors
// are costed before matching; root suggestions stay linear.

// countingBudget is a Limits.Memory that allows max bytes.
type countingBudget struct{ taken, max int64 }

var errFull = errors.New("full")

func (b *countingBudget) Take(n int64) error {
	if b.taken+n > b.max {
		return errFull
	}
	b.taken += n
	return nil
}

func TestMemoryChargedForDOMGridAndDecodedBody(t *testing.T) {
	page := []byte("<html><body><div>" + strings.Repeat("<p>x</p>", 20_000) + "</div></body></html>") // 160 KB
	// The DOM is charged ≈ 48 bytes per byte as the parser reads.
	b := &countingBudget{max: 1 << 30}
	if _, err := run(`{"format":"html","root":"div > p"}`, Input{Body: page}, Limits{Memory: b}); err != nil {
		t.Fatal(err)
	}
	if b.taken < 40*int64(len(page)) {
		t.Fatalf("DOM of %d bytes charged %d", len(page), b.taken)
	}
	_, err := run(`{"format":"html","root":"div > p"}`, Input{Body: page}, Limits{Memory: &countingBudget{max: 1 << 20}})
	wantCode(t, err, CodeMemoryBudget)
	if !errors.Is(err, errFull) {
		t.Fatalf("the budget's error is not wrapped: %v", err)
	}
	// Spanning cells are charged per cell (the stream path builds no DOM).
	spans := []byte("<table>" + strings.Repeat(`<tr><td colspan=1000 rowspan=1000>x</td></tr>`, 2000) + "</table>")
	_, err = run(`{"format":"html"}`, Input{Body: spans}, Limits{Memory: &countingBudget{max: 32 << 20}})
	wantCode(t, err, CodeMemoryBudget)
	// Table cells (CSV, JSON, NDJSON, XML) are charged as rows and columns are added.
	csv := []byte("a,b,c,d\n" + strings.Repeat("1,2,3,4\n", 100_000))
	b = &countingBudget{max: 1 << 30}
	if _, err := run(`{"format":"csv"}`, Input{Body: csv}, Limits{Memory: b}); err != nil {
		t.Fatal(err)
	}
	if b.taken < 400_000*tableCellBytes-meterChunk {
		t.Fatalf("400,000 cells charged %d", b.taken)
	}
	_, err = run(`{}`, Input{Body: []byte(rowsJSON(100_000))}, Limits{Memory: &countingBudget{max: 4 << 20}})
	wantCode(t, err, CodeMemoryBudget)
	// A declared gzip body is charged as its buffer grows.
	b = &countingBudget{max: 1 << 30}
	body := []byte(rowsJSON(2000))
	if _, err := run(`{}`, Input{Body: gz(body), ContentEncoding: "gzip"}, Limits{Memory: b}); err != nil {
		t.Fatal(err)
	}
	if b.taken < int64(len(body)) {
		t.Fatalf("decoded %d bytes, charged %d", len(body), b.taken)
	}
	// /schema's inference and suggestions take the same limits.
	_, err = InferSchemaWithin(t.Context(), Input{Body: page}, &Pipeline{Format: FormatHTML, Root: "div > p"}, 10, Limits{Memory: &countingBudget{max: 1 << 20}})
	wantCode(t, err, CodeMemoryBudget)
	_, err = SuggestRootsWithin(t.Context(), Input{Body: page}, FormatHTML, Limits{Memory: &countingBudget{max: 1 << 20}})
	wantCode(t, err, CodeMemoryBudget)
	_, err = InferSchemaWithin(t.Context(), Input{Body: page}, &Pipeline{Format: FormatHTML}, 10, Limits{MaxInputBytes: 1024})
	wantCode(t, err, CodeInputTooLarge)
}

func TestCSSCostRefusesQuadraticForms(t *testing.T) {
	wide := []byte("<html><body><div>" + strings.Repeat("<p>x</p>", 20_000) + "</div><table>" +
		strings.Repeat("<tr><td>1</td><td>2</td></tr>", 200) + "</table></body></html>")
	doc, err := html.Parse(bytes.NewReader(wide))
	if err != nil {
		t.Fatal(err)
	}
	st := htmlStats(doc)
	if st.width < 20_000 || st.tags["p"].count != 20_000 {
		t.Fatalf("stats: width %d, p %+v", st.width, st.tags["p"])
	}
	for sel, refused := range map[string]bool{
		"p:nth-child(2n+1)": true, ":nth-child(odd)": true, "p:only-child": true, "p ~ p": true,
		"div:has(p:nth-child(3))": true, "p:nth-last-of-type(1)": true,
		"div > p": false, "table tr": false, "tr:nth-child(odd)": false, "td:nth-child(2)": false,
		"table:has(td)": false, "p + p": false, "p.x": false, "div p": false,
	} {
		m, err := parseCSS(sel)
		if err != nil {
			t.Fatal(sel, err)
		}
		if got := st.checkCSSCost("root", sel, m, float64(st.nodes)) != nil; got != refused {
			t.Errorf("%s: refused %v (cost %.2g), want %v", sel, got, st.cssCost(m), refused)
		}
	}
	for _, bad := range []string{strings.Repeat(":not(", 9) + "p" + strings.Repeat(")", 9), strings.Repeat("p ", 600)} {
		if _, err := parseCSS(bad); err == nil {
			t.Errorf("%.30s… parsed", bad)
		}
	}
	// Refused as a pipeline error before matching; the deadline stops matching.
	_, err = run(`{"format":"html","root":"p:nth-child(2n+1)"}`, Input{Body: wide}, Limits{})
	wantCode(t, err, CodeExprTooCostly)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := queryAll(ctx, doc, cascadia.MustCompile("p"), false); AsError(err).Code != CodeTimeout {
		t.Fatalf("cancelled query: %v", err)
	}
	// queryAll answers as cascadia does.
	got, _ := queryAll(context.Background(), doc, cascadia.MustCompile("tr:nth-child(odd) td + td"), false)
	if want := cascadia.QueryAll(doc, cascadia.MustCompile("tr:nth-child(odd) td + td")); len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("queryAll %d, cascadia %d", len(got), len(want))
	}
}

func TestRootSuggestionsStayLinear(t *testing.T) {
	// 60 nested elements with 2 KB names: paths are interned, long ones not suggested.
	name := "n" + strings.Repeat("a", 2000)
	deep := strings.Repeat("<"+name+">", 60) + "<x/><x/>" + strings.Repeat("</"+name+">", 60)
	b := &countingBudget{max: 1 << 30}
	roots, err := SuggestRootsWithin(t.Context(), Input{Body: []byte(deep)}, FormatXML, Limits{Memory: b})
	if err != nil || len(roots) != 0 {
		t.Fatalf("deep: %v %v", roots, err)
	}
	if b.taken > 1<<20 {
		t.Fatalf("charged %d for %d bytes", b.taken, len(deep))
	}
	lists := "<html><body>" + strings.Repeat("<ul><li>a<li>b</ul>", 2000) + "</body></html>"
	roots, err = SuggestRoots(t.Context(), Input{Body: []byte(lists)}, FormatHTML)
	if err != nil || len(roots) != maxRootSuggestions || roots[3].Root != "html:nth-of-type(1) > body:nth-of-type(1) > ul:nth-of-type(4) > li" {
		t.Fatalf("lists: %+v %v", roots, err)
	}
}
