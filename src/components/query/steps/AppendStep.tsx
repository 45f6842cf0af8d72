import React from 'react';
import { InlineField } from '@grafana/ui';

import { AppendStep } from '../../../types/query';
import { QueryRefInput } from './queryRefs';
import { StepBodyProps, StepDef } from './types';

/** Append another query's rows (fields matched by name); the other query runs first, in the backend. */
function AppendBody({ step, n, onChange }: StepBodyProps<AppendStep>) {
  return (
    <InlineField label="Query" labelWidth={8} tooltip="refId of the query whose rows are appended">
      <QueryRefInput
        label={`Step ${n} append query`}
        value={step.query}
        onChange={(v) => onChange({ ...step, query: v })}
      />
    </InlineField>
  );
}

export const appendStep: StepDef<'append'> = {
  label: 'Append query',
  create: () => ({ type: 'append', query: '' }),
  Body: AppendBody,
};
