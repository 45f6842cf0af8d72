import { fireEvent, screen, waitFor, within } from '@testing-library/react';

import { FakeBackend, installFakeBackend, UID } from '../../test/backend';
import { renderConfigEditor, testSettings } from '../../test/configEditor';
import { button, userEvent } from '../../test/ui';
import { OpenAPIImportProposal } from '../../types/api';
import { RelayJsonData, RelaySettings } from '../../types/settings';
import { mergeProposal } from './openapiMerge';

jest.setTimeout(60000); // many clicks; the shared CI machine is slow

/** What the backend answers for the demo API's description (a subset). */
const PROPOSAL: OpenAPIImportProposal = {
  source: { openapi: '3.0.3', title: 'Relay demo API', version: '1.0.0', basePath: '', bytes: 4564 },
  rules: [
    { path: '/api/items', methods: ['GET'], minRole: 'Viewer', operationId: 'listItems' },
    {
      path: '/api/items/*',
      methods: ['DELETE'],
      minRole: 'Editor',
      operationId: 'deleteItem',
      template: '/api/items/{id}',
    },
  ],
  actions: [
    {
      name: 'deleteItem',
      operationId: 'deleteItem',
      method: 'DELETE',
      path: '/api/items/{id}',
      minRole: 'Editor',
      params: [{ name: 'id', type: 'integer', required: true, min: 1 }],
    },
  ],
  queries: [
    {
      path: '/api/items',
      operationId: 'listItems',
      root: 'items',
      fields: [
        { name: 'id', type: 'int64' },
        { name: 'created_at', type: 'time' },
      ],
    },
  ],
  notes: [{ method: 'POST', path: '/api/items', message: 'action createItem: body property "tags": is an array' }],
  stats: { operations: 3, rules: 2, actions: 1, queries: 1 },
};

const settings = (jsonData: RelayJsonData) => testSettings({ jsonData });

function renderEditor(initial: RelaySettings): { backend: FakeBackend; latest: { current: RelaySettings } } {
  const backend = installFakeBackend();
  backend.on(`GET /api/datasources/uid/${UID}/health`, { data: { status: 'OK', message: 'ok' } });
  backend.on('GET openapi.json', { data: { openapi: '3.0.3', paths: {} } });
  backend.on('POST openapi/import', { data: PROPOSAL });
  return { backend, latest: renderConfigEditor(initial) };
}

const section = () => within(screen.getByLabelText('Import from OpenAPI', { selector: 'section' }));
const imports = (b: FakeBackend) => b.requests.filter((r) => r.url.endsWith('/resources/openapi/import'));

describe('OpenAPIImportSection', () => {
  it('proposes from an upstream path and merges the picked rules and actions, with the query paths', async () => {
    const { backend, latest } = renderEditor(
      settings({ proxy: { rules: [{ path: '/health', methods: ['GET'], minRole: 'Viewer' }] } })
    );
    // The section stays the same element: looked up once (each lookup walks the whole form's labels).
    const sec = section();
    await userEvent.click(button(/Propose/, sec));
    await sec.findByText(/Relay demo API 1.0.0 \(OpenAPI 3.0.3\): 2 rule\(s\), 1 action\(s\), 1 query path\(s\)/);
    expect(imports(backend)[0].data).toEqual({ upstream: '_default', path: '/openapi.json' });
    expect(sec.getByText(/1 note\(s\)/)).toBeInTheDocument();

    // Nothing is picked until the admin says so.
    const rules = within(sec.getByLabelText('Proposed rules', { selector: 'fieldset' }));
    await userEvent.click(rules.getByLabelText('GET /api/items → Viewer (listItems)'));
    const actions = within(sec.getByLabelText('Proposed actions', { selector: 'fieldset' }));
    await userEvent.click(actions.getByLabelText(/^deleteItem: DELETE \/api\/items\/\{id\} → Editor/));
    await userEvent.click(button('Add selected', sec));

    const jd = latest.current.jsonData;
    expect(jd.proxy?.rules).toEqual([
      { path: '/health', methods: ['GET'], minRole: 'Viewer' },
      { path: '/api/items', methods: ['GET'], minRole: 'Viewer' },
    ]);
    expect(jd.actions).toEqual([
      {
        name: 'deleteItem',
        method: 'DELETE',
        path: '/api/items/{id}',
        minRole: 'Editor',
        params: [{ name: 'id', type: 'integer', required: true, min: 1 }],
      },
    ]);
    expect(jd.openapi?.queries).toEqual([
      {
        path: '/api/items',
        root: 'items',
        fields: [
          { name: 'id', type: 'int64' },
          { name: 'created_at', type: 'time' },
        ],
      },
    ]);
    expect(await sec.findByText(/1 rule\(s\), 1 action\(s\), 1 query path\(s\)/)).toBeInTheDocument();
  });

  it('adds nothing twice: what the settings have already is skipped and named', async () => {
    const { latest } = renderEditor(
      settings({
        proxy: {
          rules: [
            { path: '/health', methods: ['GET'], minRole: 'Viewer' },
            { path: '/api/items', methods: ['GET'], minRole: 'Viewer' },
          ],
        },
        actions: [{ name: 'deleteItem', method: 'DELETE', path: '/api/items/{id}', minRole: 'Editor' }],
        openapi: { queries: [{ path: '/api/items', root: 'items', fields: [] }] },
      })
    );
    // The section stays the same element: looked up once (each lookup walks the whole form's labels).
    const sec = section();
    await userEvent.click(button(/Propose/, sec));
    const rules = within(await sec.findByLabelText('Proposed rules', { selector: 'fieldset' }));
    const actions = within(sec.getByLabelText('Proposed actions', { selector: 'fieldset' }));
    await userEvent.click(button('Select all', rules));
    await userEvent.click(button('Select all', actions));
    await userEvent.click(button('Add selected', sec));
    expect(latest.current.jsonData.proxy?.rules).toHaveLength(3);
    expect(latest.current.jsonData.actions).toHaveLength(1);
    expect(latest.current.jsonData.openapi?.queries).toHaveLength(1);
    expect(
      await sec.findByText(/Already there, not added again: rule GET \/api\/items, action deleteItem/)
    ).toBeInTheDocument();
  });

  it('sends a pasted document as JSON, and shows why an import failed', async () => {
    const { backend } = renderEditor(settings({}));
    // The section stays the same element: looked up once (each lookup walks the whole form's labels).
    const sec = section();
    backend.on('POST openapi/import', {
      status: 422,
      data: {
        error: 'not a usable OpenAPI document: neither "openapi": "3.x" nor "swagger": "2.0"',
        code: 'invalid_document',
        status: 422,
      },
    });
    await userEvent.click(sec.getByLabelText('Paste'));
    fireEvent.change(sec.getByLabelText('OpenAPI document'), { target: { value: '{"info": {}}' } });
    await userEvent.click(button(/Propose/, sec));
    expect(await sec.findByText(/neither "openapi": "3.x" nor "swagger": "2.0"/)).toBeInTheDocument();
    await waitFor(() => expect(imports(backend)[0].data).toEqual({ document: { info: {} } }));
  });

  it('merges into a named upstream: its rules, actions calling it, its query paths', () => {
    const jd: RelayJsonData = { upstreams: [{ name: 'billing', url: 'https://b.example.com' }] };
    const res = mergeProposal(jd, PROPOSAL, { rules: new Set([0, 1]), actions: new Set([0]) }, 'billing');
    expect(res.added).toEqual({ rules: 2, actions: 1, queries: 1 });
    expect(jd.proxy).toBeUndefined();
    expect(jd.upstreams?.[0].proxy?.rules?.map((r) => r.path)).toEqual(['/api/items', '/api/items/*']);
    expect(jd.actions?.[0].upstream).toBe('billing');
    expect(jd.openapi?.queries?.[0].upstream).toBe('billing');
    expect(() => mergeProposal(jd, PROPOSAL, { rules: new Set([0]), actions: new Set() }, 'nope')).toThrow(/nope/);
  });
});
