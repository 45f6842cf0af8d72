package upstream

import (
	"net/http"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/httpclient"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Upstream request metrics. The SDK's DataSourceMetricsMiddleware curries and
// re-registers its collectors on every request, which measured at about half
// of a proxied call's CPU; these resolve their label children once per client.
var (
	upstreamRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Namespace: "relay", Name: "upstream_requests_total",
		Help: "Requests Relay sent upstream, by data source and status class (error = no response).",
	}, []string{"datasource_uid", "status_class"})
	upstreamDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: "relay", Name: "upstream_request_duration_seconds",
		Help: "Time to the upstream's response headers, by data source.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 8),
	}, []string{"datasource_uid"})
)

// metricsMiddleware counts upstream requests with pre-resolved label children.
func metricsMiddleware(uid string) httpclient.Middleware {
	var byClass [6]prometheus.Counter // 0 = error, 1..5 = 1xx..5xx
	byClass[0] = upstreamRequests.WithLabelValues(uid, "error")
	for i, c := range []string{"1xx", "2xx", "3xx", "4xx", "5xx"} {
		byClass[i+1] = upstreamRequests.WithLabelValues(uid, c)
	}
	duration := upstreamDuration.WithLabelValues(uid)
	return httpclient.NamedMiddlewareFunc("relay-upstream-metrics", func(_ httpclient.Options, next http.RoundTripper) http.RoundTripper {
		return httpclient.RoundTripperFunc(func(req *http.Request) (*http.Response, error) {
			start := time.Now()
			resp, err := next.RoundTrip(req)
			duration.Observe(time.Since(start).Seconds())
			class := 0
			if err == nil && resp.StatusCode >= 100 && resp.StatusCode < 600 {
				class = resp.StatusCode / 100
			}
			byClass[class].Inc()
			return resp, err
		})
	})
}
