import React from 'react';
import { InlineField, Input, RadioButtonGroup } from '@grafana/ui';

import { SelectStep } from '../../../types/query';
import { StepBodyProps, StepDef } from './types';

const MODES = [
  { label: 'Keep', value: 'keep' },
  { label: 'Drop', value: 'drop' },
];

const split = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Keep the listed fields (in that order) or drop them; the list is comma-separated. */
function SelectBody({ step, n, fields, onChange }: StepBodyProps<SelectStep>) {
  const drop = step.drop !== undefined && step.fields === undefined;
  const list = (drop ? step.drop : step.fields) ?? [];
  return (
    <>
      <RadioButtonGroup
        size="sm"
        options={MODES}
        value={drop ? 'drop' : 'keep'}
        onChange={(m) => onChange(m === 'drop' ? { type: 'select', drop: list } : { type: 'select', fields: list })}
      />
      <InlineField label="Fields" labelWidth={8} tooltip={fields.length ? `fields: ${fields.join(', ')}` : undefined}>
        <Input
          aria-label={`Step ${n} select fields`}
          width={40}
          placeholder="a, b, c"
          value={list.join(', ')}
          onChange={(e) => {
            const v = split(e.currentTarget.value);
            onChange(drop ? { type: 'select', drop: v } : { type: 'select', fields: v });
          }}
        />
      </InlineField>
    </>
  );
}

export const selectStep: StepDef<'select'> = {
  label: 'Select fields',
  create: () => ({ type: 'select', fields: [] }),
  Body: SelectBody,
};
