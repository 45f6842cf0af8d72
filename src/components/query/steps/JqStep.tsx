import React from 'react';
import { InlineField, TextArea } from '@grafana/ui';

import { JqStep } from '../../../types/query';
import { useMono } from './common';
import { StepBodyProps, StepDef } from './types';

/** A jq program over the array of rows; every value it yields is a row (an object, or an array of objects). */
function JqBody({ step, n, onChange }: StepBodyProps<JqStep>) {
  const mono = useMono();
  return (
    <InlineField
      label="jq"
      labelWidth={8}
      grow
      tooltip="jq program (gojq) over the array of rows, e.g. map(select(.price > 10) | {name, total: (.price * .qty)}). No input, env or I/O builtins."
    >
      <TextArea
        aria-label={`Step ${n} jq program`}
        className={mono}
        rows={Math.min(8, Math.max(1, step.expr.split('\n').length))}
        placeholder="map(select(.price > 10) | {name, price})"
        value={step.expr}
        onChange={(e) => onChange({ ...step, expr: e.currentTarget.value })}
      />
    </InlineField>
  );
}

export const jqStep: StepDef<'jq'> = { label: 'jq', create: () => ({ type: 'jq', expr: '' }), Body: JqBody };
