package transform

// An XML row becomes a JSON object (see read_xml.go): the node tree's
// writer and the JSON string escaping it shares.

import (
	"bytes"
)

// writeNode appends node k as JSON. A row is always an object, so "@id" and
// "#text" can be selected from it.
func (r *xmlReader) writeNode(out []byte, k int32, row bool) []byte {
	n := &r.nodes[k]
	text := bytes.TrimSpace(n.text)
	if !row && len(n.attrs) == 0 && len(n.kids) == 0 {
		if len(text) == 0 {
			return append(out, "null"...)
		}
		return appendJSONString(out, text)
	}
	out = append(out, '{')
	first := true
	comma := func() {
		if !first {
			out = append(out, ',')
		}
		first = false
	}
	for _, a := range n.attrs {
		comma()
		out = append(out, '"', '@')
		out = appendJSONStringBody(out, a.local)
		out = append(out, '"', ':')
		out = appendJSONStringBody(append(out, '"'), a.value)
		out = append(out, '"')
	}
	kids := n.kids
	var done map[string]bool // names already written, for elements with many children
	for j, kid := range kids {
		name := r.nodes[kid].local
		if done != nil && done[name] {
			continue
		}
		dup := false
		if done == nil {
			for _, prev := range kids[:j] {
				if r.nodes[prev].local == name {
					dup = true
					break
				}
			}
			if dup {
				continue
			}
			if j >= 32 {
				done = map[string]bool{}
				for _, prev := range kids[:j] {
					done[r.nodes[prev].local] = true
				}
			}
		}
		if done != nil {
			done[name] = true
		}
		count := 0
		for _, other := range kids[j:] {
			if r.nodes[other].local == name {
				count++
			}
		}
		comma()
		out = appendJSONStringBody(append(out, '"'), name)
		out = append(out, '"', ':')
		if count == 1 {
			out = r.writeNode(out, kid, false)
			continue
		}
		out = append(out, '[')
		w := 0
		for _, other := range kids[j:] {
			if r.nodes[other].local == name {
				if w > 0 {
					out = append(out, ',')
				}
				out = r.writeNode(out, other, false)
				w++
			}
		}
		out = append(out, ']')
	}
	if len(text) > 0 {
		comma()
		out = append(out, `"#text":`...)
		out = appendJSONString(out, text)
	}
	return append(out, '}')
}

func appendJSONString(out, s []byte) []byte {
	out = append(out, '"')
	out = appendJSONStringBody(out, bytesString(s))
	return append(out, '"')
}

const hexDigits = "0123456789abcdef"

// appendJSONStringBody escapes s for a JSON string (the decoder has checked
// that it is UTF-8).
func appendJSONStringBody(out []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
		}
		start = i + 1
	}
	return append(out, s[start:]...)
}
