// The browser test's steps. Each gets the page helpers and throws on failure.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';

const TIMEOUT = 15000;

export function steps({ base, devhost, shot }) {
  const open = async (page, params) => {
    await page.goto(`${base}/?${new URLSearchParams(params)}`);
    await page.locator('#harness').waitFor();
  };
  const section = (page, title) => page.locator(`section[aria-label="${title}"]`);
  const saved = async (page) => JSON.parse(await page.getByTestId('saved-options').textContent());
  // RadioButtonGroup hides its inputs under styled labels.
  const signIn = async (page, login) => {
    await page.goto(`${devhost}/logout`); // ends any session, lands on /login
    await page.locator('#login-user').fill(login);
    await page.locator('#login-password').fill(login);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('signed-in-as').getByText(`Signed in as ${login}`).waitFor({ timeout: TIMEOUT });
  };
  // The README's query: every item over cursor pagination, counted per category.
  const groupByQuery = {
    path: '/api/items',
    pagination: { mode: 'cursor', cursorPath: 'next_cursor' },
    pipeline: { root: 'items', steps: [{ type: 'groupBy', by: ['category'], aggregates: [{ op: 'count' }] }] },
  };
  const radio = (scope, label) => ({
    click: () => scope.getByRole('radio', { name: label, exact: true }).check({ force: true }),
  });

  return [
    {
      name: 'config editor loads the saved settings and the backend says they work',
      run: async (page) => {
        await open(page, { editor: 'config', uid: 'relay-e2e', theme: 'dark' });
        // Healthy; the backend warns that the demo API is plain HTTP.
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        await page.getByText(/Upstream http:\/\/127\.0\.0\.1:\d+ reachable/).waitFor();
        assert.equal(
          await page.getByLabel('Upstream URL').inputValue(),
          await page.evaluate(() => document.querySelector('#relay-url').value)
        );
        // Routes come from the running Relay's /openapi.json.
        await page.getByTestId('route-audit').getByText('GET /audit').waitFor({ timeout: TIMEOUT });
        // The configured bearer token is write-only.
        assert.equal(
          await section(page, 'Authentication').getByLabel('Token', { exact: true }).inputValue(),
          'configured'
        );
      },
    },
    {
      name: 'config editor: fill auth, timeouts, network, a proxy rule, a route override, an API key, an action with a parameter and a rate class',
      run: async (page) => {
        const auth = section(page, 'Authentication');
        await radio(auth, 'Basic').click();
        await auth.getByLabel('User').fill('demo');
        await auth.getByLabel('Password').fill('demo-pass');
        await section(page, 'Timeouts').getByLabel('Connect').fill('3s');
        await section(page, 'Network policy').getByPlaceholder('Add CIDR and press Enter').fill('10.20.0.0/16');
        await section(page, 'Network policy').getByPlaceholder('Add CIDR and press Enter').press('Enter');

        const proxy = section(page, 'Proxy rules');
        await proxy.getByRole('button', { name: 'Add rule', exact: true }).click();
        const rule = page.getByTestId('proxy-rule-5');
        await rule.getByLabel('Rule 5 path').fill('/api/items/');
        await rule.getByRole('group', { name: 'Rule 5 methods' }).getByRole('button', { name: 'DELETE' }).click();
        await radio(rule, 'Admin').click();

        await radio(page.getByTestId('route-transform'), 'Editor').click();

        const keys = section(page, 'API keys');
        await keys.getByRole('button', { name: 'Add API key', exact: true }).click();
        await keys.getByLabel('API key 1 name').fill('ci-bot');
        await keys.getByRole('button', { name: 'Generate', exact: true }).click();
        const key = await page.getByLabel('New API key').inputValue();
        assert.match(key, /^rly_[A-Za-z0-9_-]{43}$/);

        const actions = section(page, 'Actions');
        await actions.getByRole('button', { name: 'Add action', exact: true }).click();
        await actions.getByLabel('Action 2 name').fill('restock');
        await actions.getByLabel('Action 2 path').fill('/api/items');
        // Action 1 is open too, with a parameter table of its own: the last "Add parameter" is action 2's.
        await actions.getByRole('button', { name: 'Add parameter', exact: true }).last().click();
        const params = actions.getByRole('table', { name: 'Action 2 parameters' });
        await params.getByLabel('Parameter 1 name').fill('count');
        await radio(params, 'integer').click();
        await params.getByLabel('Parameter 1 min').fill('1');

        const limits = section(page, 'Limits');
        await limits.getByRole('button', { name: 'Add class', exact: true }).click();
        await page.getByTestId('rate-class-1').getByLabel('Class 1 burst').fill('7');

        const o = await saved(page);
        assert.equal(o.jsonData.auth.type, 'basic');
        assert.equal(o.jsonData.auth.basicUser, 'demo');
        assert.equal(o.secureJsonData.basicAuthPassword, 'demo-pass');
        assert.equal(o.secureJsonFields.bearerToken, false, 'switching away from bearer resets its token');
        assert.equal(o.jsonData.timeouts.dial, '3s');
        assert.deepEqual(o.jsonData.network.allowedCIDRs, ['10.20.0.0/16']);
        assert.deepEqual(o.jsonData.proxy.rules[4], {
          path: '/api/items/',
          methods: ['GET', 'DELETE'],
          minRole: 'Admin',
        });
        assert.deepEqual(o.jsonData.routes, { transform: { minRole: 'Editor' } });
        assert.deepEqual(o.jsonData.apiKeys, [{ name: 'ci-bot' }]);
        assert.equal(o.jsonData.actions[1].name, 'restock');
        assert.deepEqual(o.jsonData.actions[1].params, [{ name: 'count', type: 'integer', min: 1 }]);
        assert.deepEqual(o.jsonData.rateLimits.classes, { read: { perSecond: 50, burst: 7 } });
        // Only the salted hash is stored, in the form the backend verifies: sha256:<salt>:<SHA-256(salt || key)>.
        const [alg, salt, hash] = o.secureJsonData['apiKeyHash.ci-bot'].split(':');
        assert.equal(alg, 'sha256');
        assert.ok(salt.length >= 32);
        assert.equal(
          createHash('sha256')
            .update(Buffer.concat([Buffer.from(salt, 'hex'), Buffer.from(key)]))
            .digest('hex'),
          hash
        );
        assert.ok(!JSON.stringify(o).includes(key), 'the key itself is never stored');

        await shot(page, 'config-editor-dark');
      },
    },
    {
      name: "config editor shows the backend's messages for rejected settings next to the fields",
      run: async (page) => {
        await open(page, { editor: 'config', uid: 'relay-broken', theme: 'dark' });
        const status = page.getByTestId('health-status');
        await status.getByText('The backend rejected the saved settings').waitFor({ timeout: TIMEOUT });
        await status.getByText('jsonData.timeouts.dial').waitFor();
        await section(page, 'Timeouts').getByText('must not be negative').waitFor();
        await section(page, 'Authentication').getByText('required for bearer auth').waitFor();
        await page
          .getByText(/unknown method "get"/)
          .first()
          .waitFor();
        await shot(page, 'config-editor-rejected-dark');
      },
    },
    {
      name: 'config editor in the light theme',
      run: async (page) => {
        await open(page, { editor: 'config', uid: 'relay-e2e', theme: 'light' });
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        await page.getByTestId('route-audit').getByText('GET /audit').waitFor({ timeout: TIMEOUT });
        await shot(page, 'config-editor-light');
      },
    },
    {
      name: 'query editor: path from suggestions, rows at from /schema, live preview through /transform',
      run: async (page) => {
        await open(page, { editor: 'query', uid: 'relay-e2e', theme: 'dark', user: 'viewer' });
        const path = page.getByLabel('Path', { exact: true });
        await path.click();
        await page
          .getByRole('listbox', { name: 'Path suggestions' })
          .getByText('/api/items', { exact: true })
          .click({ timeout: TIMEOUT });
        assert.equal(await path.inputValue(), '/api/items');
        const root = page.getByLabel('Rows at', { exact: true });
        await root.click();
        await page
          .getByRole('listbox', { name: 'Rows at suggestions' })
          .getByText('items', { exact: true })
          .click({ timeout: TIMEOUT });
        const table = page.getByRole('table', { name: 'Preview rows' });
        await table.getByText('Red Lamp 001').waitFor({ timeout: TIMEOUT });
        await page
          .getByTestId('preview-summary')
          .getByText(/^\d+ rows, \d+ fields; showing the first 10$/)
          .waitFor();
      },
    },
    {
      name: "query editor: the preview shows the backend's error for a bad expression, then the filtered rows",
      run: async (page) => {
        await page.getByRole('button', { name: 'Filter', exact: true }).click();
        const expr = page.getByLabel('Step 1 filter expression');
        await expr.fill('pric > 50');
        const err = page.getByTestId('preview-error');
        await err.getByText(/unknown name "pric" \(did you mean "price"\?\)/).waitFor({ timeout: TIMEOUT });
        assert.ok(!(await err.textContent()).includes('Failed to call resource'));
        await expr.fill('price > 50');
        await page.getByRole('button', { name: 'Sort', exact: true }).click();
        await page.getByLabel('Step 2 sort field 1').fill('price');
        await page.getByLabel('Step 2 sort 1 descending').check({ force: true });
        await page.getByRole('button', { name: 'Add column' }).click();
        await page.getByLabel('Column 1 selector').click();
        await page
          .getByRole('listbox', { name: 'Column 1 selector suggestions' })
          .getByText('name', { exact: true })
          .click({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Add column' }).click();
        await page.getByLabel('Column 2 selector').click();
        await page
          .getByRole('listbox', { name: 'Column 2 selector suggestions' })
          .getByText('price', { exact: true })
          .click({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Add column' }).click();
        await page.getByLabel('Column 3 selector').click();
        await page
          .getByRole('listbox', { name: 'Column 3 selector suggestions' })
          .getByText('category', { exact: true })
          .click({ timeout: TIMEOUT });
        await page.getByLabel('Path', { exact: true }).click(); // blur: runs the query, closes lists
        await page.keyboard.press('Escape');
        const table = page.getByRole('table', { name: 'Preview rows' });
        await page.waitForFunction(
          () => {
            const t = document.querySelector('table[aria-label="Preview rows"]');
            const heads = t ? [...t.querySelectorAll('th')].map((th) => th.firstChild.textContent) : [];
            return heads.join(',') === 'name,price,category';
          },
          null,
          { timeout: TIMEOUT }
        );
        const prices = await table.locator('tbody tr td:nth-child(2)').allTextContents();
        assert.ok(prices.length > 0 && prices.every((p) => Number(p) > 50), `all prices > 50: ${prices}`);
        assert.deepEqual(
          [...prices].map(Number),
          [...prices].map(Number).sort((a, b) => b - a),
          'sorted descending'
        );
        const model = JSON.parse(await page.getByTestId('query-model').textContent());
        assert.deepEqual(model.pipeline.steps, [
          { type: 'filter', expr: 'price > 50' },
          { type: 'sort', by: [{ field: 'price', desc: true }] },
        ]);
        await shot(page, 'query-editor-dark');
      },
    },
    {
      name: "query editor: a cache TTL in the request options; the preview says the answer's TTL and that it came from the cache",
      run: async (page) => {
        await page.getByText('Request options', { exact: true }).click();
        await page.getByLabel('Cache TTL', { exact: true }).fill('1m');
        const cache = page.getByTestId('preview-cache');
        await cache.getByText(/^Cached for 1m0s \(this query's cacheTTL\)\./).waitFor({ timeout: TIMEOUT });
        await page.getByRole('button', { name: 'Refresh' }).click();
        await cache.getByText(/This answer was served from the cache \(age \d+s\)\.$/).waitFor({ timeout: TIMEOUT });
        const model = JSON.parse(await page.getByTestId('query-model').textContent());
        assert.equal(model.cacheTTL, '1m');
      },
    },
    {
      name: 'query editor in the light theme, from a saved query',
      run: async (page) => {
        const query = {
          method: 'GET',
          path: '/api/items',
          format: 'table',
          pipeline: {
            format: 'json',
            root: 'items',
            columns: [{ name: 'name' }, { name: 'price', type: 'number' }, { name: 'category' }],
            steps: [
              { type: 'filter', expr: 'price > 50' },
              { type: 'sort', by: [{ field: 'price', desc: true }] },
            ],
          },
        };
        await open(page, {
          editor: 'query',
          uid: 'relay-e2e',
          theme: 'light',
          user: 'viewer',
          query: JSON.stringify(query),
        });
        await page
          .getByRole('table', { name: 'Preview rows' })
          .locator('tbody tr')
          .first()
          .waitFor({ timeout: TIMEOUT });
        await shot(page, 'query-editor-light');
      },
    },
    {
      name: 'variable query editor: text and value mapped to result fields; the backend renames them',
      run: async (page) => {
        const query = { path: '/api/items', pipeline: { root: 'items', steps: [{ type: 'limit', count: 3 }] } };
        await open(page, {
          editor: 'variable',
          uid: 'relay-e2e',
          theme: 'dark',
          user: 'viewer',
          query: JSON.stringify(query),
        });
        const mapping = page.getByTestId('relay-variable-mapping');
        await mapping.getByLabel('Text field').fill('name');
        await mapping.getByLabel('Value field').fill('id');
        await page.getByLabel('Variable properties').fill('kind=category');
        await page.getByLabel('Variable properties').blur();
        await page.getByTestId('run-mapped-query').click();
        await page
          .getByTestId('mapped-result')
          .getByText(/"name":"text"/)
          .waitFor({ timeout: TIMEOUT });
        const fields = JSON.parse(await page.getByTestId('mapped-result').textContent());
        const byName = Object.fromEntries(fields.map((f) => [f.name, f.values]));
        assert.deepEqual(byName.value, [1, 2, 3]);
        assert.equal(byName.text[0], 'Red Lamp 001');
        assert.ok(byName.kind, `a kind property: ${JSON.stringify(fields)}`);
        const model = JSON.parse(await page.getByTestId('query-model').textContent());
        assert.deepEqual(model.variable, { text: 'name', value: 'id', properties: { kind: 'category' } });
        await shot(page, 'variable-editor-dark');
      },
    },
    {
      name: 'annotation query editor: time and title mapped to result fields; the backend renames them',
      run: async (page) => {
        const query = { path: '/api/items', pipeline: { root: 'items', steps: [{ type: 'limit', count: 3 }] } };
        await open(page, {
          editor: 'annotation',
          uid: 'relay-e2e',
          theme: 'dark',
          user: 'viewer',
          query: JSON.stringify(query),
        });
        const mapping = page.getByTestId('relay-annotation-mapping');
        await mapping.getByLabel('Time field', { exact: true }).fill('created_at');
        await mapping.getByLabel('Title field', { exact: true }).fill('name');
        await mapping.getByLabel('Text field', { exact: true }).fill('category');
        await page.getByTestId('run-mapped-query').click();
        await page
          .getByTestId('mapped-result')
          .getByText(/"name":"time"/)
          .waitFor({ timeout: TIMEOUT });
        const names = JSON.parse(await page.getByTestId('mapped-result').textContent()).map((f) => f.name);
        for (const n of ['time', 'title', 'text']) {
          assert.ok(names.includes(n), `${n} in ${names}`);
        }
        assert.ok(!names.includes('created_at') && !names.includes('name'), `renamed: ${names}`);
        await shot(page, 'annotation-editor-dark');
      },
    },
    {
      name: "playground: a viewer runs the README's groupBy query through the shipped module.js and sees 5 rows",
      run: async (page) => {
        await page.goto(`${devhost}/`);
        await page.waitForURL(`${devhost}/login`);
        await signIn(page, 'viewer');
        const q = encodeURIComponent(JSON.stringify(groupByQuery));
        await page.goto(`${devhost}/?ds=relay-e2e&page=query&query=${q}`);
        // The plugin's real QueryEditor holds the query.
        assert.equal(await page.getByLabel('Path', { exact: true }).inputValue({ timeout: TIMEOUT }), '/api/items');
        await page.getByRole('button', { name: 'Run query', exact: true }).click();
        const table = page.getByTestId('frame-table-1').getByRole('table', { name: 'Frame 1' });
        await table.waitFor({ timeout: TIMEOUT });
        const rows = await table.getByRole('row').allInnerTexts();
        assert.equal(rows.length, 6, `header and 5 rows: ${JSON.stringify(rows)}`);
        assert.deepEqual(
          rows.slice(1).map((r) => r.split(/\s+/).filter(Boolean)),
          ['books', 'electronics', 'garden', 'kitchen', 'toys'].map((c) => [c, '50'])
        );
        // Explain: the call to /api/ds/query and the pipeline the backend reports having run.
        await page.getByRole('tab', { name: 'Explain' }).click();
        await page.getByText(/^POST \/api\/ds\/query\?ds_type=relay-gateway-datasource.* → HTTP 200/).waitFor();
        assert.match(await page.getByTestId('executed-1').textContent(), /"groupBy"/);
        await shot(page, 'playground-query-dark');
      },
    },
    {
      name: 'playground: for a viewer the config page is read-only, and the dev host refuses a save',
      run: async (page) => {
        await page.goto(`${devhost}/?ds=relay-e2e&page=config`);
        await page.getByTestId('config-read-only').waitFor({ timeout: TIMEOUT });
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        assert.ok(await page.getByLabel('Upstream URL').isDisabled());
        assert.ok(await section(page, 'Proxy rules').getByRole('button', { name: 'Add rule' }).isDisabled());
        assert.equal(await page.getByRole('button', { name: 'Save & test' }).count(), 0);
        // The session cookie authenticates; the role decides.
        const r = await page.request.put(`${devhost}/api/datasources/uid/relay-e2e`, {
          data: { name: 'Relay demo' },
          headers: { Origin: devhost },
        });
        assert.equal(r.status(), 403);
      },
    },
    {
      name: 'playground: an Admin saves the config; the dev host keeps it and the plugin checks the new settings',
      run: async (page) => {
        await signIn(page, 'admin');
        await page.goto(`${devhost}/?ds=relay-e2e&page=config`);
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        await section(page, 'Timeouts').getByLabel('Connect').fill('4s');
        await page.getByRole('button', { name: 'Save & test' }).click();
        await page
          .getByTestId('save-result')
          .getByText(/^Saved: version 1\./)
          .waitFor({ timeout: TIMEOUT });
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        const saved = await (await page.request.get(`${devhost}/api/datasources/uid/relay-e2e`)).json();
        assert.equal(saved.jsonData.timeouts.dial, '4s');
        assert.equal(saved.version, 1);
        assert.deepEqual(saved.secureJsonFields, { bearerToken: true }, 'the token is kept, and only named');
        await shot(page, 'playground-config-dark');
      },
    },
    {
      name: 'playground: an Admin adds a second upstream with SigV4 and saves; the backend checks each upstream',
      run: async (page) => {
        await page.goto(`${devhost}/?ds=relay-e2e&page=config`);
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        const demoURL = await page.getByLabel('Upstream URL').inputValue();
        await section(page, 'Upstreams').getByRole('button', { name: 'Add upstream', exact: true }).click();
        const card = page.getByTestId('upstream-1');
        const name = card.getByLabel('Upstream 1 name');
        await name.fill('aws');
        await name.blur();
        await card.getByLabel('Upstream 1 URL').fill(demoURL);
        const auth = section(page, 'aws: authentication');
        await radio(auth, 'AWS SigV4').click();
        await auth.getByLabel('Region').fill('eu-west-1');
        await auth.getByLabel('Service').fill('execute-api');
        await auth.getByLabel('Access key ID').fill('AKIDE2EEXAMPLE');
        await auth.getByLabel('Secret access key').fill('e2e-sigv4-secret');
        await page.getByRole('button', { name: 'Save & test' }).click();
        await page
          .getByTestId('save-result')
          .getByText(/^Saved: version 2\./)
          .waitFor({ timeout: TIMEOUT });
        // Health checks every upstream and names the one that fails: the new one is on loopback, which its own
        // network policy (not the default upstream's) refuses.
        await page
          .getByText(/upstream aws: /)
          .first()
          .waitFor({ timeout: TIMEOUT });
        const saved = await (await page.request.get(`${devhost}/api/datasources/uid/relay-e2e`)).json();
        assert.deepEqual(saved.jsonData.upstreams, [
          {
            name: 'aws',
            url: demoURL,
            auth: { type: 'sigv4', sigv4: { region: 'eu-west-1', service: 'execute-api' } },
          },
        ]);
        assert.deepEqual(saved.secureJsonFields, {
          bearerToken: true,
          'upstreams.aws.sigV4AccessKey': true,
          'upstreams.aws.sigV4SecretKey': true,
        });
        assert.ok(!JSON.stringify(saved).includes('e2e-sigv4-secret'), 'the secret is never sent back');
      },
    },
  ];
}
