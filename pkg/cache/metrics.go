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

// QueryResult is how a cached query got its upstream bytes: the "result"
// label of relay_query_cache_requests_total.
type QueryResult string

const (
	// QueryHit: a fresh entry of this process, no upstream call.
	QueryHit QueryResult = "hit"
	// QueryRemoteHit: a fresh entry of the shared tier (another replica fetched it).
	QueryRemoteHit QueryResult = "remote_hit"
	// QueryMiss: this query made the upstream call.
	QueryMiss QueryResult = "miss"
	// QueryCoalesced: waited for an identical query's upstream call, in this
	// process or on another replica, and shared its answer.
	QueryCoalesced QueryResult = "coalesced"
	// QueryStale: an expired entry served while one background refresh runs
	// (staleWhileRevalidate).
	QueryStale QueryResult = "stale"
)

// Metrics go to the default registry, which the SDK serves to Grafana. The
// datasource label is the uid: one series set per data source, and a newer
// instance of the same data source takes over its gauges. The proxy's
// response cache is relay_cache_*, the query cache relay_query_cache_*.
var (
	requestsVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "cache", Name: "requests_total",
		Help: "Requests for cacheable proxy resources by result (HIT, MISS, REVALIDATED).",
	}, []string{"datasource", "result"})
	queryRequestsVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "query_cache", Name: "requests_total",
		Help: "Queries with a cacheTTL by how they got their upstream bytes (hit, remote_hit, miss, coalesced, stale).",
	}, []string{"datasource", "result"})
	queryServedVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "query_cache", Name: "served_bytes_total",
		Help: "Upstream bytes served from the query cache instead of fetched.",
	}, []string{"datasource"})
	remoteErrorsVec = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Subsystem: "cache", Name: "remote_errors_total",
		Help: "Calls to the shared cache tier (Redis) that failed; the caller went on with the local tier.",
	}, []string{"datasource", "cache"})
	evictionsVecs = map[string]*prometheus.CounterVec{
		"proxy": promauto.NewCounterVec(prometheus.CounterOpts{
			Namespace: "relay", Subsystem: "cache", Name: "evictions_total",
			Help: "Entries evicted to stay within jsonData.cache.maxBytes.",
		}, []string{"datasource"}),
		"query": promauto.NewCounterVec(prometheus.CounterOpts{
			Namespace: "relay", Subsystem: "query_cache", Name: "evictions_total",
			Help: "Query cache entries evicted to stay within jsonData.cache.maxBytes.",
		}, []string{"datasource"}),
	}
	bytesVecs = map[string]*prometheus.GaugeVec{
		"proxy": promauto.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "relay", Subsystem: "cache", Name: "bytes",
			Help: "Bytes held by the response cache.",
		}, []string{"datasource"}),
		"query": promauto.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "relay", Subsystem: "query_cache", Name: "bytes",
			Help: "Bytes held by the query cache.",
		}, []string{"datasource"}),
	}
	entriesVecs = map[string]*prometheus.GaugeVec{
		"proxy": promauto.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "relay", Subsystem: "cache", Name: "entries",
			Help: "Entries held by the response cache.",
		}, []string{"datasource"}),
		"query": promauto.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "relay", Subsystem: "query_cache", Name: "entries",
			Help: "Entries held by the query cache.",
		}, []string{"datasource"}),
	}
)

type metricSet struct {
	requests     *prometheus.CounterVec
	queries      *prometheus.CounterVec
	served       prometheus.Counter
	remoteErrors prometheus.Counter
	evictions    prometheus.Counter
	bytes        prometheus.Gauge
	entries      prometheus.Gauge
}

// metricsFor returns the series of one cache: kind is "proxy" or "query".
func metricsFor(kind, name string) metricSet {
	return metricSet{
		requests:     requestsVec.MustCurryWith(prometheus.Labels{"datasource": name}),
		queries:      queryRequestsVec.MustCurryWith(prometheus.Labels{"datasource": name}),
		served:       queryServedVec.WithLabelValues(name),
		remoteErrors: remoteErrorsVec.WithLabelValues(name, kind),
		evictions:    evictionsVecs[kind].WithLabelValues(name),
		bytes:        bytesVecs[kind].WithLabelValues(name),
		entries:      entriesVecs[kind].WithLabelValues(name),
	}
}

func (m metricSet) update(bytes int64, entries int) {
	m.bytes.Set(float64(bytes))
	m.entries.Set(float64(entries))
}
