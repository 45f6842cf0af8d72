package query

import "strings"

// PaginationMode is how a query fetches more than one page (Pagination.Mode).
// The frontend's list is generated from PaginationModes (src/api/settings.gen.ts).
type PaginationMode string

const (
	PageNone   PaginationMode = "none"
	PageOffset PaginationMode = "offset"
	PageNumber PaginationMode = "page"
	PageCursor PaginationMode = "cursor"
	PageLink   PaginationMode = "link"
	PageList   PaginationMode = "list"
)

// PaginationModes are the accepted modes, in the order the editor shows them.
func PaginationModes() []PaginationMode {
	return []PaginationMode{PageNone, PageOffset, PageNumber, PageCursor, PageLink, PageList}
}

// paged reports whether the mode fetches pages at all ("" is none).
func (m PaginationMode) paged() bool { return m != "" && m != PageNone }

func (m PaginationMode) known() bool {
	for _, k := range PaginationModes() {
		if m == k {
			return true
		}
	}
	return m == ""
}

func joinModes() string {
	names := make([]string, 0, len(PaginationModes()))
	for _, m := range PaginationModes() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}
