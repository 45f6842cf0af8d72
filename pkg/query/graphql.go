package query

import (
	"context"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
)

// withGraphQLBody gives the upstream gate the body a query sends (GraphQL
// queries' and any other), so a proxy rule's graphql block judges a query's
// document exactly as it judges one sent through /proxy
// (authz.CheckGraphQL): a query cannot run a mutation the rule refuses.
func withGraphQLBody(ctx context.Context, req request) context.Context {
	ct, enc := "", ""
	for k, v := range req.Headers {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Type":
			ct = v
		case "Content-Encoding":
			enc = v
		}
	}
	if req.Body != "" && ct == "" {
		ct = "application/json" // as fetch sends it
	}
	return authz.WithRequestBody(ctx, authz.RequestBody{ContentType: ct, ContentEncoding: enc, Data: []byte(req.Body)})
}

// graphqlHasErrors says whether a GraphQL answer carries errors: servers
// answer them with 200 or, for a malformed operation, 400.
func graphqlHasErrors(body []byte) bool {
	e := gjson.GetBytes(body, "errors")
	return e.IsArray() && len(e.Array()) > 0
}

// graphqlErrors turns the "errors" of a GraphQL answer into a query error
// with the upstream's messages (at most three, scrubbed of Relay's
// credentials like any upstream text shown to a caller). Partial data with
// errors is an error too: a panel would otherwise show a silent subset.
func (r *Runner) graphqlErrors(body []byte) *apierr.Error {
	if !graphqlHasErrors(body) {
		return nil
	}
	errs := gjson.GetBytes(body, "errors").Array()
	var msgs []string
	for i, e := range errs {
		if i == 3 {
			msgs = append(msgs, "…")
			break
		}
		msg := e.Get("message").String()
		if msg == "" {
			msg = e.Raw
		}
		if p := e.Get("path"); p.Exists() {
			msg += " (path " + p.Raw + ")"
		}
		// Scrubbed whole, then cut: a cut first would leave a token's
		// prefix (or a password minus its last character) in the message.
		if r.client != nil {
			msg = r.client.ScrubCut(msg, 200)
		}
		msgs = append(msgs, msg)
	}
	text := strings.Join(msgs, "; ")
	return apierr.Downstream(502, "graphql_error", "the GraphQL upstream answered %d error(s): %s", len(errs), text)
}
