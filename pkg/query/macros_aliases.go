package query

import (
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// The macro spellings of Infinity and JSON API that Relay accepts as
// aliases, so a query converted by relay-migrate needs no rewriting
// (docs/queries.md, docs/migrate.md):
//
//	${__timeFrom}, ${__timeTo} (Infinity; every ${__from} format)  = ${__from}, ${__to}
//	$__unixEpochFrom(), $__unixEpochTo() (JSON API)                 Unix seconds
//	$__isoFrom(), $__isoTo() (JSON API)                             ISO 8601, UTC, ms
//	$__combineValues(prefix,suffix,sep,v1,v2,…) (Infinity)
//	$__customInterval(d1,v1,d2,v2,…,default) (Infinity)
//
// ${__org.id} is Relay's own ${__org}.

// alias expands a named alias (the ${…} form); ok is false for other names.
func (m Macros) alias(ref reference) (string, bool, *apierr.Error) {
	switch ref.name {
	case "__timeFrom", "__timeTo":
		r := ref
		r.name = "__from"
		if ref.name == "__timeTo" {
			r.name = "__to"
		}
		v, err := m.macro(r)
		return v, true, err
	}
	return "", false, nil
}

// macroCallAt reads a function-style macro at s[start:] whose name ref was
// scanned up to end: "$__isoFrom()", "$__combineValues(a,b,c,d)". ok is false
// when ref is not one (no parenthesis, braces, or not a function macro).
func macroCallAt(s string, ref reference, end int) (args string, callEnd int, ok bool) {
	if ref.braced || ref.bracket || end >= len(s) || s[end] != '(' {
		return "", 0, false
	}
	switch ref.name {
	case "__unixEpochFrom", "__unixEpochTo", "__isoFrom", "__isoTo", "__combineValues", "__customInterval":
	default:
		return "", 0, false
	}
	j := strings.IndexByte(s[end:], ')')
	if j < 0 {
		return "", 0, false
	}
	return s[end+1 : end+j], end + j + 1, true
}

// callMacro expands a function-style macro; args have had their own macros
// expanded.
func (m Macros) callMacro(name, args string) (string, *apierr.Error) {
	switch name {
	case "__unixEpochFrom", "__unixEpochTo", "__isoFrom", "__isoTo":
		if strings.TrimSpace(args) != "" {
			return "", apierr.BadRequest("unknown_macro", "$%s() takes no arguments", name)
		}
		t := m.From
		if strings.HasSuffix(name, "To") {
			t = m.To
		}
		if strings.HasPrefix(name, "__unix") {
			return strconv.FormatInt(t.Unix(), 10), nil // moment's unix(): floored seconds
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z"), nil
	case "__combineValues":
		return combineValues(strings.Split(args, ","))
	case "__customInterval":
		return m.customInterval(strings.Split(args, ","))
	}
	return "", apierr.BadRequest("unknown_macro", "unknown macro $%s()", name)
}

// combineValues is Infinity's $__combineValues(prefix,suffix,separator,v…):
// each value wrapped in prefix and suffix, joined by separator; __comma,
// __space, __open and __close stand for "," " " "(" ")"; a single value "*"
// (a variable's All) gives "".
func combineValues(a []string) (string, *apierr.Error) {
	if len(a) < 4 {
		return "", apierr.BadRequest("unknown_macro", "$__combineValues(prefix,suffix,separator,values…) needs at least 4 arguments")
	}
	unescape := strings.NewReplacer("__comma", ",", "__space", " ", "__open", "(", "__close", ")")
	prefix, suffix, sep := unescape.Replace(a[0]), unescape.Replace(a[1]), unescape.Replace(a[2])
	if len(a) == 4 && a[3] == "*" {
		return "", nil
	}
	parts := make([]string, 0, len(a)-3)
	for _, v := range a[3:] {
		parts = append(parts, prefix+v+suffix)
	}
	return strings.Join(parts, sep), nil
}

// customInterval is Infinity's $__customInterval(d1,v1,d2,v2,…,default):
// the first value whose duration is at least the time range, else default.
func (m Macros) customInterval(a []string) (string, *apierr.Error) {
	if len(a) < 3 || len(a)%2 == 0 {
		return "", apierr.BadRequest("unknown_macro", "$__customInterval(duration,value,…,default) needs an odd number of arguments, at least 3")
	}
	rng := m.To.Sub(m.From)
	for i := 0; i+1 < len(a); i += 2 {
		d, err := gtime.ParseDuration(strings.TrimSpace(a[i]))
		if err != nil {
			return "", apierr.BadRequest("unknown_macro", "$__customInterval: %q is not a duration (1m, 1h, 1d)", a[i])
		}
		if rng <= time.Duration(d) {
			return a[i+1], nil
		}
	}
	return a[len(a)-1], nil
}
