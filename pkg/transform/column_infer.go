package transform

import (
	"encoding/json"
	"math/bits"
	"time"

	"github.com/tidwall/gjson"
)

// Type inference for columns without a declared type. See colBuilder for how
// it fits into reading: the first non-null value picks a tentative type,
// values that do not fit mark the column conflicted, and resolve settles the
// final type once all rows are read:
//
//   - only numbers → number (or time, for epochs of one unit's magnitude in a
//     time-named column: time, timestamp, ts, date, *_at, *Time, ...);
//   - only strings → time if every one is RFC 3339 (any name) or a common
//     date/time layout (time-named columns), else string;
//   - only booleans → boolean; only objects/arrays → json;
//   - a mix of kinds → string, keeping each value's JSON spelling, with a notice;
//   - nothing but nulls → string.

// Kinds of values seen by inference.
const (
	kNumber uint8 = 1 << iota
	kString
	kBool
	kJSON
)

func jsonKind(t gjson.Type) uint8 {
	switch t {
	case gjson.Number:
		return kNumber
	case gjson.String:
		return kString
	case gjson.True, gjson.False:
		return kBool
	}
	return kJSON
}

func (b *colBuilder) adoptJSON(v gjson.Result) {
	switch v.Type {
	case gjson.Number:
		if b.timeNamed {
			if unit, ok := epochUnit(v.Num); ok {
				b.setType(tTime, timeFormat{kind: tfUnix, unit: unit})
				return
			}
		}
		b.setType(tNumber, timeFormat{})
	case gjson.String:
		b.adoptString(v.Str)
	case gjson.True, gjson.False:
		b.setType(tBool, timeFormat{})
	default:
		b.setType(tJSON, timeFormat{})
	}
}

// adoptString decides whether a column whose first value is the string s holds
// times: RFC 3339 anywhere, looser formats only in time-named columns.
func (b *colBuilder) adoptString(s string) {
	if _, ok := parseRFC3339(s); ok {
		if b.timeNamed {
			b.setType(tTime, timeFormat{kind: tfAuto, lenient: true})
		} else {
			b.setType(tTime, timeFormat{kind: tfRFC3339})
		}
		return
	}
	if b.timeNamed {
		tf := timeFormat{kind: tfAuto, lenient: true}
		if _, ok := tf.parseText(s); ok {
			b.setType(tTime, tf)
			return
		}
	}
	b.setType(tString, timeFormat{})
}

// plausibleEpoch: a column inferred as epochs in some unit stays one only
// while every number has that unit's magnitude (see epochUnit).
func (b *colBuilder) plausibleEpoch(v float64) bool {
	if b.tf.kind != tfUnix {
		return true
	}
	unit, ok := epochUnit(v)
	return ok && unit == b.tf.unit
}

func textKind(s string) uint8 {
	switch {
	case isNumberText(s):
		return kNumber
	case isBoolWord(s):
		return kBool
	}
	return kString
}

func (b *colBuilder) adoptText(s string) {
	switch textKind(s) {
	case kNumber:
		if b.timeNamed {
			if v, ok := parseNumberText(s); ok {
				if unit, ok := epochUnit(v); ok {
					b.setType(tTime, timeFormat{kind: tfUnix, unit: unit})
					return
				}
			}
		}
		b.setType(tNumber, timeFormat{})
	case kBool:
		b.setType(tBool, timeFormat{})
	default:
		b.adoptString(s)
	}
}

// resolve settles an inferred column's type after all rows were read. It
// reports whether the column must be read again (its values did not all fit
// the tentative type) and whether it mixed kinds of JSON values.
func (b *colBuilder) resolve() (reread, mixed bool) {
	if !b.infer {
		return false, false
	}
	switch {
	case b.kinds == 0: // all null: a nullable string column
		b.typ = tString
		return false, false
	case bits.OnesCount8(b.kinds) > 1:
		// A string column stores every kind of value faithfully (numbers keep
		// their spelling), so only other tentative types need a second read.
		reread = b.conflict || b.typ != tString
		b.typ = tString
		return reread, true
	case b.conflict:
		b.typ = tString
		if b.kinds == kNumber { // epochs of inconsistent magnitude: plain numbers
			b.typ = tNumber
		}
		return true, false
	}
	return false, false
}

// resetFor prepares a column to be read again with its resolved type.
func (b *colBuilder) resetFor() {
	b.infer, b.conflict = false, false
	b.nums, b.tms, b.strs, b.raws = slab[float64]{}, slab[time.Time]{}, slab[string]{}, slab[json.RawMessage]{}
	b.sa, b.ba = strArena{}, byteArena{}
	b.setType(b.typ, timeFormat{kind: tfAuto, lenient: b.timeNamed})
}
