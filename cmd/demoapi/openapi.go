package main

import (
	_ "embed"
	"net/http"
)

// The demo API describes itself, as most APIs do: an OpenAPI 3.0 document
// of its items and metrics, and a Swagger 2.0 one of its items, for Relay's
// OpenAPI import (docs/openapi-import.md).
var (
	//go:embed openapi/openapi.json
	openAPIDoc []byte
	//go:embed openapi/swagger.json
	swaggerDoc []byte
)

func serveDocument(doc []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(doc)
	}
}
