package settings

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
)

// Duration accepts a duration string in Grafana's grammar (the SDK's gtime:
// Go durations such as "30s" or "1m30s", plus whole days and weeks such as
// "1d" or "2w"), or a number of seconds: the forms people write in
// provisioning files. The pipeline's time buckets use the same grammar.
type Duration struct{ time.Duration }

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case float64:
		d.Duration = time.Duration(x * float64(time.Second))
	case string:
		if x == "" {
			d.Duration = 0
			return nil
		}
		p, err := parseDuration(x)
		if err != nil {
			return fmt.Errorf("invalid duration %q (use e.g. \"30s\", \"5m\", \"1d\" or a number of seconds)", x)
		}
		d.Duration = p
	case nil:
		d.Duration = 0
	default:
		return fmt.Errorf("duration must be a string like \"30s\" or a number of seconds")
	}
	return nil
}

// parseDuration is gtime.ParseDuration with month and year units refused
// (their length depends on the calendar, which no timeout or TTL should) and
// at most 5 digits before a day or week unit, so the value cannot overflow.
func parseDuration(s string) (time.Duration, error) {
	n := len(s)
	if last := s[n-1]; last == 'M' || last == 'y' {
		return 0, fmt.Errorf("months and years are not durations")
	} else if strings.IndexByte("dw", last) >= 0 && n-1 > 5 {
		return 0, fmt.Errorf("too long")
	}
	return gtime.ParseDuration(s)
}
