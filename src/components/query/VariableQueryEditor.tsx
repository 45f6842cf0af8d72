import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Alert, InlineField, Input } from '@grafana/ui';

import type { DataSource } from '../../datasource';
import { RelayQuery, VariableMapping } from '../../types/query';
import { RelayJsonData } from '../../types/settings';
import { MappingFields } from './MappingFields';
import { QueryEditor } from './QueryEditor';

type Props = QueryEditorProps<DataSource, RelayQuery, RelayJsonData, RelayQuery>;

const TARGETS: Array<{ key: 'text' | 'value'; label: string; tooltip: string }> = [
  { key: 'text', label: 'Text', tooltip: 'Field shown as the option label' },
  { key: 'value', label: 'Value', tooltip: 'Field used as the option value ($var)' },
];

/** "prop=field, prop2=field2" ↔ {prop: field} for multi-property variables (${var.prop}). */
export function parseProperties(s: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const part of s.split(',')) {
    const [prop, field] = part.split('=').map((x) => x?.trim() ?? '');
    if (prop && field) {
      out[prop] = field;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

const formatProperties = (p?: Record<string, string>) =>
  Object.entries(p ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/** Query variables use the same query model, plus which result fields give each option's text, value and properties. */
export function VariableQueryEditor(props: Props) {
  // Older dashboards may store a variable query as a plain string: treat it as the path.
  const query: RelayQuery =
    typeof (props.query as unknown) === 'string'
      ? { refId: 'variable', path: props.query as unknown as string }
      : props.query;
  const mapping: VariableMapping = query.variable ?? {};
  const setMapping = (m: VariableMapping) => props.onChange({ ...query, variable: m });
  return (
    <>
      <Alert severity="info" title="Variable values">
        Map the result fields that give each option&apos;s text and value (fields named <code>text</code> and{' '}
        <code>value</code> need no mapping; otherwise the first string field is used). Extra properties are read as{' '}
        <code>{'${var.prop}'}</code>.
      </Alert>
      <MappingFields
        testId="relay-variable-mapping"
        targets={TARGETS}
        value={mapping}
        onChange={(m) => setMapping({ ...mapping, ...m })}
      />
      <InlineField
        label="Properties"
        labelWidth={14}
        tooltip="prop=field pairs, comma-separated, e.g. region=dc, owner=team"
      >
        <Input
          aria-label="Variable properties"
          width={40}
          placeholder="region=dc, owner=team"
          defaultValue={formatProperties(mapping.properties)}
          onBlur={(e) => setMapping({ ...mapping, properties: parseProperties(e.currentTarget.value) })}
        />
      </InlineField>
      <QueryEditor {...props} query={query} onRunQuery={props.onRunQuery ?? (() => {})} />
    </>
  );
}
