package query

import (
	"regexp"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// macroPattern matches Grafana's global variables in both spellings:
// $__from, ${__from}, ${__from:date}, ${__from:date:seconds}, ${__from:date:iso},
// and $__interval, $__interval_ms. The frontend interpolates template
// variables; these are done here so alert rules (backend only) work too.
var macroPattern = regexp.MustCompile(`\$\{__(from|to)(?::date(?::(iso|seconds|ms))?)?\}|\$__(from|to|interval_ms|interval)\b`)

// Macros holds the values for one query.
type Macros struct {
	From, To time.Time
	Interval time.Duration
}

// MacrosFor takes the values from a data query.
func MacrosFor(q backend.DataQuery) Macros {
	return Macros{From: q.TimeRange.From, To: q.TimeRange.To, Interval: q.Interval}
}

// Expand replaces the macros in s.
func (m Macros) Expand(s string) string {
	if len(s) < 3 {
		return s
	}
	return macroPattern.ReplaceAllStringFunc(s, func(match string) string {
		sub := macroPattern.FindStringSubmatch(match)
		name, format := sub[1], sub[2]
		if name == "" {
			name = sub[3]
		}
		switch name {
		case "interval":
			return formatInterval(m.Interval)
		case "interval_ms":
			return strconv.FormatInt(m.Interval.Milliseconds(), 10)
		}
		t := m.From
		if name == "to" {
			t = m.To
		}
		isDate := len(match) > 2 && match[1] == '{' && len(sub[0]) > len("${__from}")
		switch {
		case format == "seconds":
			return strconv.FormatInt(t.Unix(), 10)
		case format == "iso" || (isDate && format == ""):
			return t.UTC().Format(time.RFC3339)
		default:
			return strconv.FormatInt(t.UnixMilli(), 10)
		}
	})
}

// formatInterval renders an interval the way Grafana does ("30s", "5m", "1h").
func formatInterval(d time.Duration) string {
	switch {
	case d <= 0:
		return "1s"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	default:
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
}
