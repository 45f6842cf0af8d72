package transform

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// timeFormat says how a time column's values are parsed.
type timeFormat struct {
	kind   tfKind
	unit   int64  // nanoseconds per unit, for tfUnix
	layout string // for tfLayout
	// lenient (tfAuto) also accepts strings without a zone or with a space
	// separator, date-only strings, RFC 1123 and numeric strings.
	lenient bool
	// loc is the zone of times written without an offset (Column.Timezone);
	// nil is UTC.
	loc *time.Location
}

// timeFormat is the column's time format with its time zone.
func (c Column) timeFormat() (timeFormat, bool) {
	tf, ok := parseTimeFormat(c.TimeFormat)
	if ok && c.Timezone != "" {
		loc, err := loadZone(c.Timezone)
		if err != nil {
			return tf, false
		}
		tf.loc = loc
	}
	return tf, ok
}

// zonelessLayouts are the auto forms without an offset, read in the
// column's time zone when it has one.
var zonelessLayouts = []string{
	"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02",
}

type tfKind uint8

const (
	tfAuto    tfKind = iota // RFC 3339 strings (+ lenient forms); numbers as epochs with the unit from magnitude
	tfRFC3339               // RFC 3339 strings only
	tfUnix                  // numbers (or numeric strings) in a fixed unit
	tfLayout                // a Go layout
)

func parseTimeFormat(s string) (timeFormat, bool) {
	switch s {
	case "":
		return timeFormat{kind: tfAuto, lenient: true}, true
	case "rfc3339", "RFC3339":
		return timeFormat{kind: tfRFC3339}, true
	case "unix_s", "unix":
		return timeFormat{kind: tfUnix, unit: int64(time.Second)}, true
	case "unix_ms":
		return timeFormat{kind: tfUnix, unit: int64(time.Millisecond)}, true
	case "unix_us":
		return timeFormat{kind: tfUnix, unit: int64(time.Microsecond)}, true
	case "unix_ns":
		return timeFormat{kind: tfUnix, unit: 1}, true
	}
	if validLayout(s) {
		return timeFormat{kind: tfLayout, layout: s}, true
	}
	return timeFormat{}, false
}

// validLayout accepts a Go layout only if it actually encodes a time: two
// different instants must format differently and parse back. A typo such as
// "YYYY-MM-DD" formats every time the same and would silently give year 1.
func validLayout(layout string) bool {
	if layout == "" || len(layout) > 64 {
		return false
	}
	a := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	b := time.Date(1999, 11, 12, 13, 14, 15, 0, time.UTC)
	fa, fb := a.Format(layout), b.Format(layout)
	if fa == fb {
		return false
	}
	_, err := time.Parse(layout, fa)
	return err == nil
}

// parseTimeText parses a string value according to f.
func (f timeFormat) parseText(s string) (time.Time, bool) {
	switch f.kind {
	case tfRFC3339:
		return parseRFC3339(s)
	case tfLayout:
		loc := f.loc
		if loc == nil {
			loc = time.UTC
		}
		t, err := time.ParseInLocation(f.layout, s, loc)
		if err != nil {
			return time.Time{}, false
		}
		return t.UTC(), true
	case tfUnix:
		return parseEpochText(strings.TrimSpace(s), f.unit)
	}
	if t, ok := parseRFC3339(s); ok {
		return t, true
	}
	if !f.lenient {
		return time.Time{}, false
	}
	if f.loc != nil {
		for _, layout := range zonelessLayouts {
			if t, err := time.ParseInLocation(layout, s, f.loc); err == nil {
				return t.UTC(), true
			}
		}
	}
	if t, ok := parseISOLenient(s); ok {
		return t, true
	}
	for _, layout := range []string{time.RFC1123, time.RFC1123Z} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	if ts := strings.TrimSpace(s); isNumberText(ts) {
		if v, err := strconv.ParseFloat(ts, 64); err == nil {
			if unit, ok := epochUnit(v); ok {
				return parseEpochText(ts, unit)
			}
		}
	}
	return time.Time{}, false
}

// parseNumber converts a JSON number (raw text and parsed value) according to f.
func (f timeFormat) parseNumber(raw string, v float64) (time.Time, bool) {
	switch f.kind {
	case tfUnix:
		return parseEpoch(raw, v, f.unit)
	case tfAuto:
		unit, ok := epochUnit(v)
		if !ok {
			// Grafana's convention for bare numeric times is milliseconds.
			unit = int64(time.Millisecond)
		}
		return parseEpoch(raw, v, unit)
	}
	return time.Time{}, false
}

// epochUnit guesses the unit of a Unix epoch from its magnitude. The ranges
// cover 1973–2286 in each unit and do not overlap, so the guess is unambiguous
// for realistic data; anything else is not taken for a time by inference.
func epochUnit(v float64) (int64, bool) {
	a := math.Abs(v)
	switch {
	case a >= 1e8 && a < 1e10:
		return int64(time.Second), true
	case a >= 1e11 && a < 1e13:
		return int64(time.Millisecond), true
	case a >= 1e14 && a < 1e16:
		return int64(time.Microsecond), true
	case a >= 1e17 && a < 1e19:
		return 1, true
	}
	return 0, false
}

func parseEpochText(s string, unit int64) (time.Time, bool) {
	if !isNumberText(s) {
		return time.Time{}, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false
	}
	return parseEpoch(s, v, unit)
}

// parseEpoch converts an epoch in unit. Decimal literals are converted
// exactly with integer arithmetic (a float64 holds neither nanosecond epochs
// nor 1714557600.25 s to the nanosecond); exponent forms go through float64.
func parseEpoch(raw string, v float64, unit int64) (time.Time, bool) {
	if t, ok := exactEpoch(raw, unit); ok {
		return t, true
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return time.Time{}, false
	}
	secs := v * float64(unit) / 1e9
	if secs > 1e12 || secs < -1e12 { // far outside any calendar anyone graphs
		return time.Time{}, false
	}
	s := math.Floor(secs)
	return time.Unix(int64(s), int64(math.Round((secs-s)*1e9))).UTC(), true
}

// exactEpoch handles "-?digits(.digits)?" whose integer part fits an int64.
func exactEpoch(raw string, unit int64) (time.Time, bool) {
	s := raw
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if len(intPart) == 0 || intPart[0] == '+' || (hasDot && len(frac) == 0) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	// The fraction of one unit, in billionths (digits beyond 9 are dropped).
	var f int64
	for k := 0; k < 9; k++ {
		f *= 10
		if k < len(frac) {
			c := frac[k]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			f += int64(c - '0')
		}
	}
	for k := 9; k < len(frac); k++ {
		if frac[k] < '0' || frac[k] > '9' {
			return time.Time{}, false
		}
	}
	perSec := int64(time.Second) / unit
	sec := n / perSec
	nsec := (n%perSec)*unit + f*unit/1e9
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

// parseRFC3339 is time.Parse(time.RFC3339, s) with a fast path for the usual
// shape "2006-01-02T15:04:05[.999999999](Z|±07:00)", which is most of the time
// spent reading time columns. The fast path never accepts what time.Parse
// rejects (FuzzRFC3339 checks this); anything unusual falls back to time.Parse.
func parseRFC3339(s string) (time.Time, bool) {
	if t, ok, handled := parseISO(s, true); handled {
		return t, ok
	}
	if len(s) < 5 || s[4] != '-' { // time.Parse needs a 4-digit year
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseISOLenient accepts "2006-01-02", "2006-01-02T15:04:05" and
// "2006-01-02 15:04:05" with optional fraction and zone (UTC when absent).
func parseISOLenient(s string) (time.Time, bool) {
	t, ok, _ := parseISO(s, false)
	return t, ok
}

// parseISO parses ISO 8601 date-times by hand. handled=false means the string
// did not have the expected shape and the caller may try a slower parser.
func parseISO(s string, strict bool) (t time.Time, ok, handled bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false, false
	}
	year, ok1 := digits(s[0:4])
	month, ok2 := digits(s[5:7])
	day, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return time.Time{}, false, true
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, false, true
	}
	var hour, minute, sec, nsec, offset int
	rest := s[10:]
	if len(rest) == 0 {
		if strict {
			return time.Time{}, false, true
		}
		return civil(year, month, day, 0, 0, 0, 0, 0), true, true
	}
	if rest[0] != 'T' && (strict || rest[0] != ' ') {
		return time.Time{}, false, false
	}
	rest = rest[1:]
	if len(rest) < 8 || rest[2] != ':' || rest[5] != ':' {
		return time.Time{}, false, false
	}
	var okh, okm, oks bool
	hour, okh = digits(rest[0:2])
	minute, okm = digits(rest[3:5])
	sec, oks = digits(rest[6:8])
	if !okh || !okm || !oks || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false, false
	}
	rest = rest[8:]
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 || i > 10 { // no digits, or more than nanosecond precision: let time.Parse decide
			return time.Time{}, false, false
		}
		frac, _ := digits(rest[1:i])
		for k := i; k < 10; k++ {
			frac *= 10
		}
		nsec = frac
		rest = rest[i:]
	}
	switch {
	case rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		oh, ok1 := digits(rest[1:3])
		om, ok2 := digits(rest[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, false, false
		}
		offset = oh*3600 + om*60
		if rest[0] == '-' {
			offset = -offset
		}
	case rest == "" && !strict:
	default:
		return time.Time{}, false, false
	}
	return civil(year, month, day, hour, minute, sec, nsec, offset), true, true
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// civil builds a UTC time without time.Date's normalisation work: days since
// the epoch by Howard Hinnant's days_from_civil, then time.Unix.
func civil(y, m, d, hh, mm, ss, ns, offset int) time.Time {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	days := int64(era)*146097 + int64(doe) - 719468
	secs := days*86400 + int64(hh*3600+mm*60+ss) - int64(offset)
	return time.Unix(secs, int64(ns)).UTC()
}
