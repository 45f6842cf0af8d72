import { fireEvent, screen, waitFor } from '@testing-library/react';
import { of } from 'rxjs';

import { testDataSource } from '../../test/instance';
import { fakeRelay, renderQueryEditor, transformBodies } from '../../test/queryEditor';
import { hasRadio, radio, type, userEvent } from '../../test/ui';
import { RelayQuery } from '../../types/query';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { variablesProblem } from './GraphQLEditor';
import { QueryEditor } from './QueryEditor';
import { parseProperties, VariableQueryEditor } from './VariableQueryEditor';

jest.setTimeout(20000);

const renderWith = (Editor: typeof QueryEditor, initial: Partial<RelayQuery>) =>
  renderQueryEditor(initial, { Editor }).latest;

describe('query sources', () => {
  it('edits a GraphQL query with its variables, says when they are not JSON, and previews it as a source', async () => {
    const b = fakeRelay();
    const latest = renderWith(QueryEditor, { path: '/api/graphql' });
    await userEvent.click(radio('GraphQL'));
    type(screen.getByLabelText('GraphQL query'), '{ items { nodes { id } } }');
    type(screen.getByLabelText('GraphQL variables'), '{"first": ');
    expect((await screen.findByText(/Variables are not valid JSON/)).closest('[role="alert"]')).not.toBeNull();
    type(screen.getByLabelText('GraphQL variables'), '{"first": 10}');
    await waitFor(() => expect(screen.queryByText(/Variables are not valid JSON/)).not.toBeInTheDocument());
    expect(latest.current).toMatchObject({
      source: 'graphql',
      method: 'POST',
      graphql: { query: '{ items { nodes { id } } }', variables: '{"first": 10}' },
    });
    expect(hasRadio('GET')).toBe(false);
    await waitFor(
      () =>
        expect(transformBodies(b).at(-1)).toMatchObject({
          source: { method: 'POST', path: '/api/graphql', graphql: { query: '{ items { nodes { id } } }' } },
        }),
      { timeout: 5000 }
    );
  });

  it('previews inline data without an upstream source', async () => {
    const b = fakeRelay();
    const latest = renderWith(QueryEditor, {});
    await userEvent.click(radio('Inline data'));
    expect(screen.queryByLabelText('Path')).not.toBeInTheDocument();
    type(screen.getByLabelText('Inline data text'), 'a,b\n1,2');
    expect(latest.current.data).toBe('a,b\n1,2');
    await waitFor(() => expect(transformBodies(b).at(-1)).toEqual({ data: 'a,b\n1,2', pipeline: { format: 'json' } }), {
      timeout: 5000,
    });
  });

  it('offers the logs, trace and node graph formats and list pagination with a target', async () => {
    fakeRelay();
    const latest = renderWith(QueryEditor, { path: '/api/values' });
    await userEvent.click(radio('Logs'));
    expect(latest.current.format).toBe('logs');
    await userEvent.click(screen.getByText('Request options'));
    await userEvent.click(radio('List of values'));
    const values = screen.getByLabelText('Pagination Values');
    type(values, 'web-1, $hosts');
    fireEvent.blur(values);
    type(screen.getByLabelText('Pagination Value parameter'), 'X-Host');
    await userEvent.click(radio('Header'));
    expect(latest.current.pagination).toEqual({
      mode: 'list',
      values: ['web-1', '$hosts'],
      valueParam: 'X-Host',
      in: 'header',
    });
    expect(hasRadio('GraphQL variable')).toBe(false);
  });

  it('runs queries without a path when they have inline data or a GraphQL document', () => {
    fakeRelay();
    const ds = testDataSource();
    expect(ds.filterQuery({ refId: 'A', data: 'a\n1' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', graphql: { query: '{ a }' } })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', graphql: { query: ' ' } })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', data: '' })).toBe(false);
  });

  it('validates GraphQL variables text', () => {
    expect(variablesProblem('')).toBeUndefined();
    expect(variablesProblem('{"a": 1}')).toBeUndefined();
    expect(variablesProblem('[1]')).toMatch(/JSON object/);
    expect(variablesProblem('{a}')).toMatch(/not valid JSON/);
  });
});

describe('variable and annotation editors', () => {
  it('maps text, value and properties of a variable query, and the query applies them as a rename step', async () => {
    const b = fakeRelay();
    const latest = renderWith(VariableQueryEditor as never, { path: '/api/items', pipeline: { root: 'items' } });
    type(screen.getByLabelText('Text field'), 'name');
    type(screen.getByLabelText('Value field'), 'id');
    const props = screen.getByLabelText('Variable properties');
    type(props, 'kind=category');
    fireEvent.blur(props);
    expect(latest.current.variable).toEqual({ text: 'name', value: 'id', properties: { kind: 'category' } });
    expect(parseProperties('a=b, =x, c=')).toEqual({ a: 'b' });

    const ds = testDataSource();
    const sent: unknown[] = [];
    jest.spyOn(Object.getPrototypeOf(Object.getPrototypeOf(ds)), 'query').mockImplementation((req: unknown) => {
      sent.push(req);
      return of({ data: [] });
    });
    (ds.variables as unknown as { query: (r: unknown) => unknown }).query({ targets: [latest.current] });
    expect((sent[0] as { targets: RelayQuery[] }).targets[0].pipeline).toEqual({
      root: 'items',
      steps: [{ type: 'rename', map: { name: 'text', id: 'value', category: 'kind' } }],
    });
    expect(b).toBeDefined();
  });

  it('maps annotation fields, and prepareQuery turns them into a rename step', () => {
    fakeRelay();
    const latest = renderWith(AnnotationQueryEditor as never, { path: '/api/items' });
    type(screen.getByLabelText('Time field'), 'created_at');
    type(screen.getByLabelText('Title field'), 'name');
    type(screen.getByLabelText('Tags field'), 'tags');
    expect(latest.current.annotation).toEqual({ time: 'created_at', title: 'name', tags: 'tags' });
    const ds = testDataSource();
    const q = ds.annotations!.prepareQuery!({ target: latest.current } as never) as RelayQuery;
    expect(q.pipeline?.steps).toEqual([{ type: 'rename', map: { created_at: 'time', name: 'title' } }]);
  });
});
