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

import { COLUMN_TYPES as REGISTERED_COLUMN_TYPES, PIPELINE_FORMATS, STEP_TYPES } from '../../api/contract';
import { SchemaField, SchemaRoot } from '../../types/api';
import { Column, ColumnType, Pipeline, PipelineFormat, RootSyntax, Shape, Step } from '../../types/query';
import { getTableStyles } from '../common/styles';
import { Suggestion, SuggestInput } from '../common/SuggestInput';
import { StepEditor } from './StepEditor';
import { newStep, STEP_DEFS } from './steps';

const FORMAT_LABELS: Record<PipelineFormat, string> = {
  json: 'JSON',
  ndjson: 'NDJSON',
  csv: 'CSV',
  xml: 'XML',
  html: 'HTML',
  auto: 'Auto',
};
const FORMATS = PIPELINE_FORMATS.map((f) => ({ label: FORMAT_LABELS[f], value: f }));

/** What "Rows at" means per format (and root syntax). */
function rootHelp(format: PipelineFormat, syntax: RootSyntax): { tooltip: string; placeholder: string } {
  if (syntax === 'jq') {
    return {
      tooltip:
        'jq program over the whole JSON document; every value it yields is a row, e.g. .data.items[] | select(.active)',
      placeholder: '.data.items[]',
    };
  }
  switch (format) {
    case 'xml':
      return {
        tooltip:
          'Element path: names, *, //, [@attr="v"], [n]; e.g. //item or /rss/channel/item. Empty: the children of the document element.',
        placeholder: 'children of the document element',
      };
    case 'html':
      return {
        tooltip:
          'CSS selector of the row elements, e.g. table#services tr or ul.items > li. Empty: the rows of the first table.',
        placeholder: 'rows of the first table',
      };
  }
  return {
    tooltip:
      'gjson path to the array of rows, e.g. data.items (XML: element path; HTML: CSS selector). Empty: the document itself.',
    placeholder: 'document root',
  };
}

const SHAPES: Array<{ label: string; value: Shape; description: string }> = [
  { label: 'Table', value: 'table', description: 'One frame, rows as they are' },
  { label: 'Time series (long)', value: 'timeseries-long', description: 'Time column plus label and value columns' },
  { label: 'Time series (wide)', value: 'timeseries-wide', description: 'One value column per series' },
];

const COLUMN_TYPES: Array<{ label: string; value: ColumnType | '' }> = [
  { label: 'auto', value: '' },
  ...REGISTERED_COLUMN_TYPES.map((t) => ({ label: t, value: t })),
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
  const styles = useStyles2(getTableStyles);
  const p = pipeline;
  const set = (patch: Partial<Pipeline>) => onChange({ ...p, ...patch });
  const columns = p.columns ?? [];
  const steps = p.steps ?? [];
  const format = p.format ?? 'json';
  const hasCsv = format === 'csv' || format === 'auto';
  const jqAllowed = format === 'json' || format === 'auto';
  const syntax: RootSyntax = jqAllowed && p.rootSyntax === 'jq' ? 'jq' : 'gjson';
  const help = rootHelp(format, syntax);

  const rootSuggestions: Suggestion[] = [
    ...(documentRoots ?? []).map((r) => ({ value: r.root, detail: `${r.count} rows` })),
    ...(syntax === 'jq'
      ? []
      : documentFields
          .filter((f) => f.type === 'json' || f.type === 'array' || f.type === 'object')
          .map((f) => ({ value: f.path, detail: f.type }))),
  ];
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
            onChange={(v) => set({ format: v, rootSyntax: v === 'json' || v === 'auto' ? p.rootSyntax : undefined })}
          />
        </InlineField>
        {jqAllowed && (
          <InlineField
            label="Rows by"
            labelWidth={9}
            tooltip="How Rows at selects the rows: a gjson path, or a jq program"
          >
            <RadioButtonGroup
              aria-label="Root syntax"
              options={[
                { label: 'path', value: 'gjson' as RootSyntax },
                { label: 'jq', value: 'jq' as RootSyntax },
              ]}
              value={syntax}
              onChange={(v) => set({ rootSyntax: v === 'jq' ? 'jq' : undefined })}
            />
          </InlineField>
        )}
        {format !== 'csv' && (
          <InlineField label="Rows at" labelWidth={12} tooltip={help.tooltip} grow>
            <SuggestInput
              aria-label="Rows at"
              placeholder={help.placeholder}
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
              <th>Zone / values</th>
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
                  {c.type === 'enum' ? (
                    <EnumInput
                      label={`Column ${i + 1} enum values`}
                      value={c.enum}
                      onChange={(e) => setColumn(i, { enum: e })}
                    />
                  ) : (
                    <Input
                      aria-label={`Column ${i + 1} time zone`}
                      width={18}
                      placeholder={c.type === 'time' || c.timeFormat ? 'UTC' : ''}
                      disabled={c.type !== 'time' && !c.timeFormat && !c.timezone}
                      value={c.timezone ?? ''}
                      onChange={(e) => setColumn(i, { timezone: e.currentTarget.value || undefined })}
                    />
                  )}
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
            key={t}
            size="sm"
            variant="secondary"
            icon="plus"
            onClick={() => set({ steps: [...steps, newStep(t)] })}
          >
            {STEP_DEFS[t].label}
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

/** "ok=0, warn=1" ↔ {"ok":0,"warn":1}: entries whose number does not parse are dropped. */
export function parseEnum(text: string): Column['enum'] {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const eq = part.lastIndexOf('=');
    if (eq < 0) {
      continue;
    }
    const key = part.slice(0, eq).trim();
    const num = part.slice(eq + 1).trim();
    if (key !== '' && num !== '' && Number.isFinite(Number(num))) {
      out[key] = Number(num);
    }
  }
  return Object.keys(out).length ? out : undefined;
}

function enumText(e: Column['enum']): string {
  return Object.entries(e ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** The enum mapping as text, kept as typed and parsed when the input loses focus. */
function EnumInput({
  label,
  value,
  onChange,
}: {
  label: string;
  value: Column['enum'];
  onChange: (e: Column['enum']) => void;
}) {
  const [text, setText] = React.useState(enumText(value));
  return (
    <Input
      aria-label={label}
      width={18}
      placeholder="ok=0, warn=1"
      value={text}
      onChange={(e) => setText(e.currentTarget.value)}
      onBlur={() => onChange(parseEnum(text))}
    />
  );
}

function typedDefault(v: string, type?: ColumnType): Column['default'] {
  if (v === '') {
    return undefined;
  }
  if (type === 'number' || type === 'duration') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  if (type === 'boolean') {
    return v === 'true';
  }
  return v;
}
