package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The write endpoints give Relay's proxy method rules and named actions something real to call.

const maxItemBody = 1 << 20

func (s *server) getItem(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	it, found := s.items.get(id)
	if !found {
		writeError(w, http.StatusNotFound, "item_not_found", fmt.Sprintf("item %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (s *server) createItem(w http.ResponseWriter, r *http.Request) {
	fields, ok := readItemFields(w, r)
	if !ok {
		return
	}
	it := item{Category: "misc", Tags: []string{}}
	if err := applyItemFields(&it, fields, true); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_item", err.Error())
		return
	}
	it.CreatedAt = s.now().UTC().Truncate(time.Second)
	created, err := s.items.create(it)
	if err != nil {
		writeError(w, http.StatusConflict, "store_full", err.Error())
		return
	}
	w.Header().Set("Location", "/api/items/"+strconv.Itoa(created.ID))
	writeJSON(w, http.StatusCreated, created)
}

// replaceItem is PUT: a full replacement, so absent fields go back to their defaults.
func (s *server) replaceItem(w http.ResponseWriter, r *http.Request) { s.updateItem(w, r, true) }

// patchItem is PATCH with merge semantics: only the fields present change; "rating": null clears the rating.
func (s *server) patchItem(w http.ResponseWriter, r *http.Request) { s.updateItem(w, r, false) }

func (s *server) updateItem(w http.ResponseWriter, r *http.Request, full bool) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	fields, ok := readItemFields(w, r)
	if !ok {
		return
	}
	updated, err := s.items.update(id, func(old item) (item, error) {
		it := old
		if full {
			it = item{Category: "misc", Tags: []string{}}
		}
		err := applyItemFields(&it, fields, full)
		return it, err
	})
	switch {
	case errors.Is(err, errItemNotFound):
		writeError(w, http.StatusNotFound, "item_not_found", fmt.Sprintf("item %d not found", id))
	case err != nil:
		writeError(w, http.StatusBadRequest, "invalid_item", err.Error())
	default:
		writeJSON(w, http.StatusOK, updated)
	}
}

// deleteItem answers 200 with a JSON body rather than 204, so every response carries a Content-Type and a body
// that tests can parse.
func (s *server) deleteItem(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if !s.items.delete(id) {
		writeError(w, http.StatusNotFound, "item_not_found", fmt.Sprintf("item %d not found", id))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted": true, "id": id})
}

func (s *server) resetItems(w http.ResponseWriter, _ *http.Request) {
	s.items.reset()
	writeJSON(w, http.StatusOK, map[string]any{"reset": true, "total": seedItemCount})
}

func pathID(w http.ResponseWriter, r *http.Request) (int, bool) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id < 1 {
		writeError(w, http.StatusBadRequest, "invalid_id", "item id must be a positive integer")
		return 0, false
	}
	return id, true
}

// readItemFields reads a JSON object body, keeping each field raw so PATCH can tell "absent" from "null".
func readItemFields(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != contentTypeJSON && !strings.HasSuffix(mt, "+json")) {
			writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "body must be application/json")
			return nil, false
		}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxItemBody))
	var fields map[string]json.RawMessage
	err := dec.Decode(&fields)
	if err == nil && dec.Decode(new(json.RawMessage)) != io.EOF {
		err = errors.New("trailing data after the JSON object")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", "body exceeds 1 MiB")
		return nil, false
	case err != nil || fields == nil:
		writeError(w, http.StatusBadRequest, "invalid_json", "body must be one JSON object")
		return nil, false
	}
	return fields, true
}

// applyItemFields validates and applies the writable fields. full (POST, PUT) requires a name. id and created_at
// are server-assigned and ignored, like unknown fields.
func applyItemFields(it *item, fields map[string]json.RawMessage, full bool) error {
	if _, ok := fields["name"]; full && !ok {
		return errors.New("name is required")
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // report the same error first every time
	for _, k := range keys {
		raw := fields[k]
		isNull := bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
		var err error
		switch k {
		case "name":
			err = decodeString(raw, isNull, 200, &it.Name)
		case "category":
			err = decodeString(raw, isNull, 50, &it.Category)
		case "price":
			err = decodeNumber(raw, isNull, 0, 1e9, &it.Price)
		case "in_stock":
			if isNull || json.Unmarshal(raw, &it.InStock) != nil {
				err = errors.New("must be a boolean")
			}
		case "tags":
			err = decodeTags(raw, isNull, it)
		case "dimensions":
			var d struct{ W, H *float64 }
			if isNull || json.Unmarshal(raw, &d) != nil || d.W == nil || d.H == nil || *d.W < 0 || *d.H < 0 {
				err = errors.New(`must be {"w": number >= 0, "h": number >= 0}`)
			} else {
				it.Dimensions = dimensions{W: *d.W, H: *d.H}
			}
		case "rating":
			if isNull {
				it.Rating = nil
				break
			}
			var v float64
			if err = decodeNumber(raw, false, 0, 5, &v); err == nil {
				it.Rating = &v
			}
		}
		if err != nil {
			return fmt.Errorf("%s %w", k, err)
		}
	}
	return nil
}

func decodeString(raw json.RawMessage, isNull bool, maxLen int, dst *string) error {
	var v string
	if isNull || json.Unmarshal(raw, &v) != nil || strings.TrimSpace(v) == "" || len(v) > maxLen {
		return fmt.Errorf("must be a non-empty string of at most %d bytes", maxLen)
	}
	*dst = v
	return nil
}

func decodeNumber(raw json.RawMessage, isNull bool, lo, hi float64, dst *float64) error {
	var v float64
	if isNull || json.Unmarshal(raw, &v) != nil || v < lo || v > hi {
		return fmt.Errorf("must be a number from %g to %g", lo, hi)
	}
	*dst = v
	return nil
}

func decodeTags(raw json.RawMessage, isNull bool, it *item) error {
	if isNull {
		it.Tags = []string{}
		return nil
	}
	var tags []string
	if json.Unmarshal(raw, &tags) != nil || len(tags) > 20 || slices.ContainsFunc(tags, func(t string) bool {
		return t == "" || len(t) > 50
	}) {
		return errors.New("must be an array of at most 20 non-empty strings")
	}
	if tags == nil {
		tags = []string{}
	}
	it.Tags = tags
	return nil
}
