// Package actions runs the named actions admins declare in jsonData.actions:
// a fixed upstream method and path template, typed and validated parameters,
// and per-action authorization. A caller only ever supplies parameter values;
// how they reach the upstream (escaped path segments, query values, JSON
// values) is decided here, so no value can change the request's target or
// structure.
package actions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// Options are what the service needs from the plugin instance.
type Options struct {
	Settings *settings.Settings
	// Upstreams are every upstream's client; an action's "upstream" picks one.
	Upstreams *upstream.Set
	Policy    *authz.Policy
	// Now is injectable for tests of the idempotency TTL.
	Now func() time.Time
	// Shared, when set, keeps Idempotency-Key claims and answers for the
	// whole Grafana fleet instead of this process (idempotency_shared.go).
	Shared SharedIdempotency
}

// Service lists and runs the named actions of one data source.
type Service struct {
	actions []*action
	byName  map[string]*action
	views   []View
	docs    []authz.ActionDoc
	client  *upstream.Client
	policy  *authz.Policy
	idem    *idempotencyStore
	shared  SharedIdempotency
}

// View is an action as GET /actions shows it.
type View struct {
	Name           string                 `json:"name"`
	Title          string                 `json:"title,omitempty"`
	Description    string                 `json:"description,omitempty"`
	Method         string                 `json:"method"`
	Path           string                 `json:"path"`
	MinRole        role.Role              `json:"minRole"`
	APIKeyRequired bool                   `json:"apiKeyRequired"`
	Confirm        string                 `json:"confirm,omitempty"`
	Params         []settings.ActionParam `json:"params"`
	Schema         *openapi3.Schema       `json:"schema"`
}

// New compiles the actions; errors are settings.Errors naming the field.
func New(o Options) (*Service, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	s := &Service{byName: map[string]*action{}, client: o.Upstreams.Default(), policy: o.Policy, idem: newIdempotencyStore(now),
		shared: o.Shared}
	var errs settings.Errors
	for i, sa := range o.Settings.Actions {
		a, err := compile(sa, i)
		if err != nil {
			errs = append(errs, err.(*settings.FieldError)) //nolint:errorlint // compile returns it unwrapped
			continue
		}
		var ferr *settings.FieldError
		if a.client, ferr = clientFor(o, i, a.Upstream); ferr != nil {
			errs = append(errs, ferr)
			continue
		}
		s.actions = append(s.actions, a)
		s.byName[a.Name] = a
		s.views = append(s.views, a.view())
		title := a.Title
		if title == "" {
			title = "Run " + a.Name
		}
		s.docs = append(s.docs, authz.ActionDoc{Name: a.Name, Title: title, Description: a.describe(),
			MinRole: a.req.EffectiveRole(), APIKeyRequired: a.APIKeyRequired, Params: a.schema})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return s, nil
}

func (a *action) view() View {
	v := View{Name: a.Name, Title: a.Title, Description: a.Description, Method: a.Method, Path: a.Action.Path,
		MinRole: a.req.EffectiveRole(), APIKeyRequired: a.APIKeyRequired, Confirm: a.Confirm,
		Params: []settings.ActionParam{}, Schema: a.schema}
	for _, p := range a.params {
		ap := p.ActionParam
		ap.Required = p.required
		v.Params = append(v.Params, ap)
	}
	return v
}

func (a *action) describe() string {
	d := a.Description
	if d != "" {
		d += "\n\n"
	}
	return d + "Calls " + a.Method + " " + a.Action.Path + " on the upstream."
}

// Docs describes the actions for the OpenAPI document.
func (s *Service) Docs() []authz.ActionDoc { return s.docs }

// List answers GET /actions with the actions the caller's role may run.
func (s *Service) List(w http.ResponseWriter, r *http.Request) {
	c := authz.AuthorizedCaller(r.Context())
	out := []View{}
	for i, a := range s.actions {
		if a.req.CheckUser(c) == nil {
			out = append(out, s.views[i])
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"actions": out})
}

// Run answers POST /actions/{name}: authorize, validate, render, then call
// the upstream (or, with dryRun=true, show what would be called).
func (s *Service) Run(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fail := func(e *apierr.Error) {
		httpx.NoteAudit(ctx, "", e.Code)
		apierr.Write(w, r, e)
	}
	a := s.byName[r.PathValue("name")]
	if a == nil {
		fail(apierr.New(http.StatusNotFound, "action_not_found", "no action named %q; GET /actions lists them", r.PathValue("name")))
		return
	}
	caller, aerr := s.policy.AuthorizeAction(authz.AuthorizedCaller(ctx), a.req, r.Header.Get(authz.APIKeyHeader))
	if aerr != nil {
		fail(aerr)
		return
	}
	httpx.NoteAudit(ctx, caller.APIKey, "")
	dryRun := false
	switch v := r.URL.Query().Get("dryRun"); v {
	case "", "false":
	case "true":
		dryRun = true
	default:
		fail(apierr.BadRequest("bad_query", "dryRun must be true or false"))
		return
	}
	key := r.Header.Get(IdempotencyHeader)
	if len(key) > maxIdempotencyKey || !printable(key) {
		fail(apierr.BadRequest("bad_idempotency_key", "Idempotency-Key must be 1-%d printable ASCII characters", maxIdempotencyKey))
		return
	}
	body, rerr := io.ReadAll(r.Body)
	if rerr != nil {
		fail(httpx.BodyError(rerr))
		return
	}
	values, ferrs := a.parseParams(body)
	if len(ferrs) > 0 {
		fail(invalidParams(a, ferrs))
		return
	}
	callCtx, cancel := detach(upstream.WithForwardedHeaders(ctx, r.Header))
	defer cancel()
	req, reqBody, ferr := s.newRequest(callCtx, a, values)
	if ferr != nil {
		fail(invalidParams(a, []FieldError{*ferr}))
		return
	}
	req.Header.Set("X-Request-Id", httpx.RequestID(ctx))
	// The declared request may be sent as rendered; a redirect elsewhere is
	// a new request and passes the proxy rules for this caller.
	req = req.WithContext(authz.WithGrant(req.Context(), authz.Grant{Caller: caller, Purpose: "action", Upstream: a.client.Name(),
		Fixed: &authz.FixedRequest{Method: req.Method, URL: req.URL.String()}}))
	if dryRun {
		httpx.NoteAudit(ctx, "", "dry_run")
		writeDryRun(w, a, req, reqBody)
		return
	}
	if key == "" {
		out := s.call(req, a)
		noteOutcome(r, out, false)
		write(w, r, out, false)
		return
	}
	scoped := strconv.FormatInt(caller.OrgID, 10) + "\x00" + caller.Login + "\x00" + a.Name + "\x00" + key
	do := s.idem.do
	if s.shared != nil {
		do = s.sharedDo
	}
	out, replayed := do(ctx, scoped, fingerprint(req, reqBody), func() outcome { return s.call(req, a) })
	noteOutcome(r, out, replayed)
	write(w, r, out, replayed)
}

func invalidParams(a *action, errs []FieldError) *apierr.Error {
	e := apierr.BadRequest("invalid_params", "the parameters of action %s are not valid: %s %s", a.Name, errs[0].Field, errs[0].Message)
	e.Details = errs
	return e
}

func noteOutcome(r *http.Request, out outcome, replayed bool) {
	switch {
	case replayed:
		httpx.NoteAudit(r.Context(), "", "replayed")
	case out.err != nil:
		httpx.NoteAudit(r.Context(), "", out.err.Code)
	case out.status != http.StatusOK:
		httpx.NoteAudit(r.Context(), "", "upstream_status_"+strconv.Itoa(out.result.Status))
	}
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// newRequest renders the action into an upstream request. The path is built
// segment by segment (see pathTemplate); query values go through url.Values;
// the body is marshalled from JSON values.
func (s *Service) newRequest(ctx context.Context, a *action, values map[string]any) (*http.Request, []byte, *FieldError) {
	segs, ferr := a.path.render(values)
	if ferr != nil {
		return nil, nil, ferr
	}
	var body []byte
	switch {
	case a.Body != nil:
		v, _ := renderBody(a.Body, values)
		body, _ = json.Marshal(v) // plain JSON values: cannot fail
	case a.sendsParamsAsBody():
		body, _ = json.Marshal(values)
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := a.client.NewRequest(ctx, a.Method, "/", a.query.render(values), reader)
	if err != nil {
		return nil, nil, &FieldError{Field: "path", Message: upstream.Classify(err).Error()}
	}
	req.URL.Path, req.URL.RawPath = joinPath(a.client.Base(), segs)
	req.Header.Set("Accept", "application/json, */*;q=0.5")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, body, nil
}

// fingerprint identifies what a run would do, so an Idempotency-Key reused
// for different parameters is refused rather than answered with another
// request's result.
func fingerprint(req *http.Request, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(req.Method + "\n" + req.URL.String() + "\n"))
	h.Write(body)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// writeDryRun shows the rendered request. Credentials are never in it: they
// are added by the upstream client's transport, per request, at send time.
func writeDryRun(w http.ResponseWriter, a *action, req *http.Request, body []byte) {
	var shown any
	if body != nil {
		shown = json.RawMessage(body)
	}
	headers := map[string]string{}
	for _, k := range []string{"Accept", "Content-Type"} {
		if v := req.Header.Get(k); v != "" {
			headers[k] = v
		}
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{
		"action":  a.Name,
		"dryRun":  true,
		"request": map[string]any{"method": req.Method, "url": req.URL.String(), "headers": headers, "body": shown},
	})
}
