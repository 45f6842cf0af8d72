// Package target holds a benchmark's figure to its stated target, so that a summary line says when it misses:
// "BELOW TARGET" for a floor (a ratio, a throughput), "ABOVE TARGET" for a ceiling (a latency, a peak memory).
package target

import "fmt"

// AtLeast formats a figure whose target is a floor, e.g. "0.91 × (target ≥ 0.85)".
func AtLeast(got, floor float64, format string) string {
	return line(got, format, "≥", floor, got >= floor, "BELOW TARGET")
}

// AtMost formats a figure whose target is a ceiling, e.g. "0.42 ms (target ≤ 0.5)".
func AtMost(got, ceiling float64, format string) string {
	return line(got, format, "≤", ceiling, got <= ceiling, "ABOVE TARGET")
}

// line is "<got> (target <op> <limit>)", with the miss appended when !ok. format prints got, e.g. "%.2f ×".
func line(got float64, format, op string, limit float64, ok bool, miss string) string {
	s := fmt.Sprintf(format+" (target %s %g)", got, op, limit)
	if !ok {
		s += "  " + miss
	}
	return s
}
