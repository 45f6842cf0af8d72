package transformbench

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
)

// GenerateXML is the data set of Generate as XML: <rows><row id="…"> with one
// child element per field (an explicit null is an empty element, a missing
// key no element) and tags as nested elements.
func GenerateXML(n int) []byte {
	var rows []map[string]any
	dec := json.NewDecoder(bytes.NewReader(Generate(n)))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.Grow(n * 400)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<rows>\n")
	for _, r := range rows {
		fmt.Fprintf(&b, `<row id="%s">`, r["id"])
		for _, k := range []string{"ts", "host", "cpu", "mem_bytes", "ok", "status", "msg", "tags", "latency_ms"} {
			v, present := r[k]
			if !present {
				continue
			}
			switch x := v.(type) {
			case nil:
				fmt.Fprintf(&b, "<%s/>", k)
			case map[string]any:
				fmt.Fprintf(&b, "<%s>", k)
				for _, t := range []string{"region", "zone", "canary"} {
					fmt.Fprintf(&b, "<%s>%v</%s>", t, x[t], t)
				}
				fmt.Fprintf(&b, "</%s>", k)
			case string:
				fmt.Fprintf(&b, "<%s>", k)
				_ = xml.EscapeText(&b, []byte(x))
				fmt.Fprintf(&b, "</%s>", k)
			default:
				fmt.Fprintf(&b, "<%s>%v</%s>", k, x, k)
			}
		}
		b.WriteString("</row>\n")
	}
	b.WriteString("</rows>\n")
	return b.Bytes()
}

// XMLColumns are Columns for the XML data set (id is an attribute).
const XMLColumns = `[
 {"name":"ts","type":"time","timeFormat":"rfc3339"},
 {"name":"id","selector":"@id","type":"number"},
 {"name":"host","type":"string"},
 {"name":"cpu","type":"number"},
 {"name":"mem_bytes","type":"number"},
 {"name":"ok","type":"boolean"},
 {"name":"status","type":"number"},
 {"name":"msg","type":"string"},
 {"name":"tags","type":"json"},
 {"name":"latency_ms","type":"number"}]`

// HTMLRows is the size of the HTML table benchmark.
const HTMLRows = 10_000

// HTMLColumns: the table's header cells and their types.
const HTMLColumns = `[
 {"name":"ts","type":"time","timeFormat":"rfc3339"},
 {"name":"id","type":"number"},
 {"name":"host","type":"string"},
 {"name":"cpu","type":"number"},
 {"name":"status","type":"number"},
 {"name":"msg","type":"string"}]`

// GenerateHTML is a page with one table of n rows (the first n rows of the
// data set, six columns) under a <th> header row, cells with some markup.
func GenerateHTML(n int) []byte {
	var rows []map[string]any
	dec := json.NewDecoder(bytes.NewReader(Generate(n)))
	dec.UseNumber()
	if err := dec.Decode(&rows); err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.WriteString("<!DOCTYPE html>\n<html><head><title>hosts</title></head><body><h1>Hosts</h1>\n<table class=\"wikitable\" id=\"hosts\">\n")
	b.WriteString("<tr><th>ts</th><th>id</th><th>host</th><th>cpu</th><th>status</th><th>msg</th></tr>\n")
	cell := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			var e bytes.Buffer
			_ = xml.EscapeText(&e, []byte(x))
			return e.String()
		}
		return fmt.Sprint(v)
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%s</td><td><a href=\"/h/%s\">%s</a></td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			cell(r["ts"]), cell(r["id"]), cell(r["host"]), cell(r["host"]), cell(r["cpu"]), cell(r["status"]), cell(r["msg"]))
	}
	b.WriteString("</table></body></html>\n")
	return b.Bytes()
}
