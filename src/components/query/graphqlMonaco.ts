import type { Monaco, monacoTypes } from '@grafana/ui';
import { GraphQLSchema } from 'graphql';

import { completionsAt, GraphQLProblem, hoverAt } from '../../query/graphqlSchema';

// The LSP CompletionItemKind numbers graphql-language-service answers, by name; Monaco's enum has the same names
// with other numbers.
const LSP_KINDS = [
  '',
  'Text',
  'Method',
  'Function',
  'Constructor',
  'Field',
  'Variable',
  'Class',
  'Interface',
  'Module',
  'Property',
  'Unit',
  'Value',
  'Enum',
  'Keyword',
  'Snippet',
  'Color',
  'File',
  'Reference',
  'Folder',
  'EnumMember',
  'Constant',
  'Struct',
  'Event',
  'Operator',
  'TypeParameter',
] as const;

type KindName = Exclude<(typeof LSP_KINDS)[number], ''>;

function monacoKind(monaco: Monaco, lsp: number | undefined): monacoTypes.languages.CompletionItemKind {
  const name = LSP_KINDS[lsp ?? 0] as KindName | '' | undefined;
  return name ? monaco.languages.CompletionItemKind[name] : monaco.languages.CompletionItemKind.Text;
}

/**
 * Completes one editor's GraphQL document against its upstream's schema, and says what a name is on hover (the schema
 * is read at each request, so one that arrives later is used without registering again). Monaco's providers are per
 * language, not per editor: these answer only for their own model, so several GraphQL queries of a panel each
 * complete against their own schema. Dispose them when the editor goes.
 */
export function registerGraphQLLanguage(
  monaco: Monaco,
  model: monacoTypes.editor.ITextModel,
  schema: () => GraphQLSchema | undefined
): monacoTypes.IDisposable {
  const hover = monaco.languages.registerHoverProvider('graphql', {
    provideHover: (m, position) => {
      const info =
        m.id === model.id
          ? hoverAt(m.getValue(), { line: position.lineNumber, column: position.column }, schema())
          : '';
      if (!info) {
        return null;
      }
      const word = m.getWordAtPosition(position);
      return {
        contents: [{ value: info }],
        range: word
          ? new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn)
          : undefined,
      };
    },
  });
  const completion = monaco.languages.registerCompletionItemProvider('graphql', {
    triggerCharacters: ['{', '(', '@', '$', ':', ' ', '\n'],
    provideCompletionItems: (m, position) => {
      if (m.id !== model.id) {
        return { suggestions: [] };
      }
      const word = m.getWordUntilPosition(position);
      const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
      const items = completionsAt(m.getValue(), { line: position.lineNumber, column: position.column }, schema());
      return {
        suggestions: items.map((c, i) => ({
          label: c.label,
          kind: monacoKind(monaco, c.kind),
          detail: c.detail,
          documentation: c.documentation,
          insertText: c.insertText ?? c.label,
          insertTextRules: c.snippet ? monaco.languages.CompletionItemInsertTextRule.InsertAsSnippet : undefined,
          tags: c.deprecated ? [monaco.languages.CompletionItemTag.Deprecated] : undefined,
          // graphql-language-service's order (fields in schema order) over Monaco's alphabetical one.
          sortText: String(i).padStart(4, '0'),
          range,
        })),
      };
    },
  });
  return {
    dispose: () => {
      hover.dispose();
      completion.dispose();
    },
  };
}

const MARKER_OWNER = 'relay-graphql';

/** The document's problems as Monaco markers (squiggles, and the hover that says what is wrong). */
export function showGraphQLProblems(monaco: Monaco, model: monacoTypes.editor.ITextModel, problems: GraphQLProblem[]) {
  monaco.editor.setModelMarkers(
    model,
    MARKER_OWNER,
    problems
      .filter((p) => p.line !== undefined)
      .map((p) => {
        const startLineNumber = p.line!;
        const startColumn = p.column ?? 1;
        const endLineNumber = p.endLine ?? startLineNumber;
        // At least one character wide, or Monaco draws nothing (an error at the end of the text).
        const endColumn = Math.max(p.endColumn ?? startColumn, endLineNumber === startLineNumber ? startColumn + 1 : 1);
        return {
          severity: p.severity === 'error' ? monaco.MarkerSeverity.Error : monaco.MarkerSeverity.Warning,
          message: p.message,
          source: 'GraphQL',
          startLineNumber,
          startColumn,
          endLineNumber,
          endColumn,
        };
      })
  );
}
