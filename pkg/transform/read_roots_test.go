package transform

import (
	"context"
	"reflect"
	"strconv"
	"testing"
)

func TestSuggestRoots(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, format, ct, body string
		want                   []RootSuggestion
	}{
		{"rss", FormatXML, "", readTestdata(t, "rss.xml"), []RootSuggestion{{"/rss/channel/item", 2}, {"/rss/channel/item/category", 3}}},
		{"soap by content type", FormatAuto, "text/xml", readTestdata(t, "soap.xml"), []RootSuggestion{{"/soap:Envelope/soap:Body/m:GetStockResponse/m:Stock", 3}}},
		{"repeated children inside rows", FormatXML, "", `<r><e><c>1</c><c>2</c></e><e><c>3</c></e></r>`, []RootSuggestion{{"/r/e", 2}, {"/r/e/c", 3}}},
		{"html tables and lists", FormatHTML, "", readTestdata(t, "wiki.html") + `<div><ul><li>a</li><li>b</li></ul></div>`,
			[]RootSuggestion{{"table#svc tr", 4}, {"html:nth-of-type(1) > body:nth-of-type(1) > div:nth-of-type(1) > ul:nth-of-type(1) > li", 2}}},
		{"json has none", FormatJSON, "", `[{"a":1}]`, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := SuggestRoots(ctx, Input{Body: []byte(c.body), ContentType: c.ct}, c.format)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v %v, want %+v", got, err, c.want)
			}
			if c.format != FormatXML {
				return
			}
			for _, s := range got { // each suggestion is a root that selects that many rows
				res, err := run(`{"format":"xml","root":`+strconv.Quote(s.Root)+`}`, Input{Body: []byte(c.body)}, Limits{})
				if err != nil || res.Rows != s.Count {
					t.Fatalf("%s: %v rows, %v", s.Root, res, err)
				}
			}
		})
	}
}

func TestSchemaXMLHTML(t *testing.T) {
	ctx := context.Background()
	fields, err := InferSchema(ctx, Input{Body: []byte(readTestdata(t, "rss.xml"))}, &Pipeline{Format: FormatXML, Root: "//item"}, 10)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range fields {
		got[f.Path] = f.Type
	}
	want := map[string]string{"title": "string", "link": "string", "guid.@isPermaLink": "boolean", "guid.#text": "string",
		"pubDate": "time", "creator": "string", "category": "string", "description": "string"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
	fields, err = InferSchema(ctx, Input{Body: []byte(readTestdata(t, "wiki.html")), ContentType: "text/html"}, &Pipeline{Format: FormatAuto}, 10)
	if err != nil || len(fields) != 5 || fields[0].Path != "Service" || fields[1].Path != "Latency (ms)" {
		t.Fatalf("%+v %v", fields, err)
	}
}

func TestXMLKeyPath(t *testing.T) {
	for in, want := range map[string]string{"@id": "@id", "#text": "#text", "@this": `\@this`, "@a.b": `\@a\.b`, "a.b": `a\.b`, "title": "title"} {
		if got := xmlKeyPath(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
