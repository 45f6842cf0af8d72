import { Pagination, PaginationMode, PaginationTarget } from '../types/query';
import { PAGINATION_MODES as PAGINATION_MODE_NAMES } from '../api/settings.gen';

export interface PaginationOption {
  key: Exclude<keyof Pagination, 'mode'>;
  label: string;
  placeholder: string;
  /** list: comma-separated values, stored as a list. */
  type: 'string' | 'number' | 'list';
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
      description: 'gjson path of the next cursor in the response body (or set the header below)',
    },
    {
      key: 'cursorHeader',
      label: 'Next cursor header',
      placeholder: 'X-Next-Cursor',
      type: 'string',
      description: 'response header carrying the next cursor, instead of a body path',
    },
    {
      key: 'hasNextPath',
      label: 'Has next at',
      placeholder: 'pageInfo.hasNextPage',
      type: 'string',
      description: 'gjson path of a boolean: paging stops when it is false (GraphQL pageInfo.hasNextPage)',
    },
  ],
  list: [
    {
      key: 'values',
      label: 'Values',
      placeholder: 'a, b, $hosts',
      type: 'list',
      description: 'one request per value; a multi-value variable gives one value per option',
    },
    { key: 'valueParam', label: 'Value parameter', placeholder: 'host', type: 'string' },
    { key: 'valueColumn', label: 'Value column', placeholder: 'value', type: 'string' },
    { key: 'concurrency', label: 'Concurrency', placeholder: '8', type: 'number' },
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

const MODE_LABELS: Record<PaginationMode, string> = {
  none: 'None',
  offset: 'Offset',
  page: 'Page',
  cursor: 'Cursor',
  link: 'Link',
  list: 'List of values',
};

/** Every mode the backend accepts (settings.gen.ts), labelled: a new mode fails the build until it has a label. */
export const PAGINATION_MODES: Array<{ label: string; value: PaginationMode }> = PAGINATION_MODE_NAMES.map((value) => ({
  value,
  label: MODE_LABELS[value],
}));

/** Where the offset, page, cursor or list value is sent. */
export const PAGINATION_TARGETS: Array<{ label: string; value: PaginationTarget }> = [
  { label: 'Query parameter', value: 'query' },
  { label: 'Header', value: 'header' },
  { label: 'Body field', value: 'body' },
  { label: 'GraphQL variable', value: 'variable' },
];
