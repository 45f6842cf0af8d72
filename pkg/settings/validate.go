package settings

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
)

var (
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	knownMethod = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}
	paramTypes  = map[string]bool{"string": true, "number": true, "integer": true, "boolean": true}
)

// Headers Relay owns or that must never be set from configuration.
var reservedHeaders = map[string]bool{"Host": true, "Content-Length": true, "Connection": true, "Transfer-Encoding": true,
	"Upgrade": true, "Te": true, "Trailer": true, "Keep-Alive": true, "Proxy-Authorization": true, "Proxy-Connection": true}

func validate(s *Settings, secure map[string]string, errs *Errors) {
	validateUpstreamFields(&s.Upstream, errs)
	validateLimits(s, errs)
	validateKeys(s, secure, errs)
	validateActions(s.Actions, errs)
}

// validateUpstreamFields checks what each upstream has of its own (the
// default one at the top of jsonData, named ones under jsonData.upstreams).
func validateUpstreamFields(s *Upstream, errs *Errors) {
	p := s.Path()
	validateAuth(s, errs)
	for i, h := range s.Headers {
		f := p.JSON(fmt.Sprintf("headers[%d].name", i))
		if !httpguts.ValidHeaderFieldName(h.Name) {
			errs.add(f, "%q is not a valid header name", h.Name)
		} else if reservedHeaders[http.CanonicalHeaderKey(h.Name)] {
			errs.add(f, "%q is managed by Relay and cannot be configured", h.Name)
		}
		if !httpguts.ValidHeaderFieldValue(h.Value) || !httpguts.ValidHeaderFieldValue(s.Secrets.Headers[h.Name]) {
			errs.add(f, "the value is not a valid header value")
		}
	}
	for name, d := range map[string]Duration{"dial": s.Timeouts.Dial, "tlsHandshake": s.Timeouts.TLSHandshake,
		"responseHeader": s.Timeouts.ResponseHeader, "request": s.Timeouts.Request} {
		if d.Duration < 0 {
			errs.add(p.JSON("timeouts."+name), "must not be negative")
		}
	}
	if !strings.HasPrefix(s.HealthPath, "/") {
		errs.add(p.JSON("healthPath"), "must start with /")
	}
	validateNetwork(p, &s.Network, errs)
	validateProxy(p, &s.Proxy, errs)
	if s.Cache.MaxBytes < 0 {
		errs.add(p.JSON("cache.maxBytes"), "must not be negative")
	}
}

func validateNetwork(p Path, n *Network, errs *Errors) {
	for i, c := range n.AllowedCIDRs {
		if _, _, err := net.ParseCIDR(c); err != nil {
			errs.add(p.JSON(fmt.Sprintf("network.allowedCIDRs[%d]", i)), "%q is not a CIDR (e.g. 10.0.0.0/8)", c)
		}
	}
	for i, h := range n.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/?#@ ") {
			errs.add(p.JSON(fmt.Sprintf("network.allowedHosts[%d]", i)), "%q is not a host name (host or host:port)", h)
		}
	}
	if n.MaxRedirects < 0 || n.MaxRedirects > 10 {
		errs.add(p.JSON("network.maxRedirects"), "must be between 0 and 10")
	}
}

func validateProxy(p Path, px *Proxy, errs *Errors) {
	for i, r := range px.Rules {
		f := p.JSON(fmt.Sprintf("proxy.rules[%d]", i))
		if !strings.HasPrefix(r.Path, "/") || strings.Contains(r.Path, "..") {
			errs.add(f+".path", "must start with / and not contain ..")
		}
		if len(r.Methods) == 0 {
			errs.add(f+".methods", "at least one method is required")
		}
		for j, m := range r.Methods {
			if !knownMethod[m] {
				errs.add(fmt.Sprintf("%s.methods[%d]", f, j), "unknown method %q (use upper case, e.g. GET)", m)
			}
		}
		if r.CacheTTL.Duration < 0 || r.Timeout.Duration < 0 {
			errs.add(f, "cacheTTL and timeout must not be negative")
		}
		validateGraphQLRule(f+".graphql", r.GraphQL, errs)
	}
	if px.MaxRequestBytes < 0 || px.MaxRequestBytes > MaxRequestBodyCeiling {
		errs.add(p.JSON("proxy.maxRequestBytes"), "must be between 1 and %d (the plugin protocol refuses bodies over 16 MiB)", MaxRequestBodyCeiling)
	}
	if px.MaxResponseBytes < 0 {
		errs.add(p.JSON("proxy.maxResponseBytes"), "must not be negative")
	}
	if px.MaxConcurrent < 0 {
		errs.add(p.JSON("proxy.maxConcurrent"), "must not be negative")
	}
	if px.MaxConcurrentPerUser < 0 {
		errs.add(p.JSON("proxy.maxConcurrentPerUser"), "must not be negative")
	}
	for k := range px.QueryParams {
		if k == "" {
			errs.add(p.JSON("proxy.queryParams"), "parameter names must not be empty")
		}
	}
}

func validateLimits(s *Settings, errs *Errors) {
	if s.RateLimits.Default.PerSecond < 0 || s.RateLimits.Default.Burst < 0 {
		errs.add("jsonData.rateLimits.default", "must not be negative")
	}
	for k, r := range s.RateLimits.Classes {
		if !slices.Contains(RateClasses(), k) {
			errs.add("jsonData.rateLimits.classes."+k, "unknown rate class (want one of %s)", strings.Join(RateClasses(), ", "))
		}
		if r.PerSecond < 0 || r.Burst < 0 {
			errs.add("jsonData.rateLimits.classes."+k, "must not be negative")
		}
	}
	if s.Transform.MaxInputBytes < 0 || s.Transform.MaxRows < 0 || s.Transform.Timeout.Duration < 0 {
		errs.add("jsonData.transform", "limits must not be negative")
	}
	t := s.Transform
	if t.MaxInFlightBytes < 0 || t.MaxInFlightBytesPerUser < 0 || t.MaxConcurrentPerUser < 0 {
		errs.add("jsonData.transform", "in-flight limits must not be negative")
	} else if t.MaxInFlightBytesPerUser < t.MaxInputBytes || t.MaxInFlightBytes < t.MaxInFlightBytesPerUser {
		errs.add("jsonData.transform.maxInFlightBytesPerUser",
			"must be at least maxInputBytes (%d) and at most maxInFlightBytes (%d), or no upstream answer of the allowed size could be read",
			t.MaxInputBytes, t.MaxInFlightBytes)
	}
	if s.Query.MaxCallsPerRequest < 0 {
		errs.add("jsonData.query.maxCallsPerRequest", "must not be negative")
	}
	if s.Query.MaxPages < 0 || s.Query.MaxPages > 1000 {
		errs.add("jsonData.query.maxPages", "must be between 1 and 1000")
	}
	if s.Query.MaxForEach < 0 || s.Query.MaxForEach > 10_000 {
		errs.add("jsonData.query.maxForEach", "must be between 1 and 10000")
	}
	if s.Query.MaxQueriesPerRequest < 0 || s.Query.MaxQueriesPerRequest > 10_000 {
		errs.add("jsonData.query.maxQueriesPerRequest", "must be between 1 and 10000")
	}
	if s.Query.MaxTransformTimePerRequest.Duration < 0 {
		errs.add("jsonData.query.maxTransformTimePerRequest", "must not be negative")
	}
	if s.Query.Concurrency < 0 || s.Query.Concurrency > 64 {
		errs.add("jsonData.query.concurrency", "must be between 1 and 64")
	}
	if s.Audit.RingSize < 0 || s.Audit.RingSize > MaxAuditRingSize {
		errs.add("jsonData.audit.ringSize", "must be between 1 and %d", MaxAuditRingSize)
	}
}

func validateKeys(s *Settings, secure map[string]string, errs *Errors) {
	seen := map[string]bool{}
	for i, k := range s.APIKeys {
		f := fmt.Sprintf("jsonData.apiKeys[%d]", i)
		if !namePattern.MatchString(k.Name) {
			errs.add(f+".name", "%q must be 1-64 letters, digits, '.', '_' or '-'", k.Name)
			continue
		}
		if seen[k.Name] {
			errs.add(f+".name", "duplicate key name %q", k.Name)
		}
		seen[k.Name] = true
		if k.Hash == nil {
			if v, present := secure[APIKeyHashField(k.Name)]; present {
				errs.add("secureJsonData."+APIKeyHashField(k.Name), "%s", keyHashProblem(v))
			} else {
				errs.add("secureJsonData."+APIKeyHashField(k.Name), "missing: generate the key in the config editor")
			}
		}
	}
}

func validateActions(actions []Action, errs *Errors) {
	seen := map[string]bool{}
	for i, a := range actions {
		f := fmt.Sprintf("jsonData.actions[%d]", i)
		if !namePattern.MatchString(a.Name) {
			errs.add(f+".name", "%q must be 1-64 letters, digits, '.', '_' or '-'", a.Name)
		} else if seen[a.Name] {
			errs.add(f+".name", "duplicate action name %q", a.Name)
		}
		seen[a.Name] = true
		if !knownMethod[a.Method] {
			errs.add(f+".method", "unknown method %q", a.Method)
		}
		if !strings.HasPrefix(a.Path, "/") {
			errs.add(f+".path", "must start with /")
		}
		pseen := map[string]bool{}
		for j, p := range a.Params {
			pf := fmt.Sprintf("%s.params[%d]", f, j)
			if !namePattern.MatchString(p.Name) || pseen[p.Name] {
				errs.add(pf+".name", "%q must be a unique name of letters, digits, '.', '_' or '-'", p.Name)
			}
			pseen[p.Name] = true
			if !paramTypes[p.Type] {
				errs.add(pf+".type", "unknown type %q (want string, number, integer or boolean)", p.Type)
			}
			if p.Pattern != "" {
				if _, err := regexp.Compile(p.Pattern); err != nil {
					errs.add(pf+".pattern", "not a valid regular expression")
				}
			}
		}
	}
}

// keyHashProblem says what is wrong with a stored key hash (never the value).
func keyHashProblem(v string) string {
	const want = " (want sha256:<saltHex>:<hashHex>, as the config editor generates)"
	parts := strings.Split(v, ":")
	if len(parts) != 3 || parts[0] != "sha256" {
		return "not a valid hash" + want
	}
	salt, err := hex.DecodeString(parts[1])
	switch {
	case err != nil:
		return "the salt is not hex" + want
	case len(salt) < 8:
		return fmt.Sprintf("the salt is %d bytes; at least 8 are needed%s", len(salt), want)
	}
	if h, err := hex.DecodeString(parts[2]); err != nil || len(h) != 32 {
		return "the hash is not 32 bytes of hex (SHA-256)" + want
	}
	return "not a valid hash" + want
}
