package transform

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"
)

// tokensOf renders a document's tokens (text runs merged, comments and
// processing instructions dropped), from the fast scanner or encoding/xml;
// fellBack/failed say the scanner declined / encoding/xml refused.
func scanTokens(body []byte) (out string, fellBack bool) {
	s := newXMLScan(body)
	var sb strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&sb, "T%q\n", text)
			text = text[:0]
		}
	}
	for {
		kind, err := s.next()
		if err == io.EOF {
			flush()
			return sb.String(), false
		}
		if err != nil {
			return "", true
		}
		switch kind {
		case xmlTokStart:
			flush()
			fmt.Fprintf(&sb, "S%s:%s", s.start.Name.Space, s.start.Name.Local)
			for _, a := range s.start.Attr {
				fmt.Fprintf(&sb, " %s:%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			sb.WriteByte('\n')
		case xmlTokEnd:
			flush()
			fmt.Fprintf(&sb, "E%s:%s\n", s.end.Name.Space, s.end.Name.Local)
		case xmlTokText:
			text = append(text, s.text...)
		}
	}
}

func stdTokens(body []byte) (out string, failed bool) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var sb strings.Builder
	var text []byte
	flush := func() {
		if len(text) > 0 {
			fmt.Fprintf(&sb, "T%q\n", text)
			text = text[:0]
		}
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			flush()
			return sb.String(), false
		}
		if err != nil {
			return "", true
		}
		switch t := tok.(type) {
		case xml.StartElement:
			flush()
			fmt.Fprintf(&sb, "S%s:%s", t.Name.Space, t.Name.Local)
			for _, a := range t.Attr {
				fmt.Fprintf(&sb, " %s:%s=%q", a.Name.Space, a.Name.Local, a.Value)
			}
			sb.WriteByte('\n')
		case xml.EndElement:
			flush()
			fmt.Fprintf(&sb, "E%s:%s\n", t.Name.Space, t.Name.Local)
		case xml.CharData:
			text = append(text, t...)
		case xml.Directive:
			return "", true // the scanner always declines these
		}
	}
}

// checkScan: what the scanner accepts, encoding/xml accepts with the same tokens.
func checkScan(t *testing.T, body []byte) (accepted bool) {
	t.Helper()
	if !fastXMLEligible(body) {
		return false
	}
	got, fellBack := scanTokens(body)
	if fellBack {
		return false
	}
	want, failed := stdTokens(body)
	if failed {
		t.Fatalf("%q: the scanner accepts what encoding/xml refuses", body)
	}
	if got != want {
		t.Fatalf("%q:\nscan %s\nstd  %s", body, got, want)
	}
	return true
}

func TestXMLScanMatchesEncodingXML(t *testing.T) {
	for _, c := range []struct {
		body     string
		accepted bool
	}{
		{readTestdata(t, "rss.xml"), true},
		{readTestdata(t, "soap.xml"), true},
		{`<a x='1' y = "a&amp;b&#60;&#x3E;"><b/>t&lt;&gt;&apos;&quot;<![CDATA[<c>]]></a>`, true},
		{"<a>\r\nline\rnext</a>", true},
		{`<a><!-- note --><?pi data?>x</a>`, true},
		{`<a>é ü 中</a>`, true},
		{"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>", true},
		{`<?xml version="1.1"?><a/>`, false},
		{`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, false},
		{`<!DOCTYPE a><a/>`, false},
		{`<a>&nbsp;</a>`, false},
		{`<a>&#0;</a>`, false},
		{"<a>\x01</a>", false},
		{"<a>\xff</a>", false},
		{`<é/>`, false},
		{`<a b=1/>`, false},
		{`<a b="<"/>`, false},
		{`<a:b:c/>`, false},
		{`<a>]]></a>`, false},
		{`<a><!-- a -- b --></a>`, false},
		{`<a`, false},
	} {
		if got := checkScan(t, []byte(c.body)); got != c.accepted {
			t.Errorf("%q: accepted %v, want %v", c.body, got, c.accepted)
		}
	}
}

// FuzzXMLScan: the fast scanner never accepts a document differently from encoding/xml.
func FuzzXMLScan(f *testing.F) {
	for _, name := range []string{"rss.xml", "soap.xml"} {
		f.Add([]byte(readTestdata(f, name)))
	}
	f.Add([]byte(`<a x='1' y = "a&amp;b&#60;"><b/>t<![CDATA[<c>]]><!--c--><?p q?></a>`))
	f.Add([]byte("<r>\r\n<n>caf\xc3\xa9</n>&#x1F600;</r>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkScan(t, body)
	})
}
