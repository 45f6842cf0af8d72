package transform

import (
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// conversion turns values into numbers for the declared types duration and
// enum (the column itself is a number column).
type conversion struct {
	kind convKind
	enum map[string]float64
}

type convKind uint8

const (
	convNone     convKind = iota
	convDuration          // "1h30m", "2d" (gtime) → milliseconds; numbers are milliseconds already
	convEnum              // value → Column.Enum[value]
)

func (c Column) conversion() conversion {
	switch c.Type {
	case TypeDuration:
		return conversion{kind: convDuration}
	case TypeEnum:
		return conversion{kind: convEnum, enum: c.Enum}
	}
	return conversion{}
}

// apply converts one value: raw is its JSON text (or the text cell), str its
// string value when isStr.
func (cv conversion) apply(raw, str string, isStr, isNum bool, num float64) (float64, bool) {
	switch cv.kind {
	case convDuration:
		if isNum {
			return num, true
		}
		if !isStr {
			return 0, false
		}
		return parseDurationMS(str)
	case convEnum:
		key := raw
		if isStr {
			key = str
		}
		v, ok := cv.enum[key]
		if !ok && isStr {
			v, ok = cv.enum[strings.TrimSpace(key)]
		}
		return v, ok
	}
	return 0, false
}

// parseDurationMS reads a duration in Grafana's grammar (gtime: a Go
// duration, or whole d/w/M/y) or a plain number of milliseconds.
func parseDurationMS(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if isNumberText(s) {
		v, err := strconv.ParseFloat(s, 64)
		return v, err == nil
	}
	if n := len(s); strings.IndexByte("dwMy", s[n-1]) >= 0 && n-1 > 5 {
		return 0, false // gtime's date units would overflow
	}
	neg := strings.HasPrefix(s, "-")
	d, err := gtime.ParseDuration(strings.TrimPrefix(s, "-"))
	if err != nil {
		return 0, false
	}
	ms := float64(d) / float64(time.Millisecond)
	if neg {
		ms = -ms
	}
	return ms, true
}
