import React from 'react';
import { Button, Combobox, IconButton, InlineField, InlineFieldRow, Input, Stack, TagsInput } from '@grafana/ui';

import { sortKeys } from '../../../query/model';
import { Aggregate, AggregateOp, GroupByStep } from '../../../types/query';
import { FieldInput } from './common';
import { StepBodyProps, StepDef } from './types';

const OPS: Array<{ label: string; value: AggregateOp }> = [
  'count',
  'sum',
  'avg',
  'min',
  'max',
  'first',
  'last',
  'distinct',
].map((o) => ({
  label: o,
  value: o as AggregateOp,
}));

function GroupByBody({ step, n, fields, onChange }: StepBodyProps<GroupByStep>) {
  const aggs = step.aggregates ?? [];
  const setAgg = (i: number, a: Aggregate) => onChange({ ...step, aggregates: aggs.map((x, j) => (j === i ? a : x)) });
  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <InlineField label="Group by" labelWidth={12}>
          <TagsInput
            width={30}
            placeholder="field"
            tags={sortKeys(step.by).map((k) => k.field)}
            addOnBlur
            onChange={(t) => onChange({ ...step, by: t })}
          />
        </InlineField>
        <InlineField
          label="Time bucket"
          labelWidth={12}
          tooltip="Truncate a time field to multiples of an interval (5m, 1h, 1d) before grouping."
        >
          <FieldInput
            n={n}
            label="time bucket field"
            value={step.timeBucket?.field ?? ''}
            fields={fields}
            onChange={(v) => onChange({ ...step, timeBucket: { field: v, interval: step.timeBucket?.interval ?? '' } })}
          />
        </InlineField>
        <InlineField label="every" labelWidth={7}>
          <Input
            aria-label={`Step ${n} time bucket interval`}
            width={10}
            placeholder="5m"
            value={step.timeBucket?.interval ?? ''}
            onChange={(e) =>
              onChange({
                ...step,
                timeBucket: { field: step.timeBucket?.field ?? '', interval: e.currentTarget.value },
              })
            }
          />
        </InlineField>
      </InlineFieldRow>
      {aggs.map((a, i) => (
        <InlineFieldRow key={i}>
          <InlineField label={i === 0 ? 'Aggregate' : ''} labelWidth={12}>
            <Combobox
              aria-label={`Step ${n} aggregate ${i + 1} operation`}
              width={12}
              options={OPS}
              value={a.op}
              onChange={(o) => setAgg(i, { ...a, op: o.value })}
            />
          </InlineField>
          <InlineField label="of" labelWidth={4}>
            <FieldInput
              n={n}
              label={`aggregate ${i + 1} field`}
              value={a.field ?? ''}
              fields={fields}
              onChange={(v) => setAgg(i, { ...a, field: v || undefined })}
            />
          </InlineField>
          <InlineField label="as" labelWidth={4}>
            <Input
              aria-label={`Step ${n} aggregate ${i + 1} name`}
              width={16}
              placeholder={`${a.op}_${a.field ?? ''}`}
              value={a.as ?? ''}
              onChange={(e) => setAgg(i, { ...a, as: e.currentTarget.value || undefined })}
            />
          </InlineField>
          <IconButton
            name="times"
            tooltip="Remove aggregate"
            onClick={() => onChange({ ...step, aggregates: aggs.filter((_, j) => j !== i) })}
          />
        </InlineFieldRow>
      ))}
      <div>
        <Button
          size="sm"
          variant="secondary"
          fill="text"
          icon="plus"
          onClick={() => onChange({ ...step, aggregates: [...aggs, { op: 'count' }] })}
        >
          Aggregate
        </Button>
      </div>
    </Stack>
  );
}

export const groupByStep: StepDef<'groupBy'> = {
  label: 'Group by',
  create: () => ({ type: 'groupBy', by: [], aggregates: [{ op: 'count' }] }),
  Body: GroupByBody,
};
