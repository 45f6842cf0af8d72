package main

import (
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"
)

func TestSeriesValuesAreExact(t *testing.T) {
	ts, _ := newTestAPI(t)
	var got struct {
		From, To, Step int64
		Series         []seriesData
	}
	// from is not aligned: points start at the next multiple of step; to is inclusive.
	get(t, ts, "/api/series?from=1000&to=600000&step=60000&series=a,cpu.load", http.StatusOK, &got)
	if len(got.Series) != 2 || got.Series[0].Name != "a" || got.Series[1].Name != "cpu.load" {
		t.Fatalf("series %+v", got.Series)
	}
	for _, s := range got.Series {
		if len(s.Points) != 10 {
			t.Fatalf("%s: %d points, want 10", s.Name, len(s.Points))
		}
		for i, p := range s.Points {
			ts := int64(i+1) * 60000
			if p.TS != ts || p.Time != time.UnixMilli(ts).UTC().Format(time.RFC3339) || p.Value != seriesValue(s.Name, ts) {
				t.Errorf("%s[%d] = %+v", s.Name, i, p)
			}
		}
	}
	// Known values pin the formula itself, not just self-consistency.
	if a0, b0 := seriesValue("a", 0), seriesValue("b", 0); a0 != 108.029 || b0 != 165.629 {
		t.Errorf("a(0) = %v, b(0) = %v", a0, b0)
	}
	// Sub-second steps keep millisecond precision in "time".
	get(t, ts, "/api/series?from=0&to=1500&step=500", http.StatusOK, &got)
	if p := got.Series[0].Points; len(p) != 4 || p[1].Time != "1970-01-01T00:00:00.5Z" {
		t.Errorf("500 ms points %+v", p)
	}
}

func TestSeriesDefaultsAndLimits(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 10, 30, 15, 0, time.UTC)}
	ts, _ := newTestAPI(t, func(s *server) { s.now = clock.Now })
	var got struct{ Series []seriesData }
	get(t, ts, "/api/series", http.StatusOK, &got)
	if len(got.Series) != 1 || got.Series[0].Name != "a" || len(got.Series[0].Points) != 60 {
		t.Fatalf("default: %d series, %d points", len(got.Series), len(got.Series[0].Points))
	}
	if first := got.Series[0].Points[0].Time; first != "2025-03-01T09:31:00Z" {
		t.Errorf("first default point %s", first)
	}
	get(t, ts, fmt.Sprintf("/api/series?from=0&to=%d&step=1", maxPoints-1), http.StatusOK, &got)
	if n := len(got.Series[0].Points); n != maxPoints {
		t.Errorf("%d points at the cap", n)
	}
	for _, q := range []string{
		fmt.Sprintf("from=0&to=%d&step=1", maxPoints), "from=10&to=5", "step=0", "from=-1", "to=x",
		"to=99999999999999999", "series=a,,b", "series=a%20b", "from=253402300799999&to=253402300799999&step=253402300799999",
	} {
		resp, body := get(t, ts, "/api/series?"+q, 0, nil)
		if q == "from=253402300799999&to=253402300799999&step=253402300799999" {
			checkStatus(t, resp, body, http.StatusOK) // the extremes do not overflow
			continue
		}
		checkAPIError(t, resp, body, http.StatusBadRequest)
	}
}

func TestMetrics(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 10, 30, 15, 0, time.UTC)}
	ts, _ := newTestAPI(t, func(s *server) { s.now = clock.Now })
	var rows []metricRow
	get(t, ts, "/api/metrics", http.StatusOK, &rows)
	if len(rows) != 60*len(metricHosts) {
		t.Fatalf("%d rows for the last hour, want %d", len(rows), 60*len(metricHosts))
	}
	if rows[0].Time != "2025-03-01T09:31:00Z" || rows[0].Host != "web-1" || rows[2].Host != "web-3" ||
		rows[3].Time != "2025-03-01T09:32:00Z" {
		t.Errorf("order: %+v %+v %+v", rows[0], rows[2], rows[3])
	}
	var raw []map[string]any
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	get(t, ts, fmt.Sprintf("/api/metrics?from=%d&to=%d&host=web-2", from, from+(2000-1)*60000), http.StatusOK, &raw)
	down := 0
	for i, r := range raw {
		want := metricAt(1, from+int64(i)*60000)
		if r["host"] != "web-2" || r["time"] != want.Time || r["up"] != want.Up {
			t.Fatalf("row %d = %v, want %+v", i, r, want)
		}
		if !want.Up {
			down++
			if v, ok := r["cpu"]; !ok || v != nil || r["mem"] != nil {
				t.Errorf("down row %d has cpu/mem %v/%v, want null", i, r["cpu"], r["mem"])
			}
			continue
		}
		cpu, mem := r["cpu"].(float64), r["mem"].(float64)
		if cpu != *want.CPU || mem != *want.Mem || cpu < 0 || cpu > 100 || mem < 0 || mem > 100 ||
			cpu != math.Round(cpu*100)/100 {
			t.Errorf("row %d cpu %v mem %v", i, cpu, mem)
		}
	}
	if len(raw) != 2000 || down == 0 || down > 150 {
		t.Errorf("%d rows, %d down", len(raw), down)
	}
	resp, body := get(t, ts, fmt.Sprintf("/api/metrics?from=0&to=%d", 4000*60000), http.StatusBadRequest, nil)
	checkAPIError(t, resp, body, http.StatusBadRequest)
	get(t, ts, "/api/metrics?host=db-1", http.StatusOK, &rows)
	if len(rows) != 0 {
		t.Errorf("unknown host gave %d rows", len(rows))
	}
}
