package query

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
)

// fetchPages fetches a query's pages and joins the rows each page's root
// selects into one JSON array, so the pipeline runs once over all rows.
func (r *Runner) fetchPages(ctx context.Context, c *call, req request, root string, p *Pagination) (body []byte, pages int, truncated bool, err error) {
	maxPages := r.settings.Query.MaxPages
	if p.MaxPages > 0 && p.MaxPages < maxPages {
		maxPages = p.MaxPages
	}
	limitParam := orDefault(p.LimitParam, map[bool]string{true: "per_page", false: "limit"}[p.Mode == "page"])
	pageSize := p.PageSize
	if pageSize == 0 && p.Mode == "offset" {
		pageSize = 100
	}
	params := cloneValues(req.Params)
	offset, pageNo := 0, p.StartPage
	if p.Mode == "page" && pageNo == 0 {
		pageNo = 1
	}
	var rows strings.Builder
	rows.WriteByte('[')
	total := 0
	for pages < maxPages {
		switch p.Mode {
		case "offset":
			params.Set(orDefault(p.OffsetParam, "offset"), strconv.Itoa(offset))
			params.Set(limitParam, strconv.Itoa(pageSize))
		case "page":
			params.Set(orDefault(p.PageParam, "page"), strconv.Itoa(pageNo))
			if pageSize > 0 {
				params.Set(limitParam, strconv.Itoa(pageSize))
			}
		}
		req.Params = params
		pg, err := r.fetch(ctx, c, req)
		if err != nil {
			return nil, pages, false, err
		}
		pages++
		list := gjson.ParseBytes(pg.Body)
		if root != "" {
			list = list.Get(root)
		}
		if !list.IsArray() {
			return nil, pages, false, apierr.BadRequest("invalid_pagination",
				"page %d: the pipeline root %q does not select an array, which pagination needs", pages, root)
		}
		n := 0
		list.ForEach(func(_, v gjson.Result) bool {
			if total > 0 {
				rows.WriteByte(',')
			}
			rows.WriteString(v.Raw)
			total++
			n++
			return true
		})
		next, more, err := r.nextPage(p, pg, n, pageSize)
		if err != nil {
			return nil, pages, false, err
		}
		if !more {
			rows.WriteByte(']')
			return []byte(rows.String()), pages, false, nil
		}
		switch p.Mode {
		case "offset":
			offset += n
		case "page":
			pageNo++
		case "cursor":
			params.Set(orDefault(p.CursorParam, "cursor"), next)
		case "link":
			// A next link is a new URL: fetched with GET and no body (Parse
			// allows link mode only for GET queries), and like every page
			// checked by the gate against the caller's proxy rules.
			req.Path, params, req.Body = next, nil, ""
			if i := strings.IndexByte(next, '?'); i >= 0 {
				req.Path = next[:i]
				params, _ = url.ParseQuery(next[i+1:])
			}
		}
		if ctx.Err() != nil {
			return nil, pages, false, ctx.Err()
		}
	}
	rows.WriteByte(']')
	return []byte(rows.String()), pages, true, nil
}

// nextPage decides whether there is another page and how to ask for it.
func (r *Runner) nextPage(p *Pagination, pg *page, n, pageSize int) (string, bool, error) {
	switch p.Mode {
	case "offset", "page":
		return "", n > 0 && (pageSize == 0 || n >= pageSize), nil
	case "cursor":
		c := gjson.GetBytes(pg.Body, p.CursorPath)
		if !c.Exists() || c.Type == gjson.Null || c.String() == "" {
			return "", false, nil
		}
		return c.String(), true, nil
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
