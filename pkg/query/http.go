package query

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// transformRequest is the body of POST /transform: its data or source and
// pipeline as any input's (transform_inputs.go; data: a JSON string holds
// text — CSV, NDJSON, JSON text —, any other JSON value is the JSON input
// itself), and the inputs join, append and forEach read, by name.
type transformRequest struct {
	transformInput
	Inputs map[string]transformInput `json:"inputs,omitempty"`
}

// ServeTransform is POST /transform.
func (r *Runner) ServeTransform(w http.ResponseWriter, req *http.Request) {
	req = req.WithContext(upstream.WithForwardedHeaders(req.Context(), req.Header))
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		apierr.Write(w, req, httpx.BodyError(err))
		return
	}
	var tr transformRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := httpx.DecodeOnly(dec, &tr); err != nil {
		apierr.Write(w, req, apierr.BadRequest("bad_request", "the body must be {data | source, pipeline}: %s", jsonProblem(err)))
		return
	}
	caller := authz.AuthorizedCaller(req.Context())
	// The request body is in memory already; it counts against the caller's
	// in-flight bytes like an upstream answer would.
	lease := r.bytes.Lease(caller.Key())
	defer lease.Release()
	if err := lease.Take(int64(len(raw))); err != nil {
		apierr.Write(w, req, budgetError(err))
		return
	}
	m := r.transformMacros(req.Context(), caller)
	grant := r.Grant(caller, false) // one call budget for the inputs and the source
	inputs, err := r.transformInputs(req.Context(), caller, grant, lease, m, tr.Inputs)
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	ctx, cacheInfo := withCacheInfo(req.Context()) // the query cache's part, for the editor's preview
	res, err := r.runTransformInput(ctx, caller, grant, lease, m, tr.transformInput, inputs)
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	if strings.Contains(req.Header.Get("Accept"), "text/csv") {
		writeCSV(w, res.Frames)
		return
	}
	notices := res.Notices
	if notices == nil {
		notices = []data.Notice{}
	}
	answer := map[string]any{"frames": res.Frames, "rows": res.Rows, "notices": notices}
	if cacheInfo != nil && cacheInfo.TTL != "" {
		answer["cache"] = cacheInfo
	}
	httpx.WriteJSON(w, http.StatusOK, answer)
}

// ServeSchema is GET /schema?path=&root=&format=.
func (r *Runner) ServeSchema(w http.ResponseWriter, req *http.Request) {
	req = req.WithContext(upstream.WithForwardedHeaders(req.Context(), req.Header))
	qs := req.URL.Query()
	path := qs.Get("path")
	if path == "" {
		apierr.Write(w, req, apierr.BadRequest("bad_request", "path is required, e.g. /schema?path=/api/items"))
		return
	}
	q, err := Query{Method: "GET", Path: path, Upstream: qs.Get("upstream")}.normalize()
	if err != nil {
		apierr.Write(w, req, apierr.BadRequest("bad_request", "%s", err.Error()))
		return
	}
	p := &transform.Pipeline{Root: qs.Get("root"), Format: qs.Get("format"), RootSyntax: qs.Get("rootSyntax")}
	upReq, err := q.request(Macros{})
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	// /schema runs under exactly the limits of /transform: the data
	// source's maxInputBytes, the caller's byte lease (which what the engine
	// builds is charged to), a work slot and transform.timeout.
	caller := authz.AuthorizedCaller(req.Context())
	rr, g, err := r.forUpstream(q.Upstream, r.Grant(caller, false))
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	c := &call{grant: g, lease: r.bytes.Lease(caller.Key())}
	defer c.lease.Release()
	pg, err := rr.fetch(req.Context(), c, upReq)
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	const sampleRows = 200
	in := transform.Input{Body: pg.Body, ContentType: pg.ContentType, ContentEncoding: pg.Header.Get("Content-Encoding")}
	answer := map[string]any{"root": p.Root, "sampleRows": sampleRows}
	err = r.withinLimits(req.Context(), caller, func(ctx context.Context) error {
		fields, err := transform.InferSchemaWithin(ctx, in, p, sampleRows, r.limits(c.lease))
		if err != nil {
			return err
		}
		answer["fields"] = fields
		// XML and HTML: candidate roots (repeated element paths, table row
		// selectors) with their counts. A page too costly to suggest for is
		// answered without suggestions; a deadline or a full budget is not.
		roots, err := transform.SuggestRootsWithin(ctx, in, p.Format, r.limits(c.lease))
		if err != nil {
			if code := transform.AsError(err).Code; code == transform.CodeTimeout || code == transform.CodeMemoryBudget || ctx.Err() != nil {
				return err
			}
			return nil
		}
		if len(roots) > 0 {
			answer["roots"] = roots
		}
		return nil
	})
	if err != nil {
		apierr.Write(w, req, apierr.From(err))
		return
	}
	httpx.WriteJSON(w, http.StatusOK, answer)
}

// writeCSV writes the first frame as CSV (header row of field names).
func writeCSV(w http.ResponseWriter, frames data.Frames) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw := csv.NewWriter(w)
	if len(frames) == 0 {
		cw.Flush()
		return
	}
	f := frames[0]
	header := make([]string, len(f.Fields))
	for i, fld := range f.Fields {
		header[i] = fld.Name
	}
	_ = cw.Write(header)
	rows, _ := f.RowLen()
	rec := make([]string, len(f.Fields))
	for row := 0; row < rows; row++ {
		for i, fld := range f.Fields {
			rec[i] = csvValue(fld.ConcreteAt(row))
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
}

func csvValue(v any, ok bool) string {
	if !ok || v == nil {
		return ""
	}
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.RawMessage:
		return string(x)
	default:
		return fmt.Sprint(x)
	}
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return err.Error()
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
