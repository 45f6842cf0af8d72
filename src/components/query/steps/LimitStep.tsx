import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { LimitStep } from '../../../types/query';
import { StepBodyProps, StepDef } from './types';

function LimitBody({ step, n, onChange }: StepBodyProps<LimitStep>) {
  return (
    <>
      <InlineField label="Rows" labelWidth={8}>
        <Input
          aria-label={`Step ${n} limit count`}
          type="number"
          min={0}
          width={12}
          value={step.count}
          onChange={(e) => onChange({ ...step, count: Number(e.currentTarget.value) || 0 })}
        />
      </InlineField>
      <InlineField label="Skip" labelWidth={8}>
        <Input
          aria-label={`Step ${n} limit offset`}
          type="number"
          min={0}
          width={12}
          value={step.offset ?? ''}
          onChange={(e) => onChange({ ...step, offset: Number(e.currentTarget.value) || undefined })}
        />
      </InlineField>
    </>
  );
}

export const limitStep: StepDef<'limit'> = {
  label: 'Limit',
  create: () => ({ type: 'limit', count: 10 }),
  Body: LimitBody,
};
