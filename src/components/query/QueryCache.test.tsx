import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import React, { useState } from 'react';

import { FakeBackend, installFakeBackend } from '../../test/backend';
import { testDataSource } from '../../test/instance';
import { RelayQuery } from '../../types/query';
import { cacheSummary } from './PreviewPanel';
import { QueryEditor } from './QueryEditor';

jest.setTimeout(20000);
const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });

const FRAME = { schema: { fields: [{ name: 'calls', type: 'number' }] }, data: { values: [[1]] } };

function fakeRelay(cache?: object): FakeBackend {
  const b = installFakeBackend();
  b.on('GET info', {
    data: {
      plugin: {},
      datasource: {},
      caller: { login: 'viewer', role: 'Viewer' },
      routes: [],
      proxyRules: [
        { path: '/', methods: ['GET'], minRole: 'Viewer' },
        { path: '/api/cacheable', methods: ['GET'], minRole: 'Viewer', cacheTTL: '30s' },
      ],
    },
  });
  b.on('GET openapi.json', { data: { openapi: '3.0.3', paths: {} } });
  b.on('GET schema', { data: { fields: [] } });
  b.on('POST transform', { data: { frames: [FRAME], notices: [], ...(cache ? { cache } : {}) } });
  return b;
}

function renderEditor(initial: Partial<RelayQuery>) {
  const latest = { current: { refId: 'A', ...initial } as RelayQuery };
  function Host() {
    const [q, setQ] = useState(latest.current);
    return (
      <QueryEditor
        datasource={testDataSource()}
        query={q}
        onRunQuery={jest.fn()}
        onChange={(n) => {
          latest.current = n;
          setQ(n);
        }}
      />
    );
  }
  render(<Host />);
  return latest;
}

const transformCalls = (b: FakeBackend) => b.requests.filter((r) => r.url.endsWith('/resources/transform'));

describe('query cache in the editor', () => {
  it("shows the rule's TTL as the default and sends the query's own", async () => {
    const b = fakeRelay();
    const latest = renderEditor({ path: '/api/cacheable', cacheTTL: '', params: { a: '1' } });
    const ttl = screen.getByLabelText('Cache TTL');
    await waitFor(() => expect(ttl).toHaveAttribute('placeholder', '30s (rule)'));
    type(ttl, '5m');
    type(screen.getByLabelText('Stale while revalidate'), '1h');
    expect(latest.current).toMatchObject({ cacheTTL: '5m', staleWhileRevalidate: '1h' });
    await waitFor(
      () =>
        expect(
          transformCalls(b).some((r) => (r.data as { source?: { cacheTTL?: string } }).source?.cacheTTL === '5m')
        ).toBe(true),
      { timeout: 5000 }
    );
    const last = transformCalls(b).at(-1)!.data as { source: Record<string, unknown> };
    expect(last.source).toMatchObject({ cacheTTL: '5m', staleWhileRevalidate: '1h' });
    // Cleared: the field leaves the query (the rule's TTL applies again).
    type(ttl, '');
    expect(latest.current.cacheTTL).toBeUndefined();
  });

  it('marks a duration the backend cannot read', async () => {
    fakeRelay();
    renderEditor({ path: '/x', cacheTTL: 'soon', params: { a: '1' } });
    expect(await screen.findByText('A duration such as 30s, 5m or 1h')).toBeInTheDocument();
  });

  it('the preview says which TTL applies and whether the answer came from the cache', async () => {
    fakeRelay({ ttl: '30s', from: 'rule /api/cacheable', perUser: false, result: 'hit', ageSeconds: 7 });
    renderEditor({ path: '/api/cacheable' });
    expect(await screen.findByTestId('preview-cache', {}, { timeout: 5000 })).toHaveTextContent(
      'Cached for 30s (the proxy rule /api/cacheable). This answer was served from the cache (age 7s).'
    );
  });

  it('summarises every outcome', () => {
    const base = { ttl: '5m0s', from: 'query', perUser: true };
    expect(cacheSummary({ ...base, result: 'miss' })).toBe(
      "Cached for 5m0s (this query's cacheTTL), per user. This answer was fetched from the upstream."
    );
    expect(cacheSummary({ ...base, staleWhileRevalidate: '1m0s', result: 'stale', ageSeconds: 400 })).toBe(
      "Cached for 5m0s (this query's cacheTTL), then served stale up to 1m0s while refreshing, per user. This answer was served stale (age 400s) while a refresh runs."
    );
    expect(cacheSummary({ ...base, result: 'coalesced' })).toMatch(/shared with an identical query/);
    expect(cacheSummary({ ...base, result: 'remote_hit', ageSeconds: 2 })).toMatch(/another replica \(age 2s\)/);
  });
});
