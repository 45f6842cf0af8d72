package transformbench

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// xnode is a generic element tree, the usual way to read XML of a shape not
// known as Go structs: encoding/xml.Unmarshal fills it recursively.
type xnode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []xnode    `xml:",any"`
}

func (n *xnode) child(name string) (*xnode, bool) {
	for i := range n.Kids {
		if n.Kids[i].XMLName.Local == name {
			return &n.Kids[i], true
		}
	}
	return nil, false
}

func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

// NaiveXML is the baseline for format xml: Unmarshal the whole document into
// a generic tree, then per column a lookup and a type switch building the
// same nullable slices (id from the attribute, tags as JSON of its children).
func NaiveXML(body []byte, cols []column) (*data.Frame, error) {
	var root xnode
	if err := xml.Unmarshal(body, &root); err != nil {
		return nil, err
	}
	rows := root.Kids
	value := func(r *xnode, name string) (string, bool) {
		if name == "id" {
			return r.attr("id")
		}
		c, ok := r.child(name)
		if !ok {
			return "", false
		}
		s := strings.TrimSpace(c.Text)
		return s, s != "" || len(c.Kids) > 0
	}
	fields := make([]*data.Field, len(cols))
	for j, c := range cols {
		switch c.Type {
		case "number":
			vals := make([]*float64, len(rows))
			for i := range rows {
				if s, ok := value(&rows[i], c.Name); ok {
					if f, err := strconv.ParseFloat(s, 64); err == nil {
						vals[i] = &f
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "string":
			vals := make([]*string, len(rows))
			for i := range rows {
				if s, ok := value(&rows[i], c.Name); ok {
					vals[i] = &s
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "boolean":
			vals := make([]*bool, len(rows))
			for i := range rows {
				if s, ok := value(&rows[i], c.Name); ok {
					if v, err := strconv.ParseBool(s); err == nil {
						vals[i] = &v
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "time":
			vals := make([]*time.Time, len(rows))
			for i := range rows {
				if s, ok := value(&rows[i], c.Name); ok {
					if t, err := time.Parse(time.RFC3339, s); err == nil {
						t = t.UTC()
						vals[i] = &t
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "json":
			vals := make([]*json.RawMessage, len(rows))
			for i := range rows {
				if n, ok := rows[i].child(c.Name); ok {
					m := map[string]string{}
					for _, k := range n.Kids {
						m[k.XMLName.Local] = k.Text
					}
					if raw, err := json.Marshal(m); err == nil {
						r := json.RawMessage(raw)
						vals[i] = &r
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		}
	}
	return data.NewFrame("result", fields...), nil
}

// GoqueryTable is the baseline for format html: a goquery document, the
// table's rows, the header row's <th> texts as names, and per row the cells'
// trimmed texts converted per column into the same nullable slices.
func GoqueryTable(body []byte, cols []column) (*data.Frame, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var header []string
	var recs [][]string
	doc.Find("table tr").Each(func(_ int, tr *goquery.Selection) {
		if th := tr.Find("th"); th.Length() > 0 && tr.Find("td").Length() == 0 {
			if header == nil {
				th.Each(func(_ int, c *goquery.Selection) { header = append(header, strings.TrimSpace(c.Text())) })
			}
			return
		}
		var rec []string
		tr.Find("td").Each(func(_ int, c *goquery.Selection) { rec = append(rec, strings.TrimSpace(c.Text())) })
		recs = append(recs, rec)
	})
	fields := make([]*data.Field, len(cols))
	for j, c := range cols {
		pos := -1
		for k, h := range header {
			if h == c.Name {
				pos = k
			}
		}
		cell := func(i int) (string, bool) {
			if pos < 0 || pos >= len(recs[i]) || recs[i][pos] == "" {
				return "", false
			}
			return recs[i][pos], true
		}
		switch c.Type {
		case "number":
			vals := make([]*float64, len(recs))
			for i := range recs {
				if s, ok := cell(i); ok {
					if f, err := strconv.ParseFloat(s, 64); err == nil {
						vals[i] = &f
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		case "time":
			vals := make([]*time.Time, len(recs))
			for i := range recs {
				if s, ok := cell(i); ok {
					if t, err := time.Parse(time.RFC3339, s); err == nil {
						t = t.UTC()
						vals[i] = &t
					}
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		default:
			vals := make([]*string, len(recs))
			for i := range recs {
				if s, ok := cell(i); ok {
					vals[i] = &s
				}
			}
			fields[j] = data.NewField(c.Name, nil, vals)
		}
	}
	return data.NewFrame("result", fields...), nil
}

// ParseColumns parses a column list for a baseline.
func ParseColumns(s string) []column {
	var cols []column
	if err := json.Unmarshal([]byte(s), &cols); err != nil {
		panic(err)
	}
	return cols
}
