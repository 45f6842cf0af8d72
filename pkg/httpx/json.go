package httpx

import (
	"encoding/json"
	"errors"
	"io"
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

// ErrTrailingData is DecodeOnly's error for anything but white space after
// the one JSON value of a body.
var ErrTrailingData = errors.New("unexpected data after the JSON value")

// DecodeOnly decodes the one JSON value dec reads and refuses anything after
// it but white space: "{...}garbage" or "{...}}" is a malformed body, not a
// body with a harmless tail (json.Decoder stops after the first value, and
// its More() does not see a stray "}" or "]").
func DecodeOnly(dec *json.Decoder, v any) error {
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return ErrTrailingData
	}
	return nil
}
