package authz

import (
	"slices"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

// RuleView is a proxy rule as /info and the OpenAPI document show it.
type RuleView struct {
	Path     string    `json:"path"`
	Methods  []string  `json:"methods"`
	MinRole  role.Role `json:"minRole"`
	CacheTTL string    `json:"cacheTTL,omitempty"`
}

// Rule is a compiled proxy rule.
type Rule struct {
	settings.ProxyRule
	methods uint16 // bit set over knownMethods
	req     Requirement
}

var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

func methodBit(m string) uint16 {
	if i := slices.Index(knownMethods, m); i >= 0 {
		return 1 << i
	}
	return 0
}

// Allows reports whether the rule covers method.
func (r *Rule) Allows(method string) bool {
	b := methodBit(method)
	return b != 0 && r.methods&b != 0
}

// Timeout is the rule's override of the request timeout, or zero.
func (r *Rule) Timeout() time.Duration { return r.ProxyRule.Timeout.Duration }

// Rules matches upstream paths to rules. The most specific rule whose path
// matches wins: an exact path, then the longest "/"-ending prefix, then the
// longest "*" prefix. Lookups walk the path's own prefixes through maps, so
// the cost depends on the path's depth, not on the number of rules.
type Rules struct {
	all      []*Rule
	exact    map[string][]*Rule
	prefix   map[string][]*Rule // keys end in "/"
	star     []*Rule            // "…*" rules, longest first
	hasRules bool
}

// CompileRules indexes the settings' rules.
func CompileRules(list []settings.ProxyRule) *Rules {
	rs := &Rules{exact: map[string][]*Rule{}, prefix: map[string][]*Rule{}, hasRules: len(list) > 0}
	for _, pr := range list {
		r := &Rule{ProxyRule: pr, req: Requirement{Scope: "proxy", MinRole: pr.MinRole, Users: pr.Users}}
		for _, m := range pr.Methods {
			r.methods |= methodBit(m)
			if m == "GET" {
				r.methods |= methodBit("HEAD") // HEAD is a GET without a body
			}
		}
		rs.all = append(rs.all, r)
		switch {
		case strings.HasSuffix(pr.Path, "*"):
			rs.star = append(rs.star, r)
		case strings.HasSuffix(pr.Path, "/"):
			rs.prefix[pr.Path] = append(rs.prefix[pr.Path], r)
		default:
			rs.exact[pr.Path] = append(rs.exact[pr.Path], r)
		}
	}
	slices.SortStableFunc(rs.star, func(a, b *Rule) int { return len(b.Path) - len(a.Path) })
	return rs
}

// Match finds the rule for method on path (which starts with "/"). found
// tells whether any rule covers the path at all, to explain a refusal.
func (rs *Rules) Match(path, method string) (rule *Rule, pathCovered bool) {
	pick := func(cands []*Rule) *Rule {
		for _, r := range cands {
			pathCovered = true
			if r.Allows(method) {
				return r
			}
		}
		return nil
	}
	if r := pick(rs.exact[path]); r != nil {
		return r, true
	}
	// Walk the "/"-ending prefixes from the longest: "/a/b/c" → "/a/b/", "/a/", "/".
	p := path[:strings.LastIndexByte(path, '/')+1]
	for {
		if r := pick(rs.prefix[p]); r != nil {
			return r, true
		}
		if len(p) <= 1 {
			break
		}
		p = p[:strings.LastIndexByte(p[:len(p)-1], '/')+1]
	}
	for _, r := range rs.star {
		if strings.HasPrefix(path, strings.TrimSuffix(r.Path, "*")) {
			pathCovered = true
			if r.Allows(method) {
				return r, true
			}
		}
	}
	return nil, pathCovered
}

// Views lists rules as /info and OpenAPI show them; with a caller, only the
// rules that caller passes.
func (rs *Rules) Views(c *Caller) []RuleView {
	out := []RuleView{}
	for _, r := range rs.all {
		if c != nil && r.req.CheckUser(*c) != nil {
			continue
		}
		v := RuleView{Path: r.Path, Methods: r.Methods, MinRole: r.req.EffectiveRole()}
		if r.CacheTTL.Duration > 0 {
			v.CacheTTL = r.CacheTTL.String()
		}
		out = append(out, v)
	}
	return out
}

// ActionDoc describes a named action's access for /actions and OpenAPI.
type ActionDoc struct {
	Name, Title, Description string
	MinRole                  role.Role
	APIKeyRequired           bool
	Params                   *openapi3.Schema
}
