package httpx

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// WriteJSON sends v with status; encoding errors cannot be reported once the
// status is out, so they are dropped.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// BodyError maps a request body read error to the right JSON error.
func BodyError(err error) *apierr.Error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apierr.TooLarge(mbe.Limit)
	}
	return apierr.BadRequest("bad_body", "could not read the request body")
}
