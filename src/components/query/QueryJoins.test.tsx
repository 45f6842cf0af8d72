import { fireEvent, screen, waitFor } from '@testing-library/react';

import { fakeRelay, renderQueryEditor, transformBodies } from '../../test/queryEditor';
import { button, radio, type, userEvent } from '../../test/ui';
import { RelayQuery } from '../../types/query';

jest.setTimeout(20000);

/** The editor of query A in a panel whose other queries are `others`. */
const renderPanel = (initial: Partial<RelayQuery>, others: RelayQuery[]) =>
  renderQueryEditor(initial, { others }).latest;

describe('joins and dependent requests', () => {
  it('adds a join step with a refId picked from the panel, keys and kind, and previews with the input', async () => {
    const b = fakeRelay();
    const hosts: RelayQuery = { refId: 'B', data: [{ host: 'a', dc: 'eu' }] };
    const latest = renderPanel({ data: [{ host: 'a', cpu: 1 }], source: 'inline' }, [hosts]);
    await userEvent.click(button('Join query'));
    // The refId input suggests the panel's other queries (B), not this one (A).
    const ref = screen.getByLabelText('Step 1 join query');
    expect(ref).toHaveAttribute('placeholder', 'B');
    type(ref, 'B');
    type(screen.getByLabelText('Step 1 join key 1'), 'host');
    type(screen.getByLabelText('Step 1 join key 2'), 'dc');
    fireEvent.click(radio('Left'));
    expect(latest.current.pipeline?.steps).toEqual([{ type: 'join', query: 'B', on: ['host', 'dc'], how: 'left' }]);
    // Clearing a key removes it.
    type(screen.getByLabelText('Step 1 join key 2'), '');
    expect(latest.current.pipeline?.steps).toEqual([{ type: 'join', query: 'B', on: ['host'], how: 'left' }]);
    await waitFor(() =>
      expect(transformBodies(b).at(-1)).toEqual({
        data: [{ host: 'a', cpu: 1 }],
        pipeline: { format: 'json', steps: [{ type: 'join', query: 'B', on: ['host'], how: 'left' }] },
        inputs: { B: { data: [{ host: 'a', dc: 'eu' }], pipeline: {} } },
      })
    );
  });

  it('adds an append step', async () => {
    fakeRelay();
    const latest = renderPanel({ data: [{ k: 1 }], source: 'inline' }, [{ refId: 'C', path: '/x' }]);
    await userEvent.click(button('Append query'));
    type(screen.getByLabelText('Step 1 append query'), 'C');
    expect(latest.current.pipeline?.steps).toEqual([{ type: 'append', query: 'C' }]);
  });

  it('edits forEach: the query, field, column and max, says when {{field}} is missing, and turns it off', async () => {
    fakeRelay();
    const latest = renderPanel({ path: '/api/items' }, [{ refId: 'L', path: '/api/items' }]);
    await userEvent.click(screen.getByText('Request options'));
    await userEvent.click(screen.getByLabelText('For each'));
    type(screen.getByLabelText('For each query'), 'L');
    type(screen.getByLabelText('For each field'), 'id');
    type(screen.getByLabelText('For each max'), '20');
    expect(latest.current.forEach).toEqual({ query: 'L', field: 'id', max: 20 });
    // The value's column defaults to the field (its placeholder says so) and may be named.
    const column = screen.getByLabelText('For each column');
    expect(column).toHaveAttribute('placeholder', 'id');
    type(column, 'itemId');
    expect(latest.current.forEach).toEqual({ query: 'L', field: 'id', max: 20, column: 'itemId' });
    type(column, '');
    expect(latest.current.forEach).not.toHaveProperty('column');
    expect(screen.getByText('Put {{id}} in the path, params, headers or body')).toHaveAttribute('role', 'alert');
    type(screen.getByLabelText('Path'), '/api/items/{{id}}');
    await waitFor(() => expect(screen.queryByText(/Put \{\{id\}\}/)).not.toBeInTheDocument());
    await userEvent.click(screen.getByLabelText('For each'));
    expect(latest.current.forEach).toBeUndefined();
  });
});
