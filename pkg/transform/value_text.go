package transform

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// isNumberText reports whether s is a number in JSON syntax (optionally with a
// leading '+'). strconv.ParseFloat alone would also accept "NaN", "Inf",
// "0x1p3" and "1_000", which in a CSV cell or JSON string are labels, not numbers.
func isNumberText(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

func parseNumberText(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !isNumberText(s) {
		return 0, false
	}
	// The syntax is checked, so the only possible error is ErrRange, whose
	// result (±Inf or 0) is the right value.
	v, _ := strconv.ParseFloat(s, 64)
	return v, true
}

// parseBoolText accepts strconv.ParseBool's spellings plus any case of true/false.
func parseBoolText(s string) (bool, bool) {
	s = strings.TrimSpace(s)
	if b, err := strconv.ParseBool(s); err == nil {
		return b, true
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// isBoolWord is the stricter test inference uses: "1"/"0" and "t"/"f" in a CSV
// column are far more likely numbers or codes than booleans.
func isBoolWord(s string) bool {
	return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
}

// defaultValue converts Column.Default to the column's type.
func (c Column) defaultValue() (any, bool) {
	tf, _ := c.timeFormat()
	if cv := c.conversion(); cv.kind != convNone {
		switch v := c.Default.(type) {
		case float64:
			return v, true
		case string:
			return cv.apply(strconv.Quote(v), v, true, false, 0)
		}
		return nil, false
	}
	switch c.colType() {
	case tInt64:
		switch v := c.Default.(type) {
		case float64:
			return parseInt64Text(strconv.FormatFloat(v, 'f', -1, 64))
		case string:
			return parseInt64Text(strings.TrimSpace(v))
		}
	case tUint64:
		switch v := c.Default.(type) {
		case float64:
			return parseUint64Text(strconv.FormatFloat(v, 'f', -1, 64))
		case string:
			return parseUint64Text(strings.TrimSpace(v))
		}
	case tString:
		switch v := c.Default.(type) {
		case string:
			return v, true
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64), true
		case bool:
			return strconv.FormatBool(v), true
		}
	case tNumber:
		switch v := c.Default.(type) {
		case float64:
			return v, true
		case string:
			return parseNumberText(v)
		}
	case tBool:
		switch v := c.Default.(type) {
		case bool:
			return v, true
		case string:
			return parseBoolText(v)
		}
	case tTime:
		var t time.Time
		var ok bool
		switch v := c.Default.(type) {
		case string:
			t, ok = tf.parseText(v)
		case float64:
			t, ok = tf.parseNumber(strconv.FormatFloat(v, 'f', -1, 64), v)
		}
		return t, ok
	case tJSON:
		b, err := json.Marshal(c.Default)
		if err != nil {
			return nil, false
		}
		return json.RawMessage(b), true
	}
	return nil, false
}

// shorten cuts a value quoted in a notice, so notices stay small and do not
// echo large payloads.
func shorten(s string) string {
	const n = 40
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		cut--
	}
	return s[:cut] + "…"
}
