// Package migrate converts Infinity and JSON API (grafana-json-datasource)
// dashboards and data source provisioning to Relay. It is pure: bytes in,
// bytes and a report out; cmd/relay-migrate does the I/O.
package migrate

import (
	"fmt"
	"io"
)

// Plugin ids of the sources.
const (
	PluginInfinity = "yesoreyeram-infinity-datasource"
	PluginJSONAPI  = "marcusolsson-json-datasource"
	PluginRelay    = "relay-gateway-datasource"
)

// Status of one converted target.
const (
	Converted = "converted" // runs in Relay and gives what the source gave
	Partial   = "partial"   // runs, but something was dropped or must be added (notes say what)
	Skipped   = "skipped"   // left as it was, on the old data source (reason says why)
)

// Entry is the report's line for one source target.
type Entry struct {
	Dashboard string   `json:"dashboard"`
	Panel     string   `json:"panel"`
	RefID     string   `json:"refId"`
	Type      string   `json:"type"`
	Status    string   `json:"status"`
	Reason    string   `json:"reason"`
	Notes     []string `json:"notes"`
}

// Report is the conversion report of one dashboard.
type Report []Entry

// Counts returns how many entries have each status.
func (r Report) Counts() map[string]int {
	c := map[string]int{Converted: 0, Partial: 0, Skipped: 0}
	for _, e := range r {
		c[e.Status]++
	}
	return c
}

// Summary writes the human summary (stderr of the command): the counts, then
// each entry that is not fully converted.
func (r Report) Summary(w io.Writer) {
	c := r.Counts()
	fmt.Fprintf(w, "relay-migrate: %d target(s): %d converted, %d partial, %d skipped\n", len(r), c[Converted], c[Partial], c[Skipped])
	for _, e := range r {
		if e.Status == Converted && len(e.Notes) == 0 {
			continue
		}
		s := fmt.Sprintf("  %-9s %s / %s / %s (%s)", e.Status, e.Dashboard, e.Panel, e.RefID, e.Type)
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		for _, n := range e.Notes {
			s += "\n            - " + n
		}
		fmt.Fprintln(w, s)
	}
}
