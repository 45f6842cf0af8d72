import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { FilterStep } from '../../../types/query';
import { useMono } from './common';
import { StepBodyProps, StepDef } from './types';

function FilterBody({ step, n, onChange }: StepBodyProps<FilterStep>) {
  const mono = useMono();
  return (
    <InlineField label="Keep rows where" labelWidth={18} grow>
      <Input
        aria-label={`Step ${n} filter expression`}
        className={mono}
        placeholder="price > 10 && status == 'active'"
        value={step.expr}
        onChange={(e) => onChange({ ...step, expr: e.currentTarget.value })}
      />
    </InlineField>
  );
}

export const filterStep: StepDef<'filter'> = {
  label: 'Filter',
  create: () => ({ type: 'filter', expr: '' }),
  Body: FilterBody,
};
