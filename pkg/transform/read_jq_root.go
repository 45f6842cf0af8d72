package transform

import (
	"context"

	"github.com/relay-gateway/relay/pkg/transform/internal/jsonscan"
)

// jqRootSource selects the rows of a JSON document with a jq program
// (rootSyntax "jq"): the document is checked like any JSON body (depth,
// syntax) and given to the context's jq runner as it is (numbers exact:
// json.Number, which gojq keeps as written); every value the program yields
// is a row. Errors are at "root"; the program is bounded like the jq step
// (deadline, MaxRows, MaxInputBytes of output, the runner's memory bound).
func jqRootSource(ctx context.Context, body []byte, root string, lim Limits, ns *notices) (*jsonSource, error) {
	if _, ve := compileJQ(root, "root"); ve != nil {
		return nil, pipelineError(ve)
	}
	if serr := jsonscan.Validate(body); serr != nil {
		return nil, inputError("invalid JSON: %s", serr)
	}
	if err := ctx.Err(); err != nil {
		return nil, timeoutError(err)
	}
	out, err := runJQ(ctx, newJQJob(root, "root", body, lim))
	if err != nil {
		return nil, err
	}
	return newJSONSource(out, "", lim, ns)
}
