import React, { useState } from 'react';
import { Button, IconButton, Input, Stack } from '@grafana/ui';

interface Props {
  value?: Record<string, string>;
  onChange: (value: Record<string, string>) => void;
  /** Used in labels and test ids, e.g. "param". */
  name: string;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
}

type Row = [string, string];

/**
 * Edits a string map as rows. Rows live in local state so a half-typed row
 * (empty or duplicate key) survives until it is complete; rows with an empty
 * key are not emitted.
 */
export function KeyValueEditor({ value, onChange, name, keyPlaceholder = 'name', valuePlaceholder = 'value' }: Props) {
  const [rows, setRows] = useState<Row[]>(() => Object.entries(value ?? {}));

  const emit = (next: Row[]) => {
    setRows(next);
    onChange(Object.fromEntries(next.filter(([k]) => k.trim() !== '')));
  };
  const setRow = (i: number, row: Row) => emit(rows.map((r, j) => (j === i ? row : r)));

  return (
    <Stack direction="column" gap={0.5}>
      {rows.map(([k, v], i) => (
        <Stack key={i} direction="row" gap={0.5} alignItems="center">
          <Input
            aria-label={`${name} ${i + 1} name`}
            placeholder={keyPlaceholder}
            value={k}
            width={24}
            onChange={(e) => setRow(i, [e.currentTarget.value, v])}
          />
          <Input
            aria-label={`${name} ${i + 1} value`}
            placeholder={valuePlaceholder}
            value={v}
            width={40}
            onChange={(e) => setRow(i, [k, e.currentTarget.value])}
          />
          <IconButton
            name="trash-alt"
            tooltip={`Remove ${name}`}
            onClick={() => emit(rows.filter((_, j) => j !== i))}
          />
        </Stack>
      ))}
      <div>
        <Button size="sm" variant="secondary" icon="plus" onClick={() => setRows([...rows, ['', '']])}>
          {`Add ${name}`}
        </Button>
      </div>
    </Stack>
  );
}
