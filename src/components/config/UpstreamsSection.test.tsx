import { fireEvent, screen, within } from '@testing-library/react';

import { installFakeBackend, UID } from '../../test/backend';
import { renderConfigEditor, testSettings } from '../../test/configEditor';
import { button, type, userEvent } from '../../test/ui';
import { RelayJsonData, RelaySettings } from '../../types/settings';
import { upstreamNameError } from './UpstreamCard';

jest.setTimeout(20000);
const card = (n: number) => within(screen.getByTestId(`upstream-${n}`));
const inSection = (scope: ReturnType<typeof within>, title: string) =>
  within(scope.getByLabelText(title, { selector: 'section' }));

const settings = (jsonData: RelayJsonData, secureJsonFields: Record<string, boolean> = {}) =>
  testSettings({ jsonData, secureJsonFields });

function renderEditor(initial: RelaySettings, healthMessage?: string) {
  const backend = installFakeBackend();
  backend.on(
    `GET /api/datasources/uid/${UID}/health`,
    healthMessage
      ? { status: 400, data: { status: 'ERROR', message: healthMessage } }
      : { data: { status: 'OK', message: 'ok' } }
  );
  backend.on('GET openapi.json', { data: { openapi: '3.0.3', paths: {} } });
  return renderConfigEditor(initial);
}

describe('UpstreamsSection', () => {
  it('adds a named upstream with SigV4; its secrets are namespaced and the default upstream is untouched', async () => {
    const latest = renderEditor(settings({ auth: { type: 'bearer' } }, { bearerToken: true }));
    await userEvent.click(button('Add upstream'));
    const name = card(1).getByLabelText('Upstream 1 name');
    type(name, 'aws');
    fireEvent.blur(name);
    type(card(1).getByLabelText('Upstream 1 URL'), 'https://abc.execute-api.eu-west-1.amazonaws.com/prod');
    const auth = inSection(card(1), 'aws: authentication');
    await userEvent.click(auth.getByLabelText('AWS SigV4'));
    type(auth.getByLabelText('Region'), 'eu-west-1');
    type(auth.getByLabelText('Service'), 'execute-api');
    type(auth.getByLabelText('Access key ID'), 'AKIDEXAMPLE');
    type(auth.getByLabelText('Secret access key'), 'secret-1');

    const o = latest.current;
    expect(o.jsonData.upstreams).toEqual([
      {
        name: 'aws',
        url: 'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
        auth: { type: 'sigv4', sigv4: { region: 'eu-west-1', service: 'execute-api' } },
      },
    ]);
    expect(o.secureJsonData?.['upstreams.aws.sigV4AccessKey']).toBe('AKIDEXAMPLE');
    expect(o.secureJsonData?.['upstreams.aws.sigV4SecretKey']).toBe('secret-1');
    expect(o.jsonData.auth).toEqual({ type: 'bearer' });
    expect(o.secureJsonFields.bearerToken).toBe(true);
  });

  it('turns forwarding of the Grafana ID token on per upstream, off by default', async () => {
    const latest = renderEditor(settings({ upstreams: [{ name: 'tickets', url: 'https://t.example.com' }] }));
    const fwd = card(1).getByLabelText('Upstream 1 forwards Grafana ID token');
    expect(fwd).not.toBeChecked();
    await userEvent.click(fwd);
    expect(latest.current.jsonData.upstreams?.[0].forwardGrafanaIdToken).toBe(true);
    expect(latest.current.jsonData.forwardGrafanaIdToken).toBeUndefined();
    await userEvent.click(screen.getByLabelText('Forward Grafana ID token'));
    expect(latest.current.jsonData.forwardGrafanaIdToken).toBe(true);
    await userEvent.click(card(1).getByLabelText('Upstream 1 forwards Grafana ID token'));
    expect(latest.current.jsonData.upstreams?.[0]).not.toHaveProperty('forwardGrafanaIdToken');
  });

  it('renames on blur: saved secrets are reset (they never reach the browser), actions follow', async () => {
    const latest = renderEditor(
      settings(
        {
          upstreams: [{ name: 'billing', url: 'https://b.example', auth: { type: 'bearer' } }],
          actions: [{ name: 'pay', method: 'POST', path: '/pay', upstream: 'billing' }],
        },
        { 'upstreams.billing.bearerToken': true }
      )
    );
    const auth = inSection(card(1), 'billing: authentication');
    expect((auth.getByLabelText('Token') as HTMLInputElement).value).toBe('configured');
    expect(card(1).getByText('Renaming clears its saved secrets: enter them again.')).toBeInTheDocument();
    const name = card(1).getByLabelText('Upstream 1 name');
    type(name, 'Bad Name');
    expect(card(1).getByText(/Lower-case letters/)).toBeInTheDocument();
    fireEvent.blur(name);
    expect(latest.current.jsonData.upstreams?.[0].name).toBe('billing'); // an invalid name is not committed
    type(name, 'payments');
    fireEvent.blur(name);
    const o = latest.current;
    expect(o.jsonData.upstreams?.[0].name).toBe('payments');
    expect(o.jsonData.actions?.[0].upstream).toBe('payments');
    expect(o.secureJsonFields['upstreams.billing.bearerToken']).toBe(false);
    expect(o.secureJsonData?.['upstreams.billing.bearerToken']).toBe('');
  });

  it('asks before removing an upstream that actions use, and removes them with it', async () => {
    const latest = renderEditor(
      settings(
        {
          upstreams: [{ name: 'billing', url: 'https://b.example', auth: { type: 'bearer' } }],
          actions: [
            { name: 'pay', method: 'POST', path: '/pay', upstream: 'billing' },
            { name: 'ping', method: 'GET', path: '/ping' },
          ],
        },
        { 'upstreams.billing.bearerToken': true }
      )
    );
    await userEvent.click(button('Remove upstream billing', card(1)));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/These actions call it and are removed too: pay\./)).toBeInTheDocument();
    expect(latest.current.jsonData.upstreams).toHaveLength(1); // nothing changes before the confirmation
    await userEvent.click(button('Remove', within(dialog)));
    const o = latest.current;
    expect(o.jsonData.upstreams).toBeUndefined();
    expect(o.jsonData.actions?.map((a) => a.name)).toEqual(['ping']);
    expect(o.secureJsonFields['upstreams.billing.bearerToken']).toBe(false);
  });

  it("shows the backend's messages inside the upstream they are about", async () => {
    renderEditor(
      settings({
        auth: { type: 'bearer' },
        upstreams: [{ name: 'aws', url: 'https://a.example', auth: { type: 'sigv4', sigv4: { service: 'es' } } }],
      }),
      'Settings are invalid: jsonData.upstreams[0].auth.sigv4.region: required for sigv4 auth (e.g. eu-west-1); secureJsonData.upstreams.aws.sigV4SecretKey: sigV4AccessKey and sigV4SecretKey are required with authMode keys; secureJsonData.bearerToken: required for bearer auth'
    );
    const auth = inSection(card(1), 'aws: authentication');
    // The health check answers after the first render; findBy's 1 s default is short on a loaded machine.
    expect(
      await auth.findByText('required for sigv4 auth (e.g. eu-west-1)', {}, { timeout: 5000 })
    ).toBeInTheDocument();
    expect(auth.getByText(/sigV4AccessKey and sigV4SecretKey are required/)).toBeInTheDocument();
    // The default upstream's message stays with the default upstream.
    expect(auth.queryByText('required for bearer auth')).not.toBeInTheDocument();
    const top = within(document.querySelector('section[aria-label="Authentication"]') as HTMLElement);
    expect(top.getByText('required for bearer auth')).toBeInTheDocument();
  });

  it.each([
    ['billing', [], undefined],
    ['default', [], /data source's own upstream/],
    ['_x', [], /Lower-case/],
    ['a'.repeat(64), [], /Lower-case/],
    ['hr', ['hr'], /Another upstream/],
  ])('name %s', (name, others, want) => {
    const got = upstreamNameError(name as string, others as string[]);
    if (want) {
      expect(got).toMatch(want as RegExp);
    } else {
      expect(got).toBeUndefined();
    }
  });
});
