package transform

import (
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
		if err != nil || got != c.want {
			t.Errorf("%q %q: %s %v, want %s", c.ct, c.body, got, err, c.want)
		}
	}
	// An XML answer under auto is read as XML, never as a one-column CSV.
	res := mustRun(t, `{"format":"auto"}`, `<items><item><id>1</id></item><item><id>2</id></item></items>`, Limits{})
	if got := frameText(t, res); got != "id:float64\n1\n2" {
		t.Fatal(got)
	}
}
