package upstream

import (
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The scrubber's matching: where in a text the forms of a secret are, in the
// text as written and in the text with its escapes undone.

// maxUnescapeLayers is how many escaping layers are undone: JSON inside JSON
// (\\u003c) or a percent-encoded value inside HTML (&#37;3C) are two.
const maxUnescapeLayers = 2

// partialLen is the shortest prefix of a form of n bytes that is replaced on
// its own: whole forms under 7 bytes, 6 bytes of longer ones, 8 of tokens of
// 24 bytes or more (fewer chance matches with ordinary words). Shorter
// prefixes carry too little of a secret to matter and too often are words.
func partialLen(n int) int {
	switch {
	case n <= 6:
		return n
	case n >= 24:
		return 8
	}
	return 6
}

type span struct{ start, end int }

// spanMap maps each byte of an unescaped text to the bytes of the original
// text it came from (an escape's bytes all map to the whole escape).
type spanMap struct{ start, end []int }

func (m *spanMap) original(sp span) span {
	if m == nil {
		return sp
	}
	return span{m.start[sp.start], m.end[sp.end-1]}
}

// findSecrets returns the spans of the original text (through m) where a
// form or a long enough prefix of one occurs in text.
func findSecrets(text string, forms []string, m *spanMap) []span {
	var out []span
	for _, f := range forms {
		k := partialLen(len(f))
		head := f[:k]
		for i := 0; ; {
			j := strings.Index(text[i:], head)
			if j < 0 {
				break
			}
			j += i
			n := k
			for j+n < len(text) && n < len(f) && text[j+n] == f[n] {
				n++
			}
			out = append(out, m.original(span{j, j + n}))
			i = j + n
		}
	}
	return out
}

// redact replaces the spans (overlapping or not) of msg with "[redacted]".
func redact(msg string, spans []span) string {
	if len(spans) == 0 {
		return msg
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		sp := spans[i]
		for i++; i < len(spans) && spans[i].start <= sp.end; i++ {
			sp.end = max(sp.end, spans[i].end)
		}
		b.WriteString(msg[last:sp.start])
		b.WriteString("[redacted]")
		last = sp.end
	}
	b.WriteString(msg[last:])
	return b.String()
}

// unescape undoes one layer of the escapes an upstream may have put around a
// secret it reflects: JSON and JavaScript string escapes (\uXXXX with
// surrogate pairs, \xHH, \", \/, \n, ...), HTML character references (&lt;,
// &#60;, &#x3c;) and percent-encoding (%3C). prev maps text to the original;
// the result's map goes all the way back. A nil map means nothing changed.
func unescape(text string, prev *spanMap) (string, *spanMap) {
	if !strings.ContainsAny(text, `\&%`) {
		return text, nil
	}
	var b strings.Builder
	m := &spanMap{start: make([]int, 0, len(text)), end: make([]int, 0, len(text))}
	changed := false
	emit := func(s string, from, to int) {
		if prev != nil {
			from, to = prev.start[from], prev.end[to-1]
		}
		for range len(s) {
			m.start, m.end = append(m.start, from), append(m.end, to)
		}
		b.WriteString(s)
	}
	for i := 0; i < len(text); {
		if s, n := decodeEscape(text, i); n > 0 {
			emit(s, i, i+n)
			changed = true
			i += n
			continue
		}
		emit(text[i:i+1], i, i+1)
		i++
	}
	if !changed {
		return text, nil
	}
	return b.String(), m
}

// decodeEscape reads one escape at text[i]: its text and length, or n == 0.
func decodeEscape(text string, i int) (string, int) {
	rest := text[i:]
	switch rest[0] {
	case '\\':
		if len(rest) < 2 {
			return "", 0
		}
		switch c := rest[1]; c {
		case 'u':
			r, ok := hexRune(rest, 2, 4)
			if !ok {
				return "", 0
			}
			if utf16.IsSurrogate(r) && len(rest) >= 12 && rest[6] == '\\' && rest[7] == 'u' {
				if lo, ok := hexRune(rest, 8, 4); ok {
					if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
						return string(pair), 12
					}
				}
			}
			return string(r), 6
		case 'x':
			r, ok := hexRune(rest, 2, 2)
			if !ok {
				return "", 0
			}
			return string(r), 4
		case '"', '\\', '/', '\'':
			return string(c), 2
		case 'n':
			return "\n", 2
		case 't':
			return "\t", 2
		case 'r':
			return "\r", 2
		case 'b':
			return "\b", 2
		case 'f':
			return "\f", 2
		}
	case '%':
		r, ok := hexRune(rest, 1, 2)
		if !ok {
			return "", 0
		}
		return string([]byte{byte(r)}), 3
	case '&':
		end := entityEnd(rest)
		if end == 0 {
			return "", 0
		}
		if s := html.UnescapeString(rest[:end]); s != rest[:end] {
			return s, end
		}
	}
	return "", 0
}

// entityEnd is the length of the character reference at the start of s
// ("&lt;", "&#60;", "&#x3c;", or numeric without ";"), 0 when there is none.
func entityEnd(s string) int {
	i := 1
	if i < len(s) && s[i] == '#' {
		i++
		isHex := i < len(s) && (s[i] == 'x' || s[i] == 'X')
		if isHex {
			i++
		}
		start := i
		for i < len(s) && i-start < 8 && (isDigit(s[i]) || isHex && isHexLetter(s[i])) {
			i++
		}
		if i == start {
			return 0
		}
		if i < len(s) && s[i] == ';' {
			i++
		}
		return i
	}
	start := i
	for i < len(s) && i-start < 32 && (isDigit(s[i]) || s[i]|0x20 >= 'a' && s[i]|0x20 <= 'z') {
		i++
	}
	if i == start || i >= len(s) || s[i] != ';' {
		return 0
	}
	return i + 1
}

func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isHexLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'f' }

// hexRune reads n hex digits at s[at:].
func hexRune(s string, at, n int) (rune, bool) {
	if len(s) < at+n {
		return 0, false
	}
	v, err := strconv.ParseUint(s[at:at+n], 16, 32)
	if err != nil {
		return 0, false
	}
	return rune(v), true
}
