import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import React from 'react';

import { FakeBackend, installFakeBackend } from '../../test/backend';
import { testDataSource } from '../../test/instance';
import { fakeRelay as fakeRelayWith, renderQueryEditor } from '../../test/queryEditor';
import { button, radio, type, userEvent } from '../../test/ui';
import { RelayQuery } from '../../types/query';
import { RelayJsonData } from '../../types/settings';
import { VariableQueryEditor } from './VariableQueryEditor';

jest.setTimeout(20000);

const ITEMS_FRAME = {
  schema: {
    name: 'result',
    fields: [
      { name: 'id', type: 'number' },
      { name: 'name', type: 'string' },
    ],
  },
  data: {
    values: [Array.from({ length: 12 }, (_, i) => i + 1), Array.from({ length: 12 }, (_, i) => `item-${i + 1}`)],
  },
};

function fakeRelay(): FakeBackend {
  const b = fakeRelayWith({
    info: {
      proxyRules: [
        { path: '/', methods: ['GET', 'HEAD'], minRole: 'Viewer' },
        { path: '/api/items', methods: ['GET'], minRole: 'Viewer' },
      ],
    },
    transform: { frames: [ITEMS_FRAME], notices: [{ severity: 'warning', text: 'Stopped after 10 pages' }] },
  });
  b.on('GET openapi.json', {
    data: {
      openapi: '3.0.3',
      paths: {
        '/proxy/{path}': {
          get: {},
          'x-relay-proxy-rules': [{ path: '/api/series*', methods: ['GET'], minRole: 'Viewer' }],
        },
      },
    },
  });
  b.on('GET schema', (req) => ({
    data:
      req.params?.root === 'items'
        ? {
            fields: [
              { path: 'id', type: 'number' },
              { path: 'name', type: 'string' },
              { path: 'price', type: 'number' },
            ],
          }
        : {
            fields: [
              { path: 'items', type: 'array' },
              { path: 'total', type: 'number' },
            ],
          },
  }));
  return b;
}

const renderEditor = (initial: Partial<RelayQuery> = {}, jsonData: RelayJsonData = {}) =>
  renderQueryEditor(initial, { jsonData });

const transformCalls = (b: FakeBackend) => b.requests.filter((r) => r.url.endsWith('/resources/transform'));

describe('QueryEditor', () => {
  it('suggests paths from the proxy rules in /info and /openapi.json', async () => {
    fakeRelay();
    const { latest } = renderEditor();
    const path = screen.getByLabelText('Path');
    await userEvent.click(path);
    const list = await screen.findByLabelText('Path suggestions', { selector: '[role="listbox"]' });
    await waitFor(() => expect(within(list).getByText('/api/items')).toBeInTheDocument());
    expect(within(list).getByText('/api/series')).toBeInTheDocument();
    fireEvent.mouseDown(within(list).getByText('/api/items'));
    expect(latest.current.path).toBe('/api/items');
  });

  it('picks a named upstream: its rules are suggested, and the preview and /schema name it', async () => {
    const b = fakeRelay();
    const rule = (path: string) => ({ path, methods: ['GET'], minRole: 'Viewer' });
    b.on('GET info', {
      data: {
        plugin: {},
        datasource: {},
        caller: { login: 'viewer', role: 'Viewer' },
        routes: [],
        proxyRules: [rule('/api/items')],
        upstreams: [
          {
            name: 'default',
            default: true,
            origin: 'http://a',
            authType: 'bearer',
            proxyPath: '/proxy/',
            proxyRules: [rule('/api/items')],
          },
          {
            name: 'billing',
            origin: 'http://b',
            authType: 'sigv4',
            proxyPath: '/proxy/billing/',
            proxyRules: [rule('/invoices')],
          },
        ],
      },
    });
    const { latest } = renderEditor({ upstream: 'billing' });
    expect(await screen.findByDisplayValue('billing')).toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Path'));
    const list = await screen.findByLabelText('Path suggestions', { selector: '[role="listbox"]' });
    await waitFor(() => expect(within(list).getByText('/invoices')).toBeInTheDocument());
    expect(within(list).queryByText('/api/items')).not.toBeInTheDocument();
    fireEvent.mouseDown(within(list).getByText('/invoices'));
    expect(latest.current).toMatchObject({ upstream: 'billing', path: '/invoices' });
    await waitFor(() => expect(transformCalls(b).length).toBeGreaterThan(0), { timeout: 5000 });
    expect(transformCalls(b)[0].data).toMatchObject({ source: { upstream: 'billing', path: '/invoices' } });
    await waitFor(() =>
      expect(b.requests.some((r) => r.url.endsWith('/resources/schema') && r.params?.upstream === 'billing')).toBe(true)
    );
  });

  it('shows no upstream picker for a data source with one upstream', async () => {
    fakeRelay();
    renderEditor();
    await userEvent.click(screen.getByLabelText('Path'));
    await screen.findByLabelText('Path suggestions', { selector: '[role="listbox"]' });
    expect(screen.queryByText('Upstream')).not.toBeInTheDocument();
  });

  it('shows why path suggestions are missing', async () => {
    const b = installFakeBackend();
    b.on('GET info', { status: 403, data: { error: 'info requires the Viewer role', code: 'forbidden', status: 403 } });
    renderEditor();
    await userEvent.click(screen.getByLabelText('Path'));
    expect(
      await screen.findByText(/Could not load path suggestions: info requires the Viewer role/)
    ).toBeInTheDocument();
  });

  it('previews the first rows and notices through POST /transform', async () => {
    const b = fakeRelay();
    renderEditor();
    expect(screen.getByText(/Enter a path to preview/)).toBeInTheDocument();
    type(screen.getByLabelText('Path'), '/api/items');
    const table = await screen.findByLabelText('Preview rows', { selector: 'table' }, { timeout: 5000 });
    expect(within(table).getByText('item-1')).toBeInTheDocument();
    expect(within(table).getAllByRole('row')).toHaveLength(11); // header + first 10 rows
    expect(screen.getByTestId('preview-summary')).toHaveTextContent('12 rows, 2 fields; showing the first 10');
    expect(screen.getByText('Stopped after 10 pages')).toBeInTheDocument();
    expect(transformCalls(b)[0].data).toEqual({
      source: { method: 'GET', path: '/api/items', format: 'table' },
      pipeline: { format: 'json' },
    });
  });

  it("shows the backend's error message when the preview fails", async () => {
    const b = fakeRelay();
    b.on('POST transform', {
      status: 400,
      data: { error: 'steps[0]: unknown field "pric" in expression', code: 'bad_pipeline', status: 400 },
    });
    renderEditor({ path: '/api/items' });
    const err = await screen.findByTestId('preview-error', {}, { timeout: 5000 });
    expect(err).toHaveTextContent('steps[0]: unknown field "pric" in expression');
    expect(err).toHaveTextContent('code bad_pipeline · HTTP 400');
    expect(err).not.toHaveTextContent('Failed to call resource');
  });

  it('says so when the query returns no rows', async () => {
    const b = fakeRelay();
    b.on('POST transform', {
      data: { frames: [{ schema: { fields: [{ name: 'id', type: 'number' }] }, data: { values: [[]] } }] },
    });
    renderEditor({ path: '/api/items' });
    expect(await screen.findByText('The query returned no rows.', {}, { timeout: 5000 })).toBeInTheDocument();
  });

  it('suggests the row root and typed columns of a path the OpenAPI import described, without sampling', async () => {
    const b = fakeRelay();
    const described: RelayJsonData = {
      openapi: {
        queries: [
          {
            path: '/api/items/{id}/parts',
            root: 'parts',
            fields: [
              { name: 'sku', type: 'string' },
              { name: 'weight', type: 'number' },
            ],
          },
        ],
      },
    };
    const { latest } = renderEditor({ path: '/api/items/7/parts', pipeline: { format: 'json' } }, described);
    await userEvent.click(screen.getByLabelText('Rows at'));
    const rootList = await screen.findByLabelText('Rows at suggestions', { selector: '[role="listbox"]' });
    fireEvent.mouseDown(await within(rootList).findByText('parts', {}, { timeout: 5000 }));
    expect(latest.current.pipeline?.root).toBe('parts');
    await userEvent.click(button(/Add column/));
    await userEvent.click(screen.getByLabelText('Column 1 selector'));
    const colList = await screen.findByLabelText('Column 1 selector suggestions', { selector: '[role="listbox"]' });
    expect(await within(colList).findByText('weight')).toBeInTheDocument();
    expect(within(colList).getByText('sku')).toBeInTheDocument();
    expect(b.requests.filter((r) => r.url.endsWith('/resources/schema'))).toHaveLength(0);
  });

  it('edits the pipeline with field suggestions from /schema, and previews the cleaned pipeline', async () => {
    const b = fakeRelay();
    const { latest } = renderEditor({ path: '/api/items', pipeline: { format: 'json' } });

    // Rows at: suggestions are the document's arrays.
    const root = screen.getByLabelText('Rows at');
    await userEvent.click(root);
    const rootList = await screen.findByLabelText('Rows at suggestions', { selector: '[role="listbox"]' });
    fireEvent.mouseDown(await within(rootList).findByText('items', {}, { timeout: 5000 }));
    expect(latest.current.pipeline?.root).toBe('items');

    // A column whose selector comes from the row's fields names itself.
    await userEvent.click(button(/Add column/));
    const selector = screen.getByLabelText('Column 1 selector');
    await userEvent.click(selector);
    const colList = await screen.findByLabelText('Column 1 selector suggestions', { selector: '[role="listbox"]' });
    fireEvent.mouseDown(await within(colList).findByText('price', {}, { timeout: 5000 }));
    expect(latest.current.pipeline?.columns).toEqual([{ name: 'price', selector: 'price' }]);

    // Steps.
    await userEvent.click(button('Filter'));
    type(screen.getByLabelText('Step 1 filter expression'), 'price > 10');
    await userEvent.click(button('Limit'));
    await userEvent.click(radio('Time series (long)'));

    await waitFor(
      () =>
        expect(transformCalls(b).at(-1)?.data).toEqual({
          source: { method: 'GET', path: '/api/items', format: 'table' },
          pipeline: {
            format: 'json',
            root: 'items',
            columns: [{ name: 'price', selector: 'price' }],
            steps: [
              { type: 'filter', expr: 'price > 10' },
              { type: 'limit', count: 10 },
            ],
            shape: 'timeseries-long',
          },
        }),
      { timeout: 5000 }
    );
    // Schema discovery asked for the row fields under the root.
    expect(b.requests.some((r) => r.url.endsWith('/resources/schema') && r.params?.root === 'items')).toBe(true);
  });

  it('shows CSV options only for CSV bodies', async () => {
    fakeRelay();
    const { latest } = renderEditor({ path: '/api/export.csv' });
    expect(screen.queryByLabelText('CSV delimiter')).not.toBeInTheDocument();
    await userEvent.click(radio('CSV'));
    type(screen.getByLabelText('CSV delimiter'), ';');
    expect(latest.current.pipeline).toEqual({ format: 'csv', csv: { delimiter: ';' } });
    expect(screen.queryByLabelText('Rows at')).not.toBeInTheDocument();
  });

  it('runs the query when method or format change, and edits request options', async () => {
    fakeRelay();
    const { latest, onRunQuery } = renderEditor({ path: '/api/items' });
    await userEvent.click(radio('Time series'));
    expect(latest.current.format).toBe('timeseries');
    expect(onRunQuery).toHaveBeenCalledTimes(1);
    await userEvent.click(radio('POST'));
    expect(onRunQuery).toHaveBeenCalledTimes(2);

    await userEvent.click(screen.getByText('Request options'));
    await userEvent.click(button('Add parameter'));
    type(screen.getByLabelText('parameter 1 name'), 'category');
    type(screen.getByLabelText('parameter 1 value'), '$category');
    type(screen.getByLabelText('Request body'), '{"a":1}');
    await userEvent.click(radio('Cursor'));
    type(screen.getByLabelText('Pagination Cursor parameter'), 'cursor');
    expect(latest.current).toMatchObject({
      method: 'POST',
      params: { category: '$category' },
      body: '{"a":1}',
      pagination: { mode: 'cursor', cursorParam: 'cursor' },
    });
  });
});

describe('QueryEditor form bodies', () => {
  // Two renders rather than one long walk: each query editor re-render costs jsdom much.
  it('edits a form body as key/value rows, keys may repeat', async () => {
    fakeRelay();
    const { latest } = renderEditor({ path: '/api/echo', method: 'POST' });
    await userEvent.click(screen.getByText('Request options'));
    await userEvent.click(radio('Form'));
    expect(screen.queryByLabelText('Request body')).not.toBeInTheDocument();
    type(screen.getByLabelText('Body field 1 key'), 'tag');
    type(screen.getByLabelText('Body field 1 value'), '$cat');
    await userEvent.click(button('Add body field'));
    type(screen.getByLabelText('Body field 2 key'), 'tag');
    type(screen.getByLabelText('Body field 2 value'), 'b&c');
    expect(latest.current).toMatchObject({
      bodyType: 'form',
      bodyForm: [
        { key: 'tag', value: '$cat' },
        { key: 'tag', value: 'b&c' },
      ],
    });
  });

  it('keeps the rows as multipart, removes a row, and goes back to a text body', async () => {
    fakeRelay();
    const rows = [
      { key: 'tag', value: '$cat' },
      { key: 'tag', value: 'b&c' },
    ];
    // Request options start open: the query has a body.
    const { latest } = renderEditor({ path: '/api/echo', method: 'POST', bodyType: 'form', bodyForm: rows });
    await userEvent.click(radio('Multipart'));
    expect(latest.current).toMatchObject({ bodyType: 'multipart', bodyForm: rows });
    await userEvent.click(button('Remove body field 1'));
    expect(latest.current.bodyForm).toEqual([{ key: 'tag', value: 'b&c' }]);
    await userEvent.click(radio('Text'));
    expect(latest.current.bodyType).toBeUndefined();
    expect(screen.getByLabelText('Request body')).toBeInTheDocument();
  });
});

describe('VariableQueryEditor', () => {
  it('accepts legacy string queries as the path and explains where values come from', () => {
    fakeRelay();
    render(
      <VariableQueryEditor
        datasource={testDataSource()}
        query={'/api/categories' as never}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.getByLabelText('Path')).toHaveValue('/api/categories');
    expect(screen.getByText('Variable values')).toBeInTheDocument();
  });
});
