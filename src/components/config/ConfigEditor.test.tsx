import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';

import { installFakeBackend, UID } from '../../test/backend';
import { renderConfigEditor, testSettings } from '../../test/configEditor';
import { button, radio, type, userEvent } from '../../test/ui';

// The whole form re-renders per change, as in Grafana; typing char by char in jsdom is slow, so text is set at once.
jest.setTimeout(20000);
// Role queries and pointer checks walk the accessibility tree of the whole (large) form: scope them to a section.
// Combobox's menu watches its scroll edges; jsdom has no IntersectionObserver (jest-setup.js stubs only ResizeObserver).
if (!globalThis.IntersectionObserver) {
  globalThis.IntersectionObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
    takeRecords() {
      return [];
    }
  } as unknown as typeof IntersectionObserver;
}
const section = (title: string) => within(document.querySelector(`section[aria-label="${title}"]`) as HTMLElement);

/**
 * Picks a Combobox option the way a keyboard user does: type to filter, Enter takes the first match.
 * (jsdom has no layout, so the virtualized option list renders no rows to click.)
 */
async function pickClass(combobox: HTMLElement, name: string) {
  await userEvent.click(combobox);
  type(combobox, name);
  await userEvent.keyboard('{Enter}');
}

function healthy(backend: ReturnType<typeof installFakeBackend>) {
  backend.on(`GET /api/datasources/uid/${UID}/health`, {
    data: { status: 'OK', message: 'Upstream https://api.example.com reachable (HTTP 200 on /)' },
  });
  backend.on('GET openapi.json', { data: OPENAPI });
}

/** A backend whose health check refuses the settings with `message` (CheckHealth's "Settings are invalid: ..."). */
function invalidSettings(message: string) {
  const backend = installFakeBackend();
  backend.on('GET openapi.json', { data: OPENAPI });
  backend.on(`GET /api/datasources/uid/${UID}/health`, { status: 400, data: { status: 'ERROR', message } });
}

const OPENAPI = {
  openapi: '3.0.3',
  paths: {
    '/info': { get: { operationId: 'info', 'x-relay-min-role': 'Viewer' } },
    '/audit': { get: { operationId: 'audit', 'x-relay-min-role': 'Admin' } },
    '/proxy/{path}': {
      get: { operationId: 'proxy.get', 'x-relay-min-role': 'Viewer' },
      post: { operationId: 'proxy.post', 'x-relay-min-role': 'Viewer' },
    },
  },
};

describe('ConfigEditor', () => {
  it('edits the upstream URL and flags URLs the backend would refuse', async () => {
    const backend = installFakeBackend();
    healthy(backend);
    const latest = renderConfigEditor(testSettings({ url: '' }));
    // A data source Grafana just created has no URL: no health check to show yet.
    expect(backend.requests.some((r) => r.url.endsWith('/health'))).toBe(false);
    const url = section('Upstream API').getByLabelText('Upstream URL');
    type(url, 'https://user:pw@api.example.com');
    expect(await section('Upstream API').findByText(/Do not put credentials in the URL/)).toBeInTheDocument();
    type(url, 'https://api.example.com/v1');
    expect(latest.current.url).toBe('https://api.example.com/v1');
    expect(section('Upstream API').queryByText(/Do not put credentials/)).not.toBeInTheDocument();
  });

  // One test per step, each with its own render: getByRole over the whole
  // editor is slow in jsdom, and one long test hit jest's limit on a busy machine.
  it('keeps a configured secret write-only, with reset', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(
      testSettings({ secureJsonFields: { bearerToken: true }, jsonData: { auth: { type: 'bearer' } } })
    );
    // A configured secret shows as "configured" with a Reset button, never its value.
    const token = section('Authentication').getByLabelText('Token') as HTMLInputElement;
    expect(token.value).toBe('configured');
    expect(token).toBeDisabled();
    await userEvent.click(button('Reset', section('Authentication')));
    expect(latest.current.secureJsonFields.bearerToken).toBe(false);

    await userEvent.click(radio('Basic', section('Authentication')));
    expect(latest.current.jsonData.auth?.type).toBe('basic');
    type(section('Authentication').getByLabelText('User'), 'demo');
    type(section('Authentication').getByLabelText('Password'), 'demo-pass');
    expect(latest.current.jsonData.auth?.basicUser).toBe('demo');
    expect(latest.current.secureJsonData?.basicAuthPassword).toBe('demo-pass');
    expect(JSON.stringify(latest.current.jsonData)).not.toContain('demo-pass');
  });

  it('resets the secret the old auth type used when the type changes', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(
      testSettings({
        secureJsonFields: { basicAuthPassword: true },
        jsonData: { auth: { type: 'basic', basicUser: 'demo' } },
      })
    );
    await userEvent.click(radio('API key', section('Authentication')));
    expect(section('Authentication').getByLabelText('Header name')).toBeInTheDocument();
    expect(section('Authentication').getByLabelText('Key')).toBeInTheDocument();
    expect(latest.current.secureJsonFields.basicAuthPassword).toBe(false);
  });

  it('shows the OAuth2 fields and sets oauthPassThru only for Forward OAuth', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    await userEvent.click(radio('OAuth2', section('Authentication')));
    expect(section('Authentication').getByLabelText('Token URL')).toBeInTheDocument();
    expect(section('Authentication').getByLabelText('Client secret')).toBeInTheDocument();

    await userEvent.click(radio('Forward OAuth', section('Authentication')));
    expect(latest.current.jsonData.oauthPassThru).toBe(true);
    await userEvent.click(radio('None', section('Authentication')));
    expect(latest.current.jsonData.oauthPassThru).toBeUndefined();
  });

  it('explains the network risk and warns when private networks are allowed', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    expect(section('Network policy').getByText('Why this matters (SSRF)')).toBeInTheDocument();
    expect(section('Network policy').getByText(/169\.254\.169\.254/)).toBeInTheDocument();
    await userEvent.click(section('Network policy').getByLabelText('Allow private networks'));
    expect(latest.current.jsonData.network?.allowPrivateNetworks).toBe(true);
    expect(section('Network policy').getByText('All private networks are reachable')).toBeInTheDocument();
  });

  it('edits proxy rules inline: path, methods and minimum role', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    expect(section('Proxy rules').getByText(/Default: Viewers may/)).toBeInTheDocument();
    await userEvent.click(button(/Customize rules/, section('Proxy rules')));
    expect(latest.current.jsonData.proxy?.rules).toEqual([{ path: '/', methods: ['GET', 'HEAD'], minRole: 'Viewer' }]);

    await userEvent.click(button(/Add rule/, section('Proxy rules')));
    const row = screen.getByTestId('proxy-rule-2');
    const path = within(row).getByLabelText('Rule 2 path');
    type(path, '/api/items/');
    const methods = within(row).getByLabelText('Rule 2 methods', { selector: 'fieldset, [role="group"]' });
    await userEvent.click(button('POST', within(methods)));
    await userEvent.click(button('DELETE', within(methods)));
    await userEvent.click(radio('Editor', within(row)));
    expect(latest.current.jsonData.proxy?.rules?.[1]).toEqual({
      path: '/api/items/',
      methods: ['GET', 'POST', 'DELETE'],
      minRole: 'Editor',
    });

    type(within(row).getByLabelText('Rule 2 cache TTL'), '30x');
    expect(section('Proxy rules').getByText(/Use a duration like/)).toBeInTheDocument();

    await userEvent.click(button('Remove rule 1', within(screen.getByTestId('proxy-rule-1'))));
    expect(latest.current.jsonData.proxy?.rules).toHaveLength(1);
  });

  it('lists routes from the OpenAPI document and stores role overrides', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    const proxy = screen.getByTestId('route-proxy');
    expect(await within(proxy).findByText('GET, POST /proxy/{path}')).toBeInTheDocument();
    // The current minimum role comes from the document.
    expect(within(screen.getByTestId('route-audit')).getAllByText('Admin')).toHaveLength(2);
    await userEvent.click(radio('Editor', within(proxy)));
    expect(latest.current.jsonData.routes).toEqual({ proxy: { minRole: 'Editor' } });
    await userEvent.click(radio('Default', within(proxy)));
    expect(latest.current.jsonData.routes).toBeUndefined();
  });

  it('shows the error when the route list cannot be loaded', async () => {
    const backend = installFakeBackend();
    backend.on(`GET /api/datasources/uid/${UID}/health`, { data: { status: 'OK', message: 'ok' } });
    backend.on('GET openapi.json', {
      status: 500,
      data: { error: 'boom: route table unavailable', code: 'internal', status: 500 },
    });
    renderConfigEditor(testSettings());
    expect(await screen.findByText(/Could not load routes: boom: route table unavailable/)).toBeInTheDocument();
    // The known route names still let the admin set overrides.
    expect(screen.getByTestId('route-transform')).toBeInTheDocument();
  });

  it('generates an API key in the browser, shows it once, and stores only its salted hash', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    await userEvent.click(button(/Add API key/, section('API keys')));
    type(section('API keys').getByLabelText('API key 1 name'), 'ci-bot');
    await userEvent.click(button(/Generate/, section('API keys')));
    const shown = (await section('API keys').findByLabelText('New API key')) as HTMLInputElement;
    const key = shown.value;
    expect(key).toMatch(/^rly_[A-Za-z0-9_-]{40,}$/);
    const stored = latest.current.secureJsonData?.['apiKeyHash.ci-bot'] ?? '';
    expect(stored).toMatch(/^sha256:[0-9a-f]{32}:[0-9a-f]{64}$/);
    expect(JSON.stringify(latest.current)).not.toContain(key);
    expect(latest.current.jsonData.apiKeys).toEqual([{ name: 'ci-bot' }]);
    expect(button(/Copy/, section('API keys'))).toBeInTheDocument();
    // The name is fixed once a hash is stored under it.
    expect(section('API keys').getByLabelText('API key 1 name')).toBeDisabled();

    // Dismissed, the key is gone for good.
    await userEvent.click(button(/close/i, within(screen.getByTestId('new-api-key'))));
    expect(section('API keys').queryByDisplayValue(key)).not.toBeInTheDocument();

    await userEvent.click(button('Remove API key 1', section('API keys')));
    expect(latest.current.jsonData.apiKeys).toBeUndefined();
    expect(latest.current.secureJsonData?.['apiKeyHash.ci-bot']).toBe('');
  });

  it('edits named actions with typed parameters', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    await userEvent.click(button(/Add action/, section('Actions')));
    const name = section('Actions').getByLabelText('Action 1 name');
    type(name, 'restart');
    await userEvent.click(button(/Add parameter/, section('Actions')));
    type(section('Actions').getByLabelText('Parameter 1 name'), 'id');
    await userEvent.click(radio('integer', section('Actions')));
    type(section('Actions').getByLabelText('Parameter 1 min'), '1');
    const body = section('Actions').getByLabelText('Action 1 body');
    fireEvent.change(body, { target: { value: '{"force": true' } });
    fireEvent.blur(body);
    expect(section('Actions').getByText(/Not valid JSON/)).toBeInTheDocument();
    fireEvent.change(body, { target: { value: '{"force": true}' } });
    fireEvent.blur(body);
    expect(latest.current.jsonData.actions?.[0]).toEqual({
      name: 'restart',
      method: 'POST',
      path: '/',
      minRole: 'Editor',
      body: { force: true },
      params: [{ name: 'id', type: 'integer', min: 1 }],
    });
  });

  it("shows the backend's CheckHealth message and puts each field error next to its input", async () => {
    invalidSettings(
      'Settings are invalid: jsonData.timeouts.dial: must not be negative; jsonData.proxy.rules[0].methods[0]: unknown method "get" (use upper case, e.g. GET); secureJsonData.bearerToken: required for bearer auth'
    );
    renderConfigEditor(
      testSettings({
        jsonData: {
          auth: { type: 'bearer' },
          timeouts: { dial: '1s' },
          proxy: { rules: [{ path: '/', methods: ['get'] }] },
        },
      })
    );
    const status = await screen.findByTestId('health-status');
    expect(within(status).getByText('The backend rejected the saved settings')).toBeInTheDocument();
    expect(within(status).getByText('jsonData.timeouts.dial')).toBeInTheDocument();
    // Next to the inputs:
    expect(within(status).getByTestId('health-field-errors')).toHaveTextContent(
      'secureJsonData.bearerToken: required for bearer auth'
    );
    expect(section('Timeouts').getByText('must not be negative')).toBeInTheDocument();
    expect(section('Authentication').getByText('required for bearer auth')).toBeInTheDocument();
    expect(
      within(screen.getByTestId('proxy-rule-1').nextElementSibling as HTMLElement).getByText(/unknown method "get"/)
    ).toBeInTheDocument();
  });

  it('reports a health check that could not run, with a retry', async () => {
    const backend = installFakeBackend();
    backend.on('GET openapi.json', { data: OPENAPI });
    let calls = 0;
    backend.on(`GET /api/datasources/uid/${UID}/health`, () =>
      ++calls === 1
        ? { status: 503, data: { message: 'plugin unavailable' } }
        : { data: { status: 'OK', message: 'reachable' } }
    );
    renderConfigEditor(testSettings());
    expect(await screen.findByText('plugin unavailable')).toBeInTheDocument();
    await act(async () => userEvent.click(button(/Check again/, within(screen.getByTestId('health-error')))));
    await waitFor(() => expect(screen.getByText('Saved settings work')).toBeInTheDocument());
  });

  it('adds a rate class row from the default rate and edits its class and rate', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(
      testSettings({ jsonData: { rateLimits: { default: { perSecond: 20, burst: 40 } } } })
    );
    const limits = section('Limits');
    expect(limits.getByText(/per user login and class.*429 with a Retry-After/)).toBeInTheDocument();

    // A new row starts from the default rate, so it never blocks the class by accident.
    await userEvent.click(button(/Add class/, limits));
    expect(latest.current.jsonData.rateLimits?.classes).toEqual({ read: { perSecond: 20, burst: 40 } });

    const row = screen.getByTestId('rate-class-1');
    await pickClass(within(row).getByLabelText('Class 1', { selector: 'input' }), 'write');
    type(within(row).getByLabelText('Class 1 requests per second'), '5');
    type(within(row).getByLabelText('Class 1 burst'), '10');
    expect(latest.current.jsonData.rateLimits?.classes).toEqual({ write: { perSecond: 5, burst: 10 } });
    expect(latest.current.jsonData.rateLimits?.default).toEqual({ perSecond: 20, burst: 40 });
  });

  it('adds the next rate class row with the first class still free, and removes rows', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(
      testSettings({
        jsonData: {
          rateLimits: { default: { perSecond: 20, burst: 40 }, classes: { write: { perSecond: 5, burst: 10 } } },
        },
      })
    );
    const limits = section('Limits');
    // The next row takes the first class still free; renaming keeps the row order.
    await userEvent.click(button(/Add class/, limits));
    type(within(screen.getByTestId('rate-class-2')).getByLabelText('Class 2 requests per second'), '');
    expect(latest.current.jsonData.rateLimits?.classes).toEqual({
      write: { perSecond: 5, burst: 10 },
      read: { burst: 40 },
    });
    expect(
      within(screen.getByTestId('rate-class-2').nextElementSibling as HTMLElement).getByText(/Set requests per second/)
    ).toBeInTheDocument();

    await userEvent.click(button('Remove class 1', within(screen.getByTestId('rate-class-1'))));
    expect(latest.current.jsonData.rateLimits?.classes).toEqual({ read: { burst: 40 } });
    await userEvent.click(button('Remove class 1', within(screen.getByTestId('rate-class-1'))));
    expect(latest.current.jsonData.rateLimits).not.toHaveProperty('classes');
  });

  it('edits how long idle callers are remembered', () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(testSettings());
    const limits = section('Limits');
    type(limits.getByLabelText('Forget idle callers after'), '30m');
    expect(latest.current.jsonData.rateLimits?.idleTTL).toBe('30m');
    type(limits.getByLabelText('Forget idle callers after'), '30 minutes');
    expect(limits.getByText(/Use a duration like/)).toBeInTheDocument();
    type(limits.getByLabelText('Forget idle callers after'), '');
    expect(latest.current.jsonData.rateLimits).not.toHaveProperty('idleTTL');
  });

  it('offers only the classes without a rate and disables "Add class" when every class has one', async () => {
    healthy(installFakeBackend());
    const r = { perSecond: 1, burst: 1 };
    const latest = renderConfigEditor(
      testSettings({ jsonData: { rateLimits: { classes: { read: r, write: r, transform: r } } } })
    );
    const class1 = within(screen.getByTestId('rate-class-1')).getByLabelText('Class 1', { selector: 'input' });
    // "write" has its own row, so row 1 cannot take it...
    await pickClass(class1, 'write');
    expect(Object.keys(latest.current.jsonData.rateLimits?.classes ?? {})).toEqual(['read', 'write', 'transform']);
    // ...but the free "action" it can, in place.
    await pickClass(class1, 'action');
    expect(Object.keys(latest.current.jsonData.rateLimits?.classes ?? {})).toEqual(['action', 'write', 'transform']);

    await userEvent.click(button(/Add class/, section('Limits')));
    expect(latest.current.jsonData.rateLimits?.classes?.read).toEqual({ perSecond: 50, burst: 100 });
    // "query", the class every upstream call of a query is charged to, is the last free one.
    await userEvent.click(button(/Add class/, section('Limits')));
    expect(latest.current.jsonData.rateLimits?.classes?.query).toEqual({ perSecond: 50, burst: 100 });
    expect(button(/Add class/, section('Limits'))).toBeDisabled();
  });

  it('sets the audit ring size within 1..100000 and shows the backend error for rate classes', async () => {
    invalidSettings(
      'Settings are invalid: jsonData.rateLimits.classes.write: must not be negative; jsonData.audit.ringSize: must be between 1 and 100000'
    );
    const latest = renderConfigEditor(
      testSettings({ jsonData: { rateLimits: { classes: { write: { perSecond: 2 } } }, audit: { ringSize: 200000 } } })
    );
    await screen.findByTestId('health-status');
    const limits = section('Limits');
    expect(limits.getByText('must be between 1 and 100000', { exact: false })).toBeInTheDocument();
    expect(
      within(screen.getByTestId('rate-class-1').nextElementSibling as HTMLElement).getByText(/must not be negative/)
    ).toBeInTheDocument();

    const ring = limits.getByLabelText('Audit entries kept');
    expect(limits.getByText(/kept in memory for GET \/audit/)).toBeInTheDocument();
    type(ring, '5000');
    expect(latest.current.jsonData.audit).toEqual({ ringSize: 5000 });
    type(ring, '0');
    expect(limits.getByText('Must be between 1 and 100000')).toBeInTheDocument();
    type(ring, '');
    expect(latest.current.jsonData.audit).toEqual({});
  });

  it('edits custom headers as Grafana httpHeaderName/httpHeaderValue pairs', async () => {
    healthy(installFakeBackend());
    const latest = renderConfigEditor(
      testSettings({
        jsonData: { httpHeaderName1: 'X-A', httpHeaderName2: 'X-B' },
        secureJsonFields: { httpHeaderValue1: true, httpHeaderValue2: true },
      })
    );
    await userEvent.click(section('Upstream API').getAllByLabelText('Remove header', { selector: 'button' })[0]);
    expect(latest.current.jsonData).toEqual({ httpHeaderName1: 'X-B' });
    // The shifted header's value cannot be moved (it is write-only), so it must be entered again.
    expect(latest.current.secureJsonFields.httpHeaderValue1).toBe(false);
  });
});
