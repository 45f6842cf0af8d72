import React from 'react';
import { InlineField, InlineFieldRow, Input } from '@grafana/ui';

interface Props<K extends string> {
  /** Mapped names in display order, with their tooltips. */
  targets: Array<{ key: K; label: string; tooltip: string }>;
  value?: Partial<Record<K, string>>;
  onChange: (v: Partial<Record<K, string>>) => void;
  testId: string;
}

/** One input per Grafana field name: which result field fills it (renamed by the backend pipeline). */
export function MappingFields<K extends string>({ targets, value, onChange, testId }: Props<K>) {
  const v = (value ?? {}) as Partial<Record<K, string>>;
  return (
    <InlineFieldRow data-testid={testId}>
      {targets.map((t) => (
        <InlineField key={t.key} label={t.label} tooltip={t.tooltip} labelWidth={t.label.length + 4}>
          <Input
            aria-label={`${t.label} field`}
            width={16}
            placeholder={t.key}
            value={v[t.key] ?? ''}
            onChange={(e) => onChange({ ...v, [t.key]: e.currentTarget.value || undefined })}
          />
        </InlineField>
      ))}
    </InlineFieldRow>
  );
}
