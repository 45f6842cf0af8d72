package query

import (
	"strings"
	"testing"
	"time"
)

// The source plugins' documented examples, on testMacros' range
// (2023-11-14T22:13:20.123Z, one hour).
func TestMacroAliases(t *testing.T) {
	cases := map[string]string{
		// Infinity: docs/sources/query/macros.md
		"${__timeFrom}":                                 "1700000000123",
		"${__timeTo}":                                   "1700003600123",
		"${__timeFrom:date:seconds}":                    "1700000000",
		"${__timeFrom:date}":                            "2023-11-14T22:13:20.123Z",
		"${__timeFrom:date:iso}":                        "2023-11-14T22:13:20.123Z",
		"${__timeFrom:date:YYYY-MM-DD}":                 "2023-11-14",
		"${__timeTo:date:YYYY:MM:DD:hh:mm}":             "2023:11:14:11:13",
		"${__org.id}":                                   "3",
		"$__combineValues(p,s,i,v)":                     "pvs",
		"$__combineValues(p,s,__space,v1,v2)":           "pv1s pv2s",
		"$__combineValues(__open,__close, OR ,foo,bar)": "(foo) OR (bar)",
		"$__combineValues(,, OR ,foo,bar)":              "foo OR bar",
		"$__combineValues(p,s,i,*)":                     "",
		"$__combineValues(key=,,__comma,a,b)":           "key=a,key=b",
		"d=$__customInterval(5m,5m,1d,1d,10d,10d,30d)":  "d=1d", // one hour: ≤ 1d
		"$__customInterval(1m,1 MIN,1d)":                "1d",
		"$__customInterval(2h,2 HOURS,1d)":              "2 HOURS",
		// JSON API: docs/sources/macros.md
		"from=$__unixEpochFrom()&to=$__unixEpochTo()": "from=1700000000&to=1700003600",
		"$__isoFrom()/$__isoTo()":                     "2023-11-14T22:13:20.123Z/2023-11-14T23:13:20.123Z",
		// args with macros of their own
		"$__combineValues(t=,,&,$__from,$__to)": "t=1700000000123&t=1700003600123",
	}
	for in, want := range cases {
		got, err := testMacros.Expand(in, "path")
		if err != nil || got != want {
			t.Errorf("Expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	// In a JSON body too (placeBody reads $__ names bare).
	if got, err := testMacros.expandAt(`{"since":"$__isoFrom()"}`, placeBody, "body"); err != nil || got != `{"since":"2023-11-14T22:13:20.123Z"}` {
		t.Errorf("body: %q %v", got, err)
	}
}

func TestMacroAliasErrors(t *testing.T) {
	for in, want := range map[string]string{
		"$__combineValues(a,b)":         "at least 4 arguments",
		"$__customInterval(5m,a)":       "odd number",
		"$__customInterval(soon,a,b)":   "not a duration",
		"$__isoFrom(x)":                 "takes no arguments",
		"$__unixEpochFrom":              "unknown macro", // without its parentheses it is no alias
		"${__timeFrom.x}":               "unknown macro",
		"$__combineValues(a,b,c,$nope)": "unresolved",
	} {
		_, err := testMacros.Expand(in, "path")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Expand(%q): %v, want %q", in, err, want)
		}
	}
	// A seven-day range takes the 10d step.
	m := testMacros
	m.To = m.From.Add(7 * 24 * time.Hour)
	if got, _ := m.Expand("$__customInterval(5m,5 MINUTES,1d,1 DAY,10d,10 days,1d)", "p"); got != "10 days" {
		t.Errorf("7 days: %q", got)
	}
}
