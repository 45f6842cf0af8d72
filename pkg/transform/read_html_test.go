package transform

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

func TestHTMLReader(t *testing.T) {
	wiki := readTestdata(t, "wiki.html")
	for _, c := range []struct {
		name, pipeline, body, want string
	}{
		{"first table, header, colspan and rowspan", `{"format":"html"}`, wiki,
			"Service:string Latency (ms):string Latency (ms)_2:string Status:string Link:string\n" +
				`"api" "12" "40" "ok" "details"` + "\n" +
				`"auth" "8" "31" "ok" "details"` + "\n" +
				`"search" "n/a" "n/a" "down since 09:00" "details"`},
		{"explicit columns: header names, CSS, attributes", `{"format":"html","root":"table#svc tr","columns":[{"name":"Service"},{"name":"p50","selector":"td:nth-child(2)","type":"number"},{"name":"href","selector":"a@href"},{"name":"status","selector":"Status"}]}`, wiki,
			"Service:string p50:float64 href:string status:string\n" +
				`"api" 12 "/s/api" "ok"` + "\n" + `"auth" 8 "/s/auth" "ok"` + "\n" + `"search" null "/s/search" "down since 09:00"`},
		{"inferred numbers", `{"format":"html"}`, `<table><tr><th>a</th><th>b</th></tr><tr><td> 1 </td><td>true</td></tr><tr><td>2.5</td><td>false</td></tr></table>`,
			"a:float64 b:bool\n1 true\n2.5 false"},
		{"no header", `{"format":"html","root":"#other tr"}`, wiki, "col1:string\n\"x\""},
		{"non-table rows", `{"format":"html","root":"ul.items > li","columns":[{"name":"id","selector":"@data-id","type":"number"},{"name":"label","selector":"span"}]}`,
			`<ul class="items"><li data-id="1"><span>one</span></li><li data-id="2"><span> two  words </span></li></ul>`,
			"id:float64 label:string\n1 \"one\"\n2 \"two words\""},
		{"unknown header is null with a notice", `{"format":"html","columns":[{"name":"Missing"}]}`, wiki, "Missing:string\nnull\nnull\nnull"},
		{"auto by doctype", `{"format":"auto","columns":[{"name":"Service"}]}`, wiki, "Service:string\n\"api\"\n\"auth\"\n\"search\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			res := mustRun(t, c.pipeline, c.body, Limits{})
			if got := frameText(t, res); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestHTMLReaderErrors(t *testing.T) {
	for _, c := range []struct {
		name, pipeline, body, code, path, msg string
	}{
		{"bad selector", `{"format":"html","root":"tr[["}`, "<table/>", CodeInvalidPipeline, "root", "invalid CSS selector"},
		{"too deep", `{"format":"html","root":"div"}`, strings.Repeat("<div>", 600), CodeInvalidInput, "", "512"},
		{"too many rows", `{"format":"html","root":"li"}`, "<ul>" + strings.Repeat("<li>x</li>", 11) + "</ul>", CodeTooManyRows, "", "limit is 10"},
		{"spans past the cell limit", `{"format":"html"}`, "<table>" + strings.Repeat(`<tr><td colspan="1000">x</td></tr>`, 5), CodeOutputTooLarge, "", "too many cells"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := run(c.pipeline, Input{Body: []byte(c.body)}, Limits{MaxRows: 10, MaxCells: 4000})
			te := wantCode(t, err, c.code)
			if te.Path != c.path || !strings.Contains(te.Message, c.msg) {
				t.Fatalf("got %q %q, want path %q and %q", te.Path, te.Message, c.path, c.msg)
			}
		})
	}
}

func TestAutoDetection(t *testing.T) {
	for _, c := range []struct{ ct, body, want, err string }{
		{"application/xml", "{}", FormatXML, ""},
		{"application/rss+xml; charset=utf-8", "", FormatXML, ""},
		{"text/html", "", FormatHTML, ""},
		{"", "<?xml version=\"1.0\"?><a/>", FormatXML, ""},
		{"", "  <feed xmlns=\"http://www.w3.org/2005/Atom\"/>", FormatXML, ""},
		{"", "<!DOCTYPE html><html></html>", FormatHTML, ""},
		{"", "<!-- c --><HTML>", FormatHTML, ""},
		{"text/plain", "<table><tr><td>1</td></tr></table>", FormatHTML, ""},
		{"", "a,b\n1,2", FormatCSV, ""},
		{"image/png", "\x89PNG\r\n\x1a\n", "", `Content-Type "image/png", starts with "\x89PNG\r\n\x1a\n"`},
		{"", "\x00\x01binary", "", `Content-Type "(none)", starts with "\x00\x01binary"`},
		{"application/octet-stream", strings.Repeat("z", 100), "", `starts with "` + strings.Repeat("z", 64) + `"…`},
	} {
		got, err := sniffFormat(c.ct, []byte(c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Message, c.err) || err.Code != CodeInvalidInput {
				t.Errorf("%q %q: %v, want error with %s", c.ct, c.body, err, c.err)
			}
			continue
		}
		if err != nil || got.name != c.want {
			t.Errorf("%q %q: %v %v, want %s", c.ct, c.body, got, err, c.want)
		}
	}
	// An XML answer under auto is read as XML, never as a one-column CSV.
	res := mustRun(t, `{"format":"auto"}`, `<items><item><id>1</id></item><item><id>2</id></item></items>`, Limits{})
	if got := frameText(t, res); got != "id:float64\n1\n2" {
		t.Fatal(got)
	}
}

// domTable reads like htmlPage but always through the DOM path.
func domTable(t *testing.T, body, root string) *htmlDoc {
	t.Helper()
	d, err := parseHTMLDoc(context.Background(), []byte(body), root, Limits{MaxRows: 1000}.withDefaults(), false)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The token-stream path gives the DOM path's rows, or declines.
func TestHTMLStreamMatchesDOM(t *testing.T) {
	wiki := readTestdata(t, "wiki.html")
	for _, c := range []struct {
		name, body, root string
		declines         bool
	}{
		{"wiki first table", wiki, "", false},
		{"wiki by id", wiki, "table#svc tr", false},
		{"by class", wiki, "table.wikitable tr", false},
		{"second table", wiki, "table#other tr", false},
		{"implied cells and rows", `<table><td>a<td>b<tr><th>x<td>y</table>`, "", false},
		{"thead tbody tfoot", `<table><thead><tr><th>h</th></tr></thead><tbody><tr><td>1</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>`, "", false},
		{"entities, br, script, nbsp", "<table><tr><td>a&amp;b<br>c<script>x()</script>&nbsp; d</td><td><style>p{}</style> 1 </td></tr></table>", "", false},
		{"caption and stray text", `<table><caption>cap</caption>stray<tr><td>1</td></tr></table>`, "", false},
		{"spans", `<table><tr><td rowspan=" 2 ">r</td><td colspan=+2>c</td><td colspan=x>d</td></tr><tr><td>e</td></tr></table>`, "", false},
		{"no table", `<p>none</p>`, "", false},
		{"nested table declines", `<table><tr><td><table><tr><td>in</td></tr></table></td></tr></table>`, "", true},
		{"template declines", `<template><table><tr><td>t</td></tr></table></template><table><tr><td>1</td></tr></table>`, "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, ok := parseTableRoot(c.root)
			if !ok {
				t.Fatalf("root %q not streamable", c.root)
			}
			rows, ok, err := streamTable(context.Background(), []byte(c.body), tr)
			if err != nil || ok == c.declines {
				t.Fatalf("ok %v err %v", ok, err)
			}
			if c.declines {
				return
			}
			got := &htmlDoc{nrows: len(rows)}
			if err := got.grid(rows, Limits{MaxRows: 1000}.withDefaults(), false); err != nil {
				t.Fatal(err)
			}
			want := domTable(t, c.body, c.root)
			if !reflect.DeepEqual(got.header, want.header) || !reflect.DeepEqual(got.recs, want.recs) || got.nrows != want.nrows {
				t.Fatalf("stream %q %q (%d rows)\ndom    %q %q (%d rows)", got.header, got.recs, got.nrows, want.header, want.recs, want.nrows)
			}
		})
	}
	for _, root := range []string{"tr", "table tr td", "table > tr", "#svc tr", "table#a#b tr", "table:first-child tr"} {
		if _, ok := parseTableRoot(root); ok {
			t.Errorf("%q must take the DOM path", root)
		}
	}
}
