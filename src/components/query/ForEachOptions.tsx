import React from 'react';
import { InlineField, InlineFieldRow, InlineSwitch, Input } from '@grafana/ui';

import { ForEach, RelayQuery } from '../../types/query';
import { QueryRefInput } from './steps/queryRefs';

interface Props {
  query: RelayQuery;
  onChange: (q: RelayQuery) => void;
}

/**
 * forEach: run the query once per distinct value of a field of another query of the panel ("list, then details for
 * each"); the value replaces {{field}} in the path, params, headers and body, and is added to the rows as a column (named
 * by column, by default the field). The backend runs the other query first.
 */
export function ForEachOptions({ query, onChange }: Props) {
  const fe = query.forEach;
  // A cleared optional field (max, column) leaves the model rather than staying as undefined.
  const set = (patch: Partial<ForEach>) => {
    const next: ForEach = { query: '', field: '', ...fe, ...patch };
    for (const k of ['max', 'column'] as const) {
      if (next[k] === undefined) {
        delete next[k];
      }
    }
    onChange({ ...query, forEach: next });
  };
  return (
    <InlineFieldRow>
      <InlineField
        label="For each"
        labelWidth={14}
        tooltip="Run once per distinct value of a field of another query; {{field}} in the path, params, headers or body takes each value"
      >
        <InlineSwitch
          aria-label="For each"
          value={!!fe}
          onChange={(e) => {
            const { forEach: _, ...rest } = query;
            onChange(e.currentTarget.checked ? { ...rest, forEach: { query: '', field: '' } } : rest);
          }}
        />
      </InlineField>
      {fe && (
        <>
          <InlineField label="Query" labelWidth={8}>
            <QueryRefInput label="For each query" value={fe.query} onChange={(v) => set({ query: v })} />
          </InlineField>
          <InlineField label="Field" labelWidth={8}>
            <Input
              aria-label="For each field"
              width={16}
              placeholder="id"
              value={fe.field}
              onChange={(e) => set({ field: e.currentTarget.value })}
            />
          </InlineField>
          <InlineField
            label="Column"
            labelWidth={8}
            tooltip="Name of the column that carries each value in the rows (default: the field; it replaces a field of that name)"
          >
            <Input
              aria-label="For each column"
              width={16}
              placeholder={fe.field || 'field'}
              value={fe.column ?? ''}
              onChange={(e) => set({ column: e.currentTarget.value || undefined })}
            />
          </InlineField>
          <InlineField
            label="Max"
            labelWidth={6}
            tooltip="At most this many values (capped by the data source's query.maxForEach)"
          >
            <Input
              aria-label="For each max"
              width={10}
              type="number"
              placeholder="100"
              value={fe.max ?? ''}
              onChange={(e) => set({ max: e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value) })}
            />
          </InlineField>
          {fe.field &&
            !JSON.stringify([query.path, query.params, query.headers, query.body]).includes(`{{${fe.field}}}`) && (
              <InlineField label="" labelWidth={1}>
                <span role="alert">{`Put {{${fe.field}}} in the path, params, headers or body`}</span>
              </InlineField>
            )}
        </>
      )}
    </InlineFieldRow>
  );
}
