import { screen, waitFor } from '@testing-library/react';

import { fakeRelay as fakeRelayWith, renderQueryEditor, transformBodies } from '../../test/queryEditor';
import { type } from '../../test/ui';
import { RelayQuery } from '../../types/query';
import { cacheSummary } from './PreviewPanel';

jest.setTimeout(20000);

const FRAME = { schema: { fields: [{ name: 'calls', type: 'number' }] }, data: { values: [[1]] } };

/** A backend whose proxy rule for /api/cacheable has a cacheTTL; `cache` is what the preview's answer says of it. */
const fakeRelay = (cache?: object) =>
  fakeRelayWith({
    info: {
      proxyRules: [
        { path: '/', methods: ['GET'], minRole: 'Viewer' },
        { path: '/api/cacheable', methods: ['GET'], minRole: 'Viewer', cacheTTL: '30s' },
      ],
    },
    transform: { frames: [FRAME], ...(cache ? { cache } : {}) },
  });

const renderEditor = (initial: Partial<RelayQuery>) => renderQueryEditor(initial).latest;

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
        expect(transformBodies(b).some((r) => (r.source as { cacheTTL?: string } | undefined)?.cacheTTL === '5m')).toBe(
          true
        ),
      { timeout: 5000 }
    );
    const last = transformBodies(b).at(-1)!;
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
