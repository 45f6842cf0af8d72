package main

import (
	"errors"
	"hash/fnv"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Time data for the transformation pipeline and QueryData. Values are pure functions of (name, timestamp), and
// point timestamps are aligned to multiples of step, so the same instant has the same value whatever range was
// asked for: tests can compute exact expectations and caches can be compared across ranges.

const (
	maxPoints      = 10000 // per series for /api/series, rows in total for /api/metrics
	maxSeries      = 20
	defaultStepMS  = 60_000
	defaultRangeMS = 3_600_000
	// maxMillis (9999-12-31T23:59:59.999Z) keeps from, to and step far from int64 overflow.
	maxMillis = 253_402_300_799_999
)

// timeRange is an inclusive [from, to] window in Unix milliseconds with a step.
type timeRange struct{ from, to, step int64 }

// parseTimeRange reads from, to and step (Unix ms). Defaults: the hour up to now, one-minute step.
func parseTimeRange(r *http.Request, now time.Time) (timeRange, error) {
	q := r.URL.Query()
	tr := timeRange{to: now.UnixMilli(), step: defaultStepMS}
	tr.from = tr.to - defaultRangeMS
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"from", &tr.from}, {"to", &tr.to}, {"step", &tr.step}} {
		if s := q.Get(p.name); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil || v < 0 || v > maxMillis {
				return tr, errors.New(p.name + " must be Unix milliseconds from 0 to " + strconv.Itoa(maxMillis))
			}
			*p.dst = v
		}
	}
	switch {
	case tr.step < 1:
		return tr, errors.New("step must be at least 1 ms")
	case tr.from > tr.to:
		return tr, errors.New("from must not be after to")
	}
	return tr, nil
}

// first is the first multiple of step at or after from.
func (tr timeRange) first() int64 { return (tr.from + tr.step - 1) / tr.step * tr.step }

// count is the number of aligned points in [from, to].
func (tr timeRange) count() int64 {
	if f := tr.first(); f <= tr.to {
		return (tr.to-f)/tr.step + 1
	}
	return 0
}

func formatMillis(ms int64) string { return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano) }

func hash32(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// seriesValue is the value of series name at ts: a sine whose base, amplitude, period and phase derive from the
// name, rounded to 3 decimals.
func seriesValue(name string, ts int64) float64 {
	h := hash32(name)
	period := int64(1+h%6) * 10 * 60_000 // 10 to 60 minutes
	phase := float64(h%360) * math.Pi / 180
	amplitude := float64(10 + 5*(h%7))
	base := float64(50 + 10*(h%11))
	x := 2*math.Pi*float64(ts%period)/float64(period) + phase
	return math.Round((base+amplitude*math.Sin(x))*1000) / 1000
}

type seriesPoint struct {
	Time  string  `json:"time"`
	TS    int64   `json:"ts"`
	Value float64 `json:"value"`
}

type seriesData struct {
	Name   string        `json:"name"`
	Points []seriesPoint `json:"points"`
}

// GET /api/series?from=&to=&step=&series=a,b
func (s *server) series(w http.ResponseWriter, r *http.Request) {
	tr, err := parseTimeRange(r, s.now())
	if err != nil {
		badRequest(w, err)
		return
	}
	names, err := seriesNames(r.URL.Query().Get("series"))
	if err != nil {
		badRequest(w, err)
		return
	}
	n := tr.count()
	if n > maxPoints {
		writeError(w, http.StatusBadRequest, "too_many_points",
			"the range has "+strconv.FormatInt(n, 10)+" points per series; the limit is "+strconv.Itoa(maxPoints))
		return
	}
	out := make([]seriesData, len(names))
	for i, name := range names {
		pts := make([]seriesPoint, 0, n)
		for i := range n {
			ts := tr.first() + i*tr.step
			pts = append(pts, seriesPoint{Time: formatMillis(ts), TS: ts, Value: seriesValue(name, ts)})
		}
		out[i] = seriesData{Name: name, Points: pts}
	}
	writeNegotiatedJSON(w, r, map[string]any{"from": tr.from, "to": tr.to, "step": tr.step, "series": out})
}

func seriesNames(param string) ([]string, error) {
	if param == "" {
		return []string{"a"}, nil
	}
	names := strings.Split(param, ",")
	if len(names) > maxSeries {
		return nil, errors.New("at most " + strconv.Itoa(maxSeries) + " series")
	}
	for _, n := range names {
		if !validName(n) {
			return nil, errors.New("series names are 1-64 characters of letters, digits, '_', '-', '.'")
		}
	}
	return names, nil
}

func validName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

var metricHosts = []string{"web-1", "web-2", "web-3"}

// metricRow is one flat row; cpu and mem are null while the host is down, so type inference meets nullable numbers.
type metricRow struct {
	Time string   `json:"time"`
	Host string   `json:"host"`
	CPU  *float64 `json:"cpu"`
	Mem  *float64 `json:"mem"`
	Up   bool     `json:"up"`
}

// metricAt computes host's row at ts: smooth sines plus a little deterministic noise; down one time in 40.
func metricAt(hostIndex int, ts int64) metricRow {
	noise := splitmix64(uint64(ts) ^ uint64(hostIndex+1)<<56)
	row := metricRow{Time: formatMillis(ts), Host: metricHosts[hostIndex], Up: noise%40 != 0}
	if row.Up {
		x := 2 * math.Pi * float64(ts%3_600_000) / 3_600_000
		cpu := 45 + 30*math.Sin(x+float64(hostIndex)) + float64(noise>>8%1000)/100 - 5
		mem := 60 + 15*math.Cos(x/2+float64(hostIndex)) + float64(noise>>20%400)/100 - 2
		cpu, mem = math.Round(cpu*100)/100, math.Round(mem*100)/100
		row.CPU, row.Mem = &cpu, &mem
	}
	return row
}

// splitmix64 is a tiny, well-mixed integer hash: deterministic noise without a seeded generator's shared state.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// GET /api/metrics?from=&to=&step=&host= → rows ordered by time, then host.
func (s *server) metrics(w http.ResponseWriter, r *http.Request) {
	tr, err := parseTimeRange(r, s.now())
	if err != nil {
		badRequest(w, err)
		return
	}
	hosts := []int{0, 1, 2}
	if h := r.URL.Query().Get("host"); h != "" {
		hosts = hosts[:0]
		for i, name := range metricHosts {
			if name == h {
				hosts = append(hosts, i)
			}
		}
	}
	if n := tr.count() * int64(len(hosts)); n > maxPoints {
		writeError(w, http.StatusBadRequest, "too_many_points",
			"the range has "+strconv.FormatInt(n, 10)+" rows; the limit is "+strconv.Itoa(maxPoints))
		return
	}
	rows := make([]metricRow, 0, tr.count()*int64(len(hosts)))
	for i := range tr.count() {
		ts := tr.first() + i*tr.step
		for _, h := range hosts {
			rows = append(rows, metricAt(h, ts))
		}
	}
	writeNegotiatedJSON(w, r, rows)
}
