// Command minimal is the baseline for Relay's gateway benchmarks: the
// smallest SDK data source plugin, with a /ping resource that writes "{}" and
// a /proxy/ resource that forwards to the data source URL with a bare
// httputil.ReverseProxy (no policy, credentials, limits or metrics): the
// floor for any proxy inside an SDK plugin.
package main

import (
	"context"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
)

type instance struct{ backend.CallResourceHandler }

func (instance) CheckHealth(context.Context, *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk}, nil
}

func newInstance(_ context.Context, s backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	})
	if target, err := url.Parse(s.URL); err == nil && target.Host != "" {
		// Go's default keeps 2 idle connections per host; the benchmark's 8
		// clients would reconnect all the time.
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = 100
		mux.Handle("/proxy/", &httputil.ReverseProxy{
			Transport: transport,
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.URL.Path = strings.TrimPrefix(pr.In.URL.Path, "/proxy")
				pr.Out.URL.RawPath = ""
			},
		})
	}
	return instance{httpadapter.New(mux)}, nil
}

func main() {
	if err := datasource.Manage("relay-gateway-datasource", newInstance, datasource.ManageOpts{}); err != nil {
		os.Exit(1)
	}
}
