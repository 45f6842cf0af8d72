package resources

import (
	"bytes"
	"context"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// adapter serves a CallResource through an http.Handler, as the SDK's
// httpadapter does, with a response writer of Relay's own (responseWriter):
// a streamed answer reuses one body buffer instead of starting a new one per
// flushed chunk, and stops accepting writes once the client has gone.
type adapter struct {
	handler http.Handler
}

// CallResource converts the call as the SDK's httpadapter does: the plugin
// context and user in the context, the path with the raw query of req.URL
// (parsed again as a URL: see CallResourceHandler), the headers and the body
// (nil when the call has none).
func (a adapter) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	var body io.Reader
	if len(req.Body) > 0 {
		body = bytes.NewReader(req.Body)
	}
	ctx = backend.WithPluginContext(ctx, req.PluginContext)
	ctx = backend.WithUser(ctx, req.PluginContext.User)
	u, err := url.Parse(req.URL)
	if err != nil {
		return err
	}
	target := req.Path
	if u.RawQuery != "" {
		target += "?" + u.RawQuery
	}
	if !strings.HasPrefix(target, "/") {
		target = "/" + target
	}
	r, err := http.NewRequestWithContext(ctx, req.Method, target, body)
	if err != nil {
		return err
	}
	maps.Copy(r.Header, req.Headers)
	w := newResponseWriter(sender, req.Method)
	a.handler.ServeHTTP(w, r)
	w.Flush() // the whole answer if nothing flushed, else the rest
	return nil
}
