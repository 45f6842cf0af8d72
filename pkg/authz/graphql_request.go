package authz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// RequestBody is the body of an outbound request as the gate judges it. The
// gate sees only method and URL; a feature that sends a body puts it in the
// request's context (WithRequestBody) so a rule's graphql block can read the
// document. The proxy reads the caller's body once (bounded) to do so and
// replays the same bytes upstream; queries register the body they built.
type RequestBody struct {
	ContentType     string
	ContentEncoding string
	Data            []byte
}

type requestBodyKey struct{}
type admissionOnlyKey struct{}

// WithRequestBody attaches the body of the request about to be sent with ctx.
func WithRequestBody(ctx context.Context, b RequestBody) context.Context {
	return context.WithValue(ctx, requestBodyKey{}, &b)
}

// WithAdmissionOnly marks a gate question about a request that is not sent
// (the query cache asks whether a caller may have a stored answer). The body
// checks judge the bytes that reach the upstream; a stored answer's request
// passed them when it was sent, under the same rule for every caller.
func WithAdmissionOnly(ctx context.Context) context.Context {
	return context.WithValue(ctx, admissionOnlyKey{}, true)
}

func requestBodyFrom(ctx context.Context) *RequestBody {
	b, _ := ctx.Value(requestBodyKey{}).(*RequestBody)
	return b
}

func admissionOnly(ctx context.Context) bool {
	v, _ := ctx.Value(admissionOnlyKey{}).(bool)
	return v
}

// graphQLRequest is one GraphQL request: a document and the operation to run.
type graphQLRequest struct {
	query         string
	operationName string
}

// maxBatch bounds a batched request's entries: each is parsed and checked.
const maxBatch = 100

// graphQLRequests reads the GraphQL requests an HTTP request carries, the
// way GraphQL-over-HTTP servers read them: the URL's query and
// operationName (GET, and some servers on POST too), then the body, JSON
// ({query, operationName, variables} or a batched array of them) or
// application/graphql. Anything a server could read differently from Relay
// (duplicate keys, a key in another case, persisted queries whose document
// Relay cannot see, an unknown content type or encoding) is refused: the
// check is only worth what the parse agrees with the upstream's.
func graphQLRequests(method string, params url.Values, b *RequestBody) ([]graphQLRequest, *apierr.Error) {
	var out []graphQLRequest
	if qs, ok := params["query"]; ok {
		ops := params["operationName"]
		if len(qs) != 1 || len(ops) > 1 {
			return nil, invalidGraphQL("the URL repeats the query or operationName parameter")
		}
		r := graphQLRequest{query: qs[0]}
		if len(ops) == 1 {
			r.operationName = ops[0]
		}
		out = append(out, r)
	}
	if method == http.MethodGet || method == http.MethodHead {
		return out, nil
	}
	if b == nil {
		// A request with a body nobody registered: deny by default.
		return nil, invalidGraphQL("Relay could not read the request body this rule checks")
	}
	if len(bytes.TrimSpace(b.Data)) == 0 {
		if len(out) == 0 {
			return nil, invalidGraphQL("the request holds no GraphQL document")
		}
		return out, nil
	}
	if enc := strings.TrimSpace(b.ContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, invalidGraphQL("a Content-Encoding on a GraphQL request is not supported (send the body uncompressed)")
	}
	if !utf8.Valid(b.Data) {
		return nil, invalidGraphQL("the body is not UTF-8")
	}
	mt := "application/json"
	if b.ContentType != "" {
		var err error
		if mt, _, err = mime.ParseMediaType(b.ContentType); err != nil {
			return nil, invalidGraphQL("the Content-Type does not parse")
		}
	}
	switch {
	case mt == "application/graphql":
		r := graphQLRequest{query: string(b.Data)}
		if ops := params["operationName"]; len(ops) == 1 {
			r.operationName = ops[0]
		}
		return append(out, r), nil
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		body, err := graphQLJSON(b.Data)
		if err != nil {
			return nil, err
		}
		return append(out, body...), nil
	}
	return nil, invalidGraphQL("the Content-Type must be application/json or application/graphql")
}

// graphQLJSON reads a JSON GraphQL request or a batch of them.
func graphQLJSON(data []byte) ([]graphQLRequest, *apierr.Error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, invalidGraphQL("the body is not JSON")
	}
	var out []graphQLRequest
	switch tok {
	case json.Delim('{'):
		r, e := graphQLObject(dec, "")
		if e != nil {
			return nil, e
		}
		out = append(out, r)
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if i == maxBatch {
				return nil, invalidGraphQL("a batch holds more than %d requests", maxBatch)
			}
			where := fmt.Sprintf("batch entry %d: ", i)
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return nil, invalidGraphQL("%snot a JSON object", where)
			}
			r, e := graphQLObject(dec, where)
			if e != nil {
				return nil, e
			}
			out = append(out, r)
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, invalidGraphQL("the body is not JSON")
		}
		if len(out) == 0 {
			return nil, invalidGraphQL("the batch is empty")
		}
	default:
		return nil, invalidGraphQL("the body must be a JSON object {query, operationName, variables} or an array of them")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalidGraphQL("the body has data after its JSON value")
	}
	return out, nil
}

// persistedKeys name documents stored on the server: Relay cannot see what
// they run, so a GraphQL-aware rule refuses them.
var persistedKeys = []string{"documentId", "queryId", "doc_id", "id"}

// graphQLObject reads one {query, operationName, variables, extensions}
// after its opening brace.
func graphQLObject(dec *json.Decoder, where string) (graphQLRequest, *apierr.Error) {
	var r graphQLRequest
	seen := map[string]bool{}
	hasQuery := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return r, invalidGraphQL("%sthe body is not JSON", where)
		}
		key, _ := t.(string)
		if seen[key] {
			return r, invalidGraphQL("%sthe key %q appears twice", where, key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return r, invalidGraphQL("%sthe body is not JSON", where)
		}
		switch {
		case key == "query":
			if err := json.Unmarshal(raw, &r.query); err != nil {
				return r, invalidGraphQL("%squery must be a string", where)
			}
			hasQuery = true
		case key == "operationName":
			if string(raw) != "null" && json.Unmarshal(raw, &r.operationName) != nil {
				return r, invalidGraphQL("%soperationName must be a string", where)
			}
		case key == "extensions":
			var ext map[string]json.RawMessage
			if json.Unmarshal(raw, &ext) == nil {
				if _, ok := ext["persistedQuery"]; ok {
					return r, apierr.Forbidden("graphql_operation_denied", "%spersisted queries are refused: Relay cannot see the document they run", where)
				}
			}
		case strings.EqualFold(key, "query") || strings.EqualFold(key, "operationName"):
			return r, invalidGraphQL("%sthe key %q must be spelt %q", where, key, map[bool]string{true: "query", false: "operationName"}[strings.EqualFold(key, "query")])
		default:
			for _, p := range persistedKeys {
				if key == p {
					return r, apierr.Forbidden("graphql_operation_denied", "%spersisted queries (%s) are refused: Relay cannot see the document they run", where, key)
				}
			}
		}
	}
	if _, err := dec.Token(); err != nil { // '}'
		return r, invalidGraphQL("%sthe body is not JSON", where)
	}
	if !hasQuery || strings.TrimSpace(r.query) == "" {
		return r, invalidGraphQL("%squery is required", where)
	}
	return r, nil
}

func invalidGraphQL(format string, args ...any) *apierr.Error {
	return apierr.BadRequest("graphql_invalid", "GraphQL request refused: "+format, args...)
}
