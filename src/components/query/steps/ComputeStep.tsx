import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { ComputeStep } from '../../../types/query';
import { useMono } from './common';
import { StepBodyProps, StepDef } from './types';

function ComputeBody({ step, n, onChange }: StepBodyProps<ComputeStep>) {
  const mono = useMono();
  return (
    <>
      <InlineField label="Field" labelWidth={8}>
        <Input
          aria-label={`Step ${n} compute name`}
          width={18}
          placeholder="total"
          value={step.name}
          onChange={(e) => onChange({ ...step, name: e.currentTarget.value })}
        />
      </InlineField>
      <InlineField label="=" labelWidth={4} grow>
        <Input
          aria-label={`Step ${n} compute expression`}
          className={mono}
          placeholder="price * qty"
          value={step.expr}
          onChange={(e) => onChange({ ...step, expr: e.currentTarget.value })}
        />
      </InlineField>
    </>
  );
}

export const computeStep: StepDef<'compute'> = {
  label: 'Compute',
  create: () => ({ type: 'compute', name: '', expr: '' }),
  Body: ComputeBody,
};
