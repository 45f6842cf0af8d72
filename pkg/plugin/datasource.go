// Package plugin wires one Relay instance per data source settings: typed
// settings, the upstream client, the policy and the resource router, all
// built once when Grafana (re)creates the instance.
package plugin

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/relay-gateway/relay/pkg/actions"
	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/cache"
	"github.com/relay-gateway/relay/pkg/jqworker"
	"github.com/relay-gateway/relay/pkg/openapiimport"
	"github.com/relay-gateway/relay/pkg/proxy"
	"github.com/relay-gateway/relay/pkg/query"
	"github.com/relay-gateway/relay/pkg/resources"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/shared"
	"github.com/relay-gateway/relay/pkg/transform"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// ID is the plugin id from plugin.json.
const ID = "relay-gateway-datasource"

// MaxMessageBytes is the largest gRPC message the plugin accepts: above every
// configurable body limit (15 MiB), so Relay answers 413 itself.
const MaxMessageBytes = 64 << 20

var (
	_ resources.ProxyFeature     = (*proxy.Gateway)(nil)
	_ resources.ProxyFeature     = (*proxy.Router)(nil)
	_ resources.UpstreamsFeature = (*proxy.Router)(nil)
	_ resources.ActionsFeature   = (*actions.Service)(nil)

	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured Relay data source.
type Datasource struct {
	settings *settings.Settings
	// invalid is set when the settings could not be used; every call then
	// reports it instead of half-working.
	invalid  error
	set      *upstream.Set
	queries  *query.Runner
	api      *resources.API
	resource backend.CallResourceHandler
	audit    *authz.Audit
	logger   log.Logger
	// shared is the fleet's state (nil without Redis); sharedErr why the
	// configured Redis URL could not be used. Both are reported by health.
	shared    *shared.Client
	sharedErr error
	// jq runs every jq program of this instance's calls (jq steps and roots
	// of queries, /transform and /schema): the plugin-wide sandbox pool.
	jq transform.JQRunner
}

// NewDatasource is the instance factory for a process without shared state.
func NewDatasource(ctx context.Context, ds backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return New(ctx, ds, Options{}), nil
}

// Factory is the instance factory Grafana's instance manager calls, with
// what the process holds for every instance (the shared state client).
func Factory(o Options) func(context.Context, backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	return func(ctx context.Context, ds backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
		return New(ctx, ds, o), nil
	}
}

// Options are what the process gives every instance, and what a test may set.
type Options struct {
	// Now is the clock of the policy (rate limits, key expiry, cache
	// freshness) and of action idempotency; time.Now when nil.
	Now func() time.Time
	// Shared is the process's one Redis client (GF_PLUGIN_REDIS_URL), nil
	// for process-local state. Each instance works in its own scope (org id
	// and data source uid).
	Shared *shared.Client
	// SharedErr is why a configured Redis URL is not usable; health shows it.
	SharedErr error
	// JQ runs the jq programs; nil means the plugin's sandbox pool
	// (jqworker.Shared), or in process in a binary that cannot serve jq
	// workers (a test binary without jqworker.Main).
	JQ transform.JQRunner
	// Remote is the shared second tier of the query and proxy caches, one
	// per Grafana fleet (Redis); nil keeps both caches in this process.
	Remote cache.Remote
}

// New builds an instance from the settings Grafana sends. Bad settings do not
// fail it: the instance carries the error so CheckHealth and every call can
// show the user which field to fix (SettingsError returns it).
func New(ctx context.Context, ds backend.DataSourceInstanceSettings, o Options) *Datasource {
	logger := log.DefaultLogger.With("datasource", ds.UID)
	d := &Datasource{logger: logger, jq: o.JQ, shared: o.Shared, sharedErr: o.SharedErr}
	if d.jq == nil {
		d.jq = jqworker.Shared()
	}
	s, err := settings.Parse(ds)
	if err != nil {
		d.invalid = err
		return d
	}
	d.settings = s
	// The policy is the client's gate: every upstream request, whatever sends
	// it, is checked against the grant of the call it belongs to.
	policy := authz.NewPolicy(s, o.Now)
	opts := upstream.Options{Logger: logger}
	if s.OutboundProxy.SecureSocksProxy {
		// Grafana's secure socks proxy (private data source connect): its
		// configuration comes with the instance's context.
		if opts.SecureSocksProxy, err = ds.ProxyOptionsFromContext(ctx); err != nil {
			d.invalid = settings.Errors{{Field: "jsonData.enableSecureSocksProxy", Message: "Grafana's secure socks proxy configuration is not usable"}}
			return d
		}
	}
	set, err := newUpstreamSet(s, policy, opts)
	if err != nil {
		d.invalid = err
		return d
	}
	client := set.Default()
	d.set = set
	audit := authz.NewAudit(s.Audit.RingSize, logger)
	var idem actions.SharedIdempotency
	remote := o.Remote
	if o.Shared != nil {
		// Keys are the org's and the data source's own (Grafana sends the
		// org with every call, the instance's included).
		scope := o.Shared.Scope(backend.PluginConfigFromContext(ctx).OrgID, ds.UID) //nolint:staticcheck // OrgID is what Grafana sends
		policy.ShareLimits(scope.Buckets())
		audit.Share(scope.Audit(s.Audit.RingSize))
		idem = scope.Idempotency()
		if remote == nil {
			remote = scope.Cache("shared")
		}
	}
	d.audit = audit
	gateway := proxy.ForUpstreams(set, policy, logger, remote)
	d.queries = query.NewRunner(s, set, audit, logger)
	d.queries.SetRateCharge(policy.ChargeRate)
	d.queries.SetCache(query.CacheOptions{Rules: policyRules(policy), Remote: remote, Now: o.Now})
	features := resources.Features{Proxy: gateway, Transform: d.queries.ServeTransform, Schema: d.queries.ServeSchema,
		GraphQLSchema: d.queries.ServeGraphQLSchema, SourceModel: query.Query{},
		OpenAPIImport: openapiimport.Handler(d.queries)}
	if len(s.Actions) > 0 {
		acts, err := actions.New(actions.Options{Settings: s, Upstreams: set, Policy: policy, Now: o.Now, Shared: idem})
		if err != nil {
			audit.Close()
			set.Close()
			d.invalid = err
			return d
		}
		features.Actions = acts
	}
	api, err := resources.New(resources.Deps{
		Settings: s,
		Policy:   policy,
		Audit:    audit,
		Logger:   logger,
		Origin:   client.Origin(),
		Features: features,
	})
	if err != nil {
		audit.Close()
		set.Close()
		d.invalid = err
		return d
	}
	d.api = api
	d.resource = resources.CallResourceHandler(api)
	return d
}

// SettingsError is why the settings could not be used (nil when they could).
func (d *Datasource) SettingsError() error { return d.invalid }

// Dispose releases the instance's resources when Grafana replaces it.
func (d *Datasource) Dispose() {
	if d.set != nil {
		d.set.Close()
	}
	if d.audit != nil {
		d.audit.Close()
	}
}

// CallResource serves the resource API.
func (d *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	if d.invalid != nil {
		return resources.SendError(sender, invalidSettings(d.invalid))
	}
	return d.resource.CallResource(d.withJQ(ctx, req.PluginContext), req, sender)
}

// withJQ makes the sandbox the runner of every jq program of the call, with
// the caller's fair share of its workers (one user's costly programs leave
// workers to the others).
func (d *Datasource) withJQ(ctx context.Context, pc backend.PluginContext) context.Context {
	login := ""
	if pc.User != nil {
		login = pc.User.Login
	}
	owner := strconv.FormatInt(pc.OrgID, 10) + "/" + authz.Caller{Login: login}.Key()
	return transform.WithJQRunner(ctx, jqworker.ForCaller(d.jq, owner))
}

func invalidSettings(err error) *apierr.Error {
	return apierr.New(http.StatusInternalServerError, "invalid_settings", "%s", err.Error())
}
