import { fireEvent, render, screen, within } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';
import React, { useState } from 'react';

import { ProxyRule } from '../../types/settings';
import { GraphQLRuleFields } from './GraphQLRuleFields';

const type = (el: HTMLElement, value: string) => fireEvent.change(el, { target: { value } });
const userEvent = userEventLib.setup({ pointerEventsCheck: PointerEventsCheckLevel.Never, delay: null });

/** A rule row's GraphQL cell, controlled as ProxySection controls it (the block absent when off). */
function renderCell(initial: ProxyRule) {
  const latest = { current: initial };
  function Host() {
    const [rule, setRule] = useState(initial);
    return (
      <GraphQLRuleFields
        label="Rule 1"
        value={rule.graphql}
        onChange={(g) => {
          const next = { ...rule };
          g ? (next.graphql = g) : delete next.graphql;
          latest.current = next;
          setRule(next);
        }}
      />
    );
  }
  render(<Host />);
  return latest;
}

describe('GraphQLRuleFields', () => {
  it("edits a rule's GraphQL block: operation types, bounds and introspection", async () => {
    const latest = renderCell({ path: '/graphql', methods: ['POST'], minRole: 'Viewer' });
    expect(screen.queryByRole('group', { name: 'Rule 1 GraphQL operations' })).not.toBeInTheDocument();
    await userEvent.click(screen.getByLabelText('Rule 1 GraphQL-aware'));
    expect(latest.current.graphql).toEqual({ operations: ['query'] });

    const ops = screen.getByRole('group', { name: 'Rule 1 GraphQL operations' });
    expect(within(ops).getByRole('button', { name: 'query' })).toHaveAttribute('aria-pressed', 'true');
    await userEvent.click(within(ops).getByRole('button', { name: 'subscription' }));
    // Empty bounds show the backend's defaults as placeholders and are left out of the settings.
    const depth = screen.getByLabelText('Rule 1 GraphQL max depth');
    const aliases = screen.getByLabelText('Rule 1 GraphQL max aliases');
    expect(depth).toHaveAttribute('placeholder', '10');
    expect(aliases).toHaveAttribute('placeholder', '20');
    type(depth, '6');
    type(aliases, '5');
    await userEvent.click(screen.getByLabelText('Rule 1 GraphQL introspection'));
    expect(latest.current.graphql).toEqual({
      operations: ['query', 'subscription'],
      maxDepth: 6,
      maxAliases: 5,
      introspection: true,
    });

    // Out-of-range values are flagged before saving; clearing a bound restores the default.
    type(depth, '500');
    expect(screen.getByText('Depth must be between 1 and 100')).toBeInTheDocument();
    type(depth, '');
    expect(latest.current.graphql?.maxDepth).toBeUndefined();
    await userEvent.click(within(ops).getByRole('button', { name: 'query' }));
    await userEvent.click(within(ops).getByRole('button', { name: 'subscription' }));
    expect(latest.current.graphql?.operations).toEqual([]);
    expect(screen.getByText(/No operation type/)).toBeInTheDocument();

    // Off removes the block: the rule allows any document again.
    await userEvent.click(screen.getByLabelText('Rule 1 GraphQL-aware'));
    expect(latest.current).toEqual({ path: '/graphql', methods: ['POST'], minRole: 'Viewer' });
  });

  it('shows a configured block as it is', () => {
    renderCell({
      path: '/graphql',
      methods: ['POST'],
      graphql: { operations: ['mutation'], maxAliases: 3, introspection: true },
    });
    const ops = screen.getByRole('group', { name: 'Rule 1 GraphQL operations' });
    expect(within(ops).getByRole('button', { name: 'mutation' })).toHaveAttribute('aria-pressed', 'true');
    expect(within(ops).getByRole('button', { name: 'query' })).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByLabelText('Rule 1 GraphQL max aliases')).toHaveValue(3);
    expect(screen.getByLabelText('Rule 1 GraphQL introspection')).toBeChecked();
  });
});
