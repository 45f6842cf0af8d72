import React from 'react';
import { InlineField, Input, Text } from '@grafana/ui';

import { RenameStep } from '../../../types/query';
import { FieldInput } from './common';
import { StepBodyProps, StepDef } from './types';

function RenameBody({ step, n, fields, onChange }: StepBodyProps<RenameStep>) {
  if (step.map && !step.from) {
    return (
      <Text color="secondary" variant="bodySmall">
        {Object.entries(step.map)
          .map(([a, b]) => `${a} → ${b}`)
          .join(', ')}
      </Text>
    );
  }
  return (
    <>
      <InlineField label="From" labelWidth={8}>
        <FieldInput
          n={n}
          label="rename from"
          value={step.from ?? ''}
          fields={fields}
          onChange={(v) => onChange({ ...step, from: v })}
        />
      </InlineField>
      <InlineField label="To" labelWidth={6}>
        <Input
          aria-label={`Step ${n} rename to`}
          width={22}
          value={step.to ?? ''}
          onChange={(e) => onChange({ ...step, to: e.currentTarget.value })}
        />
      </InlineField>
    </>
  );
}

export const renameStep: StepDef<'rename'> = {
  label: 'Rename',
  create: () => ({ type: 'rename', from: '', to: '' }),
  Body: RenameBody,
};
