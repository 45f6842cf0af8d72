package query

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
)

// fetchPages fetches a query's pages (or, in list mode, one request per
// value) and joins their rows, so the pipeline runs once over all of them.
// Every page is a call under the query's grant: the gate checks it and the
// request's call budget counts it.
func (r *Runner) fetchPages(ctx context.Context, c *call, x *expanded, pipeline *transform.Pipeline, p *Pagination) (*joiner, error) {
	lim := r.settings.Transform
	j := newJoiner(pipeline, lim.MaxInputBytes, lim.MaxRows, c.lease)
	if p.Mode == "list" {
		return j, r.fetchList(ctx, c, x, j, p)
	}
	req := x.req
	maxPages := r.settings.Query.MaxPages
	if p.MaxPages > 0 && p.MaxPages < maxPages {
		maxPages = p.MaxPages
	}
	limitParam := orDefault(p.LimitParam, map[bool]string{true: "per_page", false: "limit"}[p.Mode == "page"])
	pageSize := p.PageSize
	if pageSize == 0 && p.Mode == "offset" {
		pageSize = 100
	}
	req.Params = cloneValues(req.Params)
	req.Headers = cloneHeaders(req.Headers)
	offset, pageNo := 0, p.StartPage
	if p.Mode == "page" && pageNo == 0 {
		pageNo = 1
	}
	for {
		if j.pages >= maxPages {
			j.stopped = fmt.Sprintf("query.maxPages or pagination.maxPages (%d)", maxPages)
			return j, nil
		}
		var err error
		switch p.Mode {
		case "offset":
			err = setTarget(&req, p.In, orDefault(p.OffsetParam, "offset"), strconv.Itoa(offset), true)
			if err == nil {
				err = setTarget(&req, p.In, limitParam, strconv.Itoa(pageSize), true)
			}
		case "page":
			err = setTarget(&req, p.In, orDefault(p.PageParam, "page"), strconv.Itoa(pageNo), true)
			if err == nil && pageSize > 0 {
				err = setTarget(&req, p.In, limitParam, strconv.Itoa(pageSize), true)
			}
		}
		if err != nil {
			return nil, err
		}
		pg, err := r.fetchPage(ctx, c, req, j.pages+1)
		if err != nil {
			return nil, err
		}
		n, err := j.add(pg, "", "")
		if err != nil {
			return nil, err
		}
		if j.full() {
			return j, nil
		}
		next, more, err := r.nextPage(p, pg, n, pageSize)
		if err != nil {
			return nil, err
		}
		if !more {
			return j, nil
		}
		switch p.Mode {
		case "offset":
			offset += n
		case "page":
			pageNo++
		case "cursor":
			if err := setTarget(&req, p.In, orDefault(p.CursorParam, "cursor"), next, false); err != nil {
				return nil, err
			}
		case "link":
			// A next link is a new URL: fetched with GET and no body (Parse
			// allows link mode only for GET queries), and like every page
			// checked by the gate against the caller's proxy rules.
			req.Path, req.Params, req.Body = next, nil, ""
			if i := strings.IndexByte(next, '?'); i >= 0 {
				req.Path = next[:i]
				req.Params, _ = url.ParseQuery(next[i+1:])
			}
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
}

// nextPage decides whether there is another page and how to ask for it.
func (r *Runner) nextPage(p *Pagination, pg *page, n, pageSize int) (string, bool, error) {
	switch p.Mode {
	case "offset", "page":
		return "", n > 0 && (pageSize == 0 || n >= pageSize), nil
	case "cursor":
		if p.HasNextPath != "" {
			if h := gjson.GetBytes(pg.Body, p.HasNextPath); h.Exists() && !h.Bool() {
				return "", false, nil
			}
		}
		cursor := ""
		if p.CursorHeader != "" {
			cursor = pg.Header.Get(p.CursorHeader)
		} else if c := gjson.GetBytes(pg.Body, p.CursorPath); c.Exists() && c.Type != gjson.Null {
			cursor = c.String()
		}
		return cursor, cursor != "", nil
	case "link":
		link := ""
		if p.NextPath != "" {
			link = gjson.GetBytes(pg.Body, p.NextPath).String()
		}
		if link == "" {
			link = nextFromLinkHeader(pg.Header.Values("Link"))
		}
		if link == "" {
			return "", false, nil
		}
		rel, err := r.relativeToUpstream(link)
		return rel, err == nil, err
	}
	return "", false, nil
}

// relativeToUpstream accepts a next link only on the upstream origin and
// below its base path, and returns it relative to the base.
func (r *Runner) relativeToUpstream(link string) (string, error) {
	base := r.client.Base()
	u, err := base.Parse(link)
	if err != nil {
		return "", apierr.Downstream(502, "invalid_next_link", "the upstream's next link is not a URL")
	}
	basePath := strings.TrimSuffix(base.Path, "/")
	if u.Scheme != base.Scheme || u.Host != base.Host || !strings.HasPrefix(u.Path, basePath+"/") {
		return "", apierr.Downstream(502, "invalid_next_link",
			"the upstream's next link %s leaves the configured upstream %s", u.Redacted(), base.Redacted())
	}
	rel := strings.TrimPrefix(u.Path, basePath)
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	return rel, nil
}

// nextFromLinkHeader reads RFC 8288 `<url>; rel="next"`.
func nextFromLinkHeader(values []string) string {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			segs := strings.Split(part, ";")
			if len(segs) < 2 {
				continue
			}
			target := strings.Trim(strings.TrimSpace(segs[0]), "<>")
			for _, s := range segs[1:] {
				s = strings.TrimSpace(s)
				if strings.EqualFold(s, `rel="next"`) || strings.EqualFold(s, "rel=next") {
					return target
				}
			}
		}
	}
	return ""
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func cloneHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}
