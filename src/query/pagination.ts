import { Pagination, PaginationMode } from '../types/query';

export interface PaginationOption {
  key: Exclude<keyof Pagination, 'mode'>;
  label: string;
  placeholder: string;
  type: 'string' | 'number';
  description?: string;
}

/**
 * Options per pagination mode, as the backend's query engine reads them
 * (pkg/query Pagination). Kept as data so the editor and the engine stay easy to compare.
 */
export const PAGINATION_OPTIONS: Record<PaginationMode, PaginationOption[]> = {
  none: [],
  offset: [
    { key: 'offsetParam', label: 'Offset parameter', placeholder: 'offset', type: 'string' },
    { key: 'limitParam', label: 'Size parameter', placeholder: 'limit', type: 'string' },
    { key: 'pageSize', label: 'Page size', placeholder: '100', type: 'number' },
  ],
  page: [
    { key: 'pageParam', label: 'Page parameter', placeholder: 'page', type: 'string' },
    { key: 'limitParam', label: 'Size parameter', placeholder: 'per_page', type: 'string' },
    { key: 'pageSize', label: 'Page size', placeholder: 'upstream default', type: 'number' },
    { key: 'startPage', label: 'First page', placeholder: '1', type: 'number' },
  ],
  cursor: [
    { key: 'cursorParam', label: 'Cursor parameter', placeholder: 'cursor', type: 'string' },
    {
      key: 'cursorPath',
      label: 'Next cursor at',
      placeholder: 'next_cursor',
      type: 'string',
      description: 'gjson path of the next cursor in the response body (required)',
    },
  ],
  link: [
    {
      key: 'nextPath',
      label: 'Next URL at',
      placeholder: 'Link header',
      type: 'string',
      description: 'gjson path of the next URL in the body; empty follows the Link rel="next" header',
    },
  ],
};

/** Shown for every mode but none: bounded by the data source's query.maxPages. */
export const MAX_PAGES_OPTION: PaginationOption = {
  key: 'maxPages',
  label: 'Max pages',
  placeholder: 'data source limit',
  type: 'number',
};

export const PAGINATION_MODES: Array<{ label: string; value: PaginationMode }> = [
  { label: 'None', value: 'none' },
  { label: 'Offset', value: 'offset' },
  { label: 'Page', value: 'page' },
  { label: 'Cursor', value: 'cursor' },
  { label: 'Link', value: 'link' },
];
