package transform

import (
	"bytes"
	"strconv"
	"unicode/utf8"
)

// readText reads character data up to the next '<' (or the end).
func (s *xmlScan) readText() (xmlTokKind, error) {
	rest := s.b[s.i:]
	end := bytes.IndexByte(rest, '<')
	if end < 0 {
		end = len(rest)
	}
	raw := rest[:end]
	if bytes.Contains(raw, []byte("]]>")) {
		return 0, errXMLFallback
	}
	s.text = s.text[:0]
	if !s.appendDecoded(raw) {
		return 0, errXMLFallback
	}
	s.i += end
	return xmlTokText, nil
}

// appendDecoded appends raw with entities decoded and line ends normalized,
// false for anything encoding/xml would refuse or that this subset leaves to it.
func (s *xmlScan) appendDecoded(raw []byte) bool {
	for len(raw) > 0 {
		amp := bytes.IndexByte(raw, '&')
		if amp < 0 {
			return s.appendChars(raw)
		}
		if !s.appendChars(raw[:amp]) {
			return false
		}
		raw = raw[amp:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > 12 {
			return false
		}
		ent := raw[1:semi]
		switch string(ent) {
		case "lt":
			s.text = append(s.text, '<')
		case "gt":
			s.text = append(s.text, '>')
		case "amp":
			s.text = append(s.text, '&')
		case "apos":
			s.text = append(s.text, '\'')
		case "quot":
			s.text = append(s.text, '"')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return false
			}
			var v uint64
			var err error
			if ent[1] == 'x' {
				v, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				v, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || !isInXMLRange(rune(v)) || (ent[1] == 'x' && len(ent) > 2 && (ent[2] == '+' || ent[2] == '-')) {
				return false
			}
			s.text = utf8.AppendRune(s.text, rune(v))
		}
		raw = raw[semi+1:]
	}
	return true
}

// appendChars appends text without entities: checks UTF-8 and XML's
// character range and turns \r\n and lone \r into \n, as encoding/xml does.
func (s *xmlScan) appendChars(raw []byte) bool {
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= 0x20 && c < utf8.RuneSelf {
			j := i + 1
			for j < len(raw) && raw[j] >= 0x20 && raw[j] < utf8.RuneSelf {
				j++
			}
			s.text = append(s.text, raw[i:j]...)
			i = j
			continue
		}
		switch {
		case c == '\n' || c == '\t':
			s.text = append(s.text, c)
			i++
		case c == '\r':
			s.text = append(s.text, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c < 0x20:
			return false
		default:
			r, size := utf8.DecodeRune(raw[i:])
			if (r == utf8.RuneError && size == 1) || !isInXMLRange(r) {
				return false
			}
			s.text = append(s.text, raw[i:i+size]...)
			i += size
		}
	}
	return true
}
