package query

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// Form and multipart bodies (issue 24 §4): a query's body built from
// key/value rows instead of written as text. Each value is a place of its own
// for the unresolved-variable check (the frontend interpolates them one by
// one), and Relay encodes the body, so a value can never break out of its
// field whatever it holds ("&", "=", a boundary, a line break).

// Body types: "" is the text body (Body, sent as JSON unless a header says
// otherwise).
const (
	BodyTypeForm      = "form"      // application/x-www-form-urlencoded
	BodyTypeMultipart = "multipart" // multipart/form-data, one text part per row
)

// maxFormFields bounds a query's rows.
const maxFormFields = 256

// FormField is one row of a form or multipart body; a key may repeat.
type FormField struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// validateForm checks a form or multipart body's rows and what goes with them.
func (q *Query) validateForm() error {
	switch q.BodyType {
	case "":
		if len(q.BodyForm) > 0 {
			return fmt.Errorf("bodyForm: set bodyType to form or multipart to send these rows")
		}
		return nil
	case BodyTypeForm, BodyTypeMultipart:
	default:
		return fmt.Errorf("bodyType: %q is not one of form, multipart (absent: the text body)", q.BodyType)
	}
	switch {
	case q.Body != "":
		return fmt.Errorf("body: a %s body is built from bodyForm; leave body empty", q.BodyType)
	case q.GraphQL != nil || len(q.Data) > 0:
		return fmt.Errorf("bodyType: GraphQL and inline-data queries have no %s body", q.BodyType)
	case q.Method == http.MethodGet || q.Method == http.MethodHead:
		return fmt.Errorf("method: a %s body is sent with POST, PUT, PATCH or DELETE, not %s", q.BodyType, q.Method)
	case len(q.BodyForm) > maxFormFields:
		return fmt.Errorf("bodyForm: at most %d rows, got %d", maxFormFields, len(q.BodyForm))
	}
	for name := range q.Headers {
		if strings.EqualFold(name, "Content-Type") {
			return fmt.Errorf("headers: Content-Type is set by bodyType %s; remove the header", q.BodyType)
		}
	}
	for i, f := range q.BodyForm {
		if f.Key == "" {
			return fmt.Errorf("bodyForm[%d].key: required", i)
		}
	}
	return nil
}

// expandForm expands each row's key and value as text, naming the row in an
// unresolved-variable error.
func (m Macros) expandForm(q *Query, req *request) error {
	req.BodyType = q.BodyType
	req.Form = make([]FormField, len(q.BodyForm))
	for i, f := range q.BodyForm {
		k, err := m.Expand(f.Key, fmt.Sprintf("bodyForm[%d].key", i))
		if err != nil {
			return err
		}
		v, err := m.Expand(f.Value, fmt.Sprintf("bodyForm[%d].value", i))
		if err != nil {
			return err
		}
		req.Form[i] = FormField{Key: k, Value: v}
	}
	return nil
}

// setFormField sets name to value in a copy of the rows (requests of one
// query share them: list pagination sets one value per request).
func (req *request) setFormField(name, value string) {
	out := make([]FormField, 0, len(req.Form)+1)
	for _, f := range req.Form {
		if f.Key != name {
			out = append(out, f)
		}
	}
	req.Form = append(out, FormField{Key: name, Value: value})
}

// formKey is the rows' encoding for the query cache key: form encoding keeps
// the order and tells every key and value apart.
func (req *request) formKey() string {
	if req.BodyType == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString(req.BodyType + ":")
	for _, f := range req.Form {
		b.WriteString(url.QueryEscape(f.Key) + "=" + url.QueryEscape(f.Value) + "&")
	}
	return b.String()
}

// body is the request's body and its Content-Type ("" for none, or to keep
// the query's own header): the text body, or the rows encoded.
func (req *request) body() (io.Reader, string, error) {
	switch req.BodyType {
	case BodyTypeForm:
		var b strings.Builder
		for i, f := range req.Form {
			if i > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(f.Key) + "=" + url.QueryEscape(f.Value))
		}
		return strings.NewReader(b.String()), "application/x-www-form-urlencoded", nil
	case BodyTypeMultipart:
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		for _, f := range req.Form {
			if err := w.WriteField(f.Key, f.Value); err != nil {
				return nil, "", err
			}
		}
		if err := w.Close(); err != nil {
			return nil, "", err
		}
		return bytes.NewReader(buf.Bytes()), w.FormDataContentType(), nil
	}
	if req.Body == "" {
		return nil, "", nil
	}
	return strings.NewReader(req.Body), "application/json", nil
}
