package migrate

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Source is an old (Infinity or JSON API) data source's settings, as read
// from its provisioning file: what a dashboard conversion needs from it.
type Source struct {
	Name, UID, Type string
	// URL is the data source's URL (Infinity: an optional base URL).
	URL string
	// AllowedHosts are Infinity's allowed hosts (URL prefixes).
	AllowedHosts []string
	// RefData is Infinity's reference data by name.
	RefData map[string]string
	// QueryParams is JSON API's jsonData.queryParams, added to every request.
	QueryParams string
}

// upstreamFor is the named upstream Relay gets for an allowed host: its
// host name, lower-cased, with "-" for other characters.
func upstreamFor(base string) string {
	u, err := url.Parse(base)
	host := base
	if err == nil && u.Host != "" {
		host = u.Hostname()
	}
	name := strings.Trim(nonName.ReplaceAllString(strings.ToLower(host), "-"), "-")
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		name = "u-" + name
	}
	if len(name) > 63 {
		name = name[:63]
	}
	if name == "default" {
		name = "default-host"
	}
	return name
}

var nonName = regexp.MustCompile(`[^a-z0-9_]+`)

// defaultBase is the URL the Relay data source gets: the old URL, else
// (Infinity without a base URL) the first allowed host.
func (s *Source) defaultBase() string {
	if strings.TrimSpace(s.URL) != "" {
		return strings.TrimSpace(s.URL)
	}
	if len(s.AllowedHosts) > 0 {
		return strings.TrimSpace(s.AllowedHosts[0])
	}
	return ""
}

// namedHosts are the allowed hosts that become named upstreams.
func (s *Source) namedHosts() []string {
	var out []string
	base := s.defaultBase()
	for _, h := range s.AllowedHosts {
		if strings.TrimSpace(h) != "" && strings.TrimSpace(h) != base {
			out = append(out, strings.TrimSpace(h))
		}
	}
	return out
}

// placement is where a source URL goes in Relay: an upstream and a path
// below its URL.
type placement struct {
	upstream string // "" for the data source's own URL
	path     string
	query    url.Values
	note     string // said in the report
	partial  bool   // no configured upstream covers it
}

// place maps a target's URL onto the Relay data source's upstreams: under
// the old data source's URL → the default upstream; under one of its allowed
// hosts → that host's named upstream (the datasource command creates it);
// a relative URL → the default upstream (Infinity joins it to its URL).
func (s *Source) place(raw string) placement {
	raw = strings.TrimSpace(raw)
	if !hasScheme(raw) {
		p := raw
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		return splitQuery(placement{path: p})
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return placement{path: "/", partial: true, note: fmt.Sprintf("the URL %q could not be read; set the path by hand", raw)}
	}
	origin := u.Scheme + "://" + u.Host
	if s == nil {
		return splitQuery(placement{path: rawPath(u), note: fmt.Sprintf("assumes the Relay data source's URL is %s (no --datasource-config given)", origin)})
	}
	base := s.defaultBase()
	if under(raw, base) {
		return splitQuery(placement{path: rest(raw, base)})
	}
	for _, h := range s.namedHosts() {
		if under(raw, h) {
			return splitQuery(placement{upstream: upstreamFor(h), path: rest(raw, h)})
		}
	}
	return splitQuery(placement{upstream: upstreamFor(origin), path: rawPath(u), partial: true,
		note: fmt.Sprintf("%s is under neither the data source's URL nor its allowed hosts: add an upstream %q with url %s to the Relay data source", origin, upstreamFor(origin), origin)})
}

// rawPath is the URL's path and query as written (template variables and
// escapes left alone).
func rawPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

func hasScheme(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// under says whether raw is base or below it (at a path boundary).
func under(raw, base string) bool {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" || !hasScheme(base) {
		return false
	}
	if !strings.HasPrefix(strings.ToLower(raw), strings.ToLower(base)) {
		return false
	}
	r := raw[len(base):]
	return r == "" || r[0] == '/' || r[0] == '?'
}

func rest(raw, base string) string {
	r := raw[len(strings.TrimRight(strings.TrimSpace(base), "/")):]
	if r == "" || r[0] == '?' {
		r = "/" + r
	}
	return r
}

// splitQuery moves a literal query string of the path into parameters (the
// Relay path keeps none, so the editor shows them as parameters).
func splitQuery(p placement) placement {
	i := strings.IndexByte(p.path, '?')
	if i < 0 {
		return p
	}
	q, err := url.ParseQuery(p.path[i+1:])
	if err != nil {
		return p // left in the path: Relay joins it at run time
	}
	p.path, p.query = p.path[:i], q
	return p
}
