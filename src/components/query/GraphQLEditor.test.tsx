import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEventLib, { PointerEventsCheckLevel } from '@testing-library/user-event';
import { buildSchema, introspectionFromSchema } from 'graphql';
import React, { useState } from 'react';

import { installFakeBackend } from '../../test/backend';
import { testDataSource } from '../../test/instance';
import { GraphQLQuery } from '../../types/query';
import { GraphQLEditor } from './GraphQLEditor';

jest.setTimeout(20000);
const userEvent = userEventLib.setup({ pointerEventsCheck: PointerEventsCheckLevel.Never, delay: null });

const INTROSPECTION = introspectionFromSchema(
  buildSchema(`
    type Query { items(first: Int, category: String): ItemConnection! }
    type ItemConnection { nodes: [Item!]! totalCount: Int! }
    type Item { id: Int! name: String! }
  `)
);

/** Types text and puts the caret at its end, as a user typing it would. */
function typeAtEnd(el: HTMLTextAreaElement, text: string) {
  fireEvent.change(el, { target: { value: text, selectionStart: text.length, selectionEnd: text.length } });
  el.setSelectionRange(text.length, text.length);
  fireEvent.select(el);
}

function renderEditor(upstream?: string) {
  const latest = { current: { query: '' } as GraphQLQuery };
  function Host() {
    const [g, setG] = useState(latest.current);
    return (
      <GraphQLEditor
        datasource={testDataSource()}
        path="/api/graphql"
        upstream={upstream}
        value={g}
        onChange={(n) => {
          latest.current = n;
          setG(n);
        }}
      />
    );
  }
  render(<Host />);
  return latest;
}

describe('GraphQLEditor', () => {
  // Completion itself is Monaco's (CodeEditor is a textarea in jest): e2e/scenario.mjs types into the real editor.
  it('is a GraphQL code editor whose text is the query, reading the schema of its upstream through /graphql/schema', async () => {
    const b = installFakeBackend();
    b.on('GET graphql/schema', { data: INTROSPECTION });
    const latest = renderEditor('shop');
    const field = screen.getByLabelText('GraphQL query') as HTMLTextAreaElement;
    typeAtEnd(field, '{ items { totalCount } }');
    expect(latest.current.query).toBe('{ items { totalCount } }');
    await waitFor(() => expect(b.requests.find((r) => r.url.includes('/resources/graphql/schema'))).toBeDefined());
    const req = b.requests.find((r) => r.url.includes('/resources/graphql/schema'));
    expect(req?.params).toEqual({ path: '/api/graphql', upstream: 'shop' });
    // With the schema read, nothing says why completion is missing.
    await waitFor(() => expect(screen.queryByText(/Reading the upstream/)).not.toBeInTheDocument());
    expect(screen.queryByText(/No schema completion/)).not.toBeInTheDocument();
    await userEvent.type(screen.getByLabelText('GraphQL variables'), '{{"first": 2}');
    expect(latest.current).toEqual({ query: '{ items { totalCount } }', variables: '{"first": 2}' });
  });

  it("shows the document's errors against the schema inline, with their position", async () => {
    installFakeBackend().on('GET graphql/schema', { data: INTROSPECTION });
    renderEditor();
    const field = screen.getByLabelText('GraphQL query') as HTMLTextAreaElement;
    typeAtEnd(field, '{\n  items { totl }\n}');
    expect(
      await screen.findByText(/Line 2:11: Cannot query field "totl" on type "ItemConnection"/)
    ).toBeInTheDocument();
    typeAtEnd(field, '{ items(first: "ten") { totalCount } }');
    expect(await screen.findByText(/Int cannot represent non-integer value: "ten"/)).toBeInTheDocument();
    typeAtEnd(field, '{ items { totalCount } }');
    await waitFor(() => expect(screen.queryByText(/Line \d+:\d+/)).not.toBeInTheDocument());
  });

  it('without a schema (introspection refused) still checks syntax and says why nothing is suggested', async () => {
    installFakeBackend().on('GET graphql/schema', {
      status: 403,
      data: {
        error:
          'the query uses introspection (__schema or __type), which the proxy rule for /api/graphql does not allow (graphql.introspection)',
        code: 'graphql_operation_denied',
        status: 403,
      },
    });
    renderEditor();
    expect(await screen.findByText(/No schema completion: .*graphql.introspection/)).toBeInTheDocument();
    const field = screen.getByLabelText('GraphQL query') as HTMLTextAreaElement;
    typeAtEnd(field, '{ items { ');
    expect(await screen.findByText(/Line 1:10: Syntax Error: Expected Name, found <EOF>/)).toBeInTheDocument();
  });
});
