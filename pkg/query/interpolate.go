package query

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// place says how a string of the query is read for template references. The
// frontend has replaced the dashboard's variables before the backend runs; a
// reference that is still there was not resolved (no such variable, or an
// alert rule, which has no dashboard), and running the query anyway would
// give a wrong answer silently. What counts as a reference depends on where
// the string is, because some languages use "$" themselves:
type place int

const (
	// placeText: path, params (names and values), header values, root, column
	// names and selectors, step field names. $name, ${name…} and [[name]] are
	// references; "\$" is a literal "$" (gjson's escape: a key "$ref" is
	// selected as \$ref).
	placeText place = iota
	// placeExpr: filter and compute expressions. As text, except expr-lang's
	// own $env (fields whose names are no identifiers: $env["my-field"]).
	placeExpr
	// placeBody: the request body, inline data, GraphQL variables. Only
	// ${name…}, [[name]] and the $__ macros: a bare $name is left alone,
	// since bodies carry "$" legitimately (MongoDB's $match, JSON Schema's
	// $ref, "$5").
	placeBody
	// placeCode: jq programs (a jq step's expr, a jq root) and GraphQL
	// documents, whose $name and [[T]] are the language's own ($__loc__,
	// query($after: String)). Only ${…}, which neither language can contain,
	// is read: macros expanded, the rest an unresolved variable.
	placeCode
	// placePath and placePathQuery: the query's path before and after a "?"
	// written into it. Read as text; they differ in how a macro's value is
	// written (placeFormat).
	placePath
	placePathQuery
)

// reads is the place whose reading of references applies at.
func (at place) reads() place {
	if at == placePath || at == placePathQuery {
		return placeText
	}
	return at
}

// placeFormat writes the value of a text macro (${__user.login}, ${__ds.name},
// ...: values Relay does not choose) as its place needs it, as the frontend
// does for dashboard variables (src/query/interpolate.ts), unless the
// reference names a format of its own. s[i:end] is the reference.
//   - path: "/", "\", "?", "#" and "%" percent-encoded, so a value stays
//     inside its segment and cannot start a query string (the path guard
//     then refuses the "%", naming the path);
//   - a query string written into the path: query-encoded;
//   - JSON bodies, GraphQL variables, inline data: JSON string content;
//   - code: a JSON string (jq and GraphQL literals);
//   - expressions: JSON string content inside double quotes, else a quoted
//     literal;
//   - headers, params and the rest: the value as it is (url.Values encodes
//     params; a header value with control characters is refused).
func placeFormat(at place, v, s string, i, end int) string {
	switch at {
	case placePath:
		return pathUnsafe.Replace(v)
	case placePathQuery:
		return url.QueryEscape(v)
	case placeBody:
		return jsonContent(v)
	case placeCode:
		b, _ := json.Marshal(v)
		return string(b)
	case placeExpr:
		if i > 0 && end < len(s) && s[i-1] == '"' && s[end] == '"' {
			return jsonContent(v)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	return v
}

var pathUnsafe = strings.NewReplacer("%", "%25", "/", "%2F", "\\", "%5C", "?", "%3F", "#", "%23")

func jsonContent(v string) string {
	b, _ := json.Marshal(v)
	return string(b[1 : len(b)-1])
}

// reference is one template reference found in a string, in Grafana's
// grammar: $name, ${name}, ${name.field}, ${name:format}, ${name.field:format},
// [[name]], [[name:format]]. Names are word characters; one that does not
// start with a letter or "_" ($5, ${1}) is no reference.
type reference struct {
	raw, name, field, format string
	braced, bracket          bool
}

func isWord(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func wordEnd(s string, i int) int {
	for i < len(s) && isWord(s[i]) {
		i++
	}
	return i
}

// scanReference reads a reference at s[i] ("$" or "["); ok is false when
// there is none, and the byte is literal.
func scanReference(s string, i int) (ref reference, end int, ok bool) {
	switch {
	case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
		j := wordEnd(s, i+2)
		if j == i+2 {
			return ref, 0, false
		}
		ref.name, ref.braced = s[i+2:j], true
		if j < len(s) && s[j] == '.' {
			k := j + 1
			for k < len(s) && s[k] != ':' && s[k] != '}' && s[k] != '^' {
				k++
			}
			if k == j+1 {
				return ref, 0, false
			}
			ref.field, j = s[j+1:k], k
		}
		if j < len(s) && s[j] == ':' {
			k := strings.IndexByte(s[j+1:], '}')
			if k <= 0 {
				return ref, 0, false
			}
			ref.format, j = s[j+1:j+1+k], j+1+k
		}
		if j >= len(s) || s[j] != '}' {
			return ref, 0, false
		}
		end = j + 1
	case s[i] == '$':
		j := wordEnd(s, i+1)
		if j == i+1 {
			return ref, 0, false
		}
		ref.name, end = s[i+1:j], j
	case strings.HasPrefix(s[i:], "[["):
		j := wordEnd(s, i+2)
		if j == i+2 {
			return ref, 0, false
		}
		ref.name, ref.bracket = s[i+2:j], true
		if j < len(s) && s[j] == ':' {
			k := wordEnd(s, j+1)
			if k == j+1 {
				return ref, 0, false
			}
			ref.format, j = s[j+1:k], k
		}
		if !strings.HasPrefix(s[j:], "]]") {
			return ref, 0, false
		}
		end = j + 2
	default:
		return ref, 0, false
	}
	if c := ref.name[0]; c >= '0' && c <= '9' {
		return ref, 0, false
	}
	ref.raw = s[i:end]
	return ref, end, true
}

// Expand expands the macros of s read as text (see place) and refuses any
// template variable left in it; field names s in the error.
func (m Macros) Expand(s, field string) (string, error) {
	return m.expandAt(s, placeText, field)
}

// expandAt is expand returning a plain error (nil when there is none).
func (m Macros) expandAt(s string, at place, field string) (string, error) {
	out, err := m.expand(s, at, field)
	if err != nil {
		return "", err
	}
	return out, nil
}

// expand replaces the macros in s and returns an *apierr.Error naming field
// for an unknown macro or an unresolved variable.
func (m Macros) expand(s string, at place, field string) (string, *apierr.Error) {
	if strings.IndexByte(s, '$') < 0 && (at == placeCode || !strings.Contains(s, "[[")) {
		return s, nil // the common case costs one scan
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '$' && s[i] != '[' {
			continue
		}
		if at.reads() == placeText && i > 0 && s[i-1] == '\\' {
			continue // a gjson escape: \$ref is the key "$ref"
		}
		ref, end, ok := scanReference(s, i)
		if !ok || !m.considers(at, ref) {
			continue
		}
		b.WriteString(s[last:i])
		if strings.HasPrefix(ref.name, "__") {
			v, err := m.macro(ref)
			if err != nil {
				err.Message = field + ": " + err.Message
				return "", err
			}
			if ref.format == "" && textMacro(ref) {
				v = placeFormat(at, v, s, i, end)
			}
			b.WriteString(v)
		} else {
			return "", apierr.BadRequest("unresolved_variable",
				"%s: the template variable %q (%s) was not resolved: the dashboard has no variable of that name, "+
					"or the query runs without a dashboard (alert rules and recorded queries have none)", field, ref.name, ref.raw)
		}
		last, i = end, end-1
	}
	if last == 0 {
		return s, nil
	}
	b.WriteString(s[last:])
	return b.String(), nil
}

// considers says whether ref is read as a reference at this place.
func (m Macros) considers(at place, ref reference) bool {
	switch at.reads() {
	case placeExpr:
		return ref.braced || ref.bracket || ref.name != "env"
	case placeBody:
		return ref.braced || ref.bracket || strings.HasPrefix(ref.name, "__")
	case placeCode:
		return ref.braced
	}
	return true
}
