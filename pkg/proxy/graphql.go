package proxy

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
)

// withGraphQLBody reads the body of a call to a GraphQL-aware rule once,
// bounded by proxy.maxRequestBytes, hands it to the gate (which parses it
// against the rule before anything leaves: authz.CheckGraphQL) and replays
// the same bytes upstream, so what was checked is what is sent.
func (g *Gateway) withGraphQLBody(r *http.Request) (*http.Request, *apierr.Error) {
	var data []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		data, err = io.ReadAll(io.LimitReader(r.Body, g.maxRequest+1))
		r.Body.Close()
		var tooLarge *http.MaxBytesError
		if int64(len(data)) > g.maxRequest || errors.As(err, &tooLarge) {
			return r, apierr.TooLarge(g.maxRequest)
		}
		if err != nil {
			return r, apierr.BadRequest("bad_body", "the request body could not be read")
		}
	}
	ctx := authz.WithRequestBody(r.Context(), authz.RequestBody{
		ContentType: r.Header.Get("Content-Type"), ContentEncoding: r.Header.Get("Content-Encoding"), Data: data})
	r = r.WithContext(ctx)
	r.Body, r.ContentLength = http.NoBody, 0
	if len(data) > 0 {
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	return r, nil
}
