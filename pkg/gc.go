package main

import (
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcSettings are the Go runtime's garbage-collector knobs, read from
// Grafana's [plugin.relay-gateway-datasource] section (gogc, memory_limit),
// which Grafana passes to the plugin as GF_PLUGIN_GOGC and
// GF_PLUGIN_MEMORY_LIMIT. The plugin's live heap is small (a few MiB), so with
// Go's default GOGC=100 a busy gateway collects every few MiB of allocation;
// a higher gogc trades memory for CPU. GOGC and GOMEMLIMIT themselves, when
// set, win (they are Grafana's own too, as plugins inherit its environment).
type gcSettings struct {
	percent     int   // -1 = off; 0 = unchanged
	memoryLimit int64 // bytes; 0 = unchanged
}

func readGCSettings(getenv func(string) string) (gcSettings, error) {
	var s gcSettings
	if v := strings.TrimSpace(getenv("GF_PLUGIN_GOGC")); v != "" && getenv("GOGC") == "" {
		if strings.EqualFold(v, "off") {
			s.percent = -1
		} else if n, err := strconv.Atoi(v); err == nil && n > 0 {
			s.percent = n
		} else {
			return gcSettings{}, fmt.Errorf("gogc %q: want a positive percentage or off", v)
		}
	}
	if getenv("GOMEMLIMIT") == "" {
		s.memoryLimit = defaultMemoryLimit
		if v := strings.TrimSpace(getenv("GF_PLUGIN_MEMORY_LIMIT")); v != "" {
			n, err := parseBytes(v)
			if err != nil {
				return gcSettings{}, fmt.Errorf("memory_limit %q: %w", v, err)
			}
			s.memoryLimit = n
		}
	}
	return s, nil
}

// defaultMemoryLimit is the soft limit when none is configured. The
// in-flight budgets bound what calls hold at once (docs/security.md); the
// garbage they leave is only collected when the heap reaches its goal, which
// without a limit is twice the last live peak, so a burst of worst cases left
// the next burst room for 900 MiB of garbage (bench/memory). The soft limit
// makes the collector run before the process grows past it.
const defaultMemoryLimit = 400 << 20

func (s gcSettings) apply() {
	if s.percent != 0 {
		debug.SetGCPercent(s.percent)
	}
	if s.memoryLimit > 0 {
		debug.SetMemoryLimit(s.memoryLimit)
	}
}

// parseBytes reads GOMEMLIMIT's syntax: a number of bytes with an optional
// B, KiB, MiB, GiB or TiB suffix.
func parseBytes(v string) (int64, error) {
	units := []struct {
		suffix string
		scale  float64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	scale, num := 1.0, v
	for _, u := range units {
		if rest, ok := strings.CutSuffix(v, u.suffix); ok {
			scale, num = u.scale, rest
			break
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || f <= 0 || f*scale > math.MaxInt64 {
		return 0, fmt.Errorf("want a size such as 512MiB or 2GiB")
	}
	return int64(f * scale), nil
}
