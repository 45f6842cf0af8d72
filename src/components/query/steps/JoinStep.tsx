import React from 'react';
import { InlineField, RadioButtonGroup } from '@grafana/ui';

import { JoinKind, JoinStep } from '../../../types/query';
import { FieldInput } from './common';
import { QueryRefInput } from './queryRefs';
import { StepBodyProps, StepDef } from './types';

const HOW_OPTIONS: Array<{ label: string; value: JoinKind; description: string }> = [
  { label: 'Inner', value: 'inner', description: 'only rows with a match on both sides' },
  { label: 'Left', value: 'left', description: "also this query's rows without a match" },
  { label: 'Outer', value: 'outer', description: 'also the rows without a match on either side' },
];

/** Join another query's rows on key fields; the other query runs first (in the backend, so alerts can use it). */
function JoinBody({ step, n, fields, onChange }: StepBodyProps<JoinStep>) {
  // The keys, then an empty input that adds one; a key cleared is removed.
  const keys = [...step.on, ''];
  const setKey = (i: number, v: string) => {
    const on = [...step.on];
    on[i] = v;
    onChange({ ...step, on: on.filter((k) => k !== '') });
  };
  return (
    <>
      <InlineField label="Query" labelWidth={8} tooltip="refId of the query whose rows are joined">
        <QueryRefInput
          label={`Step ${n} join query`}
          value={step.query}
          onChange={(v) => onChange({ ...step, query: v })}
        />
      </InlineField>
      {keys.map((k, i) => (
        <InlineField key={i} label={i === 0 ? 'On' : 'and'} labelWidth={i === 0 ? 6 : 5}>
          <FieldInput n={n} label={`join key ${i + 1}`} value={k} fields={fields} onChange={(v) => setKey(i, v)} />
        </InlineField>
      ))}
      <InlineField label="How" labelWidth={6}>
        <RadioButtonGroup
          aria-label={`Step ${n} join kind`}
          size="sm"
          options={HOW_OPTIONS}
          value={step.how ?? 'inner'}
          onChange={(how) => onChange({ ...step, how: how === 'inner' ? undefined : how })}
        />
      </InlineField>
    </>
  );
}

export const joinStep: StepDef<'join'> = {
  label: 'Join query',
  create: () => ({ type: 'join', query: '', on: [] }),
  Body: JoinBody,
};
