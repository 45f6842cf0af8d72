package resources

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestRouteMetrics(t *testing.T) {
	f := newFixture(t, `{}`, Features{})
	ok := requestsTotal.WithLabelValues("info", "GET", "2xx")
	denied := requestsTotal.WithLabelValues("audit", "GET", "4xx")
	okBefore, deniedBefore := testutil.ToFloat64(ok), testutil.ToFloat64(denied)
	f.call(t, "GET", "info", "Viewer", nil, nil)
	f.call(t, "GET", "audit", "Viewer", nil, nil)
	if testutil.ToFloat64(ok) != okBefore+1 || testutil.ToFloat64(denied) != deniedBefore+1 {
		t.Fatalf("counters: info 2xx %v→%v, audit 4xx %v→%v", okBefore, testutil.ToFloat64(ok), deniedBefore, testutil.ToFloat64(denied))
	}
	if n := testutil.CollectAndCount(requestDuration, "relay_resource_request_duration_seconds"); n == 0 {
		t.Fatal("no latency histogram")
	}
}
