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

// UpstreamConfig is one entry of jsonData.upstreams as written (the
// frontend's UpstreamSettings): its name and URL, and the upstream's own
// fields. Parse sets the Upstream's Name and URL from them and lists it in
// Settings.Upstreams.
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

// Lookup is the upstream a user named ("", "default" or "_default": the
// default one), or nil when there is none of that name.
func (s *Settings) Lookup(name string) *Upstream {
	return s.byName[CanonicalUpstream(name)]
}

// parseUpstreams lists the default upstream first, then each
// jsonData.upstreams entry with its URL parsed, its secrets read and the
// same defaults the default upstream gets. Nothing is inherited from the
// default upstream: a credential or an allowlist meant for one origin never
// applies to another.
func parseUpstreams(s *Settings, secure map[string]string, presence []upstreamPresence, errs *Errors) {
	s.Upstreams = []*Upstream{&s.Upstream}
	s.byName = map[string]*Upstream{"": &s.Upstream}
	if len(s.NamedUpstreams) > MaxUpstreams {
		errs.add("jsonData.upstreams", "at most %d upstreams are allowed, got %d", MaxUpstreams, len(s.NamedUpstreams))
		return
	}
	for i := range s.NamedUpstreams {
		uc := &s.NamedUpstreams[i]
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
		u := &uc.Upstream
		u.Name, u.path = uc.Name, namedPath(i, uc.Name)
		// Grafana's secure socks proxy is switched on for the whole data source.
		u.OutboundProxy.SecureSocksProxy = s.OutboundProxy.SecureSocksProxy
		readNamedSecrets(u, secure)
		applyUpstreamDefaults(u)
		if i < len(presence) && presence[i].Network.MaxRedirects == nil {
			u.Network.MaxRedirects = defaultMaxRedirects
		}
		u.URL = parseUpstreamURL(u.path, uc.URL, errs)
		validateUpstreamFields(u, errs)
		s.byName[uc.Name] = u
		s.Upstreams = append(s.Upstreams, u)
	}
	for i, a := range s.Actions {
		if s.Lookup(a.Upstream) == nil {
			errs.add(fmt.Sprintf("jsonData.actions[%d].upstream", i), "no upstream named %q (jsonData.upstreams: %s)", a.Upstream, s.upstreamNames())
		}
	}
}

// readNamedSecrets reads a named upstream's secrets (secureJsonData
// upstreams.<name>.<key>), secret headers included.
func readNamedSecrets(u *Upstream, secure map[string]string) {
	u.Secrets = Secrets{}
	for _, h := range u.Headers {
		if h.Secret {
			if u.Secrets.Headers == nil {
				u.Secrets.Headers = map[string]string{}
			}
			u.Secrets.Headers[h.Name] = secure[HeaderSecretField(u.Name, h.Name)]
		}
	}
	readSecrets(u, secure, SecretField(u.Name, ""))
}

func (s *Settings) upstreamNames() string {
	names := s.UpstreamNames()
	const shown = 10
	if len(names) > shown {
		return strings.Join(names[:shown], ", ") + fmt.Sprintf(" and %d more", len(names)-shown)
	}
	return strings.Join(names, ", ")
}

// UpstreamNames lists every upstream as users name them, the default first.
func (s *Settings) UpstreamNames() []string {
	out := make([]string, len(s.Upstreams))
	for i, u := range s.Upstreams {
		out[i] = ShownUpstream(u.Name)
	}
	return out
}

// DataSource is what an upstream's client knows of the data source it
// belongs to (for cache keys, spans and logs): its UID and name.
type DataSource struct {
	UID  string
	Name string
}

// DataSource is s's identity.
func (s *Settings) DataSource() DataSource { return DataSource{UID: s.UID, Name: s.Name} }
