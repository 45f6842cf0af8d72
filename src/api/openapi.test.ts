import fs from 'fs';
import path from 'path';

import { routesFromOpenAPI, upstreamPathsFromOpenAPI } from './openapi';
import { ROUTE_NAMES } from './settings.gen';

/**
 * The editors read the served document: the route list (route overrides) must name only the route table's routes,
 * even when the document describes a named upstream's proxy paths and a configured action as paths of their own.
 */
const NAMED = path.resolve(__dirname, '../../pkg/resources/testdata/openapi.named.golden.json');

describe('routesFromOpenAPI on a document with a named upstream and an action', () => {
  const doc = JSON.parse(fs.readFileSync(NAMED, 'utf8'));

  it('lists the route table only: no per-upstream or per-action entries', () => {
    const names = routesFromOpenAPI(doc).map((r) => r.name);
    expect(names.sort()).toEqual([...ROUTE_NAMES].sort());
    expect(routesFromOpenAPI(doc).find((r) => r.name === 'proxy')?.methods).toContain('POST');
  });

  it('offers no templated path as an upstream path', () => {
    expect(upstreamPathsFromOpenAPI(doc).filter((p) => p.path.includes('{'))).toEqual([]);
  });
});
