package transform

import "strings"

// colType is the engine's column type. Every column is nullable.
type colType uint8

const (
	tUnknown colType = iota // not known yet: all values null so far, or an untyped explicit column in static checks
	tString
	tNumber
	tBool
	tTime
	tJSON
	tInt64  // exact 64-bit integers (declared only; inference gives number)
	tUint64 // exact unsigned 64-bit integers (declared only)
)

// isInteger reports whether t is one of the exact integer types.
func (t colType) isInteger() bool { return t == tInt64 || t == tUint64 }

// isNumeric: number or an integer type (sum, avg, value fields of a series).
func (t colType) isNumeric() bool { return t == tNumber || t.isInteger() }

func (t colType) String() string {
	switch t {
	case tString:
		return TypeString
	case tNumber:
		return TypeNumber
	case tBool:
		return TypeBoolean
	case tTime:
		return TypeTime
	case tJSON:
		return TypeJSON
	case tInt64:
		return TypeInt64
	case tUint64:
		return TypeUint64
	}
	return "unknown"
}

func parseColType(s string) (colType, bool) {
	switch s {
	case "":
		return tUnknown, true
	case TypeString:
		return tString, true
	case TypeNumber:
		return tNumber, true
	case TypeBoolean:
		return tBool, true
	case TypeTime:
		return tTime, true
	case TypeJSON:
		return tJSON, true
	case TypeInt64:
		return tInt64, true
	case TypeUint64:
		return tUint64, true
	case TypeDuration, TypeEnum: // read into numbers (see colBuilder.conv)
		return tNumber, true
	}
	return tUnknown, false
}

// timeNamed reports whether a column name suggests a time, which lets
// inference accept looser time formats (and Unix epochs for numbers) than it
// would for an arbitrary column where "2024-01-02" may well be a plain label.
func timeNamed(name string) bool {
	l := strings.ToLower(name)
	switch l {
	case "time", "timestamp", "ts", "date", "datetime", "time_stamp", "@timestamp":
		return true
	}
	for _, suf := range []string{"_at", "_time", "_date", "_ts", "_timestamp", "-at", "-time", "-date"} {
		if strings.HasSuffix(l, suf) {
			return true
		}
	}
	// camelCase: createdAt, startTime, endDate, eventTimestamp.
	for _, suf := range []string{"At", "Time", "Date", "Timestamp"} {
		if len(name) > len(suf) && strings.HasSuffix(name, suf) {
			c := name[len(name)-len(suf)-1]
			if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
				return true
			}
		}
	}
	return false
}
