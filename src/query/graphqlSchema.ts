import { buildClientSchema, GraphQLSchema, IntrospectionQuery } from 'graphql';
import {
  CompletionItem,
  DIAGNOSTIC_SEVERITY,
  getAutocompleteSuggestions,
  getDiagnostics,
  getHoverInformation,
  Position,
} from 'graphql-language-service';

/**
 * One problem of a GraphQL document, positioned for the editor: 1-based line and column of its start and end (the
 * end is exclusive), as Monaco's markers and the textual list under the field both want them.
 */
export interface GraphQLProblem {
  message: string;
  severity: 'error' | 'warning';
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

/** A name valid at the caret, as graphql-language-service proposes it (LSP completion item kinds). */
export interface GraphQLCompletion {
  label: string;
  /** The LSP CompletionItemKind (5 field, 6 argument/variable, 14 keyword...). */
  kind?: number;
  detail?: string;
  documentation?: string;
  /** What to insert when it differs from the label (a snippet when `snippet`). */
  insertText?: string;
  snippet?: boolean;
  deprecated?: boolean;
}

/** The client schema of an introspection answer, or undefined when it is not one. */
export function schemaFromIntrospection(data: IntrospectionQuery | undefined): GraphQLSchema | undefined {
  if (!data?.__schema) {
    return undefined;
  }
  try {
    return buildClientSchema(data, { assumeValid: true });
  } catch {
    return undefined;
  }
}

/**
 * Dashboard variables (${var}, [[var]]) replaced by a neutral value of the same length, so positions stay right and
 * a template is neither an error nor a stop for completion.
 */
function neutral(text: string): string {
  return text.replace(/\$\{[^}]*\}|\[\[[^\]]*\]\]/g, (m) => '0'.padEnd(m.length, ' '));
}

const MAX_PROBLEMS = 10;

/**
 * The document's problems against the schema, from graphql-language-service's getDiagnostics: syntax first, then
 * graphql-js's validation rules (unknown fields and arguments, wrong types, undefined variables...) and deprecated
 * fields as warnings. Without a schema, syntax only.
 */
export function validateDocument(text: string, schema?: GraphQLSchema): GraphQLProblem[] {
  if (!text.trim()) {
    return [];
  }
  return getDiagnostics(neutral(text), schema)
    .slice(0, MAX_PROBLEMS)
    .map((d) => ({
      message: typeof d.message === 'string' ? d.message : d.message.value,
      severity: d.severity === DIAGNOSTIC_SEVERITY.Error ? 'error' : 'warning',
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
    }));
}

/**
 * What may be typed at the caret (1-based line and column, as Monaco counts): the fields of the type whose selection
 * set it is in, the arguments of the field whose parentheses it is in, the types after "on", keywords at the top,
 * from graphql-language-service's getAutocompleteSuggestions (it reads an unfinished document too).
 */
export function completionsAt(
  text: string,
  caret: { line: number; column: number },
  schema?: GraphQLSchema
): GraphQLCompletion[] {
  if (!schema) {
    return [];
  }
  const items: CompletionItem[] = getAutocompleteSuggestions(
    schema,
    neutral(text),
    new Position(caret.line - 1, caret.column - 1)
  );
  return items.map((c) => ({
    label: c.label,
    kind: c.kind,
    detail: c.detail ?? undefined,
    documentation: c.documentation ?? undefined,
    insertText: c.insertText && c.insertText !== c.label ? c.insertText : undefined,
    snippet: c.insertTextFormat === 2,
    deprecated: c.isDeprecated,
  }));
}

/**
 * What the name at the caret is (1-based line and column): "Type.field: Type" or the argument's signature, then
 * its description (Markdown), or "" when there is nothing to say.
 */
export function hoverAt(text: string, caret: { line: number; column: number }, schema?: GraphQLSchema): string {
  if (!schema) {
    return '';
  }
  const info = getHoverInformation(schema, neutral(text), new Position(caret.line - 1, caret.column - 1));
  return typeof info === 'string' ? info : '';
}
