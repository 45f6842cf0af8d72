import React from 'react';
import { InlineField, TextArea, useStyles2 } from '@grafana/ui';

import { GraphQLQuery } from '../../types/query';
import { getTableStyles } from '../common/styles';

interface Props {
  value?: GraphQLQuery;
  onChange: (g: GraphQLQuery) => void;
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

/** The GraphQL document (monospace) and its variables as JSON, POSTed by the backend as {query, variables}. */
export function GraphQLEditor({ value, onChange }: Props) {
  const styles = useStyles2(getTableStyles);
  const g: GraphQLQuery = value ?? { query: '' };
  const vars = typeof g.variables === 'string' ? g.variables : g.variables ? JSON.stringify(g.variables, null, 2) : '';
  const problem = variablesProblem(vars);
  return (
    <>
      <InlineField
        label="GraphQL query"
        labelWidth={14}
        grow
        tooltip="POSTed as JSON to the path (default /graphql). ${var} template variables are replaced; $name is GraphQL's own."
      >
        <TextArea
          aria-label="GraphQL query"
          className={styles.mono}
          rows={6}
          placeholder={
            'query($after: String) {\n  items(first: 100, after: $after) {\n    nodes { id name }\n    pageInfo { endCursor hasNextPage }\n  }\n}'
          }
          value={g.query ?? ''}
          onChange={(e) => onChange({ ...g, query: e.currentTarget.value })}
        />
      </InlineField>
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
