package upstream

import (
	"context"
	"net/http"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

type forwardedKey struct{}

type grafanaIDKey struct{}

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
// It also records the caller's Grafana ID token (X-Grafana-Id), sent only to
// upstreams with forwardGrafanaIdToken, only to their origin.
//
// Calling it with headers that carry no token clears earlier values.
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
	ctx = context.WithValue(ctx, forwardedKey{}, fwd)
	return context.WithValue(ctx, grafanaIDKey{}, grafanaIDToken(h))
}

// grafanaIDToken is the caller's signed Grafana ID token when h carries one
// shaped like a JWT (three base64url parts). Grafana sets X-Grafana-Id with
// its idForwarding feature and replaces a client's; without the feature a
// client's copy passes through, which is why the upstream must verify the
// signature (docs/security.md): Relay only forwards it, to upstreams that ask.
func grafanaIDToken(h http.Header) string {
	v := h.Get(backend.GrafanaUserSignInTokenHeaderName)
	if v == "" {
		return ""
	}
	parts := strings.Split(v, ".")
	if len(v) > maxGrafanaIDToken || len(parts) != 3 {
		return ""
	}
	for _, p := range parts {
		if p == "" || strings.Trim(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return ""
		}
	}
	return v
}

// maxGrafanaIDToken bounds what is forwarded; Grafana's tokens are well under 2 KiB.
const maxGrafanaIDToken = 8 << 10

func grafanaIDFromContext(ctx context.Context) string {
	v, _ := ctx.Value(grafanaIDKey{}).(string)
	return v
}

func forwardedFromContext(ctx context.Context) http.Header {
	h, _ := ctx.Value(forwardedKey{}).(http.Header)
	return h
}
