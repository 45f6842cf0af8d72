package transform

import (
	"math"
	"strconv"
	"strings"
)

// Exact integers. A JSON number is parsed from its text, never through
// float64, so 9007199254740993 stays 9007199254740993. Integral spellings
// with a fraction or exponent ("12.0", "1e3") are accepted when exact.

func (b *colBuilder) putInteger(i int, s string) bool {
	s = strings.TrimSpace(strings.TrimPrefix(s, "+"))
	if b.typ == tInt64 {
		v, ok := parseInt64Text(s)
		if ok {
			b.setInt(i, v)
		}
		return ok
	}
	v, ok := parseUint64Text(s)
	if ok {
		b.setUint(i, v)
	}
	return ok
}

func parseInt64Text(s string) (int64, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	f, ok := integralFloat(s)
	if !ok || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func parseUint64Text(s string) (uint64, bool) {
	if v, err := strconv.ParseUint(s, 10, 64); err == nil {
		return v, true
	}
	f, ok := integralFloat(s)
	if !ok || f < 0 || f >= 1<<64 {
		return 0, false
	}
	return uint64(f), true
}

// integralFloat accepts "12.0" or "1e3": a number whose value is a whole
// number that float64 holds exactly (below 2^53), so nothing is rounded.
func integralFloat(s string) (float64, bool) {
	if !isNumberText(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, false
	}
	return f, true
}
