import { buildSchema, introspectionFromSchema } from 'graphql';

import { completionsAt, schemaFromIntrospection, validateDocument } from './graphqlSchema';

// The demo API's schema (cmd/demoapi/queries_api.go), as GET /graphql/schema answers it.
const SDL = `
schema { query: Query mutation: Mutation }
type Query { items(first: Int = 25, after: String, category: String, echoAuth: Boolean = false): ItemConnection! }
type Mutation { renameItem(id: Int!, name: String!): Item! }
type ItemConnection { nodes: [Item!]! totalCount: Int! pageInfo: PageInfo! }
type PageInfo { endCursor: String hasNextPage: Boolean! }
type Item { id: Int! name: String! category: String! price: Float! in_stock: Boolean! tags: [String!]! }
`;
const schema = schemaFromIntrospection(introspectionFromSchema(buildSchema(SDL)))!;

/** Completion labels at the "|" of text (graphql-language-service's, without the introspection meta fields). */
function at(text: string): string[] {
  const before = text.slice(0, text.indexOf('|')).split('\n');
  const caret = { line: before.length, column: before[before.length - 1].length + 1 };
  return completionsAt(text.replace('|', ''), caret, schema)
    .map((c) => c.label)
    .filter((l) => !l.startsWith('__'));
}

describe('GraphQL schema helpers', () => {
  it('builds the client schema of an introspection answer, and nothing of anything else', () => {
    expect(schema.getQueryType()?.name).toBe('Query');
    expect(schemaFromIntrospection(undefined)).toBeUndefined();
    expect(schemaFromIntrospection({} as never)).toBeUndefined();
  });

  it('completes the fields of the type at the caret', () => {
    expect(at('{ |')).toEqual(['items']);
    expect(at('{ items { |')).toEqual(['nodes', 'totalCount', 'pageInfo']);
    // The word typed filters (fuzzily, as Monaco does again).
    expect(at('{ items(first: 10) { nodes { i| } } }')).toEqual(['id', 'in_stock', 'price']);
    expect(at('query Q($n: Int) { all: items(first: $n) { pageInfo { | } } }')).toEqual(['endCursor', 'hasNextPage']);
    expect(at('mutation { | }')).toEqual(['renameItem']);
    // Leaving a selection set returns to the parent type.
    expect(at('{ items { pageInfo { endCursor } t| } }')).toEqual(['totalCount']);
    // On a later line, and after a dashboard variable.
    expect(at('{\n  items(category: "${cat}") {\n    pageInfo { h| }\n  }\n}')).toEqual(['hasNextPage']);
    const field = completionsAt('{ items { ', { line: 1, column: 11 }, schema).find((c) => c.label === 'totalCount');
    expect(field).toEqual(expect.objectContaining({ kind: 5, detail: 'Int!' }));
  });

  it('completes arguments inside parentheses, types after "on" and keywords at the top', () => {
    expect(at('{ items(|) { totalCount } }')).toEqual(['first', 'after', 'category', 'echoAuth']);
    expect(at('mutation { renameItem(|')).toEqual(['id', 'name']);
    expect(at('{ items { nodes { ... on I| } } }')).toEqual(['Item']);
    expect(at('fragment F on Item { n| }')).toEqual(['name', 'in_stock']);
    expect(at('q|')).toContain('query');
  });

  it('completes nothing without a schema or inside a string', () => {
    expect(completionsAt('{ ', { line: 1, column: 3 }, undefined)).toEqual([]);
    expect(at('{ items(category: "ab|')).toEqual([]);
  });

  it('validates the document against the schema, with positions', () => {
    expect(validateDocument('{ items { totalCount } }', schema)).toEqual([]);
    expect(validateDocument('', schema)).toEqual([]);
    const unknown = validateDocument('{\n  items { totl }\n}', schema);
    expect(unknown).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 2,
        column: 11,
        endLine: 2,
        message: expect.stringContaining('Cannot query field "totl" on type "ItemConnection"'),
      }),
    ]);
    expect(validateDocument('{ items(first: "ten") { totalCount } }', schema)[0].message).toMatch(
      /Int cannot represent/
    );
    expect(validateDocument('{ items { ', schema)[0]).toEqual(
      expect.objectContaining({ line: 1, message: expect.stringContaining('Syntax Error') })
    );
    // Syntax is checked without a schema too.
    expect(validateDocument('{ items ', undefined)).toHaveLength(1);
    expect(validateDocument('{ items { x } }', undefined)).toEqual([]);
  });

  it('takes dashboard variables for values, keeping positions', () => {
    expect(validateDocument('{ items(category: "${cat}", first: ${n}) { totalCount } }', schema)).toEqual([]);
    const p = validateDocument('{ items(first: ${n}) { nope } }', schema);
    expect(p[0]).toEqual(expect.objectContaining({ column: 24 }));
  });
});
