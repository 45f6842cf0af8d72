import React, { useMemo, useState } from 'react';
import { Button, InlineField, Stack, Text, TextArea, useStyles2 } from '@grafana/ui';

import { DataSource } from '../../datasource';
import { completionsAt, insertCompletion, schemaFromIntrospection, validateDocument } from '../../query/graphqlSchema';
import { GraphQLQuery } from '../../types/query';
import { getTableStyles } from '../common/styles';
import { useResource } from '../common/useResource';

interface Props {
  value?: GraphQLQuery;
  onChange: (g: GraphQLQuery) => void;
  /** With a data source, the upstream's schema (GET /graphql/schema) completes and validates the document. */
  datasource?: DataSource;
  path?: string;
  upstream?: string;
}

/** Why a GraphQL variables text is not a JSON object, or undefined when it is (or is empty). */
export function variablesProblem(text: string | undefined): string | undefined {
  if (!text?.trim()) {
    return undefined;
  }
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v)
      ? undefined
      : 'Variables must be a JSON object, e.g. {"first": 10}';
  } catch (e) {
    return `Variables are not valid JSON: ${(e as Error).message}`;
  }
}

const SCHEMA_DEBOUNCE_MS = 400;
const MAX_SHOWN_COMPLETIONS = 15;

/**
 * The GraphQL document (monospace) and its variables as JSON, POSTed by the backend as {query, variables}. The
 * upstream's schema, read through Relay's rules, gives the names valid at the caret (click one to insert it) and the
 * document's errors, shown under the field as you type.
 */
export function GraphQLEditor({ value, onChange, datasource, path, upstream }: Props) {
  const styles = useStyles2(getTableStyles);
  const g: GraphQLQuery = value ?? { query: '' };
  const text = g.query ?? '';
  const vars = typeof g.variables === 'string' ? g.variables : g.variables ? JSON.stringify(g.variables, null, 2) : '';
  const problem = variablesProblem(vars);
  const gqlPath = path?.trim() || '/graphql';
  const introspection = useResource(
    datasource ? () => datasource.getGraphQLSchema(gqlPath, upstream) : null,
    [datasource, gqlPath, upstream],
    SCHEMA_DEBOUNCE_MS
  );
  const schema = useMemo(() => schemaFromIntrospection(introspection.value), [introspection.value]);
  const problems = useMemo(() => validateDocument(text, schema), [text, schema]);
  const [caret, setCaret] = useState<number | undefined>(undefined);
  const completions = useMemo(
    () => (caret === undefined ? [] : completionsAt(text, Math.min(caret, text.length), schema)),
    [text, caret, schema]
  );
  const queryError = problems.length
    ? problems
        .slice(0, 3)
        .map((p) => (p.line ? `Line ${p.line}:${p.column}: ${p.message}` : p.message))
        .join('\n')
    : undefined;
  const trackCaret = (e: React.SyntheticEvent<HTMLTextAreaElement>) => setCaret(e.currentTarget.selectionStart);
  const insert = (label: string) => {
    const at = Math.min(caret ?? text.length, text.length);
    const next = insertCompletion(text, at, label);
    setCaret(next.caret);
    onChange({ ...g, query: next.text });
  };
  return (
    <>
      <InlineField
        label="GraphQL query"
        labelWidth={14}
        grow
        invalid={!!queryError}
        error={queryError}
        tooltip="POSTed as JSON to the path (default /graphql). ${var} template variables are replaced; $name is GraphQL's own."
      >
        <TextArea
          aria-label="GraphQL query"
          className={styles.mono}
          rows={6}
          placeholder={
            'query($after: String) {\n  items(first: 100, after: $after) {\n    nodes { id name }\n    pageInfo { endCursor hasNextPage }\n  }\n}'
          }
          value={text}
          onChange={(e) => {
            setCaret(e.currentTarget.selectionStart);
            onChange({ ...g, query: e.currentTarget.value });
          }}
          onSelect={trackCaret}
          onKeyUp={trackCaret}
          onClick={trackCaret}
        />
      </InlineField>
      {datasource && (
        <Stack direction="row" gap={0.5} alignItems="center" wrap="wrap">
          {schema ? (
            completions.length > 0 && (
              <div role="group" aria-label="GraphQL suggestions">
                <Stack direction="row" gap={0.5} wrap="wrap">
                  {completions.slice(0, MAX_SHOWN_COMPLETIONS).map((c) => (
                    <Button
                      key={c.kind + c.label}
                      size="sm"
                      variant="secondary"
                      fill="outline"
                      title={`${c.kind} ${c.label}: ${c.detail}`}
                      onClick={() => insert(c.label)}
                    >
                      {c.label}
                    </Button>
                  ))}
                </Stack>
              </div>
            )
          ) : (
            <Text variant="bodySmall" color="secondary">
              {introspection.loading
                ? 'Reading the upstream’s GraphQL schema…'
                : introspection.error
                  ? `No schema completion: ${introspection.error.message}`
                  : ''}
            </Text>
          )}
        </Stack>
      )}
      <InlineField
        label="Variables"
        labelWidth={14}
        grow
        invalid={!!problem}
        error={problem}
        tooltip="A JSON object. A cursor pagination sets the variable named by its cursor parameter."
      >
        <TextArea
          aria-label="GraphQL variables"
          className={styles.mono}
          rows={3}
          placeholder='{"first": 100}'
          value={vars}
          onChange={(e) => onChange({ ...g, variables: e.currentTarget.value })}
        />
      </InlineField>
    </>
  );
}
