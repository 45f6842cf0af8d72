// Package openapiimport turns an API's OpenAPI description into a proposal
// of Relay configuration: proxy rules, named actions and query paths with
// typed fields. It is pure (document bytes in, proposal out): it changes no
// settings and makes no request; the handler (handler.go) fetches or receives
// the document and answers the proposal for an admin to pick from.
package openapiimport

import (
	"slices"

	"github.com/relay-gateway/relay/pkg/role"
	"github.com/relay-gateway/relay/pkg/settings"
)

// Proposal is what an import answers. Rules and actions have the JSON form of
// jsonData.proxy.rules and jsonData.actions (plus the operationId they come
// from), so the config editor merges what the admin picks as it is.
type Proposal struct {
	Source  Source       `json:"source"`
	Rules   []Rule       `json:"rules"`
	Actions []Action     `json:"actions"`
	Queries []QueryPath  `json:"queries"`
	Notes   []Note       `json:"notes"`
	Stats   ImportCounts `json:"stats"`
}

// Source describes the imported document.
type Source struct {
	// OpenAPI is the document's own version ("3.0.3", "3.1.0", or "2.0" for
	// Swagger, converted to 3 before reading).
	OpenAPI string `json:"openapi"`
	Title   string `json:"title,omitempty"`
	Version string `json:"version,omitempty"`
	// BasePath is what every path was prefixed with (the first server's
	// path, Swagger's basePath, or the request's basePath).
	BasePath string `json:"basePath"`
	// Upstream is the upstream the document was fetched from ("" when pasted
	// or the default upstream): the rules and actions belong to it.
	Upstream string `json:"upstream,omitempty"`
	Bytes    int    `json:"bytes"`
}

// ImportCounts tells how much of the document the proposal covers.
type ImportCounts struct {
	Operations int `json:"operations"`
	Rules      int `json:"rules"`
	Actions    int `json:"actions"`
	Queries    int `json:"queries"`
}

// Rule is a proposed proxy rule: one per operation, so each can be picked
// alone. Safe operations are for Viewers, writes for Editors.
type Rule struct {
	Path        string    `json:"path"`
	Methods     []string  `json:"methods"`
	MinRole     role.Role `json:"minRole"`
	OperationID string    `json:"operationId"`
	// Template is the operation's OpenAPI path when the rule had to widen it
	// (Relay's rule paths have no placeholders: /items/{id} → /items/*).
	Template string `json:"template,omitempty"`
}

// ProxyRule is the rule as jsonData holds it.
func (r Rule) ProxyRule() settings.ProxyRule {
	return settings.ProxyRule{Path: r.Path, Methods: slices.Clone(r.Methods), MinRole: r.MinRole}
}

// Action is a proposed named action, in jsonData.actions' form.
type Action struct {
	settings.Action
	OperationID string `json:"operationId"`
}

// QueryPath is a GET operation answering JSON, with the fields of its rows:
// what the query editor suggests as columns without sampling the API.
type QueryPath struct {
	Path        string `json:"path"`
	Template    string `json:"template,omitempty"`
	OperationID string `json:"operationId"`
	Summary     string `json:"summary,omitempty"`
	// Root is the gjson path of the row array in the answer ("" when the
	// answer is the array itself).
	Root   string  `json:"root"`
	Fields []Field `json:"fields"`
	// Params are the operation's query parameters (names only: the editor
	// offers them as keys).
	Params []string `json:"params,omitempty"`
}

// Field is one column of a query path's rows, typed as Relay's columns are.
type Field struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Note is what the import could not map, said instead of silently dropped.
type Note struct {
	Method      string `json:"method,omitempty"`
	Path        string `json:"path,omitempty"`
	OperationID string `json:"operationId,omitempty"`
	Message     string `json:"message"`
}
