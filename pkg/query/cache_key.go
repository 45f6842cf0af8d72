package query

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/transform"
)

// perUser says whether the upstream's answer may depend on who asks: the
// upstream sees the user (forwarded OAuth identity, X-Grafana-User, ID token) or the
// request carries the user's own values (${__user.*}).
func (r *Runner) perUser(q *Query) bool {
	v := r.client.Upstream() // the query's upstream (forUpstream)
	if v.AnswersPerUser() {
		return true
	}
	texts := []string{q.Path, q.Body}
	for _, f := range q.BodyForm {
		texts = append(texts, f.Key, f.Value)
	}
	for k, vs := range q.Params {
		texts = append(texts, k)
		texts = append(texts, vs...)
	}
	for k, v := range q.Headers {
		texts = append(texts, k, v)
	}
	if g := q.GraphQL; g != nil {
		texts = append(texts, g.Query, string(g.Variables))
	}
	if p := q.Pagination; p != nil {
		texts = append(texts, p.Values...)
	}
	for _, t := range texts {
		if strings.Contains(t, "__user") {
			return true
		}
	}
	return false
}

// cacheKey hashes what makes the upstream answer differ (see the top of cache.go).
func (r *Runner) cacheKey(q *Query, x *expanded, pipeline *transform.Pipeline, g authz.Grant, perUser bool) string {
	scope := "shared"
	if perUser {
		scope = "user\x00" + strconv.FormatInt(g.Caller.OrgID, 10) + "\x00" + g.Caller.Login
	}
	var headers strings.Builder
	for _, k := range slices.Sorted(maps.Keys(x.req.Headers)) {
		headers.WriteString(http.CanonicalHeaderKey(k) + ":" + x.req.Headers[k] + "\n")
	}
	parts := []string{"relay-query-cache/1", r.settings.UID, g.Upstream, scope, x.req.Method, x.req.Path,
		x.req.Params.Encode(), headers.String(), x.req.Body, x.req.formKey()}
	if paged(q) {
		// Offset and page modes stop by the rows a page gave, which the
		// pipeline's root, format and CSV options decide: the pages fetched
		// depend on them.
		pj, _ := json.Marshal(q.Pagination)
		csv, _ := json.Marshal(pipeline.CSV)
		parts = append(parts, string(pj), strings.Join(x.values, "\x00"), pipeline.Root, pipeline.RootSyntax, pipeline.Format, string(csv))
	}
	return cache.Key(parts...)
}
