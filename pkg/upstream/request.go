package upstream

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// NewRequest builds a request for base URL + JoinPath(relPath). The caller's
// query comes first; the data source's fixed jsonData.proxy.queryParams are
// appended and replace any caller value of the same name, so a caller cannot
// override e.g. a tenant parameter. relPath errors are KindBadPath.
//
// For per-route timeouts, give ctx a deadline (it can only shorten the
// request) or use WithRequestTimeout (it replaces jsonData.timeouts.request).
func (c *Client) NewRequest(ctx context.Context, method, relPath string, query url.Values, body io.Reader) (*http.Request, error) {
	u, err := JoinPath(c.base, relPath)
	if err != nil {
		return nil, err
	}
	u.RawQuery = c.buildQuery(query)
	req, err := http.NewRequestWithContext(ctx, method, c.Origin(), body)
	if err != nil {
		return nil, newError(KindUnknown, "", nil, "invalid upstream request: method %q", method)
	}
	req.URL = u
	req.Host = ""
	return req, nil
}

// Target is the upstream URL of a caller's call as the proxy forwards it:
// base URL + JoinPath(rel), the caller's raw query kept byte for byte unless
// fixed jsonData.proxy.queryParams apply, which then replace any caller value
// of the same name (the query is re-encoded). Errors are KindBadPath or
// KindBadQuery.
func (c *Client) Target(rel, rawQuery string) (*url.URL, error) {
	u, err := JoinPath(c.base, rel)
	if err != nil {
		return nil, err
	}
	u.RawQuery = rawQuery
	if fixed := c.settings.Proxy.QueryParams; len(fixed) > 0 {
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			return nil, newError(KindBadQuery, "", nil, "the query string is malformed")
		}
		for k, v := range fixed {
			q.Set(k, v)
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

func (c *Client) buildQuery(query url.Values) string {
	fixed := c.settings.Proxy.QueryParams
	callers := url.Values{}
	for k, v := range query {
		if _, isFixed := fixed[k]; !isFixed {
			callers[k] = v
		}
	}
	parts := make([]string, 0, 2)
	if enc := callers.Encode(); enc != "" {
		parts = append(parts, enc)
	}
	if len(fixed) > 0 {
		keys := make([]string, 0, len(fixed))
		for k := range fixed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for i, k := range keys {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(fixed[k]))
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "&")
}
