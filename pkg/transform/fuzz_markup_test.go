package transform

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// FuzzXMLReader: any body and root path under format xml gives a frame or an
// *Error that is not internal, within bounded time and memory; inferred and
// explicit columns agree on the row count.
func FuzzXMLReader(f *testing.F) {
	for _, name := range []string{"rss.xml", "soap.xml"} {
		f.Add([]byte(readTestdata(f, name)), "//item")
	}
	f.Add([]byte(`<a x="1"><b>2</b><b><c/></b>text</a>`), "/*")
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><r><n>caf`+"\xe9"+`</n></r>`), "//n[1]")
	f.Add([]byte(`<!DOCTYPE r [<!ENTITY a "aa">]><r>&a;</r>`), "")
	f.Add([]byte(`<r><![CDATA[<x>]]></r>`), `//r[@id="1"]`)
	f.Fuzz(func(t *testing.T, body []byte, root string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		lim := Limits{MaxInputBytes: 1 << 20, MaxRows: 1000}
		p := &Pipeline{Format: FormatXML, Root: root}
		if p.Validate() != nil {
			return
		}
		pr, err := Compile(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := pr.Run(ctx, Input{Body: body}, lim)
		checkResult(t, res, err)
		pe := &Pipeline{Format: FormatXML, Root: root, Columns: []Column{{Name: "a", Selector: "@id", Type: TypeInt64}, {Name: "t", Selector: "#text"}}}
		pr2, err := Compile(pe)
		if err != nil {
			t.Fatal(err)
		}
		res2, err2 := pr2.Run(ctx, Input{Body: body}, lim)
		checkResult(t, res2, err2)
		// (A frame without fields has no rows: rows of empty elements infer no columns.)
		if err == nil && err2 == nil && len(res.Frames[0].Fields) > 0 && res.Rows != res2.Rows {
			t.Fatalf("inferred %d rows, explicit %d", res.Rows, res2.Rows)
		}
		// Typed one- and two-step columns go straight into columns; the JSON route must agree.
		pd := &Pipeline{Format: FormatXML, Root: root, Columns: []Column{
			{Name: "a", Selector: "@id", Type: TypeInt64}, {Name: "b", Selector: "#text", Type: TypeString},
			{Name: "c", Selector: "b", Type: TypeJSON}, {Name: "d", Selector: "b.c", Type: TypeNumber},
			{Name: "e", Selector: "b.@x", Type: TypeString}}}
		if d, j, derr, jerr := xmlBothWays(t, pd, body); (derr == nil) != (jerr == nil) || d != j {
			t.Fatalf("direct %v\n%s\njson   %v\n%s", derr, d, jerr, j)
		}
		_, serr := InferSchema(ctx, Input{Body: body}, p, 10)
		if serr != nil && AsError(serr).Code == CodeInternal {
			t.Fatal(serr)
		}
		if _, rerr := SuggestRoots(ctx, Input{Body: body}, FormatXML); rerr != nil && AsError(rerr).Code == CodeInternal {
			t.Fatal(rerr)
		}
	})
}

// FuzzHTMLReader: any page and selector under format html.
func FuzzHTMLReader(f *testing.F) {
	f.Add([]byte(readTestdata(f, "wiki.html")), "", "td:nth-child(2)")
	f.Add([]byte(`<table><tr><th colspan=3>a</th></tr><tr><td rowspan=9>1<td>2</table>`), "tr", "@id")
	f.Add([]byte(`<ul><li data-x=1><a href=u>t</a></ul>`), "li", "a@href")
	f.Add([]byte(`<table id=t class="a b"><caption>c</caption><td>1<th>2<tr><td colspan=2>&amp;<br>x</table>`), "table#t tr", "")
	f.Fuzz(func(t *testing.T, body []byte, root, sel string) {
		if strings.Count(string(body), "<") > 20000 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		lim := Limits{MaxInputBytes: 1 << 20, MaxRows: 1000}
		for _, p := range []*Pipeline{
			{Format: FormatHTML, Root: root},
			{Format: FormatHTML, Root: root, Columns: []Column{{Name: "x", Selector: sel}, {Name: "n", Selector: sel, Type: TypeNumber}}},
		} {
			if p.Validate() != nil {
				return
			}
			pr, err := Compile(p)
			if err != nil {
				t.Fatal(err)
			}
			res, err := pr.Run(ctx, Input{Body: body}, lim)
			checkResult(t, res, err)
		}
		if _, rerr := SuggestRoots(ctx, Input{Body: body}, FormatHTML); rerr != nil && AsError(rerr).Code == CodeInternal {
			t.Fatal(rerr)
		}
		// The token-stream path, when it reads the page, agrees with the DOM path.
		if tr, ok := parseTableRoot(root); ok {
			rows, ok, serr := streamTable(ctx, body, tr)
			dom, derr := parseHTMLDoc(ctx, body, root, Limits{MaxRows: 1000}.withDefaults(), true)
			if serr == nil && ok && derr == nil {
				got := &htmlDoc{nrows: len(rows)}
				_ = got.grid(rows, Limits{MaxRows: 1000}.withDefaults(), true)
				if !reflect.DeepEqual(got.header, dom.header) || !reflect.DeepEqual(got.recs, dom.recs) {
					t.Fatalf("stream %q %q\ndom    %q %q", got.header, got.recs, dom.header, dom.recs)
				}
			}
		}
	})
}
