import React from 'react';
import { Button, IconButton, InlineField, Input, RadioButtonGroup, Stack, TextArea, useStyles2 } from '@grafana/ui';

import { BodyType, FormField, RelayQuery } from '../../types/query';
import { getTableStyles } from '../common/styles';

interface Props {
  query: RelayQuery;
  onChange: (q: RelayQuery) => void;
}

type Kind = 'text' | BodyType;

const KINDS: Array<{ label: string; value: Kind; description: string }> = [
  {
    label: 'Text',
    value: 'text',
    description: 'The body as written (sent as JSON unless a Content-Type header says otherwise)',
  },
  { label: 'Form', value: 'form', description: 'application/x-www-form-urlencoded, from key/value rows' },
  { label: 'Multipart', value: 'multipart', description: 'multipart/form-data, one text part per row' },
];

/**
 * The request body: text, or a form or multipart body built from key/value rows. Each row's value is interpolated
 * on its own (template variables in a value never reach another field), and keys may repeat.
 */
export function BodyEditor({ query, onChange }: Props) {
  const styles = useStyles2(getTableStyles);
  const kind: Kind = query.bodyType ?? 'text';
  const rows = query.bodyForm ?? [];
  const setRows = (bodyForm: FormField[]) => onChange({ ...query, bodyForm });
  const setRow = (i: number, patch: Partial<FormField>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  return (
    <>
      <InlineField label="Body" labelWidth={14}>
        <RadioButtonGroup<Kind>
          aria-label="Body type"
          options={KINDS}
          value={kind}
          onChange={(k) =>
            onChange({
              ...query,
              bodyType: k === 'text' ? undefined : k,
              bodyForm: k === 'text' ? undefined : rows.length ? rows : [{ key: '', value: '' }],
            })
          }
        />
      </InlineField>
      {kind === 'text' ? (
        <InlineField label="" labelWidth={14} grow>
          <TextArea
            aria-label="Request body"
            className={styles.mono}
            rows={4}
            placeholder='{"filter": "$var"}'
            value={query.body ?? ''}
            onChange={(e) => onChange({ ...query, body: e.currentTarget.value })}
          />
        </InlineField>
      ) : (
        <InlineField label="" labelWidth={14} grow>
          <Stack direction="column" gap={0.5}>
            {rows.map((r, i) => (
              <Stack key={i} direction="row" gap={0.5} alignItems="center">
                <Input
                  aria-label={`Body field ${i + 1} key`}
                  placeholder="key"
                  width={24}
                  value={r.key}
                  onChange={(e) => setRow(i, { key: e.currentTarget.value })}
                />
                <Input
                  aria-label={`Body field ${i + 1} value`}
                  placeholder="value, e.g. $region"
                  width={40}
                  value={r.value}
                  onChange={(e) => setRow(i, { value: e.currentTarget.value })}
                />
                <IconButton
                  name="trash-alt"
                  tooltip={`Remove body field ${i + 1}`}
                  onClick={() => setRows(rows.filter((_, j) => j !== i))}
                />
              </Stack>
            ))}
            <div>
              <Button
                size="sm"
                variant="secondary"
                icon="plus"
                onClick={() => setRows([...rows, { key: '', value: '' }])}
              >
                Add body field
              </Button>
            </div>
          </Stack>
        </InlineField>
      )}
    </>
  );
}
