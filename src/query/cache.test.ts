import { effectiveTTL, isDuration, matchRule } from './cache';

const rules = [
  { path: '/', methods: ['GET'] },
  { path: '/api/', methods: ['GET'], cacheTTL: '1m' },
  { path: '/api/cacheable', methods: ['GET'], cacheTTL: '30s' },
  { path: '/api/items', methods: ['POST'] },
  { path: '/reports*', methods: ['GET'], cacheTTL: '5m' },
];

describe('query cache TTL', () => {
  it('reads the durations the backend reads', () => {
    for (const ok of ['30s', '1m30s', '500ms', '1d', '2w', '45', '', '0s']) {
      expect(isDuration(ok)).toBe(true);
    }
    for (const bad of ['soon', '1M', '1y', '30 s', '-5s', 's']) {
      expect(isDuration(bad)).toBe(false);
    }
  });

  it('matches rules as the backend does: exact, longest prefix, then star', () => {
    expect(matchRule(rules, '/api/cacheable', 'GET')?.cacheTTL).toBe('30s');
    expect(matchRule(rules, '/api/cacheable?x=1', 'HEAD')?.cacheTTL).toBe('30s');
    expect(matchRule(rules, '/api/items', 'GET')?.path).toBe('/api/');
    expect(matchRule(rules, '/reports/2024', 'GET')?.path).toBe('/');
    expect(matchRule(rules, '/reportsX', 'GET')?.path).toBe('/');
    expect(matchRule([{ path: '/reports*', methods: ['GET'] }], '/reportsX', 'GET')?.path).toBe('/reports*');
    expect(matchRule(rules, '/other', 'DELETE')).toBeUndefined();
  });

  it("takes the query's own TTL first, then its GET rule's", () => {
    expect(effectiveTTL({ refId: 'A', path: '/api/cacheable', cacheTTL: '5m' }, rules)).toEqual({
      ttl: '5m',
      from: 'query',
    });
    expect(effectiveTTL({ refId: 'A', path: '/api/cacheable' }, rules)).toEqual({
      ttl: '30s',
      from: 'rule /api/cacheable',
    });
    expect(effectiveTTL({ refId: 'A', path: '/api/cacheable', cacheTTL: '0s' }, rules)).toEqual({});
    // A rule's TTL applies to GET and HEAD queries only.
    expect(effectiveTTL({ refId: 'A', path: '/api/cacheable', method: 'POST' }, rules)).toEqual({});
    expect(effectiveTTL({ refId: 'A', path: '/x' }, rules)).toEqual({});
  });
});
