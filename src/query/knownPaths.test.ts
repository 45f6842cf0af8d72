import { knownQueryPath } from './knownPaths';

const jd = {
  openapi: {
    queries: [
      { path: '/api/items', root: 'items', fields: [{ name: 'id', type: 'int64' }] },
      { path: '/api/items/{id}', root: '', fields: [{ name: 'name', type: 'string' }] },
      { path: '/api/items', upstream: 'billing', root: 'data', fields: [] },
    ],
  },
};

describe('knownQueryPath', () => {
  it('finds an exact path, else a template whose placeholders match one segment each, per upstream', () => {
    expect(knownQueryPath(jd, '/api/items')?.root).toBe('items');
    expect(knownQueryPath(jd, '/api/items?limit=5')?.root).toBe('items');
    expect(knownQueryPath(jd, '/api/items/42')?.fields[0].name).toBe('name');
    expect(knownQueryPath(jd, '/api/items/42/comments')).toBeUndefined();
    expect(knownQueryPath(jd, '/api/items', 'billing')?.root).toBe('data');
    expect(knownQueryPath(jd, '/api/other')).toBeUndefined();
    expect(knownQueryPath(undefined, '/api/items')).toBeUndefined();
  });
});
