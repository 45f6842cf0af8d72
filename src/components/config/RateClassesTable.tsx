import React from 'react';
import { Button, Combobox, IconButton, Input, Stack, Text, useStyles2 } from '@grafana/ui';

import { getTableStyles } from '../common/styles';
import { DEFAULTS, Rate, RATE_CLASSES } from '../../types/settings';
import { ConfigApi, parseNumber } from './configApi';
import { useFieldError } from './health';

/**
 * Per route-class rates (jsonData.rateLimits.classes): a map keyed by class,
 * edited as rows. A class without a row uses the default rate.
 */
export function RateClassesTable({ cfg }: { cfg: ConfigApi }) {
  const styles = useStyles2(getTableStyles);
  const rl = cfg.jsonData.rateLimits ?? {};
  const entries = Object.entries(rl.classes ?? {});
  const used = entries.map(([k]) => k);
  const unused = RATE_CLASSES.filter((c) => !used.includes(c));

  // Rebuilds the map through fn so row order survives renaming a class.
  const setClasses = (fn: (rows: Array<[string, Rate]>) => void) =>
    cfg.update((jd) => {
      jd.rateLimits = jd.rateLimits ?? {};
      const rows = Object.entries(jd.rateLimits.classes ?? {});
      fn(rows);
      rows.length ? (jd.rateLimits.classes = Object.fromEntries(rows)) : delete jd.rateLimits.classes;
    });

  return (
    <div>
      <Text color="secondary" variant="bodySmall">
        Rates per route class override the default above. Limits apply per user login and class; a caller over the limit
        gets HTTP 429 with a Retry-After header.
      </Text>
      {entries.length > 0 && (
        <table className={styles.table} aria-label="Rate limit classes">
          <thead>
            <tr>
              <th>Class</th>
              <th>Requests per second</th>
              <th>Burst</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {entries.map(([name, rate], i) => (
              <ClassRow
                key={i}
                index={i}
                name={name}
                rate={rate}
                // Each class once: the other rows' classes are not offered.
                choices={[name, ...unused]}
                onRename={(to) => setClasses((rows) => (rows[i] = [to, rows[i][1]]))}
                onChange={(fn) => setClasses((rows) => fn(rows[i][1]))}
                onRemove={() => setClasses((rows) => rows.splice(i, 1))}
              />
            ))}
          </tbody>
        </table>
      )}
      <Stack direction="row" gap={1}>
        <Button
          size="sm"
          variant="secondary"
          icon="plus"
          disabled={unused.length === 0}
          onClick={() =>
            // Starts from the effective default: an empty rate would block the class once its burst is spent.
            setClasses((rows) =>
              rows.push([
                unused[0],
                {
                  perSecond: rl.default?.perSecond ?? DEFAULTS.rate.perSecond,
                  burst: rl.default?.burst ?? DEFAULTS.rate.burst,
                },
              ])
            )
          }
        >
          Add class
        </Button>
      </Stack>
    </div>
  );
}

function ClassRow({
  index,
  name,
  rate,
  choices,
  onRename,
  onChange,
  onRemove,
}: {
  index: number;
  name: string;
  rate: Rate;
  choices: string[];
  onRename: (to: string) => void;
  onChange: (fn: (r: Rate) => void) => void;
  onRemove: () => void;
}) {
  const styles = useStyles2(getTableStyles);
  const n = index + 1;
  const backend = useFieldError(`jsonData.rateLimits.classes.${name}`);
  const negative = (rate.perSecond ?? 0) < 0 || (rate.burst ?? 0) < 0;
  const local = negative
    ? 'Must not be negative'
    : !rate.perSecond
      ? 'Set requests per second: without a rate the class is blocked once its burst is spent'
      : undefined;
  const errors = [local, backend].filter(Boolean);
  const setNum = (k: keyof Rate) => (e: React.FormEvent<HTMLInputElement>) => {
    const v = parseNumber(e.currentTarget.value);
    onChange((r) => (v === undefined ? delete r[k] : (r[k] = v)));
  };
  const labelId = `rate-class-${n}-label`;
  return (
    <>
      <tr data-testid={`rate-class-${n}`}>
        <td>
          <span id={labelId} hidden>
            {`Class ${n}`}
          </span>
          <Combobox<string>
            aria-labelledby={labelId}
            width={16}
            options={choices.map((c) => ({ label: c, value: c }))}
            value={name}
            onChange={(o) => o.value !== name && onRename(o.value)}
          />
        </td>
        <td>
          <Input
            aria-label={`Class ${n} requests per second`}
            type="number"
            min={0}
            width={14}
            value={rate.perSecond ?? ''}
            invalid={!!(local || backend)}
            onChange={setNum('perSecond')}
          />
        </td>
        <td>
          <Input
            aria-label={`Class ${n} burst`}
            type="number"
            min={0}
            width={14}
            placeholder="1"
            value={rate.burst ?? ''}
            invalid={negative || !!backend}
            onChange={setNum('burst')}
          />
        </td>
        <td>
          <IconButton name="trash-alt" tooltip={`Remove class ${n}`} onClick={onRemove} />
        </td>
      </tr>
      {errors.length > 0 && (
        <tr>
          <td colSpan={4} className={styles.error}>
            {errors.join(' · ')}
          </td>
        </tr>
      )}
    </>
  );
}
