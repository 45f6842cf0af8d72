import React from 'react';
import { Checkbox, Field, Input, RadioButtonGroup, TagsInput } from '@grafana/ui';

import { ActionParam, ActionParamType } from '../../types/settings';
import { Column, EditableTable } from '../common/EditableTable';
import { parseNumber } from './configApi';

const PARAM_TYPES: ActionParamType[] = ['string', 'number', 'integer', 'boolean'];

/** An action's parameters: name, type, required, allowed values, pattern, bounds and default. */
export function ActionParamsTable({
  index,
  params,
  onChange,
}: {
  index: number;
  params: ActionParam[];
  onChange: (p: ActionParam[]) => void;
}) {
  const set = (i: number, fn: (p: ActionParam) => void) =>
    onChange(
      params.map((p, j) => {
        if (j !== i) {
          return p;
        }
        const c = { ...p };
        fn(c);
        return c;
      })
    );
  return (
    <Field label="Parameters">
      <div>
        <EditableTable<ActionParam>
          label={`Action ${index + 1} parameters`}
          rows={params}
          columns={paramColumns(set)}
          addLabel="Add parameter"
          onAdd={() => onChange([...params, { name: '', type: 'string' }])}
          onRemove={(i) => onChange(params.filter((_, j) => j !== i))}
          removeLabel={(n) => `Remove parameter ${n}`}
        />
      </div>
    </Field>
  );
}

const BOUNDS_TITLE = 'Value bounds; length bounds for strings';

function paramColumns(set: (i: number, fn: (p: ActionParam) => void) => void): Array<Column<ActionParam>> {
  const bound = (k: 'min' | 'max'): Column<ActionParam> => ({
    header: k === 'min' ? 'Min' : 'Max',
    headerTitle: BOUNDS_TITLE,
    render: ({ row, index, n }) => (
      <Input
        aria-label={`Parameter ${n} ${k}`}
        type="number"
        width={8}
        disabled={row.type === 'boolean'}
        value={row[k] ?? ''}
        onChange={(e) => {
          const v = parseNumber(e.currentTarget.value);
          set(index, (x) => (v === undefined ? delete x[k] : (x[k] = v)));
        }}
      />
    ),
  });
  return [
    {
      header: 'Name',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} name`}
          width={14}
          value={row.name}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (x.name = v));
          }}
        />
      ),
    },
    {
      header: 'Type',
      render: ({ row, index }) => (
        <RadioButtonGroup<ActionParamType>
          size="sm"
          options={PARAM_TYPES.map((t) => ({ label: t, value: t }))}
          value={row.type}
          onChange={(v) => set(index, (x) => (x.type = v))}
        />
      ),
    },
    {
      header: 'Required',
      render: ({ row, index, n }) => (
        <Checkbox
          aria-label={`Parameter ${n} required`}
          value={!!row.required}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            set(index, (x) => (v ? (x.required = true) : delete x.required));
          }}
        />
      ),
    },
    {
      header: 'Allowed values',
      render: ({ row, index }) => (
        <TagsInput
          width={18}
          tags={(row.enum ?? []).map(String)}
          addOnBlur
          onChange={(t) => set(index, (x) => (t.length ? (x.enum = t.map((s) => coerce(s, x.type))) : delete x.enum))}
        />
      ),
    },
    {
      header: 'Pattern',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} pattern`}
          width={14}
          disabled={row.type !== 'string'}
          value={row.pattern ?? ''}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (v ? (x.pattern = v) : delete x.pattern));
          }}
        />
      ),
    },
    bound('min'),
    bound('max'),
    {
      header: 'Default',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} default`}
          width={10}
          value={row.default === undefined ? '' : String(row.default)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (v === '' ? delete x.default : (x.default = coerce(v, x.type))));
          }}
        />
      ),
    },
  ];
}

/** Enum and default values are typed like the parameter. */
function coerce(s: string, type: ActionParamType): string | number | boolean {
  if (type === 'boolean') {
    return s === 'true';
  }
  if (type === 'number' || type === 'integer') {
    const n = Number(s);
    return Number.isFinite(n) ? n : s;
  }
  return s;
}
