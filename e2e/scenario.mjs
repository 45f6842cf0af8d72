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
        await shot(page, 'config-editor-actions-dark', { focus: actions });
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
      name: 'query editor: an XML body read by element path and reshaped by a jq step',
      run: async (page) => {
        const query = {
          method: 'GET',
          path: '/api/catalogue.xml',
          format: 'table',
          pipeline: {
            format: 'xml',
            root: '/catalogue/item',
            columns: [
              { name: 'id', selector: '@id', type: 'number' },
              { name: 'name' },
              { name: 'price', selector: 'price.#text', type: 'number' },
              { name: 'currency', selector: 'price.@currency' },
            ],
            steps: [{ type: 'jq', expr: 'map(select(.price > 50)) | sort_by(-.price)' }],
          },
        };
        await open(page, {
          editor: 'query',
          uid: 'relay-e2e',
          theme: 'dark',
          user: 'viewer',
          query: JSON.stringify(query),
        });
        const table = page.getByRole('table', { name: 'Preview rows' });
        await table.locator('tbody tr').first().waitFor({ timeout: TIMEOUT });
        assert.equal(
          await page.getByLabel('Step 1 jq program').inputValue(),
          'map(select(.price > 50)) | sort_by(-.price)'
        );
        assert.equal(await page.getByLabel('Rows at', { exact: true }).inputValue(), '/catalogue/item');
        // The backend read the XML and ran jq: every price over 50, highest first.
        const heads = await table.locator('thead th').allTextContents();
        const price = heads.findIndex((h) => h.startsWith('price'));
        assert.ok(price >= 0, `a price column: ${heads}`);
        const prices = (await table.locator(`tbody tr td:nth-child(${price + 1})`).allTextContents()).map(Number);
        assert.ok(prices.length > 0 && prices.every((p) => p > 50), `prices > 50: ${prices}`);
        assert.deepEqual(
          prices,
          [...prices].sort((a, b) => b - a)
        );
        await shot(page, 'query-editor-xml-dark');
      },
    },
    {
      name: 'config editor: named upstreams, each with its own authentication kind; the backend checks each one',
      run: async (page) => {
        await open(page, { editor: 'config', uid: 'relay-upstreams', theme: 'dark' });
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        const upstreams = section(page, 'Upstreams');
        const kinds = { billing: 'Digest', search: 'AWS SigV4' };
        for (const [i, [name, kind]] of Object.entries(kinds).entries()) {
          const card = page.getByTestId(`upstream-${i + 1}`);
          // Several upstreams start collapsed: open each one.
          await card.getByText(new RegExp(`^${name} — http`)).click();
          assert.equal(await card.getByLabel(`Upstream ${i + 1} name`).inputValue(), name);
          const radio = section(page, `${name}: authentication`).getByRole('radio', { name: kind, exact: true });
          assert.ok(await radio.isChecked(), `${name} uses ${kind}`);
        }
        // Saved secrets are shown as configured, never as values.
        assert.equal(
          await section(page, 'search: authentication').getByLabel('Secret access key').inputValue(),
          'configured'
        );
        await shot(page, 'config-editor-upstreams-dark', { focus: upstreams });
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
      name: 'a panel query with $var and ${var:csv} becomes an alert rule query with the values, which the backend runs',
      run: async (page) => {
        // The dev host has no alerting UI: the harness does what "New alert rule" from a panel does with the query.
        const panel = {
          path: '/api/items',
          pagination: { mode: 'cursor', cursorPath: 'next_cursor' },
          pipeline: {
            root: 'items',
            steps: [
              { type: 'filter', expr: 'category in $cats' },
              { type: 'groupBy', by: ['category'], aggregates: [{ op: 'count' }] },
              { type: 'compute', name: 'picked', expr: '"${cats:csv}"' },
            ],
          },
        };
        await open(page, {
          editor: 'alert',
          uid: 'relay-e2e',
          user: 'viewer',
          query: JSON.stringify(panel),
          vars: JSON.stringify({ cats: ['books', 'garden'] }),
        });
        const out = page.getByTestId('alert-result');
        await out.getByText(/alertAnswer/).waitFor({ timeout: TIMEOUT });
        const { alert, panelAnswer, alertAnswer } = JSON.parse(await out.textContent());
        assert.deepEqual(alert.pipeline.steps[0], { type: 'filter', expr: 'category in ["books", "garden"]' });
        assert.equal(alert.pipeline.steps[2].expr, '"books,garden"');
        // The panel's query as it is, without a dashboard: Relay refuses the unresolved variable.
        assert.equal(panelAnswer.results.A.status, 400);
        assert.match(panelAnswer.results.A.error, /unresolved_variable/);
        // The copied query runs: two categories of 50 items, and the csv-formatted value.
        const frame = alertAnswer.results.A.frames[0];
        const fields = Object.fromEntries(frame.schema.fields.map((f, i) => [f.name, frame.data.values[i]]));
        assert.deepEqual(fields, {
          category: ['books', 'garden'],
          count: [50, 50],
          picked: ['books,garden', 'books,garden'],
        });
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
      name: "playground: the GraphQL field is Monaco, completing from the upstream's schema and marking an unknown field",
      run: async (page) => {
        // Through the shipped module.js: Monaco is the host's (@grafana/ui's, bundled by the shell), not the plugin's,
        // and loaded from the dev host, never from a CDN.
        const offHost = [];
        const watch = (r) => !r.url().startsWith(devhost) && !r.url().startsWith('data:') && offHost.push(r.url());
        page.on('request', watch);
        try {
          // The search upstream's rule lets Viewers POST /api/graphql; the demo API answers introspection.
          const q = {
            source: 'graphql',
            method: 'POST',
            upstream: 'search',
            path: '/api/graphql',
            graphql: { query: '' },
          };
          const schemaRead = page.waitForResponse((r) => r.url().includes('/resources/graphql/schema'), {
            timeout: TIMEOUT,
          });
          await page.goto(`${devhost}/?ds=relay-upstreams&page=query&query=${encodeURIComponent(JSON.stringify(q))}`);
          assert.equal((await schemaRead).status(), 200);
          const editor = page
            .locator('.monaco-editor')
            .filter({ has: page.getByRole('textbox', { name: 'GraphQL query' }) });
          await editor.waitFor({ timeout: TIMEOUT });
          await editor.locator('.view-lines').click();
          // Typed as a user types (Monaco closes the braces), then completion asked for with Ctrl+Space.
          await page.keyboard.type('{ items { ');
          await page.keyboard.press('Control+Space');
          const suggest = page.locator('.suggest-widget');
          for (const field of ['nodes', 'totalCount', 'pageInfo']) {
            await suggest.getByText(field, { exact: true }).waitFor({ timeout: TIMEOUT });
          }
          // Typing filters; Enter inserts the field.
          await page.keyboard.type('tot');
          await suggest.getByText('totalCount', { exact: true }).waitFor();
          assert.equal(await suggest.getByText('nodes', { exact: true }).count(), 0);
          await page.keyboard.press('Enter');
          await page.waitForFunction(() =>
            document.querySelector('.monaco-editor .view-lines')?.textContent?.includes('totalCount')
          );
          // Monaco closed both braces as they were typed.
          assert.match(
            (await editor.locator('.view-lines').textContent()).replace(/\u00a0/g, ' '),
            /^\{ items \{ ?totalCount ?\}\}$/
          );
          assert.equal(await editor.locator('.squiggly-error').count(), 0);
          // Hovering a field says its type.
          await editor.locator('.view-lines').getByText('totalCount', { exact: true }).hover();
          await page
            .locator('.monaco-hover')
            .getByText('ItemConnection.totalCount: Int!')
            .waitFor({ timeout: TIMEOUT });

          // An unknown field: a squiggle under it, and the message in the list under the field.
          await page.keyboard.press('Control+A');
          await page.keyboard.type('{ items { totl'); // → { items { totl}}
          await editor.locator('.squiggly-error').first().waitFor({ timeout: TIMEOUT });
          await page.getByText(/Line 1:11: Cannot query field "totl" on type "ItemConnection"/).waitFor();
          // Hovering the squiggle says what is wrong.
          const box = await editor.locator('.squiggly-error').first().boundingBox();
          await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 4);
          await page
            .locator('.monaco-hover')
            .getByText(/Cannot query field "totl"/)
            .waitFor({ timeout: TIMEOUT });
          // Fixed, the marker goes.
          await page.keyboard.press('Control+A');
          await page.keyboard.type('{ items(first: 2) { totalCount');
          await page.waitForFunction(() => !document.querySelector('.monaco-editor .squiggly-error'), undefined, {
            timeout: TIMEOUT,
          });
          await page.keyboard.press('Escape');
          await shot(page, 'playground-graphql-dark');
        } finally {
          page.off('request', watch);
        }
        assert.deepEqual(offHost, [], 'requests that did not go to the dev host');
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
    {
      name: 'playground: an Admin adds a login upstream (path, token path, password secret) and saves; Save & test logs in',
      run: async (page) => {
        await page.goto(`${devhost}/?ds=relay-upstreams&page=config`);
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        const demoURL = await page.getByLabel('Upstream URL').inputValue();
        await section(page, 'Upstreams').getByRole('button', { name: 'Add upstream', exact: true }).click();
        const card = page.getByTestId('upstream-3');
        const name = card.getByLabel('Upstream 3 name');
        await name.fill('shop');
        await name.blur();
        await card.getByLabel('Upstream 3 URL').fill(demoURL);
        // The demo API's /login/data answers only with the token: health proves the login worked.
        await card.getByLabel('Upstream 3 health path').fill('/login/data');
        const auth = section(page, 'shop: authentication');
        await radio(auth, 'Login').click();
        await auth.getByLabel('Login path').fill('/login/json');
        // The editor starts from a user/password body whose password is the secret {{secure.password}}.
        await auth.getByLabel('login field 1 value').fill('demo');
        await auth.getByLabel('Secret password').fill('demo-login-pass');
        await auth.getByLabel('Token path').fill('auth.token');
        // The demo API is on loopback: this upstream's own network policy must allow it.
        await section(page, 'shop: network policy').getByLabel('Allow private networks').check({ force: true });
        await page.getByRole('button', { name: 'Save & test' }).click();
        await page
          .getByTestId('save-result')
          .getByText(/^Saved: version \d+\./)
          .waitFor({ timeout: TIMEOUT });
        await page.getByText(/^Saved settings work/).waitFor({ timeout: TIMEOUT });
        // What Save & test said, from the dev host as Grafana answers it: every upstream works, shop's health path
        // included, which answers 200 only to a request carrying the token its login got.
        const health = await (await page.request.get(`${devhost}/api/datasources/uid/relay-upstreams/health`)).json();
        assert.equal(health.status, 'OK', health.message);
        assert.match(health.message, /^All 4 upstreams reachable/);
        const saved = await (await page.request.get(`${devhost}/api/datasources/uid/relay-upstreams`)).json();
        const shop = saved.jsonData.upstreams.find((u) => u.name === 'shop');
        assert.equal(shop.auth.type, 'login');
        assert.deepEqual(shop.auth.login.body, { username: 'demo', password: '{{secure.password}}' });
        assert.equal(shop.auth.login.tokenPath, 'auth.token');
        assert.equal(saved.secureJsonFields['upstreams.shop.login.password'], true);
        assert.ok(!JSON.stringify(saved).includes('demo-login-pass'), 'the password is never sent back');
      },
    },
  ];
}
