package transform

import (
	"bytes"
	"context"
	"encoding/json"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// jqRootSource selects the rows of a JSON document with a jq program
// (rootSyntax "jq"): the document is checked like any JSON body (depth,
// syntax), decoded with exact numbers (json.Number, which gojq keeps as
// written), and every value the program yields is a row. Errors are at
// "root"; the program is bounded like the jq step (deadline, MaxRows,
// MaxInputBytes of output, heap watchdog).
func jqRootSource(ctx context.Context, body []byte, root string, lim Limits, ns *notices) (*jsonSource, error) {
	code, ve := compileJQ(root, "root")
	if ve != nil {
		return nil, pipelineError(ve)
	}
	if serr := jsonscan.Validate(body); serr != nil {
		return nil, inputError("invalid JSON: %s", serr)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, inputError("invalid JSON: %s", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	out, err := runJQ(ctx, code, doc, lim, "root")
	if err != nil {
		return nil, err
	}
	return newJSONSource(out, "", lim, ns)
}
