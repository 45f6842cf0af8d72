package resources

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics go to the default registry, which the SDK serves to Grafana
// through CollectMetrics.
var (
	requestsTotal = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Name: "resource_requests_total",
		Help: "Resource calls by route, method and status class.",
	}, []string{"route", "method", "status_class"})
	requestDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "relay", Name: "resource_request_duration_seconds",
		Help: "Resource call latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
	}, []string{"route"})
)

func recordMetrics(route, method string, status int, d time.Duration) {
	requestsTotal.WithLabelValues(route, method, strconv.Itoa(status/100)+"xx").Inc()
	requestDuration.WithLabelValues(route).Observe(d.Seconds())
}
