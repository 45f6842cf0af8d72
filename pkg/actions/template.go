package actions

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Placeholders: {name} in the path template, {{name}} in query values and
// body strings.
var (
	pathPlaceholder  = regexp.MustCompile(`\{([A-Za-z0-9][A-Za-z0-9_.-]*)\}`)
	textPlaceholder  = regexp.MustCompile(`\{\{\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\}\}`)
	wholePlaceholder = regexp.MustCompile(`^\{\{\s*([A-Za-z0-9][A-Za-z0-9_.-]*)\s*\}\}$`)
)

// pathTemplate is a path split into segments. A parameter value always stays
// inside the segment its placeholder is in: it is percent-escaped as a whole
// segment ("/" becomes %2F, "?" %3F, "#" %23, "%" %25), and values that would
// make the segment empty or a dot segment are refused. So no value can add a
// segment, climb with "..", or start a query or fragment.
type pathTemplate struct {
	segments []string
	names    []string // parameters used in the path
}

func compilePath(tpl string) (pathTemplate, error) {
	if !strings.HasPrefix(tpl, "/") {
		return pathTemplate{}, fmt.Errorf("must start with /")
	}
	for i := 0; i < len(tpl); i++ {
		switch c := tpl[i]; {
		case c < 0x20 || c == 0x7f:
			return pathTemplate{}, fmt.Errorf("contains a control character")
		case c == '%' || c == '?' || c == '#' || c == '\\':
			return pathTemplate{}, fmt.Errorf("must not contain %q (a fixed query belongs in query)", c)
		}
	}
	t := pathTemplate{segments: strings.Split(tpl[1:], "/")}
	for i, seg := range t.segments {
		literal := pathPlaceholder.ReplaceAllString(seg, "")
		if strings.ContainsAny(literal, "{}") {
			return pathTemplate{}, fmt.Errorf("segment %q: placeholders are {name}", seg)
		}
		if seg == "" && i != len(t.segments)-1 && tpl != "/" {
			return pathTemplate{}, fmt.Errorf("contains an empty segment ('//')")
		}
		if isDotSegment(seg) {
			return pathTemplate{}, fmt.Errorf("contains a '.' or '..' segment")
		}
		for _, m := range pathPlaceholder.FindAllStringSubmatch(seg, -1) {
			t.names = append(t.names, m[1])
		}
	}
	return t, nil
}

// render returns the unescaped segments, or the parameter at fault.
func (t pathTemplate) render(values map[string]any) ([]string, *FieldError) {
	out := make([]string, len(t.segments))
	for i, seg := range t.segments {
		var first string
		rendered := pathPlaceholder.ReplaceAllStringFunc(seg, func(ph string) string {
			name := ph[1 : len(ph)-1]
			if first == "" {
				first = name
			}
			return text(values[name])
		})
		if first != "" {
			if msg := badSegment(rendered); msg != "" {
				return nil, &FieldError{Field: "params." + first, Message: "cannot be used in the path: " + msg}
			}
		}
		out[i] = rendered
	}
	return out, nil
}

// badSegment refuses what a segment built from a value must not be. Dot
// segments are refused also when percent-decoding (once or twice, as some
// servers do) would produce one.
func badSegment(s string) string {
	if s == "" {
		return "it would leave the path segment empty"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return "it contains a control character"
		}
	}
	// The proxy refuses these in a caller's path, so an action does too:
	// servers read '\' as '/', and fold compatibility forms ("．．" is "..").
	if strings.Contains(s, "\\") {
		return "it contains a backslash"
	}
	if folded := norm.NFKC.String(s); folded != s && (isDotSegment(folded) || strings.ContainsAny(folded, "/\\")) {
		return "it contains a character that servers may read as '.', '/' or '\\'"
	}
	for range 3 {
		if isDotSegment(s) {
			return "it would make a '.' or '..' path segment"
		}
		u, err := url.PathUnescape(s)
		if err != nil || u == s {
			break
		}
		s = u
	}
	return ""
}

func isDotSegment(s string) bool {
	name, _, _ := strings.Cut(s, ";") // "..;x" is ".." to Tomcat and friends
	return name == "." || name == ".."
}

// joinPath puts segments under the base URL's path, each escaped on its own.
func joinPath(base *url.URL, segs []string) (path, rawPath string) {
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = url.PathEscape(s)
	}
	basePath := strings.TrimSuffix(base.Path, "/")
	baseRaw := strings.TrimSuffix(base.EscapedPath(), "/")
	return basePath + "/" + strings.Join(segs, "/"), baseRaw + "/" + strings.Join(escaped, "/")
}

// queryTemplate renders fixed names with templated values. A value that is
// exactly one placeholder is left out when the parameter has no value.
type queryTemplate struct {
	keys []string
	tpl  map[string]string
}

func compileQuery(q map[string]string) (queryTemplate, []string, error) {
	t := queryTemplate{tpl: q}
	var names []string
	for k, v := range q {
		if k == "" {
			return t, nil, fmt.Errorf("parameter names must not be empty")
		}
		t.keys = append(t.keys, k)
		names = append(names, placeholders(v)...)
	}
	sort.Strings(t.keys)
	return t, names, nil
}

func (t queryTemplate) render(values map[string]any) url.Values {
	out := url.Values{}
	for _, k := range t.keys {
		tpl := t.tpl[k]
		if m := wholePlaceholder.FindStringSubmatch(tpl); m != nil {
			if v, ok := values[m[1]]; ok {
				out.Set(k, text(v))
			}
			continue
		}
		out.Set(k, interpolate(tpl, values))
	}
	return out
}

// compileBody checks a body template: placeholders only in string values,
// never in object keys, so parameters cannot shape the document.
func compileBody(v any, at string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return placeholders(x), nil
	case []any:
		var names []string
		for i, e := range x {
			n, err := compileBody(e, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			names = append(names, n...)
		}
		return names, nil
	case map[string]any:
		var names []string
		for k, e := range x {
			if strings.Contains(k, "{{") {
				return nil, fmt.Errorf("%s: placeholders are not allowed in object keys (%q)", at, k)
			}
			n, err := compileBody(e, at+"."+k)
			if err != nil {
				return nil, err
			}
			names = append(names, n...)
		}
		return names, nil
	}
	return nil, nil
}

// renderBody builds the body as a JSON value, never as text: a string that is
// exactly "{{p}}" becomes p's typed value (and an object member without a
// value is left out), other strings get p's text interpolated. Marshalling
// the result escapes whatever a value contains.
func renderBody(v any, values map[string]any) (any, bool) {
	switch x := v.(type) {
	case string:
		if m := wholePlaceholder.FindStringSubmatch(x); m != nil {
			val, ok := values[m[1]]
			return val, ok
		}
		return interpolate(x, values), true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i], _ = renderBody(e, values) // absent → null keeps positions
		}
		return out, true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if r, ok := renderBody(e, values); ok {
				out[k] = r
			}
		}
		return out, true
	}
	return v, true
}

func interpolate(s string, values map[string]any) string {
	return textPlaceholder.ReplaceAllStringFunc(s, func(ph string) string {
		return text(values[textPlaceholder.FindStringSubmatch(ph)[1]])
	})
}

func placeholders(s string) []string {
	var out []string
	for _, m := range textPlaceholder.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	return out
}
