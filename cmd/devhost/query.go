package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"github.com/grafana/grafana-plugin-sdk-go/genproto/pluginv2"
)

// Grafana's defaults when a query leaves these out, and the dashboard default time range.
const (
	defaultIntervalMS    = 1000
	defaultMaxDataPoints = 100
	defaultFrom          = "now-6h"
	defaultTo            = "now"
)

// queryRequest is the body of POST /api/ds/query. from/to are epoch milliseconds (number or string) or relative
// times such as "now-1h".
type queryRequest struct {
	From    json.RawMessage   `json:"from"`
	To      json.RawMessage   `json:"to"`
	Queries []json.RawMessage `json:"queries"`
}

// queryFields are the fields Grafana reads from each query; the whole query object still goes to the plugin.
type queryFields struct {
	RefID      string `json:"refId"`
	QueryType  string `json:"queryType"`
	Datasource *struct {
		UID  string `json:"uid"`
		Type string `json:"type"`
	} `json:"datasource"`
	IntervalMS    *float64 `json:"intervalMs"`
	MaxDataPoints *float64 `json:"maxDataPoints"`
}

// serveQuery turns /api/ds/query into one QueryData call per data source and merges the answers into Grafana's
// {results: {refId: {status, frames, error, errorSource}}} JSON. Any failed query makes the status 400; the
// results are still returned.
func (s *server) serveQuery(w http.ResponseWriter, r *http.Request, u *user) {
	raw, ok := s.readBody(w, r)
	if !ok {
		return
	}
	var body queryRequest
	if err := json.Unmarshal(raw, &body); err != nil {
		writeJSONError(w, http.StatusBadRequest, "bad request data: "+err.Error())
		return
	}
	if len(body.Queries) == 0 {
		writeJSONError(w, http.StatusBadRequest, "No queries found in query")
		return
	}
	timeRange, err := parseTimeRange(body.From, body.To, time.Now())
	if err != nil {
		writeJSONError(w, http.StatusBadRequest, err.Error())
		return
	}

	// Group by data source, keeping the order in which each first appears.
	var order []string
	groups := map[string][]*pluginv2.DataQuery{}
	for i, rawQuery := range body.Queries {
		var f queryFields
		if err := json.Unmarshal(rawQuery, &f); err != nil {
			writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("query %d: %v", i, err))
			return
		}
		if f.Datasource == nil || f.Datasource.UID == "" {
			writeJSONError(w, http.StatusBadRequest, fmt.Sprintf("query %q: missing datasource uid", f.RefID))
			return
		}
		q := &pluginv2.DataQuery{
			RefId:         f.RefID,
			QueryType:     f.QueryType,
			IntervalMS:    defaultIntervalMS,
			MaxDataPoints: defaultMaxDataPoints,
			TimeRange:     timeRange,
			Json:          rawQuery,
		}
		if f.IntervalMS != nil {
			q.IntervalMS = int64(*f.IntervalMS)
		}
		if f.MaxDataPoints != nil {
			q.MaxDataPoints = int64(*f.MaxDataPoints)
		}
		uid := f.Datasource.UID
		if _, seen := groups[uid]; !seen {
			order = append(order, uid)
		}
		groups[uid] = append(groups[uid], q)
	}

	merged := backend.QueryDataResponse{Responses: backend.Responses{}}
	for _, uid := range order {
		ds := s.lookupDataSource(w, u, uid)
		if ds == nil {
			return
		}
		if s.pluginUnavailable(w) {
			return
		}
		headers := map[string]string{}
		if tok := s.idTokenFor(u); tok != "" {
			headers["http_"+idTokenHeader] = tok // backend.QueryDataRequest.SetHTTPHeader's spelling, as Grafana sends it
		}
		resp, err := s.plugin().data.QueryData(r.Context(), &pluginv2.QueryDataRequest{
			PluginContext: s.pluginContext(u, ds),
			Headers:       headers,
			Queries:       groups[uid],
		})
		if err != nil {
			s.pluginCallFailed(w, err, "Not found", "Query data error")
			return
		}
		// The SDK's converter decodes Arrow (or JSON) frames; backend.QueryDataResponse marshals to the exact
		// JSON Grafana returns.
		converted, err := backend.FromProto().QueryDataResponse(resp)
		if err != nil {
			s.logger.Error("query data: decoding frames", "error", err)
			writeJSONError(w, http.StatusInternalServerError, "Query data error")
			return
		}
		for refID, dr := range converted.Responses {
			merged.Responses[refID] = dr
		}
	}

	code := http.StatusOK
	for _, dr := range merged.Responses {
		if dr.Error != nil {
			code = http.StatusBadRequest
		}
	}
	out, err := json.Marshal(merged)
	if err != nil {
		s.logger.Error("query data: encoding response", "error", err)
		writeJSONError(w, http.StatusInternalServerError, "Query data error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(out)
}

// parseTimeRange reads from/to the way Grafana does, with the SDK's gtime (epoch ms, "now-1h", date math).
func parseTimeRange(fromRaw, toRaw json.RawMessage, now time.Time) (*pluginv2.TimeRange, error) {
	from, err := timeString(fromRaw, defaultFrom)
	if err != nil {
		return nil, fmt.Errorf("invalid from: %w", err)
	}
	to, err := timeString(toRaw, defaultTo)
	if err != nil {
		return nil, fmt.Errorf("invalid to: %w", err)
	}
	tr := gtime.TimeRange{From: from, To: to, Now: now}
	fromTime, err := tr.ParseFrom()
	if err != nil {
		return nil, fmt.Errorf("invalid from %q: %w", from, err)
	}
	toTime, err := tr.ParseTo()
	if err != nil {
		return nil, fmt.Errorf("invalid to %q: %w", to, err)
	}
	return &pluginv2.TimeRange{FromEpochMS: fromTime.UnixMilli(), ToEpochMS: toTime.UnixMilli()}, nil
}

// timeString accepts a JSON number or string; absent or empty means def.
func timeString(raw json.RawMessage, def string) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return def, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
		if s == "" {
			return def, nil
		}
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("must be a number or a string")
	}
	ms, err := n.Int64()
	if err != nil {
		f, ferr := n.Float64()
		if ferr != nil {
			return "", err
		}
		ms = int64(f)
	}
	return strconv.FormatInt(ms, 10), nil
}
