package upstream

import (
	"io"
	"net/http"
)

// What the client does with an upstream 401, for the auth kinds that can
// do better than pass it on (auth.go's optional interfaces).

// retryWithNewToken handles an upstream 401 to a fetched token (OAuth2,
// JWT, login): the token
// may have been revoked or rotated before its expiry, so it is dropped and
// the next request fetches a new one. A request that can be sent again
// (GET, HEAD, OPTIONS without a body) is retried once, now; any other gets
// the 401.
func (c *Client) retryWithNewToken(t tokenRefresher, next http.RoundTripper, req, sent *http.Request, resp *http.Response) (*http.Response, error) {
	if !t.refused(sent) || !resendable(req) {
		return resp, nil
	}
	c.logger.Warn("Upstream refused the OAuth2 token; retrying with a new one", "method", req.Method, "upstream", c.Origin())
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	_ = resp.Body.Close()
	out, err := c.withCredentials(req)
	if err != nil {
		return nil, err
	}
	return next.RoundTrip(out)
}

func resendable(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return r.Body == nil || r.Body == http.NoBody
	}
	return false
}

// answerChallenge answers a 401 challenge (Digest) by sending the request
// again, once, with credentials for it. A body is buffered for that (bounded by the
// route's request limit, and already in memory from the plugin protocol).
func (c *Client) answerChallenge(d challenger, next http.RoundTripper, req, sent *http.Request, resp *http.Response) (*http.Response, error) {
	if !d.challenged(resp, sent.Header.Get("Authorization") != "") {
		return resp, nil
	}
	again := req
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return resp, nil // the body was streamed; the caller gets the 401
		}
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		again = req.Clone(req.Context())
		again.Body = body
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	out, err := c.withCredentials(again)
	if err != nil {
		return nil, err
	}
	return next.RoundTrip(out)
}
