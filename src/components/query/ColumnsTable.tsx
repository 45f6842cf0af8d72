import React from 'react';
import { Button, Combobox, IconButton, Input, Stack, Text, useStyles2 } from '@grafana/ui';

import { COLUMN_TYPES as REGISTERED_COLUMN_TYPES } from '../../api/contract';
import { SchemaField } from '../../types/api';
import { Column, ColumnType, Pipeline } from '../../types/query';
import { getTableStyles } from '../common/styles';
import { Suggestion, SuggestInput } from '../common/SuggestInput';

const COLUMN_TYPES: Array<{ label: string; value: ColumnType | '' }> = [
  { label: 'auto', value: '' },
  ...REGISTERED_COLUMN_TYPES.map((t) => ({ label: t, value: t })),
];

interface Props {
  columns: Column[];
  set: (patch: Partial<Pipeline>) => void;
  /** Paths within one row (for column selectors). */
  rowFields: SchemaField[];
}

/** The declared columns: name, selector, type and parsing per column. */
export function ColumnsTable({ columns, set, rowFields }: Props) {
  const styles = useStyles2(getTableStyles);
  const fieldSuggestions: Suggestion[] = rowFields.map((f) => ({ value: f.path, detail: f.type }));
  const setColumn = (i: number, patch: Partial<Column>) =>
    set({ columns: columns.map((c, j) => (j === i ? { ...c, ...patch } : c)) });

  return (
    <>
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
    </>
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
