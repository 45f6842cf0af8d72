package cache

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Result is how a request for a cacheable resource was answered; it is the
// X-Cache header value and the "result" label of relay_cache_requests_total.
type Result string

const (
	// Hit: served from a fresh entry, no upstream call.
	Hit Result = "HIT"
	// Miss: fetched from the upstream (or shared from a concurrent fetch).
	Miss Result = "MISS"
	// Revalidated: a stale entry the upstream confirmed with 304.
	Revalidated Result = "REVALIDATED"
)

// Metrics go to the default registry, which the SDK serves to Grafana. The
// datasource label is the uid: one series set per data source, and a newer
// instance of the same data source takes over its gauges.
var (
	requestsVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "cache", Name: "requests_total",
		Help: "Requests for cacheable proxy resources by result (HIT, MISS, REVALIDATED).",
	}, []string{"datasource", "result"})
	evictionsVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "cache", Name: "evictions_total",
		Help: "Entries evicted to stay within jsonData.cache.maxBytes.",
	}, []string{"datasource"})
	bytesVec = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "relay", Subsystem: "cache", Name: "bytes",
		Help: "Bytes held by the response cache.",
	}, []string{"datasource"})
	entriesVec = promauto.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: "relay", Subsystem: "cache", Name: "entries",
		Help: "Entries held by the response cache.",
	}, []string{"datasource"})
)

type metricSet struct {
	requests  *prometheus.CounterVec
	evictions prometheus.Counter
	bytes     prometheus.Gauge
	entries   prometheus.Gauge
}

func metricsFor(name string) metricSet {
	return metricSet{
		requests:  requestsVec.MustCurryWith(prometheus.Labels{"datasource": name}),
		evictions: evictionsVec.WithLabelValues(name),
		bytes:     bytesVec.WithLabelValues(name),
		entries:   entriesVec.WithLabelValues(name),
	}
}

func (m metricSet) update(bytes int64, entries int) {
	m.bytes.Set(float64(bytes))
	m.entries.Set(float64(entries))
}
