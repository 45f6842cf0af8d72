import React from 'react';
import { InlineField, InlineFieldRow, RadioButtonGroup, Stack } from '@grafana/ui';

import { SchemaField, SchemaRoot } from '../../types/api';
import { Pipeline, Shape } from '../../types/query';
import { ColumnsTable } from './ColumnsTable';
import { PipelineSource } from './PipelineSource';
import { StepsList } from './StepsList';

export { parseEnum } from './ColumnsTable';

const SHAPES: Array<{ label: string; value: Shape; description: string }> = [
  { label: 'Table', value: 'table', description: 'One frame, rows as they are' },
  { label: 'Time series (long)', value: 'timeseries-long', description: 'Time column plus label and value columns' },
  { label: 'Time series (wide)', value: 'timeseries-wide', description: 'One value column per series' },
];

interface Props {
  pipeline: Pipeline;
  onChange: (p: Pipeline) => void;
  /** Paths in the whole document (for the row selector). */
  documentFields: SchemaField[];
  /** Paths within one row (for column selectors and step fields). */
  rowFields: SchemaField[];
  /** XML/HTML: candidate roots found in the document (repeated elements, table rows) with their counts. */
  documentRoots?: SchemaRoot[];
  /** Loading/error note for the field suggestions. */
  fieldsStatus?: React.ReactNode;
}

export function PipelineEditor({ pipeline, onChange, documentFields, rowFields, documentRoots, fieldsStatus }: Props) {
  const p = pipeline;
  const set = (patch: Partial<Pipeline>) => onChange({ ...p, ...patch });
  const columns = p.columns ?? [];
  // Names available to steps: declared columns, else the fields found in the sample.
  const stepFields = columns.length ? columns.map((c) => c.name).filter(Boolean) : rowFields.map((f) => f.path);

  return (
    <Stack direction="column" gap={1}>
      <PipelineSource
        pipeline={p}
        set={set}
        documentFields={documentFields}
        documentRoots={documentRoots}
        fieldsStatus={fieldsStatus}
      />
      <ColumnsTable columns={columns} set={set} rowFields={rowFields} />
      <StepsList steps={p.steps ?? []} set={set} stepFields={stepFields} />

      <InlineFieldRow>
        <InlineField label="Output shape" labelWidth={16}>
          <RadioButtonGroup
            aria-label="Output shape"
            options={SHAPES}
            value={p.shape ?? 'table'}
            onChange={(v) => set({ shape: v === 'table' ? undefined : v })}
          />
        </InlineField>
      </InlineFieldRow>
    </Stack>
  );
}
