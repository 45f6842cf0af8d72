package main

import (
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// XML and HTML bodies for the pipeline's xml and html formats: a catalogue,
// an RSS feed, a SOAP answer with namespaces, an HTML status page with a
// table (colspan, rowspan, a repeated header row), and a billion-laughs
// document the reader must refuse.

func (s *server) registerMarkup(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/catalogue.xml", s.catalogueXML)
	mux.HandleFunc("GET /api/feed.rss", s.feedRSS)
	mux.HandleFunc("/api/soap/stock", s.soapStock) // SOAP clients POST; GET serves the same answer
	mux.HandleFunc("GET /status.html", s.statusHTML)
	mux.HandleFunc("GET /api/laughs.xml", s.laughsXML)
}

// catalogueRows is the number of seeded items in the catalogue.
const catalogueRows = 100

// catalogueSKU is an integer above 2^53, which float64 cannot hold exactly.
func catalogueSKU(id int) int64 { return 9007199254740000 + int64(id)*3 }

// GET /api/catalogue.xml → <catalogue><item id=".." category=".."> with child elements, the first 100 seeded
// items (stable while tests mutate the live store). Content-Type application/xml.
func (s *server) catalogueXML(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<catalogue generated="2024-01-01T00:00:00Z">` + "\n")
	for id := 1; id <= catalogueRows; id++ {
		it := seedItem(id)
		fmt.Fprintf(&b, `  <item id="%d" category="%s"><name>%s</name><sku>%d</sku><price currency="EUR">%s</price><in_stock>%t</in_stock><created_at>%s</created_at>`,
			it.ID, xmlEscape(it.Category), xmlEscape(it.Name), catalogueSKU(id), strconv.FormatFloat(it.Price, 'f', 2, 64), it.InStock, it.CreatedAt.Format(time.RFC3339))
		b.WriteString("<tags>")
		for _, t := range it.Tags {
			fmt.Fprintf(&b, "<tag>%s</tag>", xmlEscape(t))
		}
		b.WriteString("</tags></item>\n")
	}
	b.WriteString("</catalogue>\n")
	writeNegotiated(w, r, http.StatusOK, "application/xml; charset=utf-8", []byte(b.String()))
}

// GET /api/feed.rss → an RSS 2.0 feed of 10 incidents (atom and dc namespaces, CDATA descriptions).
func (s *server) feedRSS(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Relay demo status</title><link>http://demo.invalid/</link>
<atom:link href="http://demo.invalid/feed.rss" rel="self" type="application/rss+xml"/>
`)
	for i := 1; i <= 10; i++ {
		at := itemsEpoch.Add(time.Duration(i) * 7 * time.Hour)
		fmt.Fprintf(&b, `<item><title>Incident %d &amp; follow-up</title><link>http://demo.invalid/i/%d</link><guid isPermaLink="false">incident-%d</guid><pubDate>%s</pubDate><dc:creator>team-%d</dc:creator><category>%s</category><description><![CDATA[<p>Latency above <b>%d ms</b></p>]]></description></item>
`, i, i, i, at.Format(time.RFC1123), i%3, []string{"api", "db", "network"}[i%3], 100*i)
	}
	b.WriteString("</channel></rss>\n")
	writeNegotiated(w, r, http.StatusOK, "application/rss+xml; charset=utf-8", []byte(b.String()))
}

// /api/soap/stock → a SOAP 1.1 envelope (soap and m prefixes) with 5 m:Stock elements.
func (s *server) soapStock(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:m="urn:relay-demo:inventory">
<soap:Header><m:RequestId>demo-1</m:RequestId></soap:Header>
<soap:Body><m:GetStockResponse>
`)
	for id := 1; id <= 5; id++ {
		it := seedItem(id)
		fmt.Fprintf(&b, `<m:Stock sku="%d" warehouse="%s"><m:Name>%s</m:Name><m:Quantity>%d</m:Quantity><m:Price currency="EUR">%s</m:Price></m:Stock>
`, catalogueSKU(id), []string{"par", "lyo"}[id%2], xmlEscape(it.Name), (id*37)%50, strconv.FormatFloat(it.Price, 'f', 2, 64))
	}
	b.WriteString("</m:GetStockResponse></soap:Body></soap:Envelope>\n")
	writeBody(w, http.StatusOK, "text/xml; charset=utf-8", []byte(b.String()))
}

// statusServices are the rows of the status page.
var statusServices = []struct {
	name     string
	p50, p99 int // -1: n/a (one cell spanning both)
	status   string
	uptime   string
}{
	{"api", 12, 40, "operational", "99.98"},
	{"auth", 8, 31, "operational", "99.99"},
	{"search", -1, -1, "degraded", "98.70"},
	{"billing", 20, 95, "operational", "99.95"},
	{"exports", 150, 900, "down", "97.10"},
}

// GET /status.html → a page whose table#services has a two-row header (colspan), a rowspan and a repeated header
// row half way, as long Wikipedia-style tables do. Content-Type text/html.
func (s *server) statusHTML(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Relay demo status</title><style>td{padding:2px}</style></head>
<body><h1>Status</h1>
<table id="services" class="wikitable">
<thead><tr><th>Service</th><th>p50 (ms)</th><th>p99 (ms)</th><th>Status</th><th>Uptime %</th><th>Page</th></tr></thead>
<tbody>
`)
	for i, sv := range statusServices {
		if i == 3 {
			b.WriteString("<tr><th>Service</th><th>p50 (ms)</th><th>p99 (ms)</th><th>Status</th><th>Uptime %</th><th>Page</th></tr>\n")
		}
		lat := fmt.Sprintf("<td>%d</td><td>%d</td>", sv.p50, sv.p99)
		if sv.p50 < 0 {
			lat = `<td colspan="2">n/a</td>`
		}
		fmt.Fprintf(&b, `<tr data-service="%s"><td><b>%s</b></td>%s<td>%s</td><td>%s</td><td><a href="/svc/%s">details</a></td></tr>`+"\n",
			sv.name, html.EscapeString(sv.name), lat, sv.status, sv.uptime, sv.name)
	}
	b.WriteString(`</tbody></table>
<ul class="incidents"><li>2024-01-02 search reindex</li><li>2024-01-03 exports outage</li></ul>
</body></html>
`)
	writeNegotiated(w, r, http.StatusOK, "text/html; charset=utf-8", []byte(b.String()))
}

// GET /api/laughs.xml → the billion-laughs document (nested entity definitions): readers must refuse it, not expand it.
func (s *server) laughsXML(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE lolz [<!ENTITY lol "lol">`)
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		fmt.Fprintf(&b, `<!ENTITY %s "%s">`, name, strings.Repeat("&"+prev+";", 10))
		prev = name
	}
	b.WriteString("]>\n<lolz>&" + prev + ";</lolz>\n")
	writeBody(w, http.StatusOK, "application/xml", []byte(b.String()))
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
