package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// GET /api/items pages through the catalogue in every style Relay's engine follows:
//
//   - offset:  ?offset=&limit=        → "total" (and "offset", "limit")
//   - page:    ?page=&per_page=       → "page", "per_page", "total", "total_pages"
//   - cursor:  ?cursor=               → "next_cursor" (opaque string, null on the last page)
//   - link:    RFC 8288 Link header with rel="next", plus "next" (absolute URL, null on the last page)
//
// Without ?style the body carries every field and the Link header, so whichever style a client follows, it finds
// what it needs (a cursor client's first request usually has no cursor yet). ?style=offset|page|cursor|link returns
// only that style's fields, to prove the engine relies on nothing else. The parameters sent decide the window and
// the style of the next links; mixing families (e.g. offset with page) is a 400, as is a page size over 100.

const (
	defaultPageSize = 25
	maxPageSize     = 100
	maxOffset       = 1_000_000
	cursorPrefix    = "offset:"
)

type pageStyle string

const (
	styleAll    pageStyle = ""
	styleOffset pageStyle = "offset"
	stylePage   pageStyle = "page"
	styleCursor pageStyle = "cursor"
	styleLink   pageStyle = "link"
)

type pageRequest struct {
	style  pageStyle // response shape
	mode   pageStyle // parameter family of the request and of its next links: offset, page or cursor
	offset int
	size   int
}

func parsePageRequest(r *http.Request) (pageRequest, error) {
	var pr pageRequest
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return pr, errors.New("malformed query string") // r.URL.Query() would silently drop the bad pair
	}
	switch st := pageStyle(q.Get("style")); st {
	case styleAll, styleOffset, stylePage, styleCursor, styleLink:
		pr.style = st
	default:
		return pr, errors.New("style must be one of offset, page, cursor, link")
	}
	hasCursor, hasPage, hasOffset := q.Has("cursor"), q.Has("page") || q.Has("per_page"), q.Has("offset")
	if n := btoi(hasCursor) + btoi(hasPage) + btoi(hasOffset); n > 1 {
		return pr, errors.New("use only one of cursor, page/per_page and offset/limit")
	}
	switch {
	case hasCursor:
		pr.mode = styleCursor
	case hasPage:
		pr.mode = stylePage
	case hasOffset:
		pr.mode = styleOffset
	case pr.style == styleCursor || pr.style == stylePage:
		pr.mode = pr.style
	default:
		pr.mode = styleOffset
	}
	if pr.style != styleAll && pr.style != styleLink && pr.style != pr.mode {
		return pr, fmt.Errorf("style=%s cannot be combined with %s parameters", pr.style, pr.mode)
	}
	sizeParam := "limit"
	if pr.mode == stylePage {
		if q.Has("limit") {
			return pr, errors.New("limit cannot be combined with page/per_page; use per_page")
		}
		sizeParam = "per_page"
	}
	if pr.size, err = intParam(r, sizeParam, defaultPageSize, 1, maxPageSize); err != nil {
		return pr, err
	}
	switch pr.mode {
	case styleCursor:
		if c := q.Get("cursor"); c != "" {
			if pr.offset, err = decodeCursor(c); err != nil {
				return pr, err
			}
		}
	case stylePage:
		var page int
		if page, err = intParam(r, "page", 1, 1, maxOffset/pr.size+1); err != nil {
			return pr, err
		}
		pr.offset = (page - 1) * pr.size
	default:
		pr.offset, err = intParam(r, "offset", 0, 0, maxOffset)
	}
	return pr, err
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Cursors are opaque to clients; here they are base64url("offset:N"), validated on the way back in.
func encodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + strconv.Itoa(offset)))
}

func decodeCursor(c string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if s, ok := strings.CutPrefix(string(raw), cursorPrefix); ok {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 && n <= maxOffset {
				return n, nil
			}
		}
	}
	return 0, errors.New("cursor is invalid")
}

func (s *server) listItems(w http.ResponseWriter, r *http.Request) {
	pr, err := parsePageRequest(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_pagination", err.Error())
		return
	}
	all := s.items.list(r.URL.Query().Get("category"))
	total := len(all)
	start := min(pr.offset, total)
	end := min(pr.offset+pr.size, total)
	hasNext := end < total

	var next, nextCursor any // JSON null on the last page
	if hasNext {
		next, nextCursor = pageURL(r, pr.mode, end, pr.size), encodeCursor(end)
	}
	body := map[string]any{"items": all[start:end]}
	if pr.style == styleAll || pr.style == styleOffset {
		body["total"], body["offset"], body["limit"] = total, pr.offset, pr.size
	}
	if pr.style == styleAll || pr.style == stylePage {
		body["total"], body["page"], body["per_page"] = total, pr.offset/pr.size+1, pr.size
		body["total_pages"] = (total + pr.size - 1) / pr.size
	}
	if pr.style == styleAll || pr.style == styleCursor {
		body["next_cursor"] = nextCursor
	}
	if pr.style == styleAll || pr.style == styleLink {
		body["next"] = next
	}
	if pr.style == styleAll || pr.style == styleLink {
		w.Header().Set("Link", linkHeader(r, pr, start, hasNext))
	}
	writeNegotiatedJSON(w, r, body)
}

// linkHeader lists first, prev and next like GitHub does, so a client must pick rel="next" out of several.
func linkHeader(r *http.Request, pr pageRequest, start int, hasNext bool) string {
	links := []string{fmt.Sprintf(`<%s>; rel="first"`, pageURL(r, pr.mode, 0, pr.size))}
	if start > 0 {
		links = append(links, fmt.Sprintf(`<%s>; rel="prev"`, pageURL(r, pr.mode, max(start-pr.size, 0), pr.size)))
	}
	if hasNext {
		links = append(links, fmt.Sprintf(`<%s>; rel="next"`, pageURL(r, pr.mode, start+pr.size, pr.size)))
	}
	return strings.Join(links, ", ")
}

// pageURL is the absolute URL of the page starting at offset, in the request's parameter family. It is built from
// the Host the request arrived with and keeps unrelated parameters (category, style).
func pageURL(r *http.Request, mode pageStyle, offset, size int) string {
	q := r.URL.Query()
	for _, k := range []string{"offset", "limit", "page", "per_page", "cursor"} {
		q.Del(k)
	}
	switch mode {
	case stylePage:
		q.Set("page", strconv.Itoa(offset/size+1))
		q.Set("per_page", strconv.Itoa(size))
	case styleCursor:
		if offset > 0 {
			q.Set("cursor", encodeCursor(offset))
		}
		q.Set("limit", strconv.Itoa(size))
	default:
		q.Set("offset", strconv.Itoa(offset))
		q.Set("limit", strconv.Itoa(size))
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	return u.String()
}
