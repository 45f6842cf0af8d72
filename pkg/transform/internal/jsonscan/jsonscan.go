// Package jsonscan validates JSON in one pass without allocating: the
// grammar of RFC 8259, a nesting limit, and the bounds of a top-level
// array's elements. It is the depth guard every JSON input route goes
// through before gjson or encoding/json reads the data.
package jsonscan

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// MaxDepth bounds nesting. gjson (and encoding/json for values given to
// expressions) recurse on nesting, and a Go stack overflow is fatal rather
// than a recoverable panic, so deeper documents are rejected up front.
const MaxDepth = 512

// SyntaxError locates invalid JSON for the error message.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s at byte %d", e.Msg, e.Offset)
}

// Validate checks that b holds exactly one JSON value (RFC 8259 grammar,
// surrounding whitespace allowed) nested at most MaxDepth deep. It is an
// iterative state machine: fast (one pass, no allocation beyond a small stack)
// and safe on hostile input.
func Validate(b []byte) *SyntaxError {
	_, err := scanJSON(b, false)
	return err
}

// ValidateRows is Validate that also returns where each element of a
// top-level array starts and ends (pairs of offsets). Reading rows from these
// bounds spares gjson a scan of every row just to find where it ends, and
// their number sizes the columns exactly.
func ValidateRows(b []byte) ([]uint32, *SyntaxError) {
	return scanJSON(b, len(b) <= math.MaxUint32)
}

func scanJSON(b []byte, record bool) (bounds []uint32, err *SyntaxError) {
	var stackBuf [64]byte
	stack := stackBuf[:0] // '{' or '[' per open container
	i := SkipWS(b, 0)
	fail := func(msg string) ([]uint32, *SyntaxError) {
		if i >= len(b) {
			return nil, &SyntaxError{Offset: len(b), Msg: "unexpected end of JSON"}
		}
		return nil, &SyntaxError{Offset: i, Msg: msg}
	}
value:
	if i >= len(b) {
		return fail("")
	}
	if record && len(stack) == 1 && stack[0] == '[' {
		bounds = append(bounds, uint32(i), 0)
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		if len(stack) >= MaxDepth {
			return fail(fmt.Sprintf("JSON nested deeper than %d levels", MaxDepth))
		}
		stack = append(stack, c)
		i = SkipWS(b, i+1)
		if i < len(b) && b[i] == c+2 { // '{'+2 is '}', '['+2 is ']'
			stack = stack[:len(stack)-1]
			i++
			goto after
		}
		if c == '{' {
			goto key
		}
		goto value
	case c == '"':
		var ok bool
		if i, ok = scanString(b, i); !ok {
			return fail("invalid string")
		}
	case c == '-' || c >= '0' && c <= '9':
		var ok bool
		if i, ok = scanNumber(b, i); !ok {
			return fail("invalid number")
		}
	case c == 't':
		if !hasLiteral(b, i, "true") {
			return fail("invalid literal")
		}
		i += 4
	case c == 'f':
		if !hasLiteral(b, i, "false") {
			return fail("invalid literal")
		}
		i += 5
	case c == 'n':
		if !hasLiteral(b, i, "null") {
			return fail("invalid literal")
		}
		i += 4
	default:
		return fail(fmt.Sprintf("invalid character %q", c))
	}
after:
	if record && len(stack) == 1 && stack[0] == '[' {
		bounds[len(bounds)-1] = uint32(i)
	}
	i = SkipWS(b, i)
	if len(stack) == 0 {
		if i != len(b) {
			return fail("unexpected data after the JSON value")
		}
		return bounds, nil
	}
	if i >= len(b) {
		return fail("")
	}
	switch top := stack[len(stack)-1]; {
	case b[i] == ',':
		i = SkipWS(b, i+1)
		if top == '{' {
			goto key
		}
		goto value
	case b[i] == '}' && top == '{', b[i] == ']' && top == '[':
		stack = stack[:len(stack)-1]
		i++
		goto after
	default:
		return fail(fmt.Sprintf("invalid character %q after a value", b[i]))
	}
key:
	if i >= len(b) || b[i] != '"' {
		return fail("expected a string key")
	}
	{
		var ok bool
		if i, ok = scanString(b, i); !ok {
			return fail("invalid string")
		}
	}
	i = SkipWS(b, i)
	if i >= len(b) || b[i] != ':' {
		return fail("expected ':' after a key")
	}
	i = SkipWS(b, i+1)
	goto value
}

func SkipWS(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scanString scans the string starting at b[i] == '"' and returns the index after it.
func scanString(b []byte, i int) (int, bool) {
	i++
	for i < len(b) {
		// Skip 8 plain bytes at a time: most string bytes are neither a quote,
		// a backslash nor a control character.
		for i+8 <= len(b) {
			m := specialBytes(binary.LittleEndian.Uint64(b[i:]))
			if m != 0 {
				i += bits.TrailingZeros64(m) / 8
				break
			}
			i += 8
		}
		if i >= len(b) {
			break
		}
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+5 >= len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return i, false
				}
				i += 6
			default:
				return i, false
			}
		case c < 0x20:
			return i, false
		default:
			i++
		}
	}
	return i, false
}

// specialBytes has the high bit set in each byte of x that is '"', '\\' or
// below 0x20 (SWAR: "Bit Twiddling Hacks", haszero/hasless). Bits above the
// first match may be spurious, so only the lowest one is used.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := x ^ (ones * '"')
	bslash := x ^ (ones * '\\')
	return ((quote-ones) & ^quote | (bslash-ones) & ^bslash | (x-ones*0x20) & ^x) & highs
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanNumber scans a JSON number starting at b[i].
func scanNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == s {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		s := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == s {
			return i, false
		}
	}
	return i, true
}

// CountElements counts the elements of the valid JSON array raw without
// parsing them: commas at depth one, outside strings.
func CountElements(raw string) int {
	depth, n := 0, 0
	empty := true
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
			empty = false
		case '[', '{':
			if depth == 1 {
				empty = false
			}
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 1 {
				n++
			}
		case ' ', '\t', '\n', '\r':
		default:
			if depth == 1 {
				empty = false
			}
		}
	}
	if empty {
		return 0
	}
	return n + 1
}
