package transformbench

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/itchyny/gojq"

	"github.com/relay-gateway/relay/pkg/transform"
)

// Formats of issue 14, each next to its baseline (bench/transform.sh prints
// the ratios and targets): XML vs encoding/xml Unmarshal into generic trees,
// an HTML table vs goquery + a loop, the jq step vs the explicit-columns path.

var (
	xmlOnce, htmlOnce sync.Once
	xmlBody, htmlBody []byte
)

func xmlInput() []byte  { xmlOnce.Do(func() { xmlBody = GenerateXML(Rows) }); return xmlBody }
func htmlInput() []byte { htmlOnce.Do(func() { htmlBody = GenerateHTML(HTMLRows) }); return htmlBody }

func engineRows(b *testing.B, pr *transform.Program, rows int) func([]byte) any {
	return func(body []byte) any {
		res, err := pr.Run(context.Background(), transform.Input{Body: body}, transform.Limits{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != rows {
			b.Fatalf("rows = %d", res.Rows)
		}
		return res
	}
}

// BenchmarkXMLEngine: format xml, explicit typed columns, 100k rows.
func BenchmarkXMLEngine(b *testing.B) {
	runOn(b, xmlInput(), Rows, engineRows(b, compile(b, `{"format":"xml","root":"/rows/row","columns":`+XMLColumns+`}`), Rows))
}

// BenchmarkXMLNaive: xml.Unmarshal into a generic element tree, then a type switch per column.
func BenchmarkXMLNaive(b *testing.B) {
	cols := ParseColumns(XMLColumns)
	runOn(b, xmlInput(), Rows, func(body []byte) any {
		f, err := NaiveXML(body, cols)
		if err != nil || f.Rows() != Rows {
			b.Fatal(err, f.Rows())
		}
		return f
	})
}

// BenchmarkHTMLEngine: format html, the first table, typed columns by header name, 10k rows.
func BenchmarkHTMLEngine(b *testing.B) {
	runOn(b, htmlInput(), HTMLRows, engineRows(b, compile(b, `{"format":"html","columns":`+HTMLColumns+`}`), HTMLRows))
}

// BenchmarkHTMLGoquery: goquery document, Find rows and cells, the same typed slices.
func BenchmarkHTMLGoquery(b *testing.B) {
	cols := ParseColumns(HTMLColumns)
	runOn(b, htmlInput(), HTMLRows, func(body []byte) any {
		f, err := GoqueryTable(body, cols)
		if err != nil || f.Rows() != HTMLRows {
			b.Fatal(err)
		}
		return f
	})
}

// BenchmarkJQStep: the explicit columns, then a jq step reshaping every row.
func BenchmarkJQStep(b *testing.B) {
	run(b, engine(b, compile(b, `{"columns":`+Columns+`,"steps":[{"type":"jq","expr":"map({id, host, cpu, ok, latency_ms})"}]}`)))
}

// BenchmarkJQRoot: rootSyntax jq selecting every row.
func BenchmarkJQRoot(b *testing.B) {
	run(b, engine(b, compile(b, `{"rootSyntax":"jq","root":".[] | {id, host, cpu, ok, latency_ms}"}`)))
}

// BenchmarkJQGJSONColumns: the same five columns through the gjson explicit-columns path (the jq targets' baseline).
func BenchmarkJQGJSONColumns(b *testing.B) {
	run(b, engine(b, compile(b, `{"columns":[{"name":"id","type":"number"},{"name":"host","type":"string"},{"name":"cpu","type":"number"},{"name":"ok","type":"boolean"},{"name":"latency_ms","type":"number"}]}`)))
}

// BenchmarkJQFloor: gojq alone running the JQStep program over rows already
// decoded into map[string]any (decoding not timed) — what any gojq-based
// step costs at least, to compare with JQStep and JQGJSONColumns.
func BenchmarkJQFloor(b *testing.B) {
	var rows []any
	if err := json.Unmarshal(input(b), &rows); err != nil {
		b.Fatal(err)
	}
	q, err := gojq.Parse("map({id, host, cpu, ok, latency_ms})")
	if err != nil {
		b.Fatal(err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		b.Fatal(err)
	}
	run(b, func([]byte) any {
		v, _ := code.Run(rows).Next()
		if a, ok := v.([]any); !ok || len(a) != Rows {
			b.Fatalf("%T", v)
		}
		return v
	})
}
