import React from 'react';
import {
  Button,
  Combobox,
  IconButton,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import { newStep } from '../../query/model';
import { SchemaField } from '../../types/api';
import { Column, ColumnType, Pipeline, PipelineFormat, Shape, Step, StepType } from '../../types/query';
import { getTableStyles } from '../common/styles';
import { Suggestion, SuggestInput } from '../common/SuggestInput';
import { StepEditor } from './StepEditor';

const FORMATS: Array<{ label: string; value: PipelineFormat }> = [
  { label: 'JSON', value: 'json' },
  { label: 'NDJSON', value: 'ndjson' },
  { label: 'CSV', value: 'csv' },
  { label: 'Auto', value: 'auto' },
];

const SHAPES: Array<{ label: string; value: Shape; description: string }> = [
  { label: 'Table', value: 'table', description: 'One frame, rows as they are' },
  { label: 'Time series (long)', value: 'timeseries-long', description: 'Time column plus label and value columns' },
  { label: 'Time series (wide)', value: 'timeseries-wide', description: 'One value column per series' },
];

const COLUMN_TYPES: Array<{ label: string; value: ColumnType | '' }> = [
  { label: 'auto', value: '' },
  { label: 'string', value: 'string' },
  { label: 'number', value: 'number' },
  { label: 'boolean', value: 'boolean' },
  { label: 'time', value: 'time' },
  { label: 'json', value: 'json' },
];

const STEP_TYPES: Array<{ label: string; value: StepType }> = [
  { label: 'Filter', value: 'filter' },
  { label: 'Compute', value: 'compute' },
  { label: 'Rename', value: 'rename' },
  { label: 'Sort', value: 'sort' },
  { label: 'Limit', value: 'limit' },
  { label: 'Group by', value: 'groupBy' },
];

interface Props {
  pipeline: Pipeline;
  onChange: (p: Pipeline) => void;
  /** Paths in the whole document (for the row selector). */
  documentFields: SchemaField[];
  /** Paths within one row (for column selectors and step fields). */
  rowFields: SchemaField[];
  /** Loading/error note for the field suggestions. */
  fieldsStatus?: React.ReactNode;
}

export function PipelineEditor({ pipeline, onChange, documentFields, rowFields, fieldsStatus }: Props) {
  const styles = useStyles2(getTableStyles);
  const p = pipeline;
  const set = (patch: Partial<Pipeline>) => onChange({ ...p, ...patch });
  const columns = p.columns ?? [];
  const steps = p.steps ?? [];
  const format = p.format ?? 'json';
  const hasCsv = format === 'csv' || format === 'auto';

  const rootSuggestions: Suggestion[] = documentFields
    .filter((f) => f.type === 'json' || f.type === 'array' || f.type === 'object')
    .map((f) => ({ value: f.path, detail: f.type }));
  const fieldSuggestions: Suggestion[] = rowFields.map((f) => ({ value: f.path, detail: f.type }));
  // Names available to steps: declared columns, else the fields found in the sample.
  const stepFields = columns.length ? columns.map((c) => c.name).filter(Boolean) : rowFields.map((f) => f.path);

  const setColumn = (i: number, patch: Partial<Column>) =>
    set({ columns: columns.map((c, j) => (j === i ? { ...c, ...patch } : c)) });
  const setStep = (i: number, s: Step) => set({ steps: steps.map((x, j) => (j === i ? s : x)) });
  const moveStep = (i: number, d: -1 | 1) => {
    const next = [...steps];
    [next[i], next[i + d]] = [next[i + d], next[i]];
    set({ steps: next });
  };

  return (
    <Stack direction="column" gap={1}>
      <InlineFieldRow>
        <InlineField label="Body format" labelWidth={16}>
          <RadioButtonGroup
            aria-label="Body format"
            options={FORMATS}
            value={format}
            onChange={(v) => set({ format: v })}
          />
        </InlineField>
        {format !== 'csv' && (
          <InlineField
            label="Rows at"
            labelWidth={12}
            tooltip="gjson path to the array of rows, e.g. data.items. Empty: the document itself."
            grow
          >
            <SuggestInput
              aria-label="Rows at"
              placeholder="document root"
              value={p.root ?? ''}
              suggestions={rootSuggestions}
              onChange={(v) => set({ root: v || undefined })}
              footer={fieldsStatus}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {hasCsv && (
        <InlineFieldRow>
          <InlineField label="CSV delimiter" labelWidth={16}>
            <Input
              aria-label="CSV delimiter"
              width={6}
              maxLength={1}
              placeholder=","
              value={p.csv?.delimiter ?? ''}
              onChange={(e) => set({ csv: { ...p.csv, delimiter: e.currentTarget.value || undefined } })}
            />
          </InlineField>
          <InlineField label="Header row" labelWidth={12}>
            <InlineSwitch
              aria-label="CSV header row"
              value={p.csv?.header ?? true}
              onChange={(e) => set({ csv: { ...p.csv, header: e.currentTarget.checked ? undefined : false } })}
            />
          </InlineField>
          <InlineField label="Comment" labelWidth={10}>
            <Input
              aria-label="CSV comment character"
              width={6}
              maxLength={1}
              placeholder="none"
              value={p.csv?.comment ?? ''}
              onChange={(e) => set({ csv: { ...p.csv, comment: e.currentTarget.value || undefined } })}
            />
          </InlineField>
        </InlineFieldRow>
      )}

      <Text variant="bodySmall" color="secondary">
        Columns {columns.length === 0 && '— none declared: inferred from the data'}
      </Text>
      {columns.length > 0 && (
        <table className={styles.table} aria-label="Columns">
          <thead>
            <tr>
              <th>Name</th>
              <th>Selector</th>
              <th>Type</th>
              <th>Time format</th>
              <th>Default</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {columns.map((c, i) => (
              <tr key={i}>
                <td>
                  <Input
                    aria-label={`Column ${i + 1} name`}
                    width={16}
                    value={c.name}
                    onChange={(e) => setColumn(i, { name: e.currentTarget.value })}
                  />
                </td>
                <td>
                  <SuggestInput
                    aria-label={`Column ${i + 1} selector`}
                    width={24}
                    placeholder={c.name || 'same as name'}
                    value={c.selector ?? ''}
                    suggestions={fieldSuggestions}
                    onChange={(v) => setColumn(i, { selector: v || undefined })}
                    // A chosen or finished selector names an unnamed column after its last segment.
                    onCommit={(v) => !c.name && v && setColumn(i, { selector: v, name: lastSegment(v) })}
                  />
                </td>
                <td>
                  <Combobox
                    aria-label={`Column ${i + 1} type`}
                    width={14}
                    options={COLUMN_TYPES}
                    value={c.type ?? ''}
                    onChange={(o) => setColumn(i, { type: (o.value || undefined) as ColumnType | undefined })}
                  />
                </td>
                <td>
                  <Input
                    aria-label={`Column ${i + 1} time format`}
                    width={16}
                    placeholder={c.type === 'time' ? 'auto' : ''}
                    disabled={c.type !== 'time' && !c.timeFormat}
                    value={c.timeFormat ?? ''}
                    onChange={(e) => setColumn(i, { timeFormat: e.currentTarget.value || undefined })}
                  />
                </td>
                <td>
                  <Input
                    aria-label={`Column ${i + 1} default`}
                    width={12}
                    value={c.default === undefined ? '' : String(c.default)}
                    onChange={(e) => setColumn(i, { default: typedDefault(e.currentTarget.value, c.type) })}
                  />
                </td>
                <td>
                  <IconButton
                    name="trash-alt"
                    tooltip={`Remove column ${i + 1}`}
                    onClick={() => set({ columns: columns.filter((_, j) => j !== i) })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Stack direction="row" gap={1}>
        <Button size="sm" variant="secondary" icon="plus" onClick={() => set({ columns: [...columns, { name: '' }] })}>
          Add column
        </Button>
        {columns.length === 0 && rowFields.length > 0 && (
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            onClick={() =>
              set({
                columns: rowFields
                  .filter((f) => f.type !== 'object' && f.type !== 'array')
                  .slice(0, 20)
                  .map((f) => ({ name: lastSegment(f.path), selector: f.path })),
              })
            }
          >
            Add all detected fields
          </Button>
        )}
      </Stack>

      <Text variant="bodySmall" color="secondary">
        Steps {steps.length === 0 && '— none'}
      </Text>
      {steps.map((s, i) => (
        <StepEditor
          key={i}
          index={i}
          step={s}
          fields={stepFields}
          onChange={(x) => setStep(i, x)}
          onRemove={() => set({ steps: steps.filter((_, j) => j !== i) })}
          onMoveUp={i > 0 ? () => moveStep(i, -1) : undefined}
          onMoveDown={i < steps.length - 1 ? () => moveStep(i, 1) : undefined}
        />
      ))}
      <Stack direction="row" gap={0.5} alignItems="center">
        <Text variant="bodySmall" color="secondary">
          Add step:
        </Text>
        {STEP_TYPES.map((t) => (
          <Button
            key={t.value}
            size="sm"
            variant="secondary"
            icon="plus"
            onClick={() => set({ steps: [...steps, newStep(t.value)] })}
          >
            {t.label}
          </Button>
        ))}
      </Stack>

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

function lastSegment(path: string): string {
  const parts = path.split('.').filter((x) => x && x !== '#');
  return parts[parts.length - 1] ?? path;
}

function typedDefault(v: string, type?: ColumnType): Column['default'] {
  if (v === '') {
    return undefined;
  }
  if (type === 'number') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  if (type === 'boolean') {
    return v === 'true';
  }
  return v;
}
