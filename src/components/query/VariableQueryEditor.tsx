import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Alert } from '@grafana/ui';

import type { DataSource } from '../../datasource';
import { RelayQuery } from '../../types/query';
import { RelayJsonData } from '../../types/settings';
import { QueryEditor } from './QueryEditor';

type Props = QueryEditorProps<DataSource, RelayQuery, RelayJsonData, RelayQuery>;

/** Query variables use the same query model; the values come from the result's first string field. */
export function VariableQueryEditor(props: Props) {
  // Older dashboards may store a variable query as a plain string: treat it as the path.
  const query: RelayQuery =
    typeof (props.query as unknown) === 'string'
      ? { refId: 'variable', path: props.query as unknown as string }
      : props.query;
  return (
    <>
      <Alert severity="info" title="Variable values">
        Fields named <code>text</code> and <code>value</code> give each option&apos;s label and value; otherwise the
        first string field of the result is used.
      </Alert>
      <QueryEditor {...props} query={query} onRunQuery={props.onRunQuery ?? (() => {})} />
    </>
  );
}
