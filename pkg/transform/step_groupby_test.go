package transform

import "testing"

// TestIntervalGrammar: intervals are gtime durations (one grammar with Grafana).
func TestIntervalGrammar(t *testing.T) {
	for s, ok := range map[string]bool{"5m": true, "1h30m": true, "1.5h": true, "1d": true, "2w": true, "1M": true, "1y": true, "99999d": true,
		"999999d": false, "1us": false, "0d": false, "5 minutes": false, "d": false, "-1d": false, "1.5d": false, "": false} {
		if _, err := parseInterval(s); (err == nil) != ok {
			t.Errorf("%q: %v", s, err)
		}
	}
}
