package query

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// testMacros: 2023-11-14T22:13:20.123Z to one hour later, 30s interval.
var testMacros = Macros{From: time.UnixMilli(1700000000123).UTC(), To: time.UnixMilli(1700003600123).UTC(), Interval: 30 * time.Second,
	User: backend.User{Login: "ada", Email: "ada@example.com", Name: "Ada L"}, DSUID: "relay-uid", DSName: "Relay", OrgID: 3}

func TestMacros(t *testing.T) {
	cases := map[string]string{
		// Grafana's documented examples (Variables > Global variables).
		"from=$__from&to=$__to":                "from=1700000000123&to=1700003600123",
		"${__from}":                            "1700000000123",
		"${__from:date}":                       "2023-11-14T22:13:20.123Z",
		"${__from:date:iso}":                   "2023-11-14T22:13:20.123Z",
		"${__to:date:iso}":                     "2023-11-14T23:13:20.123Z",
		"${__from:date:seconds}":               "1700000000",
		"${__from:date:ms}":                    "1700000000123",
		"${__to:date:seconds}":                 "1700003600", // rounded like Grafana's Math.round
		"${__from:date:YYYY-MM}":               "2023-11",
		"${__from:date:YYYY-MM-DD}":            "2023-11-14",
		"${__from:date:YYYY-MM-DD HH:mm:ss}":   "2023-11-14 22:13:20",
		"${__from:date:DD/MM/YY h:mm A}":       "14/11/23 10:13 PM",
		"${__from:date:dddd, MMMM Do YYYY}":    "Tuesday, November 14th 2023",
		"${__from:date:[week] W, Q[Q]}":        "week 46, 4Q",
		"${__from:date:YYYYMMDDTHHmmss.SSSZ}":  "20231114T221320.123+00:00",
		"${__from:date:X}|${__from:date:x}":    "1700000000|1700000000123",
		"step=$__interval&ms=$__interval_ms":   "step=30s&ms=30000",
		"${__interval}":                        "30s",
		"$__range|$__range_s|$__range_ms":      "1h|3600|3600000",
		"${__user.login} ${__user.email}":      "ada ada@example.com",
		"${__user.name:percentencode}":         "Ada+L",
		"${__user.login:json}":                 `"ada"`,
		"${__ds.uid}/${__ds.name}":             "relay-uid/Relay",
		"${__org}":                             "3",
		"no macros":                            "no macros",
		"price $5 and ${1} and $ alone and ${": "price $5 and ${1} and $ alone and ${",
		`\$ref`:                                `\$ref`,
	}
	for in, want := range cases {
		got, err := testMacros.Expand(in, "path")
		if err != nil || got != want {
			t.Errorf("Expand(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestIntervalAndRangeFormats(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "1s", 100 * time.Millisecond: "100ms", 90 * time.Minute: "1h", 6 * time.Hour: "6h", 48 * time.Hour: "2d",
		400 * 24 * time.Hour: "1y", 15 * time.Second: "15s", 2 * time.Minute: "2m",
	} {
		if got := formatInterval(d); got != want {
			t.Errorf("formatInterval(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestMacroErrors(t *testing.T) {
	cases := map[string]string{
		"$__timeFilter":          "unknown macro $__timeFilter",
		"${__timeFilter}":        "unknown macro ${__timeFilter}",
		"$__fromage":             "unknown macro $__fromage",
		"${__user.id}":           "unknown macro ${__user.id}",
		"${__ds.type}":           "unknown macro",
		"${__from.x}":            "unknown macro",
		"${__user.login:sqlstr}": `format "sqlstr"`,
		"$__rate_interval":       "unknown macro",
		"${__dashboard}":         "unknown macro",
	}
	for in, want := range cases {
		_, err := testMacros.Expand(in, "params.q")
		e, ok := err.(*apierr.Error)
		if !ok || e.Code != "unknown_macro" || e.Status != 400 || !strings.Contains(e.Message, want) || !strings.HasPrefix(e.Message, "params.q: ") {
			t.Errorf("Expand(%q) = %v; want unknown_macro naming params.q and %q", in, err, want)
		}
	}
}

// Alert rules have no user: the user macros are empty, not an error.
func TestUserMacrosWithoutUser(t *testing.T) {
	m := MacrosFor(backend.DataQuery{}, backend.PluginContext{})
	got, err := m.Expand("u=${__user.login}", "path")
	if err != nil || got != "u=" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestSecondsRoundLikeGrafana(t *testing.T) {
	m := Macros{From: time.UnixMilli(1700000000600)}
	if got, _ := m.Expand("${__from:date:seconds}", "path"); got != "1700000001" {
		t.Errorf("got %s", got)
	}
}
