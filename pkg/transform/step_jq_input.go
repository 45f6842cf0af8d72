package transform

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// jqInput is the table as the jq step's input: a JSON array of objects of
// the fields (times as RFC 3339 text; JSON cells as they were read).
func jqInput(rs *runState, t *table) ([]byte, error) {
	var b []byte
	b = append(b, '[')
	for i := 0; i < t.n; i++ {
		if err := rs.check(i); err != nil {
			return nil, err
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, c := range t.cols {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONText(b, c.name)
			b = append(b, ':')
			b = appendJQCell(b, c, i)
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

// appendJQCell writes row i of c as JSON.
func appendJQCell(b []byte, c *column, i int) []byte {
	if c.typ == tJSON {
		if p := c.raws[i]; p != nil {
			return append(b, *p...)
		}
		return append(b, "null"...)
	}
	switch x := c.value(i).(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case float64:
		return appendJSONFloat(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case time.Time:
		return appendJSONText(b, x.Format(time.RFC3339Nano))
	case string:
		return appendJSONText(b, x)
	default:
		return appendJSONText(b, fmt.Sprint(x))
	}
}

// appendJSONText writes s as a JSON string (invalid UTF-8 replaced).
func appendJSONText(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	b = appendJSONStringBody(b, s)
	return append(b, '"')
}

// appendJSONFloat writes f as encoding/json does; JSON has no NaN (null)
// or infinities (the largest finite numbers, as gojq writes them).
func appendJSONFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "null"...)
	case math.IsInf(f, 1):
		f = math.MaxFloat64
	case math.IsInf(f, -1):
		f = -math.MaxFloat64
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' { // e-09 → e-9, as encoding/json
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
