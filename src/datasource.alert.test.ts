import { installFakeBackend } from './test/backend';
import { testDataSource } from './test/instance';
import { installTemplateSrv } from './test/templateSrv';
import { RelayQuery } from './types/query';

// What Grafana does for "New alert rule" from a panel (and Explore from a panel): it copies the panel's targets
// through the data source's interpolateVariablesInQueries with the panel's scoped variables, and stores the result
// in the rule, which later runs with no dashboard and no browser.
describe('a panel query copied into an alert rule', () => {
  const panelQuery: RelayQuery = {
    refId: 'A',
    method: 'GET',
    path: '/api/$env/items',
    params: { host: '${host:csv}', region: '$region', since: '$__from' },
    headers: { 'X-Tenant': '${tenant}' },
    body: '{"hosts": $host, "env": "$env", "from": "${__from:date:iso}"}',
    pipeline: {
      root: 'items',
      steps: [
        { type: 'filter', expr: 'category in $cats && region == "$region"' },
        { type: 'jq', expr: 'map(select(.env == ${env}))' },
      ],
    },
  };

  beforeEach(() => {
    installFakeBackend();
    installTemplateSrv({ env: 'prod', host: ['web-1', 'db-2'], cats: ['books', 'garden'], tenant: 'acme' });
  });

  it('gets the values of $var and ${var:csv}, each formatted for its place', () => {
    const ds = testDataSource();
    // A repeated panel's scoped variable wins over the dashboard's.
    const [alert] = ds.interpolateVariablesInQueries([panelQuery], { region: { text: 'eu', value: 'eu' } });
    expect(alert.path).toBe('/api/prod/items');
    expect(alert.params).toEqual({ host: 'web-1,db-2', region: 'eu', since: '$__from' });
    expect(alert.headers).toEqual({ 'X-Tenant': 'acme' });
    expect(JSON.parse(alert.body!.replace('${__from:date:iso}', 'T'))).toEqual({
      hosts: ['web-1', 'db-2'],
      env: 'prod',
      from: 'T',
    });
    expect(alert.pipeline?.steps).toEqual([
      { type: 'filter', expr: 'category in ["books", "garden"] && region == "eu"' },
      { type: 'jq', expr: 'map(select(.env == "prod"))' },
    ]);
    expect(alert.datasource).toEqual(ds.getRef());
    expect(alert.refId).toBe('A');
  });

  it('keeps the time macros for the backend, which expands them over the alert rule own range', () => {
    const [alert] = testDataSource().interpolateVariablesInQueries([panelQuery], {});
    expect(alert.params?.since).toBe('$__from');
    expect(alert.body).toContain('"from": "${__from:date:iso}"');
    // The panel itself still gets the dashboard's range from the frontend.
    expect(testDataSource().applyTemplateVariables(panelQuery, {}).params?.since).toBe('1700000000000');
  });

  it('leaves no dashboard variable for the backend to refuse as unresolved_variable', () => {
    const [alert] = testDataSource().interpolateVariablesInQueries([panelQuery], {
      region: { text: 'eu', value: 'eu' },
    });
    // Only the backend's macros are left: the rule evaluates without a dashboard, in the backend.
    expect(JSON.stringify(alert).match(/\$\{?\w+/g)).toEqual(['$__from', '${__from']);
  });
});

describe('getQueryDisplayText', () => {
  beforeEach(() => installFakeBackend());
  const text = (q: Partial<RelayQuery>) => testDataSource().getQueryDisplayText({ refId: 'A', ...q });

  it('says what the query reads and what the pipeline does, in one line', () => {
    expect(
      text({
        upstream: 'billing',
        path: '/invoices',
        pagination: { mode: 'cursor', cursorPath: 'next' },
        pipeline: {
          root: 'items',
          steps: [
            { type: 'filter', expr: 'x > 1' },
            { type: 'groupBy', by: ['a'], aggregates: [] },
          ],
        },
        format: 'timeseries',
      })
    ).toBe('billing: GET /invoices · cursor pages · rows at items · filter, groupBy · time series');
    expect(
      text({
        method: 'GET',
        path: '/catalogue.xml',
        pipeline: { format: 'xml', root: '/catalogue/item', steps: [{ type: 'jq', expr: 'map(.)' }] },
      })
    ).toBe('GET /catalogue.xml · XML · rows at /catalogue/item · jq');
    expect(text({ path: '/graphql', graphql: { query: 'query Orders { orders { id } }' } })).toBe(
      'GraphQL Orders /graphql'
    );
    expect(text({ data: [{ a: 1 }], pipeline: { rootSyntax: 'jq', root: '.[]' } })).toBe('Inline data · jq .[]');
    expect(text({ path: '/x', pagination: { mode: 'list', values: ['$hosts'] }, format: 'logs' })).toBe(
      'GET /x · one request per value · logs'
    );
  });

  it('is never the JSON of the query, and stays short', () => {
    const long = text({ path: '/' + 'a'.repeat(400) });
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long.endsWith('…')).toBe(true);
    expect(text({})).toBe('GET /');
  });
});
