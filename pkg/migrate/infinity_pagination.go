package migrate

import (
	"strconv"
	"strings"

	"github.com/relay-gateway/relay/pkg/query"
)

// infinityPagination converts the backend parser's pagination.
func infinityPagination(c *conv, t map[string]any, parser string) {
	mode := str(t["pagination_mode"])
	if mode == "" || mode == "none" {
		return
	}
	if len(c.rq.Data) > 0 {
		return
	}
	p := &query.Pagination{Mode: query.PaginationMode(mode)}
	if n, ok := num(t["pagination_max_pages"]); ok && n > 0 {
		p.MaxPages = int(n)
	}
	in := func(key string) (string, bool) {
		switch str(t[key]) {
		case "", "query":
			return "query", true
		case "header":
			return "header", true
		case "body_data", "body_json":
			return "body", true
		}
		return "", false
	}
	where := map[string]string{}
	sizeName := orStr(str(t["pagination_param_size_field_name"]), "limit")
	size, _ := num(t["pagination_param_size_value"])
	if size == 0 {
		size = 1000
	}
	check := func(keys ...string) bool {
		for _, k := range keys {
			w, ok := in(k)
			if !ok {
				c.partial("pagination %s %q (replacing a part of the URL) has no Relay equivalent: pagination dropped", k, str(t[k]))
				return false
			}
			where[k] = w
		}
		return true
	}
	switch mode {
	case "offset":
		if !check("pagination_param_size_field_type", "pagination_param_offset_field_type") {
			return
		}
		p.OffsetParam = orStr(str(t["pagination_param_offset_field_name"]), "offset")
		p.LimitParam, p.PageSize = sizeName, int(size)
		if off, _ := num(t["pagination_param_offset_value"]); off != 0 {
			c.partial("pagination starts at offset %g in Infinity; Relay starts at 0", off)
		}
	case "page":
		if !check("pagination_param_size_field_type", "pagination_param_page_field_type") {
			return
		}
		p.PageParam = orStr(str(t["pagination_param_page_field_name"]), "page")
		p.LimitParam, p.PageSize = sizeName, int(size)
		if s, _ := num(t["pagination_param_page_value"]); s > 0 {
			p.StartPage = int(s)
		}
	case "cursor":
		if !check("pagination_param_cursor_field_type") {
			return
		}
		p.CursorParam = orStr(str(t["pagination_param_cursor_field_name"]), "cursor")
		path, err := lodashToGjson(str(t["pagination_param_cursor_extraction_path"]))
		if err != nil || path == "" {
			c.partial("pagination cursor extraction path %q has no Relay equivalent: pagination dropped", str(t["pagination_param_cursor_extraction_path"]))
			return
		}
		p.CursorPath = path
		if n := str(t["pagination_param_size_field_name"]); n != "" {
			c.addParam(n, strconv.Itoa(int(size)))
		}
	case "list":
		if !check("pagination_param_list_field_type") {
			return
		}
		p.ValueParam = str(t["pagination_param_list_field_name"])
		for _, v := range strings.Split(str(t["pagination_param_list_value"]), ",") {
			if v = strings.TrimSpace(v); v != "" {
				p.Values = append(p.Values, v)
			}
		}
		p.MaxPages = 0
	default:
		c.partial("pagination mode %q unknown: dropped", mode)
		return
	}
	ins := map[string]bool{}
	for _, w := range where {
		ins[w] = true
	}
	if len(ins) > 1 {
		c.partial("pagination parameters go to several places (%v); Relay sends them all the same way: %s", where, firstIn(where))
	}
	p.In = firstIn(where)
	if parser != "backend" && parser != "jq-backend" {
		c.note("Infinity paginates only with the backend parser; Relay paginates this query")
	}
	// Relay's engine reads every page in its format: XML, HTML and jq roots paginate too.
	c.rq.Pagination = p
}

func firstIn(where map[string]string) string {
	for _, k := range []string{"pagination_param_list_field_type", "pagination_param_cursor_field_type", "pagination_param_page_field_type", "pagination_param_offset_field_type", "pagination_param_size_field_type"} {
		if w, ok := where[k]; ok {
			return w
		}
	}
	return "query"
}

func orStr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
