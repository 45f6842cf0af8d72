import React from 'react';
import { InlineField, Input } from '@grafana/ui';

import { ExpandStep } from '../../../types/query';
import { FieldInput } from './common';
import { StepBodyProps, StepDef } from './types';

/** One row per element of an array field (mv-expand, unnest). */
function ExpandBody({ step, n, fields, onChange }: StepBodyProps<ExpandStep>) {
  return (
    <>
      <InlineField label="Array" labelWidth={8}>
        <FieldInput
          n={n}
          label="expand field"
          value={step.field}
          fields={fields}
          onChange={(v) => onChange({ ...step, field: v })}
        />
      </InlineField>
      <InlineField label="As" labelWidth={6}>
        <Input
          aria-label={`Step ${n} expand as`}
          width={22}
          placeholder={step.field || 'same name'}
          value={step.as ?? ''}
          onChange={(e) => onChange({ ...step, as: e.currentTarget.value || undefined })}
        />
      </InlineField>
    </>
  );
}

export const expandStep: StepDef<'expand'> = {
  label: 'Expand array',
  create: () => ({ type: 'expand', field: '' }),
  Body: ExpandBody,
};
