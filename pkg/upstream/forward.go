package upstream

import (
	"context"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

type forwardedKey struct{}

// WithForwardedHeaders records the signed-in user's OAuth tokens for
// forwardOAuth (Grafana's "Forward OAuth Identity"). Callers pass the incoming
// headers: r.Header for resource calls, req.GetHTTPHeaders() for QueryData and
// CheckHealth (the SDK maps both "Authorization" and "http_Authorization"
// keys there). Only Authorization and X-ID-Token are kept; they are sent only
// when the data source uses forwardOAuth, and only to the upstream origin.
//
// We do not use the SDK's own forwarding (httpclient.Options.ForwardHTTPHeaders
// with its contextual middleware): it forwards every incoming header, cookies
// included, to every host the client talks to.
//
// Calling it with headers that carry neither token clears earlier values.
func WithForwardedHeaders(ctx context.Context, h http.Header) context.Context {
	fwd := http.Header{}
	// Grafana always deletes a client's Authorization from resource calls
	// and sets it only with OAuth pass-through, together with X-ID-Token; an
	// X-ID-Token without it came from the client and is not forwarded.
	if v := h.Get(backend.OAuthIdentityTokenHeaderName); v != "" {
		fwd.Set(backend.OAuthIdentityTokenHeaderName, v)
		if id := h.Get(backend.OAuthIdentityIDTokenHeaderName); id != "" {
			fwd.Set(backend.OAuthIdentityIDTokenHeaderName, id)
		}
	}
	return context.WithValue(ctx, forwardedKey{}, fwd)
}

func forwardedFromContext(ctx context.Context) http.Header {
	h, _ := ctx.Value(forwardedKey{}).(http.Header)
	return h
}
