import { importSettings, upstreamName } from './importSource';

describe('importSettings', () => {
  it('converts an Infinity data source, lists its secrets and never reads their values', () => {
    const res = importSettings(
      JSON.stringify({
        type: 'yesoreyeram-infinity-datasource',
        url: 'https://api.example.com',
        jsonData: {
          auth_method: 'bearerToken',
          allowedHosts: ['https://api.example.com', 'https://status.example.org/api'],
          timeoutInSeconds: 20,
          tlsSkipVerify: true,
          httpHeaderName1: 'X-Tenant',
          refData: [{ name: 'hosts', data: 'a,b' }],
        },
        secureJsonData: { bearerToken: 'do-not-copy-me' },
      })
    );
    if ('error' in res) {
      throw new Error(res.error);
    }
    expect(JSON.stringify(res)).not.toContain('do-not-copy-me');
    expect(res.url).toBe('https://api.example.com');
    expect(res.jsonData).toEqual({
      auth: { type: 'bearer' },
      tls: { skipVerify: true },
      timeouts: { request: '20s' },
      httpHeaderName1: 'X-Tenant',
      upstreams: [{ name: 'status-example-org', url: 'https://status.example.org/api', auth: { type: 'bearer' } }],
    });
    expect(res.secrets).toEqual([
      { key: 'bearerToken', from: 'bearerToken' },
      { key: 'httpHeaderValue1', from: 'httpHeaderValue1' },
      { key: 'upstreams.status-example-org.bearerToken', from: 'bearerToken' },
    ]);
    expect(res.notes.join(' ')).toContain('relay-migrate dashboard --datasource-config');
  });

  it('converts a JSON API data source with basic auth and fixed parameters', () => {
    const res = importSettings(
      JSON.stringify({
        type: 'marcusolsson-json-datasource',
        url: 'https://shop.example.com/api',
        basicAuth: true,
        basicAuthUser: 'grafana',
        jsonData: { queryParams: 'tenant=acme&v=2' },
      })
    );
    if ('error' in res) {
      throw new Error(res.error);
    }
    expect(res.plugin).toBe('jsonapi');
    expect(res.jsonData).toEqual({
      auth: { type: 'basic', basicUser: 'grafana' },
      proxy: { queryParams: { tenant: 'acme', v: '2' } },
    });
    expect(res.secrets).toEqual([{ key: 'basicAuthPassword', from: 'basicAuthPassword' }]);
  });

  it('maps OAuth2 and API keys', () => {
    const o = importSettings(
      JSON.stringify({
        type: 'yesoreyeram-infinity-datasource',
        url: 'https://a.example.com',
        jsonData: {
          auth_method: 'oauth2',
          oauth2: {
            oauth2_type: 'client_credentials',
            client_id: 'c',
            token_url: 'https://a.example.com/t',
            scopes: ['r'],
          },
        },
      })
    );
    expect('error' in o ? o.error : o.jsonData.auth).toEqual({
      type: 'oauth2',
      oauth2: { tokenUrl: 'https://a.example.com/t', clientId: 'c', scopes: ['r'] },
    });
    const k = importSettings(
      JSON.stringify({
        type: 'yesoreyeram-infinity-datasource',
        url: 'https://a',
        jsonData: { auth_method: 'apiKey', apiKeyKey: 'k', apiKeyType: 'query' },
      })
    );
    expect('error' in k ? k.error : k.jsonData.auth).toEqual({ type: 'apiKey', apiKeyName: 'k', apiKeyIn: 'query' });
  });

  it('refuses other input with a reason', () => {
    expect(importSettings('{')).toEqual({ error: expect.stringContaining('Not valid JSON') });
    expect(importSettings('{"type":"prometheus"}')).toEqual({ error: expect.stringContaining('type is "prometheus"') });
  });

  it('names upstreams as relay-migrate does', () => {
    expect(upstreamName('https://Status.Example.org:8443/x')).toBe('status-example-org');
    expect(upstreamName('https://10.0.0.1')).toBe('u-10-0-0-1');
  });
});
