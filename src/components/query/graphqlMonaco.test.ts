import type { Monaco, monacoTypes } from '@grafana/ui';
import { buildSchema, GraphQLSchema } from 'graphql';

import { validateDocument } from '../../query/graphqlSchema';
import { registerGraphQLLanguage, showGraphQLProblems } from './graphqlMonaco';

// The parts of Monaco the adapter uses, recording what it is given (Monaco itself runs in the browser test).
type Provider = monacoTypes.languages.CompletionItemProvider;
type Hover = monacoTypes.languages.HoverProvider;
function fakeMonaco() {
  const providers: Array<{ language: string; provider: Provider; disposed: boolean }> = [];
  const hovers: Array<{ language: string; provider: Hover; disposed: boolean }> = [];
  const markers = new Map<string, monacoTypes.editor.IMarkerData[]>();
  const monaco = {
    Range: class {
      constructor(
        public startLineNumber: number,
        public startColumn: number,
        public endLineNumber: number,
        public endColumn: number
      ) {}
    },
    MarkerSeverity: { Hint: 1, Info: 2, Warning: 4, Error: 8 },
    languages: {
      CompletionItemKind: { Field: 3, Variable: 4, Keyword: 17, Text: 18, Function: 1, Constructor: 2 },
      CompletionItemInsertTextRule: { InsertAsSnippet: 4 },
      CompletionItemTag: { Deprecated: 1 },
      registerCompletionItemProvider: (language: string, provider: Provider) => {
        const entry = { language, provider, disposed: false };
        providers.push(entry);
        return { dispose: () => (entry.disposed = true) };
      },
      registerHoverProvider: (language: string, provider: Hover) => {
        const entry = { language, provider, disposed: false };
        hovers.push(entry);
        return { dispose: () => (entry.disposed = true) };
      },
    },
    editor: {
      setModelMarkers: (model: { id: string }, owner: string, data: monacoTypes.editor.IMarkerData[]) =>
        markers.set(`${model.id}/${owner}`, data),
    },
  };
  return { monaco: monaco as unknown as Monaco, providers, hovers, markers };
}

function fakeModel(id: string, text: string) {
  return {
    id,
    getValue: () => text,
    getWordUntilPosition: (p: monacoTypes.Position) => {
      const line = text.split('\n')[p.lineNumber - 1].slice(0, p.column - 1);
      const word = /[_A-Za-z0-9]*$/.exec(line)![0];
      return { word, startColumn: p.column - word.length, endColumn: p.column };
    },
    getWordAtPosition: (p: monacoTypes.Position) => {
      const line = text.split('\n')[p.lineNumber - 1];
      const m = [...line.matchAll(/[_A-Za-z][_A-Za-z0-9]*/g)].find(
        (w) => w.index! < p.column && p.column <= w.index! + w[0].length + 1
      );
      return m ? { word: m[0], startColumn: m.index! + 1, endColumn: m.index! + m[0].length + 1 } : null;
    },
  } as unknown as monacoTypes.editor.ITextModel;
}

const shop = buildSchema('type Query { items: ItemConnection } type ItemConnection { nodes: [Int] totalCount: Int }');
const billing = buildSchema(
  'type Query { invoices: [Invoice] } type Invoice { total: Float amount: Float @deprecated }'
);

function labelsAt(p: Provider, model: monacoTypes.editor.ITextModel, line: number, column: number) {
  const r = p.provideCompletionItems(
    model,
    { lineNumber: line, column } as monacoTypes.Position,
    {} as never,
    {} as never
  );
  return (r as monacoTypes.languages.CompletionList).suggestions;
}

describe('GraphQL in Monaco', () => {
  it("completes each editor's model against its own schema, replacing the word typed, until disposed", () => {
    const { monaco, providers, hovers } = fakeMonaco();
    const a = fakeModel('a', '{ items { to');
    const b = fakeModel('b', '{ invoices { ');
    let schemaA: GraphQLSchema | undefined;
    const da = registerGraphQLLanguage(monaco, a, () => schemaA);
    registerGraphQLLanguage(monaco, b, () => billing);
    expect(providers.map((p) => p.language)).toEqual(['graphql', 'graphql']);
    const [pa, pb] = providers.map((p) => p.provider);

    // No schema yet: nothing; the schema that arrives later is used without registering again.
    expect(labelsAt(pa, a, 1, 13)).toEqual([]);
    schemaA = shop;
    const s = labelsAt(pa, a, 1, 13);
    expect(s.map((x) => x.label)).toContain('totalCount');
    expect(s[0]).toEqual(
      expect.objectContaining({
        label: 'totalCount',
        insertText: 'totalCount',
        kind: 3, // Monaco's Field, from the LSP's 5
        detail: 'Int',
        range: expect.objectContaining({ startLineNumber: 1, startColumn: 11, endColumn: 13 }),
      })
    );
    // A provider answers only for its own model.
    expect(labelsAt(pa, b, 1, 14)).toEqual([]);
    const inv = labelsAt(pb, b, 1, 14).filter((x) => !String(x.label).startsWith('__'));
    // graphql-language-service leaves deprecated fields out.
    expect(inv.map((x) => x.label)).toEqual(['total']);

    da.dispose();
    expect(providers.map((p) => p.disposed)).toEqual([true, false]);
    expect(hovers.map((p) => [p.language, p.disposed])).toEqual([
      ['graphql', true],
      ['graphql', false],
    ]);
  });

  it("says on hover what a name of the editor's own document is", () => {
    const { monaco, hovers } = fakeMonaco();
    const a = fakeModel('a', '{ items { totalCount } }');
    const other = fakeModel('b', '{ items { totalCount } }');
    registerGraphQLLanguage(monaco, a, () => shop);
    const hover = (m: monacoTypes.editor.ITextModel, column: number) =>
      hovers[0].provider.provideHover(m, { lineNumber: 1, column } as monacoTypes.Position, {} as never);
    expect(hover(a, 14)).toEqual({
      contents: [{ value: 'ItemConnection.totalCount: Int' }],
      range: expect.objectContaining({ startLineNumber: 1, startColumn: 11, endColumn: 21 }),
    });
    expect(hover(a, 1)).toBeNull();
    expect(hover(other, 14)).toBeNull();
  });

  it("shows the document's problems as markers, at least one character wide", () => {
    const { monaco, markers } = fakeMonaco();
    const m = fakeModel('m', '{ items { totl } }');
    showGraphQLProblems(monaco, m, validateDocument('{ items { totl } }', shop));
    expect(markers.get('m/relay-graphql')).toEqual([
      expect.objectContaining({
        severity: 8,
        message: expect.stringContaining('Cannot query field "totl"'),
        startLineNumber: 1,
        startColumn: 11,
        endLineNumber: 1,
      }),
    ]);
    const end = validateDocument('{ items { ', shop);
    showGraphQLProblems(monaco, m, end);
    const [marker] = markers.get('m/relay-graphql')!;
    expect(marker.endColumn).toBeGreaterThan(marker.startColumn);
    showGraphQLProblems(monaco, m, []);
    expect(markers.get('m/relay-graphql')).toEqual([]);
  });
});
