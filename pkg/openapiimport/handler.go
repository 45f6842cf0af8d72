package openapiimport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/httpx"
	"github.com/relay-gateway/relay/pkg/settings"
)

// BodyLimit is the route's request body limit: a pasted document of
// MaxDocumentBytes and the request around it.
const BodyLimit = MaxDocumentBytes + 64<<10

// ModelFactor is how much of the caller's in-flight byte budget an import
// holds per document byte while it runs: the document and what the import
// keeps live besides it (on the generated 10 MB description, bench_test.go:
// about 2.2-2.4 bytes per document byte, nearly all of it the proposal, so
// about 3.4 with the document; the heap, garbage not yet collected
// included, peaks at about 4.5 over the document).
const ModelFactor = 4

// Documents is what the handler needs from the plugin (query.Runner
// provides it): an upstream's document, read as the caller through that
// upstream's client and gate, and the caller's byte budget.
type Documents interface {
	FetchDocument(ctx context.Context, upstream, path string, maxBytes int64) (body []byte, release func(), err error)
	ChargeBytes(ctx context.Context, n int64) (release func(), err error)
}

// request is the body of POST /openapi/import.
type request struct {
	// Upstream and Path: fetch the document from an upstream ("_default"
	// or a name of jsonData.upstreams).
	Upstream *string `json:"upstream,omitempty"`
	Path     string  `json:"path,omitempty"`
	// Document: the document itself, pasted (a JSON object, or a string of
	// YAML or JSON).
	Document json.RawMessage `json:"document,omitempty"`
	// BasePath overrides the prefix of every path (default: the first
	// server's path).
	BasePath *string `json:"basePath,omitempty"`
}

// slots bounds the imports of the whole plugin process: each may hold
// several times a 20 MB document, and one that outlives its caller's
// timeout keeps its slot until it ends.
var slots = make(chan struct{}, 2)

// Handler answers POST /openapi/import with a proposal; it changes nothing.
func Handler(docs Documents) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := serve(r, docs)
		if err != nil {
			apierr.Write(w, r, asAPIError(err))
			return
		}
		httpx.WriteJSON(w, http.StatusOK, p)
	}
}

func serve(r *http.Request, docs Documents) (*Proposal, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, httpx.BodyError(err)
	}
	var req request
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := httpx.DecodeOnly(dec, &req); err != nil {
		return nil, apierr.BadRequest("bad_request", `the body must be {"upstream": "<name or _default>", "path": "/openapi.json"} or {"document": {...}}: %s`, shorten(err.Error()))
	}
	raw = nil
	ctx := r.Context()
	var doc []byte
	opts := Options{BasePath: req.BasePath}
	switch {
	case req.Upstream != nil && len(req.Document) > 0:
		return nil, apierr.BadRequest("bad_request", "give either upstream and path, or document, not both")
	case req.Upstream != nil:
		if req.Path == "" {
			return nil, apierr.BadRequest("bad_request", "path is required with upstream, e.g. /openapi.json")
		}
		body, release, err := docs.FetchDocument(ctx, *req.Upstream, req.Path, MaxDocumentBytes)
		if err != nil {
			return nil, err
		}
		defer release()
		doc = body
		opts.Upstream = settings.CanonicalUpstream(*req.Upstream)
	case len(req.Document) > 0:
		doc = req.Document
		var text string
		if doc[0] == '"' && json.Unmarshal(doc, &text) == nil {
			doc = []byte(text) // YAML (or JSON) pasted as a string
		}
	default:
		return nil, apierr.BadRequest("bad_request", "upstream and path, or document, is required")
	}
	if len(doc) > MaxDocumentBytes {
		return nil, apierr.New(http.StatusRequestEntityTooLarge, "document_too_large", "the document is %d bytes; the limit is %d", len(doc), MaxDocumentBytes)
	}
	release, err := docs.ChargeBytes(ctx, int64(len(doc))*ModelFactor)
	if err != nil {
		return nil, err
	}
	return importBounded(ctx, doc, opts, release)
}

// importBounded runs the import in a process-wide slot and gives up when
// the call's time is over. The work itself cannot be interrupted, but it is
// bounded (MaxDocumentBytes, maxSteps); it keeps its slot and its share of
// the byte budget until it ends, so abandoned imports cannot pile up.
func importBounded(ctx context.Context, doc []byte, o Options, release func()) (*Proposal, error) {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, apierr.New(http.StatusServiceUnavailable, "busy", "other OpenAPI imports are running; retry shortly")
	}
	type result struct {
		p   *Proposal
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-slots }()
		defer release()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: apierr.Internal()}
			}
		}()
		p, err := Import(doc, o)
		done <- result{p, err}
	}()
	select {
	case res := <-done:
		return res.p, res.err
	case <-ctx.Done():
		return nil, apierr.New(http.StatusServiceUnavailable, "import_timeout", "the import did not finish in time; the document may be too large or too complex")
	}
}

func asAPIError(err error) *apierr.Error {
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae
	}
	if errors.Is(err, ErrDocument) {
		return apierr.New(http.StatusUnprocessableEntity, "invalid_document", "%s", err.Error())
	}
	return apierr.Internal()
}
