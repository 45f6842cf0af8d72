// Package cpuset places a benchmark's processes on CPUs the way they are
// placed in production: Grafana and its plugin processes on one machine, the
// browser (load generator) and the upstream API elsewhere. On one small
// machine "elsewhere" can only mean other cores, so Split gives the dev host
// and plugin one half of the CPUs and the load generator and demo API the
// other half. Without it, the demo API's and the load generator's CPU time is
// taken from the cores the plugin runs on and charged to the proxy.
package cpuset

import "fmt"

// Layout is a placement of the benchmark's processes.
type Layout struct {
	Name string
	// Grafana runs the dev host and plugins; Outside runs the load generator
	// (this process) and the demo API. Both nil means "leave all shared".
	Grafana, Outside []int
}

// Shared leaves every process free to run on every allowed CPU.
func Shared() Layout { return Layout{Name: "shared cores"} }

func (l Layout) String() string {
	if l.Grafana == nil {
		return l.Name
	}
	return fmt.Sprintf("%s (dev host + plugin on CPU %v, load generator + demo API on CPU %v)", l.Name, l.Grafana, l.Outside)
}

// Apply pins the given processes (every thread) to the layout's halves and
// this process to the Outside half; a Shared layout pins everything to all
// allowed CPUs, undoing an earlier Apply.
func (l Layout) Apply(grafanaPIDs, outsidePIDs []int) error {
	all, err := allowed()
	if err != nil {
		return err
	}
	grafana, outside := all, all
	if l.Grafana != nil {
		grafana, outside = l.Grafana, l.Outside
	}
	for _, pid := range grafanaPIDs {
		if err := pin(pid, grafana); err != nil {
			return err
		}
	}
	for _, pid := range append(outsidePIDs, self()) {
		if err := pin(pid, outside); err != nil {
			return err
		}
	}
	return nil
}

// Split halves the CPUs this process may use. ok is false with fewer than
// two CPUs (or off Linux), when there is nothing to split.
func Split() (l Layout, ok bool) {
	all, err := allowed()
	if err != nil || len(all) < 2 {
		return Layout{}, false
	}
	half := len(all) / 2
	return Layout{Name: "upstream and load generator on their own cores", Grafana: all[:half], Outside: all[half:]}, true
}
