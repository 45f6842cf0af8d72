import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack, TextArea, useStyles2 } from '@grafana/ui';

import { MAX_PAGES_OPTION, PAGINATION_MODES, PAGINATION_OPTIONS } from '../../query/pagination';
import { Pagination, PaginationMode, RelayQuery } from '../../types/query';
import { KeyValueEditor } from '../common/KeyValueEditor';
import { getTableStyles } from '../common/styles';

interface Props {
  query: RelayQuery;
  onChange: (q: RelayQuery) => void;
}

/** Query parameters, headers, body and pagination of the upstream request. */
export function RequestOptions({ query, onChange }: Props) {
  const styles = useStyles2(getTableStyles);
  const pagination: Pagination = query.pagination ?? { mode: 'none' };
  const setPagination = (p: Pagination) => onChange({ ...query, pagination: p.mode === 'none' ? undefined : p });
  const hasBody = query.method === 'POST' || query.method === 'PUT' || query.method === 'PATCH';

  return (
    <Stack direction="column" gap={1}>
      <InlineField
        label="Parameters"
        labelWidth={14}
        tooltip="Query string parameters. Template variables are replaced."
      >
        <KeyValueEditor name="parameter" value={query.params} onChange={(params) => onChange({ ...query, params })} />
      </InlineField>
      <InlineField
        label="Headers"
        labelWidth={14}
        tooltip="Extra request headers. Credentials belong in the data source settings."
      >
        <KeyValueEditor name="header" value={query.headers} onChange={(headers) => onChange({ ...query, headers })} />
      </InlineField>
      {hasBody && (
        <InlineField label="Body" labelWidth={14} grow>
          <TextArea
            aria-label="Request body"
            className={styles.mono}
            rows={4}
            placeholder='{"filter": "$var"}'
            value={query.body ?? ''}
            onChange={(e) => onChange({ ...query, body: e.currentTarget.value })}
          />
        </InlineField>
      )}
      <InlineFieldRow>
        <InlineField label="Pagination" labelWidth={14}>
          <RadioButtonGroup<PaginationMode>
            aria-label="Pagination"
            options={PAGINATION_MODES}
            value={pagination.mode}
            onChange={(mode) => setPagination({ mode })}
          />
        </InlineField>
        {(pagination.mode === 'none' ? [] : [...PAGINATION_OPTIONS[pagination.mode], MAX_PAGES_OPTION]).map((o) => (
          <InlineField key={o.key} label={o.label} tooltip={o.description} labelWidth={o.label.length + 4}>
            <Input
              aria-label={`Pagination ${o.label}`}
              width={14}
              type={o.type === 'number' ? 'number' : 'text'}
              placeholder={o.placeholder}
              value={pagination[o.key] === undefined ? '' : String(pagination[o.key])}
              onChange={(e) => {
                const raw = e.currentTarget.value;
                const v = raw === '' ? undefined : o.type === 'number' ? Number(raw) : raw;
                setPagination({ ...pagination, [o.key]: v });
              }}
            />
          </InlineField>
        ))}
      </InlineFieldRow>
    </Stack>
  );
}
