package query

import (
	"testing"
	"time"
)

func TestMacros(t *testing.T) {
	m := Macros{From: time.UnixMilli(1700000000123).UTC(), To: time.UnixMilli(1700003600000).UTC(), Interval: 30 * time.Second}
	cases := map[string]string{
		"from=$__from&to=$__to":              "from=1700000000123&to=1700003600000",
		"${__from}":                          "1700000000123",
		"${__from:date:seconds}":             "1700000000",
		"${__to:date:iso}":                   "2023-11-14T23:13:20Z",
		"${__from:date}":                     "2023-11-14T22:13:20Z",
		"step=$__interval&ms=$__interval_ms": "step=30s&ms=30000",
		"$__fromage":                         "$__fromage",
		"no macros":                          "no macros",
	}
	for in, want := range cases {
		if got := m.Expand(in); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}
