package transform

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func TestXMLReader(t *testing.T) {
	rss, soap := readTestdata(t, "rss.xml"), readTestdata(t, "soap.xml")
	for _, c := range []struct {
		name, pipeline, body, want string
	}{
		{"rss items inferred", `{"format":"xml","root":"/rss/channel/item","columns":[{"name":"title"},{"name":"guid","selector":"guid.#text"},{"name":"perma","selector":"guid.@isPermaLink","type":"boolean"},{"name":"creator"},{"name":"categories","selector":"category","type":"json"},{"name":"description"}]}`, rss,
			"title:string guid:string perma:bool creator:string categories:json.RawMessage description:string\n" +
				`"API latency raised" "incident-41" false "ops" ["api","latency"] "p99 above \u003cb\u003e800 ms\u003c/b\u003e in eu-west"` + "\n" +
				`"Database failover \u0026 recovery" "incident-42" false "db-team" "db" "Primary switched to replica."`},
		{"descendant axis and time", `{"format":"xml","root":"//item","columns":[{"name":"pubDate","type":"time"}]}`, rss,
			"pubDate:time.Time\n\"2024-12-03T09:12:00Z\"\n\"2024-12-04T22:40:00Z\""},
		{"soap namespaces, attributes, text types", `{"format":"xml","root":"//m:Stock","columns":[{"name":"sku","selector":"@sku"},{"name":"qty","selector":"Quantity","type":"number"},{"name":"price","selector":"Price.#text","type":"number"},{"name":"currency","selector":"Price.@currency"},{"name":"active","selector":"Active","type":"boolean"}]}`, soap,
			"sku:string qty:float64 price:float64 currency:string active:bool\n" +
				`"A-1" 12 9.9 "EUR" true` + "\n" + `"B-2" 0 120 "EUR" false` + "\n" + `"C-3" 9007199254740992 1.5 "USD" true`},
		{"inference from text", `{"format":"xml","root":"//Stock"}`, soap,
			"@sku:string @warehouse:string Quantity:float64 Price:json.RawMessage Active:bool\n" +
				`"A-1" "par" 12 {"@currency":"EUR","#text":"9.90"} true` + "\n" +
				`"B-2" "lyo" 0 {"@currency":"EUR","#text":"120.00"} false` + "\n" +
				`"C-3" "par" 9007199254740992 {"@currency":"USD","#text":"1.5"} true`},
		{"attribute predicate", `{"format":"xml","root":"//Stock[@warehouse=\"par\"]","columns":[{"name":"sku","selector":"@sku"}]}`, soap,
			"sku:string\n\"A-1\"\n\"C-3\""},
		{"position predicate", `{"format":"xml","root":"/soap:Envelope/soap:Body/*/Stock[2]","columns":[{"name":"sku","selector":"@sku"}]}`, soap,
			"sku:string\n\"B-2\""},
		{"prefix must match", `{"format":"xml","root":"//x:Stock","columns":[{"name":"sku","selector":"@sku"}]}`, soap,
			"sku:string"},
		{"default root: children of the document element", `{"format":"xml"}`, `<items><item id="1">a</item><item id="2"/></items>`,
			"@id:float64 #text:string\n1 \"a\"\n2 null"},
		{"wildcard", `{"format":"xml","root":"/*/*"}`, `<r><a>1</a><b>2</b></r>`, "#text:float64\n1\n2"},
		{"empty result", `{"format":"xml","root":"//nothing"}`, `<r/>`, ""},
		{"iso-8859-1 declared", `{"format":"xml","root":"//n"}`, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><r><n>caf\xe9</n></r>", "#text:string\n\"café\""},
		{"auto by content", `{"format":"auto","root":"//item","columns":[{"name":"title"}]}`, rss,
			"title:string\n\"API latency raised\"\n\"Database failover \\u0026 recovery\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustRun(t, c.pipeline, c.body, Limits{})
			if got := frameText(t, res); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestXMLReaderErrors(t *testing.T) {
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>`
	external := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`
	for _, c := range []struct {
		name, pipeline, body, code, path, msg string
	}{
		{"billion laughs", `{"format":"xml"}`, laughs, CodeInvalidInput, "", "DOCTYPE declares entities"},
		{"external entity", `{"format":"xml"}`, external, CodeInvalidInput, "", "never fetched"},
		{"undeclared entity", `{"format":"xml"}`, `<r><a>&nbsp;</a></r>`, CodeInvalidInput, "", "line 1"},
		{"mismatched tag", `{"format":"xml"}`, "<r>\n<a></b></r>", CodeInvalidInput, "", "line 2"},
		{"unclosed", `{"format":"xml"}`, "<r><a>", CodeInvalidInput, "", "not closed"},
		{"not xml", `{"format":"xml"}`, "hello", CodeInvalidInput, "", "text outside the document element: \"hello\""},
		{"no element", `{"format":"xml"}`, "<!-- nothing -->", CodeInvalidInput, "", "no element found"},
		{"bad path", `{"format":"xml","root":"//a[@b=c]"}`, "<r/>", CodeInvalidPipeline, "root", "must be quoted"},
		{"bad path step", `{"format":"xml","root":"/a//"}`, "<r/>", CodeInvalidPipeline, "root", "empty step"},
		{"too deep", `{"format":"xml"}`, strings.Repeat("<a>", 600) + strings.Repeat("</a>", 600), CodeInvalidInput, "", "deeper than 512"},
		{"too many rows", `{"format":"xml"}`, "<r>" + strings.Repeat("<a/>", 11) + "</r>", CodeTooManyRows, "", "limit is 10"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(c.pipeline, Input{Body: []byte(c.body)}, Limits{MaxRows: 10})
			te := wantCode(t, err, c.code)
			if te.Path != c.path || !strings.Contains(te.Message, c.msg) {
				t.Fatalf("got %q %q, want path %q and %q", te.Path, te.Message, c.path, c.msg)
			}
		})
	}
}

// xmlBothWays reads body with p's typed columns straight into columns and
// through the JSON rows, and renders both tables.
func xmlBothWays(t testing.TB, p *Pipeline, body []byte) (direct, viaJSON string, derr, jerr error) {
	ctx := context.Background()
	lim := Limits{MaxRows: 1000}.withDefaults()
	sels, ok := directXMLColumns(p)
	if !ok {
		t.Fatalf("not direct: %+v", p.Columns)
	}
	render := func(tb *table) string {
		var sb strings.Builder
		for _, c := range tb.cols {
			fmt.Fprintf(&sb, "%s:%s", c.name, c.typ)
			for i := 0; i < tb.n; i++ {
				b, _ := json.Marshal(c.value(i))
				sb.WriteString(" " + string(b))
			}
			sb.WriteString("\n")
		}
		return sb.String()
	}
	dt, derr := readXMLColumns(ctx, body, p, sels, lim, &notices{})
	if derr == nil {
		direct = render(dt)
	}
	src, jerr := readXMLRows(ctx, body, p.Root, lim, false)
	if jerr == nil {
		var jt *table
		if jt, jerr = readRows(ctx, src, p, lim, &notices{}); jerr == nil {
			viaJSON = render(jt)
		}
	}
	return
}

func TestXMLColumnsMatchJSONRoute(t *testing.T) {
	cols := []Column{
		{Name: "a", Selector: "@id", Type: TypeInt64}, {Name: "b", Selector: "#text", Type: TypeString},
		{Name: "c", Selector: "x", Type: TypeNumber}, {Name: "d", Selector: "x", Type: TypeJSON},
		{Name: "e", Selector: "x.@u", Type: TypeString}, {Name: "f", Selector: "x.#text", Type: TypeBoolean},
		{Name: "g", Selector: "y.z", Type: TypeString}, {Name: "h", Selector: "y", Type: TypeString},
		{Name: "i", Selector: "@id", Type: TypeJSON}, {Name: "j", Selector: "y.z", Type: TypeJSON, Default: "none"},
		{Name: "k", Selector: "x.q", Type: TypeTime}, {Name: "l", Selector: "@missing", Type: TypeNumber},
	}
	for _, body := range []string{
		`<r><e id="1">t<x u="v">true</x><y><z>1</z><z>2</z></y></e><e id=" 2 "><x>12.5</x><y><z>only</z></y></e><e/></r>`,
		`<r><e id="9007199254740993"><x><q>2024-05-01T10:00:00Z</q></x><y>text</y></e><e id="x"><x></x><y/></e></r>`,
		readTestdata(t, "soap.xml"), readTestdata(t, "rss.xml"),
	} {
		p := &Pipeline{Format: FormatXML, Columns: cols}
		if strings.Contains(body, "soap") || strings.Contains(body, "rss") {
			p.Root = "//*"
		}
		d, j, derr, jerr := xmlBothWays(t, p, []byte(body))
		if (derr == nil) != (jerr == nil) || d != j {
			t.Fatalf("%.60s:\ndirect %v\n%s\njson   %v\n%s", body, derr, d, jerr, j)
		}
	}
	if _, ok := directXMLColumns(&Pipeline{Columns: []Column{{Name: "a"}}}); ok {
		t.Error("an untyped column must take the JSON route")
	}
	for _, sel := range []string{"a.b.c", "a.0", "a|b", "a.#", "@this", "a\\.b", "#(x)"} {
		if _, ok := directXMLColumns(&Pipeline{Columns: []Column{{Name: "a", Selector: sel, Type: TypeString}}}); ok {
			t.Errorf("%q must take the JSON route", sel)
		}
	}
}
