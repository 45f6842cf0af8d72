package transform

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"unicode/utf8"
)

// xmlScan is a fast tokenizer for the common subset of XML: UTF-8, ASCII
// names, the five predefined entities and character references, comments,
// CDATA, processing instructions. It gives the tokens encoding/xml's
// RawToken gives for such documents, without its per-token allocations
// (most of the XML reader's time). Anything outside the subset or not
// well-formed — a DOCTYPE, another encoding, a non-ASCII name, an unknown
// entity, a syntax error — is errXMLFallback: the document is read again
// with encoding/xml, which then decides, and words any error, exactly as it
// would have alone. FuzzXMLScan checks the two agree.
type xmlScan struct {
	b     []byte
	i     int
	names map[string]string // interned element and attribute names
	attrs []xml.Attr        // reused between start tags
	text  []byte            // decoded text of the last text token
	start xml.StartElement
	end   xml.EndElement
	// pendingEnd: a self-closing tag's end token comes next.
	pendingEnd bool
}

var errXMLFallback = errors.New("xml: outside the fast subset")

type xmlTokKind uint8

const (
	xmlTokStart xmlTokKind = iota + 1
	xmlTokEnd
	xmlTokText
	xmlTokDirective
)

// fastXMLEligible: no declaration, or one at the very start declaring
// version 1.0 (or none) and UTF-8 (or no encoding).
func fastXMLEligible(body []byte) bool {
	if !bytes.HasPrefix(body, []byte("<?xml")) {
		return !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("<?xml"))
	}
	end := bytes.Index(body, []byte("?>"))
	if end < 0 {
		return false
	}
	decl := body[len("<?xml"):end]
	if ver, ok := declValue(decl, "version"); !ok || (ver != nil && string(ver) != "1.0") {
		return false
	}
	enc, ok := declValue(decl, "encoding")
	return ok && (enc == nil || bytes.EqualFold(enc, []byte("utf-8")))
}

// declValue finds name="value" in an XML declaration: nil when absent,
// ok=false when it is there but not plainly quoted.
func declValue(decl []byte, name string) ([]byte, bool) {
	i := bytes.Index(decl, []byte(name))
	if i < 0 {
		return nil, true
	}
	rest := bytes.TrimLeft(decl[i+len(name):], " \t\r\n")
	if len(rest) == 0 || rest[0] != '=' {
		return nil, false
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return nil, false
	}
	q := bytes.IndexByte(rest[1:], rest[0])
	if q < 0 {
		return nil, false
	}
	return rest[1 : 1+q], true
}

func newXMLScan(body []byte) *xmlScan {
	return &xmlScan{b: body, names: map[string]string{}}
}

func (s *xmlScan) intern(b []byte) string {
	if n, ok := s.names[string(b)]; ok {
		return n
	}
	n := string(b)
	if len(s.names) < 4096 {
		s.names[n] = n
	}
	return n
}

// next reads the next token; io.EOF at the end, errXMLFallback outside the subset.
func (s *xmlScan) next() (xmlTokKind, error) {
	if s.pendingEnd {
		s.pendingEnd = false
		s.end = xml.EndElement{Name: s.start.Name}
		return xmlTokEnd, nil
	}
	if s.i >= len(s.b) {
		return 0, io.EOF
	}
	if s.b[s.i] != '<' {
		return s.readText()
	}
	rest := s.b[s.i:]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		end := bytes.Index(rest[4:], []byte("--"))
		if end < 0 || 4+end+2 >= len(rest) || rest[4+end+2] != '>' || !plainASCII(rest[4:4+end]) {
			return 0, errXMLFallback
		}
		s.i += 4 + end + 3
		return s.next()
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		end := bytes.Index(rest[9:], []byte("]]>"))
		if end < 0 {
			return 0, errXMLFallback
		}
		raw := rest[9 : 9+end]
		s.i += 9 + end + 3
		s.text = s.text[:0]
		if !s.appendChars(raw) {
			return 0, errXMLFallback
		}
		return xmlTokText, nil
	case bytes.HasPrefix(rest, []byte("<!")):
		return 0, errXMLFallback // DOCTYPE and other declarations: encoding/xml decides
	case bytes.HasPrefix(rest, []byte("<?")):
		end := bytes.Index(rest[2:], []byte("?>"))
		if end < 0 {
			return 0, errXMLFallback
		}
		end += 2
		if !plainASCII(rest[2:end]) {
			return 0, errXMLFallback
		}
		target := rest[2:end]
		if k := bytes.IndexAny(target, " \t\r\n"); k >= 0 {
			target = target[:k]
		}
		if bytes.EqualFold(target, []byte("xml")) && (s.i != 0 || !bytes.Equal(target, []byte("xml"))) {
			return 0, errXMLFallback // a declaration not at the start: encoding/xml's rules
		}
		if !asciiName(target) {
			return 0, errXMLFallback
		}
		s.i += end + 2
		return s.next()
	case len(rest) > 1 && rest[1] == '/':
		j := 2
		k := nameEnd(rest, j)
		if k == j {
			return 0, errXMLFallback
		}
		name := rest[j:k]
		for k < len(rest) && isXMLSpace(rest[k]) {
			k++
		}
		if k >= len(rest) || rest[k] != '>' {
			return 0, errXMLFallback
		}
		n, ok := s.qname(name)
		if !ok {
			return 0, errXMLFallback
		}
		s.end = xml.EndElement{Name: n}
		s.i += k + 1
		return xmlTokEnd, nil
	}
	return s.readStart(rest)
}

func (s *xmlScan) readStart(rest []byte) (xmlTokKind, error) {
	k := nameEnd(rest, 1)
	if k == 1 {
		return 0, errXMLFallback
	}
	name, ok := s.qname(rest[1:k])
	if !ok {
		return 0, errXMLFallback
	}
	s.attrs = s.attrs[:0]
	for {
		sp := k
		for k < len(rest) && isXMLSpace(rest[k]) {
			k++
		}
		if k >= len(rest) {
			return 0, errXMLFallback
		}
		switch rest[k] {
		case '>':
			s.finishStart(name, false)
			s.i += k + 1
			return xmlTokStart, nil
		case '/':
			if k+1 >= len(rest) || rest[k+1] != '>' {
				return 0, errXMLFallback
			}
			s.finishStart(name, true)
			s.i += k + 2
			return xmlTokStart, nil
		}
		if k == sp { // attributes are separated by white space
			return 0, errXMLFallback
		}
		a := k
		k = nameEnd(rest, k)
		if k == a {
			return 0, errXMLFallback
		}
		an, ok := s.qname(rest[a:k])
		if !ok {
			return 0, errXMLFallback
		}
		for k < len(rest) && isXMLSpace(rest[k]) {
			k++
		}
		if k >= len(rest) || rest[k] != '=' {
			return 0, errXMLFallback
		}
		k++
		for k < len(rest) && isXMLSpace(rest[k]) {
			k++
		}
		if k >= len(rest) || (rest[k] != '"' && rest[k] != '\'') {
			return 0, errXMLFallback
		}
		q := rest[k]
		end := bytes.IndexByte(rest[k+1:], q)
		if end < 0 {
			return 0, errXMLFallback
		}
		raw := rest[k+1 : k+1+end]
		if bytes.IndexByte(raw, '<') >= 0 {
			return 0, errXMLFallback
		}
		s.text = s.text[:0]
		if !s.appendDecoded(raw) {
			return 0, errXMLFallback
		}
		s.attrs = append(s.attrs, xml.Attr{Name: an, Value: string(s.text)})
		k += 1 + end + 1
	}
}

func (s *xmlScan) finishStart(name xml.Name, selfClose bool) {
	s.start = xml.StartElement{Name: name, Attr: s.attrs}
	s.pendingEnd = selfClose
}

// qname splits prefix:local as encoding/xml's RawToken does; names with
// more than one colon, or an empty side, are left to encoding/xml.
func (s *xmlScan) qname(b []byte) (xml.Name, bool) {
	c := bytes.IndexByte(b, ':')
	if c < 0 {
		return xml.Name{Local: s.intern(b)}, true
	}
	if c == 0 || c == len(b)-1 || bytes.IndexByte(b[c+1:], ':') >= 0 {
		return xml.Name{}, false
	}
	return xml.Name{Space: s.intern(b[:c]), Local: s.intern(b[c+1:])}, true
}

// nameEnd returns the end of the ASCII name starting at b[i] (i when there
// is none, or when it continues with a character this subset leaves to
// encoding/xml).
func nameEnd(b []byte, i int) int {
	if i >= len(b) || !nameStart(b[i]) {
		return i
	}
	j := i + 1
	for j < len(b) && (nameStart(b[j]) || b[j] == '-' || b[j] == '.' || (b[j] >= '0' && b[j] <= '9')) {
		j++
	}
	if j < len(b) && b[j] >= utf8.RuneSelf {
		return i // a non-ASCII name: encoding/xml's Unicode tables decide
	}
	return j
}

func nameStart(c byte) bool {
	return c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func asciiName(b []byte) bool { return len(b) > 0 && nameEnd(b, 0) == len(b) }

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// plainASCII: printable ASCII and white space only (comments and PIs; others go to encoding/xml).
func plainASCII(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isInXMLRange is XML 1.0's Char production (as encoding/xml checks it).
func isInXMLRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
