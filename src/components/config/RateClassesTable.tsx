import React from 'react';
import { Combobox, Input, Text } from '@grafana/ui';

import { Column, EditableTable } from '../common/EditableTable';
import { DEFAULTS, Rate, RATE_CLASSES } from '../../types/settings';
import { ConfigApi, parseNumber } from './configApi';
import { FieldErrors, useFieldErrors } from './health';

type ClassRow = [string, Rate];
type SetRows = (fn: (rows: ClassRow[]) => void) => void;

const negative = (r: Rate) => (r.perSecond ?? 0) < 0 || (r.burst ?? 0) < 0;

/**
 * Per route-class rates (jsonData.rateLimits.classes): a map keyed by class,
 * edited as rows. A class without a row uses the default rate.
 */
export function RateClassesTable({ cfg }: { cfg: ConfigApi }) {
  const errs = useFieldErrors();
  const rl = cfg.jsonData.rateLimits ?? {};
  const rows = Object.entries(rl.classes ?? {});
  const unused = RATE_CLASSES.filter((c) => !rows.some(([k]) => k === c));

  // Rebuilds the map through fn so row order survives renaming a class.
  const setRows: SetRows = (fn) =>
    cfg.update((jd) => {
      jd.rateLimits = jd.rateLimits ?? {};
      const next = Object.entries(jd.rateLimits.classes ?? {});
      fn(next);
      next.length ? (jd.rateLimits.classes = Object.fromEntries(next)) : delete jd.rateLimits.classes;
    });

  return (
    <div>
      <Text color="secondary" variant="bodySmall">
        Rates per route class override the default above. Limits apply per user login and class; a caller over the limit
        gets HTTP 429 with a Retry-After header.
      </Text>
      <EditableTable<ClassRow>
        label="Rate limit classes"
        rows={rows}
        columns={classColumns(setRows, unused, errs)}
        rowTestId={(_, i) => `rate-class-${i + 1}`}
        rowErrors={([name]) => [backendError(errs, name)]}
        addLabel="Add class"
        addDisabled={unused.length === 0}
        onAdd={() =>
          // Starts from the effective default: an empty rate would block the class once its burst is spent.
          setRows((rs) =>
            rs.push([
              unused[0],
              {
                perSecond: rl.default?.perSecond ?? DEFAULTS.rate.perSecond,
                burst: rl.default?.burst ?? DEFAULTS.rate.burst,
              },
            ])
          )
        }
        onRemove={(i) => setRows((rs) => rs.splice(i, 1))}
        removeLabel={(n) => `Remove class ${n}`}
      />
    </div>
  );
}

const backendError = (errs: FieldErrors, name: string) => errs[`jsonData.rateLimits.classes.${name}`];

function classColumns(setRows: SetRows, unused: string[], errs: FieldErrors): Array<Column<ClassRow>> {
  const setNum = (i: number, k: keyof Rate) => (e: React.FormEvent<HTMLInputElement>) => {
    const v = parseNumber(e.currentTarget.value);
    setRows((rs) => (v === undefined ? delete rs[i][1][k] : (rs[i][1][k] = v)));
  };
  return [
    {
      header: 'Class',
      render: ({ row: [name], index, n }) => (
        <>
          <span id={`rate-class-${n}-label`} hidden>
            {`Class ${n}`}
          </span>
          <Combobox<string>
            aria-labelledby={`rate-class-${n}-label`}
            width={16}
            // Each class once: the other rows' classes are not offered.
            options={[name, ...unused].map((c) => ({ label: c, value: c }))}
            value={name}
            onChange={(o) => o.value !== name && setRows((rs) => (rs[index] = [o.value, rs[index][1]]))}
          />
        </>
      ),
    },
    {
      header: 'Requests per second',
      validate: ([, rate]) =>
        negative(rate)
          ? 'Must not be negative'
          : !rate.perSecond
            ? 'Set requests per second: without a rate the class is blocked once its burst is spent'
            : undefined,
      render: ({ row: [name, rate], index, n, error }) => (
        <Input
          aria-label={`Class ${n} requests per second`}
          type="number"
          min={0}
          width={14}
          value={rate.perSecond ?? ''}
          invalid={!!error || !!backendError(errs, name)}
          onChange={setNum(index, 'perSecond')}
        />
      ),
    },
    {
      header: 'Burst',
      render: ({ row: [name, rate], index, n }) => (
        <Input
          aria-label={`Class ${n} burst`}
          type="number"
          min={0}
          width={14}
          placeholder="1"
          value={rate.burst ?? ''}
          invalid={negative(rate) || !!backendError(errs, name)}
          onChange={setNum(index, 'burst')}
        />
      ),
    },
  ];
}
