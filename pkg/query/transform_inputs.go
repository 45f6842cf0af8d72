package query

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/transform"
)

// transformInput is one input of POST /transform: what a join, append or
// forEach of the request reads under that name, as a panel's other query
// would be — inline data or a source, and its pipeline. Inputs do not read
// each other.
type transformInput struct {
	Data     json.RawMessage     `json:"data,omitempty"`
	Source   *Query              `json:"source,omitempty"`
	Pipeline *transform.Pipeline `json:"pipeline,omitempty"`
}

// transformMacros are the macros of a /transform source: the last hour,
// the caller, the data source.
func (r *Runner) transformMacros(ctx context.Context, caller authz.Caller) Macros {
	now := time.Now()
	m := Macros{From: now.Add(-time.Hour), To: now, Interval: time.Minute,
		User: backend.User{Login: caller.Login, Name: caller.Name}, OrgID: caller.OrgID}
	if pc := backend.PluginConfigFromContext(ctx); pc.DataSourceInstanceSettings != nil {
		m.DSUID, m.DSName = pc.DataSourceInstanceSettings.UID, pc.DataSourceInstanceSettings.Name
	}
	return m
}

// transformInputs runs a /transform request's inputs, in name order, each
// as the request itself would run (inline data under the caller's lease, a
// source under the caller's grant: calls, rate class, gate), and returns
// their frames by name. They count against query.maxQueriesPerRequest.
func (r *Runner) transformInputs(ctx context.Context, caller authz.Caller, grant authz.Grant, lease *authz.Lease, m Macros, inputs map[string]transformInput) (map[string]*data.Frame, error) {
	if len(inputs) == 0 {
		return nil, nil
	}
	if n, max := len(inputs)+1, r.settings.Query.MaxQueriesPerRequest; max > 0 && n > max {
		return nil, tooManyQueries(n, max)
	}
	out := make(map[string]*data.Frame, len(inputs))
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		res, err := r.runTransformInput(ctx, caller, grant, lease, m, inputs[name], nil)
		if err != nil {
			e := *apierr.From(err) // a copy: the message names the input
			e.Message = "inputs." + name + ": " + e.Message
			return nil, &e
		}
		out[name] = data.NewFrame(name)
		if len(res.Frames) > 0 {
			out[name] = res.Frames[0]
		}
	}
	return out, nil
}

// runTransformInput runs one input of /transform, or the request's own data
// or source, as a panel's query would run: inline data through the pipeline
// under the caller's lease, a source (decoded once, with the request) under
// the caller's grant. queries are what the pipeline's join, append and
// forEach read: the request's inputs, none for an input.
func (r *Runner) runTransformInput(ctx context.Context, caller authz.Caller, grant authz.Grant, lease *authz.Lease, m Macros, in transformInput, queries map[string]*data.Frame) (*transform.Result, error) {
	pipeline := in.Pipeline
	if pipeline == nil {
		pipeline = &transform.Pipeline{}
	}
	switch {
	case len(in.Data) > 0 && in.Source != nil:
		return nil, apierr.BadRequest("bad_request", "give either data or source, not both")
	case len(in.Data) > 0:
		body := []byte(in.Data)
		var text string
		if json.Unmarshal(in.Data, &text) == nil {
			body = []byte(text)
		}
		return r.Transform(ctx, caller, lease, pipeline, transform.Input{Body: body, Queries: queries})
	case in.Source != nil:
		src := *in.Source
		src.Pipeline = pipeline
		q, err := src.normalize()
		if err != nil {
			return nil, apierr.BadRequest("bad_request", "source.%s", err.Error())
		}
		q.inputs = queries
		return r.Run(ctx, grant, q, m)
	default:
		return nil, apierr.BadRequest("bad_request", "data or source is required")
	}
}
