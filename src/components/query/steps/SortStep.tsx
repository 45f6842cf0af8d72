import React from 'react';
import { Button, IconButton, InlineSwitch, Stack } from '@grafana/ui';

import { sortKeys } from '../../../query/model';
import { SortStep } from '../../../types/query';
import { FieldInput } from './common';
import { StepBodyProps, StepDef } from './types';

function SortBody({ step, n, fields, onChange }: StepBodyProps<SortStep>) {
  const keys = sortKeys(step.by);
  const setKeys = (by: typeof keys) => onChange({ ...step, by });
  return (
    <Stack direction="row" gap={1} wrap="wrap" alignItems="center">
      {keys.map((k, i) => (
        <Stack key={i} direction="row" gap={0.5} alignItems="center">
          <FieldInput
            n={n}
            label={`sort field ${i + 1}`}
            value={k.field}
            fields={fields}
            onChange={(v) => setKeys(keys.map((x, j) => (j === i ? { ...x, field: v } : x)))}
          />
          <InlineSwitch
            aria-label={`Step ${n} sort ${i + 1} descending`}
            label="desc"
            showLabel
            value={!!k.desc}
            onChange={(e) => {
              const desc = e.currentTarget.checked;
              setKeys(keys.map((x, j) => (j === i ? { ...x, desc } : x)));
            }}
          />
          {keys.length > 1 && (
            <IconButton name="times" tooltip="Remove key" onClick={() => setKeys(keys.filter((_, j) => j !== i))} />
          )}
        </Stack>
      ))}
      <Button size="sm" variant="secondary" fill="text" icon="plus" onClick={() => setKeys([...keys, { field: '' }])}>
        Then by
      </Button>
    </Stack>
  );
}

export const sortStep: StepDef<'sort'> = {
  label: 'Sort',
  create: () => ({ type: 'sort', by: [{ field: '' }] }),
  Body: SortBody,
};
