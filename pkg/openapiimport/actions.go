package openapiimport

import (
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"strings"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

// placeholderName is what an action template accepts as a parameter name.
var placeholderName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// action proposes a named action for a write operation: path and query
// parameters, and the top-level properties of a JSON object body, become
// typed parameters; the body is a template naming each property, so a
// parameter fills its own member and nothing else.
func (b *builder) action(tpl, method, id string, op *operation, params []*param) {
	a := Action{OperationID: id}
	a.Name = b.actionName(id)
	a.Title = shortText(op.Summary, 200)
	a.Description = shortText(op.Description, 500)
	a.Method, a.Path, a.MinRole, a.Upstream = method, tpl, role.Editor, b.upstream
	if method == http.MethodDelete {
		a.Confirm = "Run " + a.Name + " (" + method + " " + tpl + ")?"
	}
	notef := func(format string, args ...any) { b.note(method, tpl, op, "action "+a.Name+": "+format, args...) }
	placeholders := pathPlaceholders.FindAllStringSubmatch(tpl, -1)
	body, hasBody, bodyProblem := b.bodySchema(op)
	// Params sized once: the proposal is most of what an import keeps, and
	// a slice grown by appends holds up to twice its parameters' room.
	n := len(params) + len(placeholders)
	if hasBody {
		n += min(len(body.props), maxPerEntry)
	}
	a.Params = make([]settings.ActionParam, 0, n)
	names := map[string]bool{}
	for _, p := range params {
		switch p.In {
		case "path", "query":
		default:
			qual := "optional"
			if p.Required {
				qual = "required"
			}
			notef("%s %s parameter %q is not mapped (actions send path, query and JSON body parameters)", qual, p.In, p.Name)
			continue
		}
		if !placeholderName.MatchString(p.Name) {
			if p.In == "path" {
				notef("path parameter %q has a name an action template cannot hold; no action proposed", p.Name)
				return
			}
			notef("query parameter %q has a name an action template cannot hold; not mapped", p.Name)
			continue
		}
		ap, ok, problems := b.param(p.Name, p.Schema, p.Required || p.In == "path", p.Description)
		for _, m := range problems {
			notef("parameter %q: %s", p.Name, m)
		}
		if !ok {
			if p.In == "path" {
				ap = settings.ActionParam{Name: intern(p.Name), Type: "string", Required: true, Description: shortText(p.Description, 300)}
				notef("path parameter %q is typed as a string", p.Name)
			} else {
				continue
			}
		}
		names[p.Name] = true
		a.Params = append(a.Params, ap)
		if p.In == "query" {
			if a.Query == nil {
				a.Query = map[string]string{}
			}
			a.Query[p.Name] = "{{" + p.Name + "}}"
		}
	}
	// Every {name} of the path must be a declared parameter.
	for _, m := range placeholders {
		if !names[m[1]] {
			if !placeholderName.MatchString(m[1]) {
				notef("path placeholder {%s} cannot be an action parameter; no action proposed", m[1])
				return
			}
			a.Params = append(a.Params, settings.ActionParam{Name: intern(m[1]), Type: "string", Required: true})
			names[m[1]] = true
			notef("path placeholder {%s} is not declared as a parameter; typed as a string", m[1])
		}
	}
	switch {
	case bodyProblem != "":
		notef("%s", bodyProblem)
	case hasBody:
		b.bodyParams(&a, &body, names, notef)
	}
	b.p.Actions = append(b.p.Actions, a)
}

var pathPlaceholders = regexp.MustCompile(`\{([^{}]*)\}`)

// bodySchema is the operation's JSON request body schema, flattened; ok is
// false when there is none, or it is not mapped (problem says why).
func (b *builder) bodySchema(op *operation) (f flat, ok bool, problem string) {
	rb := b.refs.body(op.RequestBody)
	if rb == nil {
		return f, false, ""
	}
	mt := jsonMedia(rb.Content)
	if mt == nil {
		kinds := make([]string, 0, len(rb.Content))
		for k := range rb.Content {
			kinds = append(kinds, k)
		}
		return f, false, sprintf("the request body (%s) is not JSON; not mapped", strings.Join(sortedStrings(kinds), ", "))
	}
	if mt.Schema == nil {
		return f, false, "the JSON request body has no schema; not mapped"
	}
	if f = b.flatten(mt.Schema); f.typ != "object" {
		return f, false, sprintf("the JSON request body is a %s, not an object; not mapped", orUnknown(f.typ))
	}
	return f, true, ""
}

// bodyParams maps a JSON request body's top-level scalar properties.
func (b *builder) bodyParams(a *Action, f *flat, names map[string]bool, notef func(string, ...any)) {
	if f.composed {
		notef("the request body's oneOf/anyOf alternatives are not mapped")
	}
	var members []string
	for _, prop := range f.props {
		if prop.schema == nil {
			continue
		}
		name := prop.name
		s := b.refs.schema(prop.schema)
		switch {
		case s == nil:
			notef("body property %q has a $ref that does not resolve; not mapped", name)
			continue
		case s.more().ReadOnly:
			continue // the server sets it
		case names[name]:
			notef("body property %q has the name of a path or query parameter; not mapped", name)
			continue
		case !placeholderName.MatchString(name):
			notef("body property %q has a name an action template cannot hold; not mapped", name)
			continue
		}
		if !b.take(len(a.Params)) {
			break
		}
		ap, ok, problems := b.param(name, s, f.isRequired(name), s.more().Description)
		for _, m := range problems {
			notef("body property %q: %s", name, m)
		}
		if !ok {
			continue
		}
		names[name] = true
		a.Params = append(a.Params, ap)
		members = append(members, name)
	}
	// An explicit template even when empty: without one, an action sends
	// all its parameters (path and query ones too) as the body.
	a.Body = bodyTemplate(members)
}

// bodyTemplate is the body template naming each member ({"name":
// "{{name}}", ...}), as JSON text: it is what the proposal answers, and a
// map of boxed strings took several times the room. members are in name
// order (a map marshals so) and match placeholderName, so none needs
// escaping.
func bodyTemplate(members []string) json.RawMessage {
	n := 2
	for _, m := range members {
		n += 2*len(m) + len(`"":"{{}}",`)
	}
	out := make([]byte, 0, n)
	out = append(out, '{')
	for i, m := range members {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, m...)
		out = append(out, `":"{{`...)
		out = append(out, m...)
		out = append(out, `}}"`...)
	}
	return append(out, '}')
}

// param maps a schema onto an action parameter; ok is false when it
// cannot be (objects, arrays, untyped). The problems say what was left out.
func (b *builder) param(name string, s *schema, required bool, description string) (settings.ActionParam, bool, []string) {
	if s == nil {
		return settings.ActionParam{}, false, []string{"has no schema; not mapped"}
	}
	f := b.flatten(s)
	c := f.base.more()
	typ := f.typ
	if typ == "" && len(c.Enum) > 0 {
		if _, ok := c.Enum[0].(string); ok {
			typ = "string"
		}
	}
	var problems []string
	switch typ {
	case "string", "integer", "number", "boolean":
	case "":
		return settings.ActionParam{}, false, []string{"has no single type (oneOf, anyOf or several types); not mapped"}
	default:
		return settings.ActionParam{}, false, []string{"is " + article(typ) + "; actions take scalar parameters, not mapped"}
	}
	p := settings.ActionParam{Name: intern(name), Type: intern(typ), Required: required, Description: shortText(firstNonEmpty(description, c.Description), 300)}
	for _, e := range c.Enum {
		switch {
		case e == nil:
		case validValue(typ, e):
			p.Enum = append(p.Enum, e)
		default:
			problems = append(problems, sprintf("enum value %v is not %s; left out", e, article(typ)))
		}
	}
	switch typ {
	case "string":
		if c.MinLength > 0 {
			p.Min = ptr(float64(c.MinLength))
		}
		if c.MaxLength != nil {
			p.Max = ptr(float64(*c.MaxLength))
		}
		if c.Pattern != "" {
			if b.patternOK(c.Pattern) {
				p.Pattern = c.Pattern
			} else {
				problems = append(problems, "pattern "+shortText(c.Pattern, 80)+" is not a pattern Go's regexp reads; left out")
			}
		}
		if f.format != "" {
			problems = append(problems, "format "+f.format+" is not checked (the parameter is a plain string)")
		}
	case "integer", "number":
		p.Min, p.Max = c.Minimum, c.Maximum
		minSet, minValue := exclusiveBound(c.ExclusiveMin)
		maxSet, maxValue := exclusiveBound(c.ExclusiveMax)
		if minSet || maxSet {
			problems = append(problems, "exclusive bounds are checked as inclusive ones")
			if minValue != nil && p.Min == nil {
				p.Min = minValue
			}
			if maxValue != nil && p.Max == nil {
				p.Max = maxValue
			}
		}
		if c.MultipleOf != nil {
			problems = append(problems, "multipleOf is not checked")
		}
	}
	if p.Min != nil && p.Max != nil && *p.Min > *p.Max {
		p.Min, p.Max = nil, nil
		problems = append(problems, "minimum above maximum; bounds left out")
	}
	if c.Default != nil && validValue(typ, c.Default) {
		p.Default = c.Default
	}
	return p, true, problems
}

// patternOK tells whether Go's regexp reads a pattern, once per distinct
// pattern: large documents repeat a few patterns thousands of times, and
// compiling each again was a tenth of the import's allocations.
func (b *builder) patternOK(pattern string) bool {
	if ok, seen := b.patterns[pattern]; seen {
		return ok
	}
	_, err := regexp.Compile(pattern)
	b.patterns[pattern] = err == nil
	return err == nil
}

// validValue: enum values and defaults the parameter's type takes.
func validValue(typ string, v any) bool {
	switch x := v.(type) {
	case string:
		return typ == "string"
	case bool:
		return typ == "boolean"
	case float64:
		return typ == "number" || typ == "integer" && x == math.Trunc(x) && math.Abs(x) <= 1<<53
	}
	return false
}

func article(typ string) string {
	if strings.IndexByte("aeiou", typ[0]) >= 0 {
		return "an " + typ
	}
	return "a " + typ
}

func orUnknown(s string) string {
	if s == "" {
		return "value of no single type"
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func shortText(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	cut := s[:n]
	for len(cut) > 0 && cut[len(cut)-1]&0xC0 == 0x80 { // keep UTF-8 whole
		cut = cut[:len(cut)-1]
	}
	if len(cut) > 0 && cut[len(cut)-1] >= 0xC0 {
		cut = cut[:len(cut)-1]
	}
	return cut + "…"
}
