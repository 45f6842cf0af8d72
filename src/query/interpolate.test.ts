import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { RelayQuery } from '../types/query';
import { interpolateQuery } from './interpolate';
import { withMapping } from './mapping';

/** A TemplateSrv with Grafana's grammar and format-function contract, over fixed variables. */
function fakeTemplateSrv(vars: Record<string, string | string[]>): TemplateSrv {
  const re = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
  return {
    replace: (s: string, _sv?: ScopedVars, format?: string | ((v: unknown) => string)) =>
      (s ?? '').replace(re, (m, a, b, _bf, c) => {
        const name = a ?? b ?? c;
        if (!(name in vars)) {
          return m;
        }
        const v = vars[name];
        return typeof format === 'function' ? format(v) : Array.isArray(v) ? `{${v.join(',')}}` : v;
      }),
  } as unknown as TemplateSrv;
}

const t = fakeTemplateSrv({
  cat: 'books',
  evil: 'a" || true || "',
  cats: ['books', 'games'],
  ids: ['1', '2'],
  min: '10',
  host: 'web 1/a',
  q: 'a?admin=1&y',
  hosts: ['web-1', 'web-2'],
});
const run = (q: Partial<RelayQuery>) => interpolateQuery({ refId: 'A', ...q }, {}, t);

describe('interpolateQuery', () => {
  it('keeps a quoted value one string in an expression: no expression injection', () => {
    const q = run({ pipeline: { steps: [{ type: 'filter', expr: 'category == "$evil"' }] } });
    expect(q.pipeline?.steps?.[0]).toEqual({ type: 'filter', expr: 'category == "a\\" || true || \\""' });
  });

  it('makes unquoted values literals: numbers stay numbers, strings are quoted, multi-values are arrays', () => {
    const q = run({
      pipeline: {
        steps: [
          { type: 'filter', expr: 'category in $cats && id in $ids && price > $min && name == $evil' },
          { type: 'compute', name: 'c', expr: '"$cat" + "/" + string($min)' },
        ],
      },
    });
    expect(q.pipeline?.steps).toEqual([
      {
        type: 'filter',
        expr: 'category in ["books", "games"] && id in [1, 2] && price > 10 && name == "a\\" || true || \\""',
      },
      { type: 'compute', name: 'c', expr: '"books" + "/" + string(10)' },
    ]);
  });

  it("leaves expr-lang's $env and jq's own variables alone; jq gets ${var} as JSON", () => {
    const q = run({
      pipeline: {
        steps: [
          { type: 'filter', expr: '$env["my-field"] == "$cat"' },
          { type: 'jq', expr: '. as $cat | map(select(.c == ${cats}))' } as never,
        ],
      },
    });
    expect(q.pipeline?.steps).toEqual([
      { type: 'filter', expr: '$env["my-field"] == "books"' },
      { type: 'jq', expr: '. as $cat | map(select(.c == ["books","games"]))' },
    ]);
  });

  it('reads a jq root as code: its own $vars stay, ${var} becomes JSON; a gjson root stays text', () => {
    const jq = run({ pipeline: { rootSyntax: 'jq', root: '.items[] as $cat | select($cat.c == ${cat})' } });
    expect(jq.pipeline?.root).toBe('.items[] as $cat | select($cat.c == "books")');
    const gjson = run({ pipeline: { root: 'data.$cat' } });
    expect(gjson.pipeline?.root).toBe('data.books');
  });

  it('interpolates root, columns and groupBy keys as text', () => {
    const q = run({
      pipeline: {
        root: 'data.$cat',
        columns: [{ name: '$cat', selector: 'tags.$cat' }],
        steps: [{ type: 'groupBy', by: ['$cat'], aggregates: [{ op: 'count' }] }],
      },
    });
    expect(q.pipeline).toEqual({
      root: 'data.books',
      columns: [{ name: 'books', selector: 'tags.books' }],
      steps: [{ type: 'groupBy', by: ['books'], aggregates: [{ op: 'count' }] }],
    });
  });

  it('keeps path values (a ? cannot start a query string), encodes query strings, joins or repeats params, writes JSON in bodies', () => {
    expect(run({ path: '/hosts/$host/$q?x=$q&h=$hosts', params: { h: '$hosts', c: '$cat' } })).toMatchObject({
      path: '/hosts/web 1/a/a%3Fadmin=1&y?x=a%3Fadmin%3D1%26y&h=web-1,web-2',
      params: { h: 'web-1,web-2', c: 'books' },
    });
    expect(run({ multiValue: 'repeat', params: { h: '$hosts', x: 'pre-$hosts' } }).params).toEqual({
      h: ['web-1', 'web-2'],
      x: 'pre-web-1,web-2',
    });
    expect(run({ body: '{"cat": "$evil", "hosts": $hosts}' }).body).toBe(
      '{"cat": "a\\" || true || \\"", "hosts": ["web-1","web-2"]}'
    );
    expect(JSON.parse(run({ body: '{"cat": "$evil", "hosts": $hosts}' }).body!)).toEqual({
      cat: 'a" || true || "',
      hosts: ['web-1', 'web-2'],
    });
  });

  it('interpolates each form row on its own, keys and values as text, unknown variables left for the backend', () => {
    expect(
      run({
        bodyType: 'form',
        bodyForm: [
          { key: 'cat', value: '$cat' },
          { key: '${cat}_q', value: '$q' },
          { key: 'hosts', value: '$hosts' },
          { key: 'x', value: '$nope' },
        ],
      }).bodyForm
    ).toEqual([
      { key: 'cat', value: 'books' },
      { key: 'books_q', value: 'a?admin=1&y' },
      { key: 'hosts', value: 'web-1,web-2' },
      { key: 'x', value: '$nope' },
    ]);
  });

  it('interpolates GraphQL (braced only in the document), inline data and list values', () => {
    const q = run({
      graphql: {
        query: 'query($after: String) { items(cat: ${cat}, after: $after) { id } }',
        variables: '{"c": "$cat"}',
      },
      data: 'host\n$cat\n',
      pagination: { mode: 'list', values: ['$hosts', 'fixed', '$cat'], valueParam: 'h' },
    });
    expect(q.graphql).toEqual({
      query: 'query($after: String) { items(cat: "books", after: $after) { id } }',
      variables: '{"c": "books"}',
    });
    expect(q.data).toBe('host\nbooks\n');
    expect(q.pagination?.values).toEqual(['web-1', 'web-2', 'fixed', 'books']);
  });

  it('leaves unknown variables for the backend to name', () => {
    expect(run({ path: '/x/$nope', pipeline: { steps: [{ type: 'filter', expr: 'a == "$nope"' }] } })).toMatchObject({
      path: '/x/$nope',
      pipeline: { steps: [{ type: 'filter', expr: 'a == "$nope"' }] },
    });
  });
});

describe('withMapping', () => {
  it('appends one rename step for the mapped fields', () => {
    const q = withMapping(
      { refId: 'A', pipeline: { steps: [{ type: 'limit', count: 5 }] } },
      { text: 'name', value: 'id', properties: { region: 'dc' } }
    );
    expect(q.pipeline?.steps).toEqual([
      { type: 'limit', count: 5 },
      { type: 'rename', map: { name: 'text', id: 'value', dc: 'region' } },
    ]);
    expect(withMapping({ refId: 'A' }, { time: 'time', title: '' })).toEqual({ refId: 'A' });
  });
});
