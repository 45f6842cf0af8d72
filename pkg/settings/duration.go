package settings

import (
	"encoding/json"
	"fmt"
	"time"
)

// Duration accepts Go duration strings ("30s", "1m30s") or a number of
// seconds, the two forms people write in provisioning files.
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
		p, err := time.ParseDuration(x)
		if err != nil {
			return fmt.Errorf("invalid duration %q (use e.g. \"30s\" or a number of seconds)", x)
		}
		d.Duration = p
	case nil:
		d.Duration = 0
	default:
		return fmt.Errorf("duration must be a string like \"30s\" or a number of seconds")
	}
	return nil
}
