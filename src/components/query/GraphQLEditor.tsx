import { css } from '@emotion/css';
import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { CodeEditor, InlineField, Monaco, MonacoEditor, Text, TextArea, useStyles2 } from '@grafana/ui';

import { DataSource } from '../../datasource';
import { schemaFromIntrospection, validateDocument } from '../../query/graphqlSchema';
import { GraphQLQuery } from '../../types/query';
import { getTableStyles } from '../common/styles';
import { useResource } from '../common/useResource';
import { registerGraphQLLanguage, showGraphQLProblems } from './graphqlMonaco';

const GRAPHQL_EDITOR_HEIGHT = 160;

// The code editor takes the field's width (Monaco lays itself out in its container).
const getStyles = () => ({ codeField: css({ flex: 1, minWidth: 0 }) });

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
const MAX_LISTED_PROBLEMS = 3;

/**
 * The GraphQL document in Grafana's code editor (Monaco) and its variables as JSON, POSTed by the backend as {query,
 * variables}. The upstream's schema, read through Relay's rules, completes the document as you type and marks its
 * errors in place (graphql-language-service); the errors are listed under the field too, for screen readers.
 */
export function GraphQLEditor({ value, onChange, datasource, path, upstream }: Props) {
  const styles = useStyles2(getTableStyles);
  const own = useStyles2(getStyles);
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
  const queryError = problems.length
    ? problems
        .slice(0, MAX_LISTED_PROBLEMS)
        .map((p) => (p.line ? `Line ${p.line}:${p.column}: ${p.message}` : p.message))
        .join('\n')
    : undefined;

  // The mounted editor (none in jest, where CodeEditor is a textarea).
  const [mounted, setMounted] = useState<{ editor: MonacoEditor; monaco: Monaco } | undefined>();
  const onEditorDidMount = useCallback((editor: MonacoEditor, monaco: Monaco) => setMounted({ editor, monaco }), []);
  // Completion and hover, registered once per editor model and disposed with it; they read the schema of the moment.
  const schemaRef = useRef(schema);
  useEffect(() => {
    const model = mounted?.editor.getModel();
    if (!mounted || !model) {
      return;
    }
    const providers = registerGraphQLLanguage(mounted.monaco, model, () => schemaRef.current);
    return () => providers.dispose();
  }, [mounted]);
  // CodeEditor subscribes the onChange it had at mount to the model: it must reach the query of the moment.
  const latest = useRef({ g, onChange });
  useLayoutEffect(() => {
    schemaRef.current = schema;
    latest.current = { g, onChange };
  });
  const onText = useCallback((q: string) => {
    const { g: now, onChange: change } = latest.current;
    if (q !== (now.query ?? '')) {
      change({ ...now, query: q });
    }
  }, []);
  useEffect(() => {
    const model = mounted?.editor.getModel();
    // Markers of the text they were computed for; the next render brings those of newer keystrokes.
    if (mounted && model && !model.isDisposed() && model.getValue() === text) {
      showGraphQLProblems(mounted.monaco, model, problems);
    }
  }, [mounted, problems, text]);

  return (
    <>
      <InlineField
        label="GraphQL query"
        labelWidth={16}
        grow
        invalid={!!queryError}
        error={queryError}
        tooltip="POSTed as JSON to the path (default /graphql), e.g. query($after: String) { items(first: 100, after: $after) { nodes { id name } pageInfo { endCursor hasNextPage } } }. ${var} template variables are replaced; $name is GraphQL's own. Ctrl+Space lists what the upstream's schema allows at the caret."
      >
        <CodeEditor
          language="graphql"
          value={text}
          height={GRAPHQL_EDITOR_HEIGHT}
          showLineNumbers
          showMiniMap={false}
          monacoOptions={{ ariaLabel: 'GraphQL query', scrollBeyondLastLine: false, lineNumbersMinChars: 2 }}
          onChange={onText}
          onEditorDidMount={onEditorDidMount}
          containerStyles={own.codeField}
        />
      </InlineField>
      {datasource && !schema && (
        <Text variant="bodySmall" color="secondary">
          {introspection.loading
            ? 'Reading the upstream’s GraphQL schema…'
            : introspection.error
              ? `No schema completion: ${introspection.error.message}`
              : ''}
        </Text>
      )}
      <InlineField
        label="Variables"
        labelWidth={16}
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
