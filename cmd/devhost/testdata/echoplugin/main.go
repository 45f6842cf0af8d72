// Command echoplugin is a tiny data source plugin for the dev host's tests. It echoes what a resource call looks
// like from inside a plugin (both the raw CallResourceRequest and the http.Request the SDK's httpadapter builds),
// streams a large body in flushed chunks, reports client cancellation, answers QueryData with one small frame per
// query and CheckHealth with OK. Every wait is bounded so a broken dev host fails tests instead of hanging them.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// maxWait bounds every wait on the test: long enough for a loaded CI machine, short enough to fail visibly.
const maxWait = 20 * time.Second

func main() {
	if err := datasource.Manage("relay-echo-datasource", newInstance, datasource.ManageOpts{}); err != nil {
		log.DefaultLogger.Error("echo plugin stopped", "error", err)
		os.Exit(1)
	}
}

type instance struct {
	settings  backend.DataSourceInstanceSettings
	resources backend.CallResourceHandler
	// seq numbers the instances this process built, so tests can tell a rebuilt instance from the old one.
	seq int64
}

var instances atomic.Int64

func newInstance(_ context.Context, settings backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return &instance{settings: settings, resources: httpadapter.New(http.HandlerFunc(route)), seq: instances.Add(1)}, nil
}

type instanceKey struct{}

// serveInstance shows the instance that answered: its number and the settings it was built from.
func serveInstance(w http.ResponseWriter, r *http.Request) {
	i, _ := r.Context().Value(instanceKey{}).(*instance)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"seq": i.seq, "name": i.settings.Name, "jsonData": json.RawMessage(i.settings.JSONData),
		"updatedMs": i.settings.Updated.UnixMilli(), "secretLengths": secretLengths(i.settings.DecryptedSecureJSONData),
	})
}

func secretLengths(secrets map[string]string) map[string]int {
	out := map[string]int{}
	for k, v := range secrets {
		out[k] = len(v)
	}
	return out
}

// route dispatches on the exact path. Not http.ServeMux: it would clean "a/../b" and answer with a redirect, and
// the tests want to see such paths exactly as the plugin receives them.
func route(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/stream":
		serveStream(w, r)
	case "/release":
		serveRelease(w, r)
	case "/wait":
		serveWait(w, r)
	case "/cancelled":
		serveCancelled(w, r)
	case "/respond":
		serveRespond(w, r)
	case "/env":
		serveEnv(w, r)
	case "/instance":
		serveInstance(w, r)
	default:
		serveEcho(w, r)
	}
}

// rawRequestKey carries the CallResourceRequest's own Path/URL/Method to the handler: httpadapter re-parses them,
// and the tests need to see both sides.
type rawRequestKey struct{}

type rawRequest struct {
	Path   string `json:"path"`
	URL    string `json:"url"`
	Method string `json:"method"`
}

func (i *instance) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	ctx = context.WithValue(ctx, rawRequestKey{}, rawRequest{Path: req.Path, URL: req.URL, Method: req.Method})
	ctx = context.WithValue(ctx, instanceKey{}, i)
	return i.resources.CallResource(ctx, req, sender)
}

type echoResponse struct {
	Raw            rawRequest          `json:"raw"`
	HandlerPath    string              `json:"handlerPath"`
	HandlerRawPath string              `json:"handlerRawPath"`
	HandlerQuery   string              `json:"handlerQuery"`
	Headers        map[string][]string `json:"headers"`
	BodyLength     int                 `json:"bodyLength"`
	BodyNil        bool                `json:"bodyNil"`
	User           *backend.User       `json:"user"`
	OrgID          int64               `json:"orgId"`
	PluginID       string              `json:"pluginId"`
	PluginVersion  string              `json:"pluginVersion"`
	UserAgent      string              `json:"userAgent"`
	AppURL         string              `json:"appUrl"`
	Datasource     echoDatasource      `json:"datasource"`
}

type echoDatasource struct {
	ID               int64           `json:"id"`
	UID              string          `json:"uid"`
	Name             string          `json:"name"`
	URL              string          `json:"url"`
	BasicAuthEnabled bool            `json:"basicAuthEnabled"`
	BasicAuthUser    string          `json:"basicAuthUser"`
	JSONData         json.RawMessage `json:"jsonData"`
	SecureKeys       []string        `json:"secureKeys"` // names only: the tests check secrets arrive, not values
	SecretLengths    map[string]int  `json:"secretLengths"`
	UpdatedMS        int64           `json:"updatedMs"`
}

func serveEcho(w http.ResponseWriter, r *http.Request) {
	n := 0
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		n = len(b)
	}
	pCtx := backend.PluginConfigFromContext(r.Context())
	raw, _ := r.Context().Value(rawRequestKey{}).(rawRequest)
	out := echoResponse{
		Raw:            raw,
		HandlerPath:    r.URL.Path,
		HandlerRawPath: r.URL.RawPath,
		HandlerQuery:   r.URL.RawQuery,
		Headers:        r.Header,
		BodyLength:     n,
		BodyNil:        r.Body == nil,
		User:           pCtx.User,
		OrgID:          pCtx.OrgID, //nolint:staticcheck // the tests check the dev host fills it
		PluginID:       pCtx.PluginID,
		PluginVersion:  pCtx.PluginVersion,
	}
	if pCtx.UserAgent != nil {
		out.UserAgent = pCtx.UserAgent.String()
	}
	if pCtx.GrafanaConfig != nil {
		out.AppURL, _ = pCtx.GrafanaConfig.AppURL()
	}
	if ds := pCtx.DataSourceInstanceSettings; ds != nil {
		out.Datasource = echoDatasource{
			ID: ds.ID, UID: ds.UID, Name: ds.Name, URL: ds.URL, BasicAuthEnabled: ds.BasicAuthEnabled,
			BasicAuthUser: ds.BasicAuthUser, JSONData: ds.JSONData, UpdatedMS: ds.Updated.UnixMilli(),
			SecretLengths: map[string]int{},
		}
		for k, v := range ds.DecryptedSecureJSONData {
			out.Datasource.SecureKeys = append(out.Datasource.SecureKeys, k)
			out.Datasource.SecretLengths[k] = len(v)
		}
		sort.Strings(out.Datasource.SecureKeys)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// signals are named one-shot events shared by the handlers of this process (e.g. "release stream 7").
var signals = struct {
	sync.Mutex
	m map[string]chan struct{}
}{m: map[string]chan struct{}{}}

func signal(name string) chan struct{} {
	signals.Lock()
	defer signals.Unlock()
	ch, ok := signals.m[name]
	if !ok {
		ch = make(chan struct{})
		signals.m[name] = ch
	}
	return ch
}

func fire(name string) {
	ch := signal(name)
	signals.Lock()
	defer signals.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func intParam(r *http.Request, name string, def int) int {
	if v, err := strconv.Atoi(r.URL.Query().Get(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// serveStream sends a first chunk of ?first= bytes, flushed, then nothing until /release?id= is called, then
// chunks-1 chunks of ?size= bytes, each flushed. A client that sees the first chunk before releasing proves the dev host streams.
func serveStream(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	chunks, size := intParam(r, "chunks", 8), intParam(r, "size", 256<<10)
	w.Header().Set("Content-Type", "application/octet-stream")
	w.WriteHeader(http.StatusOK)
	// A small first chunk proves flushing: a host that only buffers would hold it back.
	_, _ = w.Write([]byte(strings.Repeat("f", intParam(r, "first", size))))
	w.(http.Flusher).Flush()
	if chunks <= 1 {
		return
	}
	select {
	case <-signal("release/" + id):
	case <-r.Context().Done():
		return
	case <-time.After(maxWait):
		return // the body stays short, so the test fails on its length
	}
	chunk := []byte(strings.Repeat("x", size))
	for range chunks - 1 {
		_, _ = w.Write(chunk)
		w.(http.Flusher).Flush()
	}
}

func serveRelease(w http.ResponseWriter, r *http.Request) {
	fire("release/" + r.URL.Query().Get("id"))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"released":true}`))
}

// serveWait sends its headers, then waits for the request's context to end, which only happens when the dev host
// cancels the call (its client went away), and records that for /cancelled.
func serveWait(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	select {
	case <-r.Context().Done():
		fire("cancelled/" + id)
	case <-time.After(maxWait):
	}
}

func serveCancelled(w http.ResponseWriter, r *http.Request) {
	cancelled := false
	select {
	case <-signal("cancelled/" + r.URL.Query().Get("id")):
		cancelled = true
	case <-time.After(maxWait):
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]bool{"cancelled": cancelled})
}

// serveRespond answers with ?status= and every ?header=Name:Value, to test the dev host's response header rules.
func serveRespond(w http.ResponseWriter, r *http.Request) {
	for _, h := range r.URL.Query()["header"] {
		if name, value, ok := strings.Cut(h, ":"); ok {
			w.Header().Add(name, value)
		}
	}
	code := intParam(r, "status", http.StatusOK)
	w.WriteHeader(code)
	if code != http.StatusNoContent {
		_, _ = w.Write([]byte(r.URL.Query().Get("body")))
	}
}

// serveEnv shows the plugin's environment variable ?name=, to check what the host passes to the process.
func serveEnv(w http.ResponseWriter, r *http.Request) {
	v, ok := os.LookupEnv(r.URL.Query().Get("name"))
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"value": v, "set": ok})
}

func (i *instance) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	resp := backend.NewQueryDataResponse()
	for _, q := range req.Queries {
		var model map[string]any
		if err := json.Unmarshal(q.JSON, &model); err != nil {
			resp.Responses[q.RefID] = backend.ErrDataResponse(backend.StatusBadRequest, "echo: query JSON: "+err.Error())
			continue
		}
		if fail, _ := model["fail"].(bool); fail {
			resp.Responses[q.RefID] = backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, "echo: query failed as asked")
			continue
		}
		frame := data.NewFrame(q.RefID,
			data.NewField("time", nil, []time.Time{q.TimeRange.From.UTC(), q.TimeRange.To.UTC()}),
			data.NewField("value", nil, []float64{1, 2}),
		)
		role := ""
		if u := req.PluginContext.User; u != nil {
			role = u.Role
		}
		frame.Meta = &data.FrameMeta{Custom: map[string]any{
			"intervalMs":    q.Interval.Milliseconds(),
			"maxDataPoints": q.MaxDataPoints,
			"fromMs":        q.TimeRange.From.UnixMilli(),
			"toMs":          q.TimeRange.To.UnixMilli(),
			"queryType":     q.QueryType,
			"query":         model,
			"role":          role,
			"datasource":    i.settings.UID,
		}}
		resp.Responses[q.RefID] = backend.DataResponse{Frames: data.Frames{frame}}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return resp, nil
}

func (i *instance) CheckHealth(_ context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	var jd struct {
		HealthFail bool `json:"healthFail"`
	}
	if len(i.settings.JSONData) > 0 {
		if err := json.Unmarshal(i.settings.JSONData, &jd); err != nil {
			return nil, errors.New("echo: bad jsonData")
		}
	}
	if jd.HealthFail {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: "echo: unhealthy as configured"}, nil
	}
	return &backend.CheckHealthResult{
		Status:      backend.HealthStatusOk,
		Message:     "echo plugin is healthy",
		JSONDetails: []byte(`{"uid":"` + i.settings.UID + `"}`),
	}, nil
}
