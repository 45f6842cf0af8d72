package settings

import (
	"fmt"
	"regexp"
	"strings"
)

// Named upstreams. The data source's own URL (and the per-upstream fields at
// the top of jsonData) is the default upstream, named "" inside Relay and
// "default" to users; jsonData.upstreams adds more, each with its own URL,
// credentials, TLS, headers, network policy, proxy rules, limits and cache.
// Secrets of upstream N live in secureJsonData under "upstreams.<N>.<key>"
// (SecretField), so no two upstreams share a key.

// DefaultUpstream is how users name the default upstream (queries, actions,
// /info); internally it is the empty name.
const DefaultUpstream = "default"

// DefaultProxySegment reaches the default upstream explicitly:
// /proxy/_default/<path> is <path> on the default upstream even when its first
// segment is a named upstream's name. No name can start with "_".
const DefaultProxySegment = "_default"

// MaxUpstreams bounds the configuration (each upstream is a client and a
// connection pool).
const MaxUpstreams = 2000

var upstreamName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// UpstreamConfig is one entry of jsonData.upstreams as written; Parse turns
// each into a Settings view (Upstream, Named).
type UpstreamConfig struct {
	Name string `json:"name"`
	// URL is the upstream's base URL as written; Parse sets Upstream.URL.
	URL string `json:"url"`
	Upstream
}

// upstreamPresence tells absent fields from explicit zero values.
type upstreamPresence struct {
	Network struct {
		MaxRedirects *int `json:"maxRedirects"`
	} `json:"network"`
}

// SecretField is the secureJsonData key of an upstream's secret: key itself
// for the default upstream, "upstreams.<name>.<key>" for a named one.
func SecretField(upstream, key string) string {
	if upstream == "" {
		return key
	}
	return "upstreams." + upstream + "." + key
}

// HeaderSecretField is the secureJsonData key of a named upstream's secret
// header value ("upstreams.<name>.header.<Header-Name>").
func HeaderSecretField(upstream, header string) string {
	return SecretField(upstream, "header."+header)
}

// CanonicalUpstream maps what a user wrote ("", "default" or "_default" for
// the default upstream) to Relay's internal name. "_default" works wherever
// an upstream is named because it does in /proxy/_default/ (no upstream name
// can start with "_").
func CanonicalUpstream(name string) string {
	if name == DefaultUpstream || name == DefaultProxySegment {
		return ""
	}
	return name
}

// ShownUpstream is the name users see ("default" for the default upstream).
func ShownUpstream(name string) string {
	if name == "" {
		return DefaultUpstream
	}
	return name
}

// View returns the settings view of the named upstream ("" or "default":
// the data source itself), or nil when there is none of that name.
func (s *Settings) View(name string) *Settings {
	name = CanonicalUpstream(name)
	if name == "" || name == s.UpstreamName {
		if s.root != nil {
			return s.root
		}
		return s
	}
	root := s
	if s.root != nil {
		root = s.root
	}
	return root.byName[name]
}

// Named lists the named upstreams' views in configuration order.
func (s *Settings) Named() []*Settings {
	if s.root != nil {
		return s.root.named
	}
	return s.named
}

// parseUpstreams builds a view per jsonData.upstreams entry: a copy of the
// data source's settings whose upstream fields (URL, auth, TLS, headers,
// network, proxy, limits, cache, timeouts) are the entry's own, with the same
// defaults a data source gets. Nothing is inherited from the default upstream:
// a credential or an allowlist meant for one origin never applies to another.
func parseUpstreams(s *Settings, secure map[string]string, presence []upstreamPresence, errs *Errors) {
	if len(s.Upstreams) > MaxUpstreams {
		errs.add("jsonData.upstreams", "at most %d upstreams are allowed, got %d", MaxUpstreams, len(s.Upstreams))
		return
	}
	s.byName = make(map[string]*Settings, len(s.Upstreams))
	for i := range s.Upstreams {
		uc := &s.Upstreams[i]
		f := fmt.Sprintf("jsonData.upstreams[%d]", i)
		switch {
		case uc.Name == DefaultUpstream:
			errs.add(f+".name", "%q is the name of the data source's own upstream; choose another", uc.Name)
			continue
		case !upstreamName.MatchString(uc.Name):
			errs.add(f+".name", "%q must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter", uc.Name)
			continue
		case s.byName[uc.Name] != nil:
			errs.add(f+".name", "duplicate upstream name %q", uc.Name)
			continue
		}
		v := s.newView(namedPath(i, uc.Name), uc, secure)
		if i < len(presence) && presence[i].Network.MaxRedirects == nil {
			v.Network.MaxRedirects = defaultMaxRedirects
		}
		v.URL = parseUpstreamURL(v.path, uc.URL, errs)
		validateUpstreamFields(v, errs)
		s.byName[uc.Name] = v
		s.named = append(s.named, v)
	}
	for i, a := range s.Actions {
		if s.View(a.Upstream) == nil {
			errs.add(fmt.Sprintf("jsonData.actions[%d].upstream", i), "no upstream named %q (jsonData.upstreams: %s)", a.Upstream, s.upstreamNames())
		}
	}
}

func (s *Settings) newView(p Path, uc *UpstreamConfig, secure map[string]string) *Settings {
	v := *s
	v.root, v.named, v.byName, v.Upstreams = s, nil, nil, nil
	v.UpstreamName = uc.Name
	v.Upstream = uc.Upstream
	v.path = p
	// Grafana's secure socks proxy is switched on for the whole data source.
	v.OutboundProxy.SecureSocksProxy = s.OutboundProxy.SecureSocksProxy
	v.Secrets = Secrets{}
	for _, h := range v.Headers {
		if h.Secret {
			if v.Secrets.Headers == nil {
				v.Secrets.Headers = map[string]string{}
			}
			v.Secrets.Headers[h.Name] = secure[HeaderSecretField(uc.Name, h.Name)]
		}
	}
	readSecrets(&v, secure, SecretField(uc.Name, ""))
	applyDefaults(&v) // the data source's own fields are set already and stay
	return &v
}

func (s *Settings) upstreamNames() string {
	names := []string{DefaultUpstream}
	for _, v := range s.Named() {
		names = append(names, v.UpstreamName)
	}
	const shown = 10
	if len(names) > shown {
		return strings.Join(names[:shown], ", ") + fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return strings.Join(names, ", ")
}

// UpstreamNames lists every upstream as users name them, the default first.
func (s *Settings) UpstreamNames() []string {
	out := []string{DefaultUpstream}
	for _, v := range s.Named() {
		out = append(out, v.UpstreamName)
	}
	return out
}
