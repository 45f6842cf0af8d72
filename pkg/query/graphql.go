package query

import (
	"strings"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
)

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
