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
		in := inputs[name]
		pipeline := in.Pipeline
		if pipeline == nil {
			pipeline = &transform.Pipeline{}
		}
		var res *transform.Result
		var err error
		switch {
		case len(in.Data) > 0 && in.Source != nil:
			err = apierr.BadRequest("bad_request", "give either data or source, not both")
		case len(in.Data) > 0:
			body := []byte(in.Data)
			var text string
			if json.Unmarshal(in.Data, &text) == nil {
				body = []byte(text)
			}
			res, err = r.Transform(ctx, caller, lease, pipeline, transform.Input{Body: body})
		case in.Source != nil:
			src := *in.Source
			src.Pipeline = pipeline
			q, perr := Parse(mustJSON(&src))
			if perr != nil {
				err = apierr.BadRequest("bad_request", "source.%s", perr.Error())
				break
			}
			res, err = r.Run(ctx, grant, q, m)
		default:
			err = apierr.BadRequest("bad_request", "data or source is required")
		}
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
