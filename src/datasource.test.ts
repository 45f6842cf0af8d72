import { RelayError } from './api/errors';
import { installFakeBackend, UID } from './test/backend';
import { testDataSource } from './test/instance';

describe('DataSource resource calls', () => {
  it('calls /info through the data source resources route, without Grafana error toasts', async () => {
    const backend = installFakeBackend();
    backend.on('GET info', {
      data: {
        plugin: { id: 'relay-gateway-datasource' },
        datasource: {},
        caller: { login: 'ann', role: 'Editor' },
        routes: [],
      },
    });
    const info = await testDataSource().getInfo();
    expect(info.caller.login).toBe('ann');
    expect(backend.requests[0].url).toBe(`/api/datasources/uid/${UID}/resources/info`);
    expect(backend.requests[0].showErrorAlert).toBe(false);
  });

  it("turns Relay's JSON error into a RelayError with the backend's message, code and status", async () => {
    const backend = installFakeBackend();
    backend.on('GET schema', {
      status: 403,
      data: { error: 'GET /secret is not allowed by any proxy rule for Viewer', code: 'forbidden', status: 403 },
    });
    const err = await testDataSource()
      .getSchema('/secret')
      .catch((e) => e);
    expect(err).toBeInstanceOf(RelayError);
    expect(err.message).toBe('GET /secret is not allowed by any proxy rule for Viewer');
    expect(err.code).toBe('forbidden');
    expect(err.status).toBe(403);
    expect(err.message).not.toMatch(/Failed to call resource/);
  });

  it("uses Grafana's own {message} errors when the plugin did not answer", async () => {
    const backend = installFakeBackend();
    backend.on('GET openapi.json', { status: 503, data: { message: 'Plugin unavailable' } });
    await expect(testDataSource().getOpenAPI()).rejects.toMatchObject({ message: 'Plugin unavailable', status: 503 });
  });

  it('sends schema discovery parameters', async () => {
    const backend = installFakeBackend();
    backend.on('GET schema', { data: { fields: [{ path: 'id', type: 'number' }] } });
    await testDataSource().getSchema('/api/items', { root: 'items', format: 'json' });
    expect(backend.requests[0].params).toEqual({ path: '/api/items', root: 'items', format: 'json' });
  });

  it('previews a query through POST /transform with interpolated, cleaned values', async () => {
    const backend = installFakeBackend();
    backend.on('POST transform', { data: { frames: [] } });
    await testDataSource().previewQuery({
      refId: 'A',
      method: 'GET',
      path: '/api/$env/items',
      params: { region: '$env', '': 'dropped' },
      pipeline: {
        format: 'json',
        root: ' items ',
        columns: [{ name: '' }, { name: 'id', selector: '' }],
        csv: { delimiter: ';' },
      },
    });
    expect(backend.requests[0].method).toBe('POST');
    expect(backend.requests[0].data).toEqual({
      source: { method: 'GET', path: '/api/prod/items', params: { region: 'prod' } },
      pipeline: { format: 'json', root: 'items', columns: [{ name: 'id' }] },
    });
  });

  it('previews answers as data: acceptStatus and responseFields reach the source, as the panel sends them', async () => {
    const backend = installFakeBackend();
    backend.on('POST transform', { data: { frames: [] } });
    const answers = { acceptStatus: ['404', '5xx'], responseFields: ['status', 'header:X-Request-Id'] };
    await testDataSource().previewQuery(
      { refId: 'A', path: '/api/items/{{id}}', forEach: { query: 'B', field: 'id' }, ...answers },
      {},
      [{ refId: 'B', path: '/api/ids', ...answers }]
    );
    expect(backend.requests[0].data).toEqual({
      source: { method: 'GET', path: '/api/items/{{id}}', forEach: { query: 'B', field: 'id' }, ...answers },
      pipeline: {},
      inputs: { B: { source: { method: 'GET', path: '/api/ids', ...answers }, pipeline: {} } },
    });
  });

  it('previews a join with the queries it reads as inputs, and forEach in the source', async () => {
    const backend = installFakeBackend();
    backend.on('POST transform', { data: { frames: [] } });
    const hosts = { refId: 'B', data: [{ host: 'a' }], hide: true };
    const ids = { refId: 'C', path: '/api/$env/ids' };
    const unrelated = { refId: 'D', path: '/other' };
    await testDataSource().previewQuery(
      {
        refId: 'A',
        path: '/api/items/{{id}}',
        forEach: { query: 'C', field: 'id' },
        pipeline: { steps: [{ type: 'join', query: 'B', on: ['host'], how: 'left' }] },
      },
      {},
      [hosts, ids, unrelated]
    );
    expect(backend.requests[0].data).toEqual({
      source: { method: 'GET', path: '/api/items/{{id}}', forEach: { query: 'C', field: 'id' } },
      pipeline: { steps: [{ type: 'join', query: 'B', on: ['host'], how: 'left' }] },
      inputs: {
        B: { data: [{ host: 'a' }], pipeline: {} },
        C: { source: { method: 'GET', path: '/api/prod/ids' }, pipeline: {} },
      },
    });
  });

  it('runs actions with a {params} body and dryRun as a query parameter', async () => {
    const backend = installFakeBackend();
    backend.on('POST actions/restart%20now', { data: { status: 200, dryRun: true } });
    const r = await testDataSource().runAction('restart now', { id: 3 }, true);
    expect(r.dryRun).toBe(true);
    expect(backend.requests[0].data).toEqual({ params: { id: 3 } });
    expect(backend.requests[0].params).toEqual({ dryRun: 'true' });
  });

  it('lists actions', async () => {
    const backend = installFakeBackend();
    backend.on('GET actions', { data: { actions: [{ name: 'restart', method: 'POST' }] } });
    await expect(testDataSource().listActions()).resolves.toEqual({ actions: [{ name: 'restart', method: 'POST' }] });
  });
});

describe('DataSource queries', () => {
  it('sends hidden queries (the backend decides) and skips queries without a path', () => {
    installFakeBackend();
    const ds = testDataSource();
    expect(ds.filterQuery({ refId: 'A', path: '/x' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', path: '  ' })).toBe(false);
    // Hidden queries are sent: a visible one may read them (the backend neither runs nor answers them otherwise).
    expect(ds.filterQuery({ refId: 'A', path: '/x', hide: true })).toBe(true);
  });

  it('interpolates template variables in path, params, headers and body', () => {
    installFakeBackend();
    const q = testDataSource().applyTemplateVariables(
      {
        refId: 'A',
        path: '/$env',
        params: { e: '$env' },
        headers: { 'X-Env': '$env' },
        body: '{"env":"$env"}',
        pipeline: { root: 'data' },
      },
      {}
    );
    expect(q).toMatchObject({
      path: '/prod',
      params: { e: 'prod' },
      headers: { 'X-Env': 'prod' },
      body: '{"env":"prod"}',
      pipeline: { root: 'data' },
    });
  });

  it('supports annotations and query variables with the same query model', () => {
    installFakeBackend();
    const ds = testDataSource();
    expect(ds.annotations).toBeDefined();
    expect(ds.variables).toBeDefined();
    expect(ds.getDefaultQuery('explore' as never)).toMatchObject({ method: 'GET', format: 'table' });
  });
});
