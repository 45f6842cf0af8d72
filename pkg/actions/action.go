package actions

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/relay-gateway/relay/pkg/authz"
	"github.com/relay-gateway/relay/pkg/settings"
	"github.com/relay-gateway/relay/pkg/upstream"
)

// action is a compiled settings.Action.
type action struct {
	settings.Action
	path   pathTemplate
	query  queryTemplate
	params []*param
	req    authz.Requirement
	schema *openapi3.Schema
	client *upstream.Client // the client of the action's upstream (upstreams.go)
}

// Scope is the action's API key scope and audit name.
func Scope(name string) string { return "action:" + name }

// compile checks what settings validation cannot: the templates and the
// parameters together. Errors name the jsonData field.
func compile(a settings.Action, i int) (*action, error) {
	field := fmt.Sprintf("jsonData.actions[%d]", i)
	bad := func(f, format string, args ...any) error {
		return &settings.FieldError{Field: field + f, Message: fmt.Sprintf(format, args...)}
	}
	c := &action{Action: a, req: authz.Requirement{Scope: Scope(a.Name), MinRole: a.MinRole, APIKey: a.APIKeyRequired}}
	var err error
	if c.path, err = compilePath(a.Path); err != nil {
		return nil, bad(".path", "%s", err.Error())
	}
	var used []string
	used = append(used, c.path.names...)
	var names []string
	if c.query, names, err = compileQuery(a.Query); err != nil {
		return nil, bad(".query", "%s", err.Error())
	}
	used = append(used, names...)
	if names, err = compileBody(a.Body, "body"); err != nil {
		return nil, bad(".body", "%s", err.Error())
	}
	used = append(used, names...)
	for j, p := range a.Params {
		cp, err := compileParam(p, slices.Contains(c.path.names, p.Name))
		if err != nil {
			return nil, bad(fmt.Sprintf(".params[%d]", j), "%s", err.Error())
		}
		c.params = append(c.params, cp)
	}
	for _, name := range used {
		if c.param(name) == nil {
			return nil, bad("", "the template uses {%s}, which is not a declared parameter", name)
		}
	}
	c.schema = paramsSchema(c)
	return c, nil
}

// sendsParamsAsBody: a POST, PUT or PATCH without a body template sends the
// parameters as a JSON object.
func (a *action) sendsParamsAsBody() bool {
	return a.Body == nil && (a.Method == http.MethodPost || a.Method == http.MethodPut || a.Method == http.MethodPatch)
}
