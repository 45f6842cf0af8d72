package main

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// POST|PUT /api/form echoes a form (application/x-www-form-urlencoded) or multipart/form-data body as the rows it
// received, in order, so a query can show what its body rows became:
//
//	{"contentType": "form", "fields": [{"key": "tag", "value": "a"}, {"key": "tag", "value": "b"}]}
//
// Anything else is a 415.

const maxFormBody = 1 << 20

type formRow struct {
	Key      string `json:"key"`
	Value    string `json:"value"`
	Filename string `json:"filename,omitempty"`
}

func (s *server) form(w http.ResponseWriter, r *http.Request) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := http.MaxBytesReader(w, r.Body, maxFormBody)
	var rows []formRow
	var kind string
	var err error
	switch mediaType {
	case "application/x-www-form-urlencoded":
		kind = "form"
		rows, err = readURLEncoded(body)
	case "multipart/form-data":
		kind = "multipart"
		rows, err = readMultipart(body, params["boundary"])
	default:
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"send application/x-www-form-urlencoded or multipart/form-data")
		return
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_form", "the body is not a valid "+kind+" body")
		return
	}
	if rows == nil {
		rows = []formRow{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"contentType": kind, "fields": rows})
}

func readURLEncoded(r io.Reader) ([]formRow, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var rows []formRow
	for pair := range strings.SplitSeq(string(b), "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err := errors.Join(err1, err2); err != nil {
			return nil, err
		}
		rows = append(rows, formRow{Key: key, Value: value})
	}
	return rows, nil
}

func readMultipart(r io.Reader, boundary string) ([]formRow, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	mr := multipart.NewReader(r, boundary)
	var rows []formRow
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		rows = append(rows, formRow{Key: p.FormName(), Value: string(v), Filename: p.FileName()})
	}
}
