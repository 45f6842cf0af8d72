package migrate

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// lodashToGjson converts a lodash path (data.items, a[0].b, ['x y']) or a
// plain JSONata path ($.data.items) to gjson. Anything with operators,
// functions or predicates is refused.
func lodashToGjson(p string) (string, error) {
	p = strings.TrimSpace(p)
	p = strings.TrimPrefix(strings.TrimPrefix(p, "$."), "$")
	if p == "" {
		return "", nil
	}
	var parts []string
	i := 0
	for i < len(p) {
		switch {
		case p[i] == '.':
			i++
		case p[i] == '[':
			end := matchBracket(p[i:])
			if end < 0 {
				return "", fmt.Errorf("unclosed [")
			}
			in := strings.TrimSpace(p[i+1 : i+end])
			i += end + 1
			if len(in) >= 2 && (in[0] == '\'' || in[0] == '"') && in[len(in)-1] == in[0] {
				parts = append(parts, gjsonKey(in[1:len(in)-1]))
			} else if _, err := strconv.Atoi(in); err == nil {
				parts = append(parts, in)
			} else {
				return "", fmt.Errorf("[%s] is not a key or an index", in)
			}
		default:
			j := i
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			key := p[i:j]
			if strings.ContainsAny(key, " ()*=<>&|!?:,$\"'{}+") {
				return "", fmt.Errorf("%q is not a plain path", p)
			}
			parts = append(parts, gjsonKey(key))
			i = j
		}
	}
	return strings.Join(parts, "."), nil
}

// xmlRoot converts the frontend parser's root (a lodash path over xml2js's
// object, rss.channel[0].item) to Relay's element path (/rss/channel/item).
func xmlRoot(p string) (string, error) {
	var parts []string
	for _, seg := range strings.Split(p, ".") {
		seg = regexp.MustCompile(`\[\d+\]`).ReplaceAllString(seg, "")
		if seg == "" {
			continue
		}
		if strings.ContainsAny(seg, "[]$*() ") {
			return "", fmt.Errorf("%q is not an element path", p)
		}
		parts = append(parts, seg)
	}
	return "/" + strings.Join(parts, "/"), nil
}

// xmlSelector converts a column selector over xml2js's object ($.id for an
// attribute, _ for text, title[0] for a child) to Relay's (@id, #text, title).
func xmlSelector(s string) string {
	s = regexp.MustCompile(`\[0\]`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`\$\.`).ReplaceAllString(s, "@")
	parts := strings.Split(s, ".")
	for i, p := range parts {
		if p == "_" {
			parts[i] = "#text"
		}
	}
	return strings.Join(parts, ".")
}
