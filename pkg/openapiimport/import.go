package openapiimport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unique"

	"github.com/relay-gateway/relay/pkg/role"
)

// Options steer an import.
type Options struct {
	// BasePath, when set, prefixes every path instead of the first server's
	// path (or Swagger's basePath): rule paths are relative to the
	// upstream's URL, which may already end in the API's base path.
	BasePath *string
	// Upstream names the upstream the document describes; actions then
	// call it.
	Upstream string
}

// Import reads a document and proposes Relay configuration for it.
func Import(raw []byte, o Options) (*Proposal, error) {
	p, _, err := importWith(raw, o, defaultBudget(len(raw)))
	return p, err
}

// importWith is Import with the decoded schemas' budget (lazy.go), and the
// builder, for tests.
func importWith(raw []byte, o Options, budget cacheBudget) (*Proposal, *builder, error) {
	doc, version, skipped, err := load(raw)
	if err != nil {
		return nil, nil, err
	}
	p := &Proposal{Notes: []Note{}}
	p.Source = Source{OpenAPI: version, Upstream: o.Upstream, Bytes: len(raw)}
	p.Source.Title, p.Source.Version = shortText(doc.Info.Title, 200), shortText(doc.Info.Version, 50)
	p.Source.BasePath = basePath(doc, o.BasePath)
	gets, writes, all := countOperations(doc, p.Source.BasePath)
	p.Rules, p.Actions, p.Queries = make([]Rule, 0, min(all, maxOperations)), make([]Action, 0, min(writes, maxOperations)), make([]QueryPath, 0, min(gets, maxOperations))
	b := &builder{p: p, upstream: o.Upstream, names: map[string]int{}, refs: newRefs(doc), types: map[*schema][2]string{}, flats: map[*schema]*flat{}, patterns: map[string]bool{}, budget: budget}
	b.refs.skipped = skipped
	keys := make([]string, 0, len(doc.Paths))
	for k := range doc.Paths {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, tpl := range keys {
		// Decoded here and dropped after: one path item's model at a time.
		item := b.refs.pathItem(b.pathItemAt(tpl))
		if item == nil {
			continue
		}
		for _, method := range methodOrder {
			op := item.operation(method)
			if op == nil {
				continue
			}
			p.Stats.Operations++
			if p.Stats.Operations > maxOperations {
				continue // counted, not proposed
			}
			b.operation(p.Source.BasePath+tpl, method, item, op)
		}
		b.forgetSchemas()
	}
	if b.refs.exhausted {
		return nil, nil, docError("the document's schemas are too deeply composed to read (more than %d schema visits)", maxSteps)
	}
	if b.refs.skipped != "" {
		// First, as load's own note was before lazy decoding.
		n := len(b.p.Notes)
		b.note("", "", nil, "values of an unexpected type were skipped (the first at %s)", shorten(b.refs.skipped))
		if len(b.p.Notes) > n {
			b.p.Notes = append([]Note{b.p.Notes[n]}, b.p.Notes[:n]...)
		}
	}
	b.refNotes()
	if p.Stats.Operations > maxOperations {
		b.note("", "", nil, "the document has %d operations: the proposal covers the first %d (in path order); import the rest from a smaller document", p.Stats.Operations, maxOperations)
	}
	if b.capped {
		b.note("", "", nil, "the proposal stops adding fields and parameters after %d (at most %d per query path or action): the document's shared schemas make it too large", maxItems, maxPerEntry)
	}
	if b.tooDeep {
		b.note("", "", nil, "allOf nested more than %d levels deep: the deeper members are left out", maxSchemaDepth)
	}
	if b.widened > 0 {
		b.note("", "", nil, "%d rule(s) end in * where the path has a placeholder (/items/{id} → /items/*): Relay's rule paths have no placeholders, so such a rule also allows the deeper paths under its prefix (each rule's template is the operation's path)", b.widened)
	}
	if b.notesLeft > 0 {
		b.p.Notes = append(b.p.Notes, Note{Message: sprintf("%d more notes were left out", b.notesLeft)})
	}
	p.Stats.Rules, p.Stats.Actions, p.Stats.Queries = len(p.Rules), len(p.Actions), len(p.Queries)
	return p, b, nil
}

// maxOperations bounds the operations a proposal covers: an operation
// costs the proposal a rule (and an action or a query path), so a 20 MB
// document of tiny operations would otherwise make a proposal many times
// its size (more than the import's memory charge, ModelFactor, and more
// than an editor can show). GitHub's and Stripe's descriptions have a few
// thousand. A variable for tests.
var maxOperations = 25_000

// countOperations counts the operations of the inline path items, so the
// proposal's lists are allocated once at their size: the proposal is most
// of what an import holds, and lists grown by appends held up to twice
// their entries' room (and as much again in the arrays they outgrew).
// Only capacities, none above what the document can yield (a document of
// many tiny operations must not reserve room it never fills): rules and
// actions come from the operations of usable paths (actions from writes);
// a query from a GET with responses. An operation of a $ref'd path item is
// appended past them.
func countOperations(doc *document, base string) (gets, writes, all int) {
	for tpl, raw := range doc.Paths {
		var m struct{ Get, Head, Post, Put, Patch, Delete span }
		if !usablePath(base+tpl) || json.Unmarshal(raw, &m) != nil {
			continue
		}
		for _, op := range []span{m.Get, m.Head, m.Post, m.Put, m.Patch, m.Delete} {
			if op != nil {
				all++
			}
		}
		for _, op := range []span{m.Post, m.Put, m.Patch, m.Delete} {
			if op != nil {
				writes++
			}
		}
		if bytes.Contains(m.Get, []byte(`"responses"`)) {
			gets++
		}
	}
	return gets, writes, all
}

// usablePath tells whether an OpenAPI path can be a Relay path.
func usablePath(tpl string) bool {
	return strings.HasPrefix(tpl, "/") && !strings.Contains(tpl, "..")
}

var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions}

// methodList is a rule's methods: one list per method, shared by the rules
// (read-only; full, so an append copies), not one allocation per rule.
var methodList = func() map[string][]string {
	m := map[string][]string{}
	for _, method := range methodOrder {
		m[method] = []string{method}[:1:1]
	}
	return m
}()

// intern is the one copy of a name the proposal repeats: a field or
// parameter name ("id", "name") is decoded afresh with each path item and
// schema, and the proposal is most of what an import holds.
func intern(s string) string { return unique.Make(s).Value() }

// basePath is the prefix of every path: the request's, else the first
// server's URL path ("https://api.example.com/v1" → "/v1"; server variables
// take their defaults), never ending in "/".
func basePath(doc *document, override *string) string {
	if override != nil {
		return strings.TrimSuffix(*override, "/")
	}
	if len(doc.Servers) == 0 {
		return ""
	}
	s := doc.Servers[0]
	raw := s.URL
	for name, v := range s.Variables {
		raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
	}
	u, err := url.Parse(raw)
	if err != nil || strings.ContainsAny(u.Path, "{}") {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/")
}

// Bounds on what one proposal lists, far above real descriptions (GitHub's
// largest answer has about 300 fields).
const (
	maxItems    = 100_000
	maxPerEntry = 500
	maxNotes    = 5000
)

// take reserves room for one more field or parameter of an entry that has
// n already.
func (b *builder) take(n int) bool {
	if n >= maxPerEntry || b.items >= maxItems {
		b.capped = true
		return false
	}
	b.items++
	return true
}

// builder accumulates one proposal.
type builder struct {
	p        *Proposal
	upstream string
	names    map[string]int // action names given, for uniqueness
	widened  int            // rules with a "*" for a placeholder
	refs     *refs
	types    map[*schema][2]string // typeOf's memo
	flats    map[*schema]*flat     // flatten's memo
	patterns map[string]bool       // patternOK's memo
	budget   cacheBudget           // when the decoded schemas are forgotten
	forgot   int                   // how many times they were
	// items counts the fields and parameters proposed: shared schemas can
	// make a proposal much larger than its document, so past maxItems no
	// more are added (and a note says so).
	items     int
	capped    bool
	tooDeep   bool // an allOf nesting went past maxSchemaDepth
	notesLeft int  // notes past maxNotes, counted only
}

// refNotes says which $refs were not followed or did not resolve (a few
// by name: a hostile document may have millions).
func (b *builder) refNotes() {
	for _, x := range []struct {
		set  map[string]bool
		what string
	}{{b.refs.external, "external $refs were not followed (Relay reads one self-contained document and fetches nothing it names)"},
		{b.refs.unresolved, "$refs did not resolve (missing, cyclic, or not under #/components/)"}} {
		if len(x.set) == 0 {
			continue
		}
		names := make([]string, 0, len(x.set))
		for k := range x.set {
			names = append(names, k)
		}
		sort.Strings(names)
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		b.note("", "", nil, "%d %s: %s", len(x.set), x.what, shorten(strings.Join(names, ", ")))
	}
}

func (b *builder) note(method, path string, op *operation, format string, args ...any) {
	if len(b.p.Notes) >= maxNotes {
		b.notesLeft++
		return
	}
	n := Note{Method: method, Path: path, Message: sprintf(format, args...)}
	if op != nil {
		n.OperationID = op.OperationID
	}
	b.p.Notes = append(b.p.Notes, n)
}

func (b *builder) operation(tpl, method string, item *pathItem, op *operation) {
	if method == http.MethodOptions {
		b.note(method, tpl, op, "OPTIONS operations get no rule (Relay's gateway answers CORS itself)")
		return
	}
	if !usablePath(tpl) {
		b.note(method, tpl, op, "the path is not usable as a Relay path (it must start with / and not contain ..)")
		return
	}
	id := op.OperationID
	if id == "" {
		id = strings.ToLower(method) + " " + tpl
	}
	rulePath, widened := rulePath(tpl)
	r := Rule{Path: rulePath, Methods: methodList[method], MinRole: role.Editor, OperationID: id}
	if method == http.MethodGet || method == http.MethodHead {
		r.MinRole = role.Viewer
	}
	if widened {
		r.Template = tpl
		b.widened++
	}
	b.p.Rules = append(b.p.Rules, r)
	params := b.mergedParams(item, op)
	switch method {
	case http.MethodGet:
		b.query(tpl, id, op, params)
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		b.action(tpl, method, id, op, params)
	}
}

// rulePath turns an OpenAPI path into a Relay rule path. Rule paths are an
// exact path, a "/"-ending prefix or a "*" prefix, with no placeholders, so
// a templated path becomes the "*" prefix up to its first placeholder
// ("/items/{id}" → "/items/*"), which may allow more than the operation.
func rulePath(tpl string) (string, bool) {
	i := strings.IndexByte(tpl, '{')
	if i < 0 {
		return tpl, false
	}
	return tpl[:i] + "*", true
}

// mergedParams are the operation's parameters over the path item's (an
// operation's own parameter of the same name and place wins).
func (b *builder) mergedParams(item *pathItem, op *operation) []*param {
	var out []*param
	seen := map[string]bool{}
	for _, list := range [][]*param{op.Parameters, item.Parameters} {
		for _, p := range list {
			if p = b.refs.param(p); p == nil {
				continue
			}
			key := p.In + ":" + p.Name
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, p)
		}
	}
	return out
}

var nameUnsafe = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// actionName makes an operationId a valid, unique action name (letters,
// digits, '.', '_', '-'; at most 64).
func (b *builder) actionName(id string) string {
	name := strings.Trim(nameUnsafe.ReplaceAllString(id, "-"), "-._")
	if name == "" {
		name = "action"
	}
	if len(name) > 60 {
		name = name[:60]
	}
	base := name
	for b.names[name] > 0 {
		b.names[base]++
		name = sprintf("%s-%d", base, b.names[base])
	}
	b.names[name]++
	return name
}
