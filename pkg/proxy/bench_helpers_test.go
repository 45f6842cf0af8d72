package proxy

import (
	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

func dsWith(jsonData string) backend.DataSourceInstanceSettings {
	return backend.DataSourceInstanceSettings{URL: "https://api.example.com", JSONData: []byte(jsonData)}
}

type benchPolicy struct{ p *authz.Policy }

func newPolicyForBench(s *settings.Settings) benchPolicy { return benchPolicy{authz.NewPolicy(s, nil)} }

func (b benchPolicy) authorize(login string) *apierr.Error {
	_, err := b.p.Authorize(callerFor(login), authz.Requirement{Scope: "proxy", MinRole: role.Viewer}, "read", "")
	return err
}

func callerFor(login string) authz.Caller { return authz.Caller{Login: login, Role: role.Viewer} }
