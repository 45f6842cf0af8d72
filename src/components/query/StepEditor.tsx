import { css } from '@emotion/css';
import React from 'react';
import { GrafanaTheme2 } from '@grafana/data';
import {
  Button,
  Combobox,
  IconButton,
  InlineField,
  InlineFieldRow,
  InlineSwitch,
  Input,
  Stack,
  TagsInput,
  Text,
  useStyles2,
} from '@grafana/ui';

import { sortKeys } from '../../query/model';
import { Aggregate, AggregateOp, Step } from '../../types/query';
import { SuggestInput } from '../common/SuggestInput';

const OPS: Array<{ label: string; value: AggregateOp }> = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last'].map(
  (o) => ({
    label: o,
    value: o as AggregateOp,
  })
);

const LABELS: Record<Step['type'], string> = {
  filter: 'Filter',
  compute: 'Compute',
  rename: 'Rename',
  sort: 'Sort',
  limit: 'Limit',
  groupBy: 'Group by',
};

interface Props {
  index: number;
  step: Step;
  fields: string[];
  onChange: (s: Step) => void;
  onRemove: () => void;
  onMoveUp?: () => void;
  onMoveDown?: () => void;
}

/** One pipeline step; expressions are expr-lang over the row's fields, e.g. price * qty > 100. */
export function StepEditor({ index, step, fields, onChange, onRemove, onMoveUp, onMoveDown }: Props) {
  const styles = useStyles2(getStyles);
  const n = index + 1;
  const suggestions = fields.map((f) => ({ value: f }));
  const fieldInput = (label: string, value: string, set: (v: string) => void) => (
    <SuggestInput
      aria-label={`Step ${n} ${label}`}
      width={22}
      placeholder="field"
      value={value}
      suggestions={suggestions}
      onChange={set}
    />
  );

  let body: React.ReactNode;
  switch (step.type) {
    case 'filter':
      body = (
        <InlineField label="Keep rows where" labelWidth={18} grow>
          <Input
            aria-label={`Step ${n} filter expression`}
            className={styles.mono}
            placeholder="price > 10 && status == 'active'"
            value={step.expr}
            onChange={(e) => onChange({ ...step, expr: e.currentTarget.value })}
          />
        </InlineField>
      );
      break;
    case 'compute':
      body = (
        <>
          <InlineField label="Field" labelWidth={8}>
            <Input
              aria-label={`Step ${n} compute name`}
              width={18}
              placeholder="total"
              value={step.name}
              onChange={(e) => onChange({ ...step, name: e.currentTarget.value })}
            />
          </InlineField>
          <InlineField label="=" labelWidth={4} grow>
            <Input
              aria-label={`Step ${n} compute expression`}
              className={styles.mono}
              placeholder="price * qty"
              value={step.expr}
              onChange={(e) => onChange({ ...step, expr: e.currentTarget.value })}
            />
          </InlineField>
        </>
      );
      break;
    case 'rename':
      body =
        step.map && !step.from ? (
          <Text color="secondary" variant="bodySmall">
            {Object.entries(step.map)
              .map(([a, b]) => `${a} → ${b}`)
              .join(', ')}
          </Text>
        ) : (
          <>
            <InlineField label="From" labelWidth={8}>
              {fieldInput('rename from', step.from ?? '', (v) => onChange({ ...step, from: v }))}
            </InlineField>
            <InlineField label="To" labelWidth={6}>
              <Input
                aria-label={`Step ${n} rename to`}
                width={22}
                value={step.to ?? ''}
                onChange={(e) => onChange({ ...step, to: e.currentTarget.value })}
              />
            </InlineField>
          </>
        );
      break;
    case 'sort': {
      const keys = sortKeys(step.by);
      const setKeys = (by: typeof keys) => onChange({ ...step, by });
      body = (
        <Stack direction="row" gap={1} wrap="wrap" alignItems="center">
          {keys.map((k, i) => (
            <Stack key={i} direction="row" gap={0.5} alignItems="center">
              {fieldInput(`sort field ${i + 1}`, k.field, (v) =>
                setKeys(keys.map((x, j) => (j === i ? { ...x, field: v } : x)))
              )}
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
          <Button
            size="sm"
            variant="secondary"
            fill="text"
            icon="plus"
            onClick={() => setKeys([...keys, { field: '' }])}
          >
            Then by
          </Button>
        </Stack>
      );
      break;
    }
    case 'limit':
      body = (
        <>
          <InlineField label="Rows" labelWidth={8}>
            <Input
              aria-label={`Step ${n} limit count`}
              type="number"
              min={0}
              width={12}
              value={step.count}
              onChange={(e) => onChange({ ...step, count: Number(e.currentTarget.value) || 0 })}
            />
          </InlineField>
          <InlineField label="Skip" labelWidth={8}>
            <Input
              aria-label={`Step ${n} limit offset`}
              type="number"
              min={0}
              width={12}
              value={step.offset ?? ''}
              onChange={(e) => onChange({ ...step, offset: Number(e.currentTarget.value) || undefined })}
            />
          </InlineField>
        </>
      );
      break;
    case 'groupBy': {
      const aggs = step.aggregates ?? [];
      const setAgg = (i: number, a: Aggregate) =>
        onChange({ ...step, aggregates: aggs.map((x, j) => (j === i ? a : x)) });
      body = (
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
              {fieldInput('time bucket field', step.timeBucket?.field ?? '', (v) =>
                onChange({ ...step, timeBucket: { field: v, interval: step.timeBucket?.interval ?? '' } })
              )}
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
                {fieldInput(`aggregate ${i + 1} field`, a.field ?? '', (v) =>
                  setAgg(i, { ...a, field: v || undefined })
                )}
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
      break;
    }
  }

  return (
    <div className={styles.step} data-testid={`step-${n}`}>
      <div className={styles.header}>
        <Text variant="bodySmall" weight="medium">{`${n}. ${LABELS[step.type]}`}</Text>
        <Stack direction="row" gap={0}>
          {onMoveUp && <IconButton name="arrow-up" size="sm" tooltip="Move up" onClick={onMoveUp} />}
          {onMoveDown && <IconButton name="arrow-down" size="sm" tooltip="Move down" onClick={onMoveDown} />}
          <IconButton name="trash-alt" size="sm" tooltip={`Remove step ${n}`} onClick={onRemove} />
        </Stack>
      </div>
      <InlineFieldRow>{body}</InlineFieldRow>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  step: css({
    borderLeft: `3px solid ${theme.colors.primary.border}`,
    background: theme.colors.background.secondary,
    padding: theme.spacing(0.5, 1, 0.5, 1),
    borderRadius: theme.shape.radius.default,
  }),
  header: css({
    display: 'flex',
    justifyContent: 'space-between',
    alignItems: 'center',
    marginBottom: theme.spacing(0.5),
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
});
