package query

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/tidwall/gjson"

	"github.com/relay-gateway/relay/pkg/apierr"
	"github.com/relay-gateway/relay/pkg/transform"
)

// paging is a query's pages as they are fetched: the engine reads each one
// (transform.Pages, by the format's reader: JSON, NDJSON, CSV, XML, HTML, jq
// roots alike) and Run transforms them together. This file keeps only the
// bookkeeping: which page comes next (offset, page number, cursor, next
// link, list value) and when to stop (pages, rows and bytes).
type paging struct {
	read    *transform.Pages
	raw     []transform.Page // as fetched, for the query cache
	stopped string
	// within runs the engine's reading of a page as every transform runs:
	// in one of the caller's work slots, under transform.timeout and the
	// request's transform time (Runner.withinLimits).
	within func(context.Context, func(context.Context) error) error
}

// newPages starts the engine's pages of a query: list pagination adds the
// column naming each page's value.
func (r *Runner) newPages(prog *transform.Program, c *call, p *Pagination) *transform.Pages {
	label := ""
	if p.Mode == PageList {
		label = orDefault(p.ValueColumn, "value")
	}
	return prog.NewPages(r.limits(c.lease), label)
}

// add hands a page to the engine and returns its rows.
func (pg *paging) add(ctx context.Context, p *page, label string) (int, error) {
	tp := transform.Page{Body: p.Body, ContentType: p.ContentType, ContentEncoding: p.Header.Get("Content-Encoding"), Label: label}
	before := pg.read.Len()
	var n int
	err := pg.within(ctx, func(ctx context.Context) error {
		var err error
		n, err = pg.read.Add(ctx, tp)
		return err
	})
	if err != nil {
		return 0, pageError(err, before+1)
	}
	if pg.read.Len() > before { // not left out by a limit
		pg.raw = append(pg.raw, tp)
	}
	return n, nil
}

// full says whether the engine's limits stop the paging.
func (pg *paging) full() bool {
	if pg.stopped == "" {
		pg.stopped = pg.read.Stopped()
	}
	return pg.stopped != ""
}

// pageError names the page a reading error is about; bad upstream data is
// the upstream's fault (transformError).
func pageError(err error, n int) error {
	ae, ok := err.(*apierr.Error)
	if !ok {
		ae = transformError(err)
	}
	e := *ae // a copy: the message names the page
	e.Message = fmt.Sprintf("page %d: %s", n, e.Message)
	return &e
}

// newPaging starts the paging of a query under the caller's engine limits.
func (r *Runner) newPaging(c *call, x *expanded, p *Pagination) *paging {
	return r.pagingOf(c, r.newPages(x.prog, c, p))
}

// pagingOf is the bookkeeping around read, whose pages are read within the
// caller's transform limits (pagination, list values, forEach).
func (r *Runner) pagingOf(c *call, read *transform.Pages) *paging {
	return &paging{read: read, within: func(ctx context.Context, work func(context.Context) error) error {
		return r.withinLimits(ctx, c.grant.Caller, work)
	}}
}

func (pg *paging) notices() []data.Notice {
	if pg.stopped == "" {
		return nil
	}
	return []data.Notice{{Severity: data.NoticeSeverityWarning,
		Text: fmt.Sprintf("stopped after %d pages: %s; more data exists", len(pg.raw), pg.stopped)}}
}

// fetchPages fetches a query's pages (or, in list mode, one request per
// value) and hands each to the engine, so the pipeline runs once over all
// of them. Every page is a call under the query's grant: the gate checks it
// and the request's call budget counts it.
func (r *Runner) fetchPages(ctx context.Context, c *call, x *expanded, p *Pagination) (*paging, error) {
	pg := r.newPaging(c, x, p)
	if p.Mode == PageList {
		return pg, r.fetchList(ctx, c, x, pg, p)
	}
	req := x.req
	maxPages := r.settings.Query.MaxPages
	if p.MaxPages > 0 && p.MaxPages < maxPages {
		maxPages = p.MaxPages
	}
	limitParam := orDefault(p.LimitParam, map[bool]string{true: "per_page", false: "limit"}[p.Mode == PageNumber])
	pageSize := p.PageSize
	if pageSize == 0 && p.Mode == PageOffset {
		pageSize = 100
	}
	req.Params = cloneValues(req.Params)
	req.Headers = cloneHeaders(req.Headers)
	offset, pageNo := 0, p.StartPage
	if p.Mode == PageNumber && pageNo == 0 {
		pageNo = 1
	}
	for {
		if len(pg.raw) >= maxPages {
			pg.stopped = fmt.Sprintf("query.maxPages or pagination.maxPages (%d)", maxPages)
			return pg, nil
		}
		var err error
		switch p.Mode {
		case PageOffset:
			err = setTarget(&req, p.In, orDefault(p.OffsetParam, "offset"), strconv.Itoa(offset), true)
			if err == nil {
				err = setTarget(&req, p.In, limitParam, strconv.Itoa(pageSize), true)
			}
		case PageNumber:
			err = setTarget(&req, p.In, orDefault(p.PageParam, "page"), strconv.Itoa(pageNo), true)
			if err == nil && pageSize > 0 {
				err = setTarget(&req, p.In, limitParam, strconv.Itoa(pageSize), true)
			}
		}
		if err != nil {
			return nil, err
		}
		answer, err := r.fetchPage(ctx, c, req, len(pg.raw)+1)
		if err != nil {
			return nil, err
		}
		n, err := pg.add(ctx, answer, "")
		if err != nil {
			return nil, err
		}
		if pg.full() {
			return pg, nil
		}
		next, more, err := r.nextPage(p, answer, n, pageSize)
		if err != nil {
			return nil, err
		}
		if !more {
			return pg, nil
		}
		switch p.Mode {
		case PageOffset:
			offset += n
		case PageNumber:
			pageNo++
		case PageCursor:
			if err := setTarget(&req, p.In, orDefault(p.CursorParam, "cursor"), next, false); err != nil {
				return nil, err
			}
		case PageLink:
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
// Cursors, next links and has-next flags are read from JSON pages (gjson
// paths) or from headers.
func (r *Runner) nextPage(p *Pagination, pg *page, n, pageSize int) (string, bool, error) {
	switch p.Mode {
	case PageOffset, PageNumber:
		return "", n > 0 && (pageSize == 0 || n >= pageSize), nil
	case PageCursor:
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
	case PageLink:
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
