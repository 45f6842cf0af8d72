package query

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// Macros holds the values of Grafana's global variables for one query. The
// frontend replaces them (and the dashboard's variables) before a query
// reaches the backend; the backend expands them again so alert rules and
// recorded queries, which run without a browser, get the same answer.
type Macros struct {
	From, To time.Time
	Interval time.Duration
	// User is the Grafana user of the request: empty for alert rules and
	// recorded queries (no user).
	User          backend.User
	DSUID, DSName string
	OrgID         int64
}

// MacrosFor takes the values from a data query and its plugin context.
func MacrosFor(q backend.DataQuery, pc backend.PluginContext) Macros {
	m := Macros{From: q.TimeRange.From, To: q.TimeRange.To, Interval: q.Interval, OrgID: pc.OrgID}
	if pc.User != nil {
		m.User = *pc.User
	}
	if ds := pc.DataSourceInstanceSettings; ds != nil {
		m.DSUID, m.DSName = ds.UID, ds.Name
	}
	return m
}

// macroNames lists the macros Relay expands, for the unknown-macro error.
const macroNames = "$__from, $__to, ${__from:date[:iso|seconds|ms|<format>]}, $__interval, $__interval_ms, " +
	"$__range, $__range_s, $__range_ms, ${__user.login|email|name}, ${__ds.uid|name}, ${__org}"

// macro returns the value of reference ref (its name starts with "__").
func (m Macros) macro(ref reference) (string, *apierr.Error) {
	name := ref.name[2:]
	unknown := func() (string, *apierr.Error) {
		return "", apierr.BadRequest("unknown_macro", "unknown macro %s: Relay expands %s", ref.raw, macroNames)
	}
	var v string
	switch name {
	case "from", "to":
		t := m.From
		if name == "to" {
			t = m.To
		}
		if ref.field != "" {
			return unknown()
		}
		if ref.format == "date" || strings.HasPrefix(ref.format, "date:") {
			return formatDate(t, strings.TrimPrefix(strings.TrimPrefix(ref.format, "date"), ":")), nil
		}
		v = strconv.FormatInt(t.UnixMilli(), 10)
	case "interval":
		v = formatInterval(m.Interval)
	case "interval_ms":
		v = strconv.FormatInt(m.Interval.Milliseconds(), 10)
	case "range":
		v = formatInterval(m.To.Sub(m.From))
	case "range_s":
		v = strconv.FormatInt((m.To.Sub(m.From).Milliseconds()+500)/1000, 10)
	case "range_ms":
		v = strconv.FormatInt(m.To.Sub(m.From).Milliseconds(), 10)
	case "user":
		switch ref.field {
		case "login":
			v = m.User.Login
		case "email":
			v = m.User.Email
		case "name":
			v = m.User.Name
		default:
			return unknown()
		}
	case "ds":
		switch ref.field {
		case "uid":
			v = m.DSUID
		case "name":
			v = m.DSName
		default:
			return unknown()
		}
	case "org":
		if ref.field != "" && ref.field != "id" {
			return unknown()
		}
		v = strconv.FormatInt(m.OrgID, 10)
	default:
		return unknown()
	}
	if name != "user" && name != "ds" && name != "org" && ref.field != "" {
		return unknown()
	}
	return applyFormat(ref, v)
}

// textMacro says whether a macro's value is text Relay does not choose (a
// user's login, email or name, the data source's uid or name), which each
// place writes in its own format; numbers, dates and intervals are written
// as they are everywhere (a jq program reads ${__from} as a number).
func textMacro(ref reference) bool {
	return ref.name == "__user" || ref.name == "__ds"
}

// applyFormat applies a Grafana variable format (${x:format}) to a macro's text.
func applyFormat(ref reference, v string) (string, *apierr.Error) {
	switch ref.format {
	case "", "raw", "text", "csv", "pipe", "glob", "regex":
		return v, nil
	case "percentencode":
		return url.QueryEscape(v), nil
	case "json", "doublequote":
		if ref.format == "doublequote" {
			return `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`, nil
		}
		b, _ := json.Marshal(v)
		return string(b), nil
	case "singlequote":
		return "'" + strings.ReplaceAll(v, "'", `\'`) + "'", nil
	}
	return "", apierr.BadRequest("unknown_macro", "%s: format %q is not supported for this macro (use raw, text, json, doublequote, singlequote or percentencode)", ref.raw, ref.format)
}

// formatDate renders ${__from:date:<format>}: empty and iso are Grafana's
// ISO 8601 (UTC, milliseconds), seconds and ms Unix epochs, anything else a
// moment.js format (YYYY-MM-DD; colons allowed, as Grafana joins its
// arguments) rendered in UTC, where the browser renders its local time.
func formatDate(t time.Time, format string) string {
	switch format {
	case "", "iso":
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	case "seconds": // rounded, as Grafana's Math.round(ms / 1000)
		return strconv.FormatInt((t.UnixMilli()+500)/1000, 10)
	case "ms":
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	return formatMoment(t.UTC(), format)
}

// formatInterval renders a duration as Grafana's secondsToHms does for
// $__interval and $__range: the largest whole unit only ("1h" for 90m).
func formatInterval(d time.Duration) string {
	ms := d.Milliseconds()
	if ms <= 0 {
		return "1s" // Grafana never computes an interval under 1ms; the backend's zero means unknown
	}
	sec := ms / 1000
	units := []struct {
		n      int64
		suffix string
	}{{sec / 31536000, "y"}, {sec % 31536000 / 86400, "d"}, {sec % 31536000 % 86400 / 3600, "h"},
		{sec % 31536000 % 86400 % 3600 / 60, "m"}, {sec % 60, "s"}, {ms, "ms"}}
	for _, u := range units {
		if u.n > 0 {
			return strconv.FormatInt(u.n, 10) + u.suffix
		}
	}
	return "1s"
}
