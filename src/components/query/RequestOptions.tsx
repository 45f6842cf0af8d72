import React from 'react';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import { EffectiveTTL, isDuration } from '../../query/cache';
import { MAX_PAGES_OPTION, PAGINATION_MODES, PAGINATION_OPTIONS, PAGINATION_TARGETS } from '../../query/pagination';
import { Pagination, PaginationMode, PaginationTarget, RelayQuery } from '../../types/query';
import { KeyValueEditor } from '../common/KeyValueEditor';
import { AnswerOptions } from './AnswerOptions';
import { BodyEditor } from './BodyEditor';

interface Props {
  query: RelayQuery;
  onChange: (q: RelayQuery) => void;
  /** The TTL the proxy rule for the query's path gives it when the query sets none. */
  ruleTTL?: EffectiveTTL;
}

/** Query parameters, headers, body, pagination and caching of the upstream request. */
export function RequestOptions({ query, onChange, ruleTTL }: Props) {
  const pagination: Pagination = query.pagination ?? { mode: 'none' };
  const setPagination = (p: Pagination) => onChange({ ...query, pagination: p.mode === 'none' ? undefined : p });
  const hasBody =
    query.method === 'POST' || query.method === 'PUT' || query.method === 'PATCH' || query.method === 'DELETE';

  return (
    <Stack direction="column" gap={1}>
      <InlineField
        label="Parameters"
        labelWidth={14}
        tooltip="Query string parameters. Template variables are replaced."
      >
        <KeyValueEditor
          name="parameter"
          value={flatParams(query.params)}
          onChange={(params) => onChange({ ...query, params })}
        />
      </InlineField>
      <InlineField
        label="Multi-value"
        labelWidth={14}
        tooltip="How a parameter whose value is one multi-value variable is sent: comma-joined (a=x,y) or repeated (a=x&a=y)"
      >
        <RadioButtonGroup<'csv' | 'repeat'>
          aria-label="Multi-value parameters"
          options={[
            { label: 'Comma-joined', value: 'csv' },
            { label: 'Repeated', value: 'repeat' },
          ]}
          value={query.multiValue ?? 'csv'}
          onChange={(multiValue) => onChange({ ...query, multiValue: multiValue === 'csv' ? undefined : multiValue })}
        />
      </InlineField>
      <InlineField
        label="Headers"
        labelWidth={14}
        tooltip="Extra request headers. Credentials belong in the data source settings."
      >
        <KeyValueEditor name="header" value={query.headers} onChange={(headers) => onChange({ ...query, headers })} />
      </InlineField>
      {hasBody && query.source !== 'graphql' && <BodyEditor query={query} onChange={onChange} />}
      <InlineFieldRow>
        <InlineField label="Pagination" labelWidth={14}>
          <RadioButtonGroup<PaginationMode>
            aria-label="Pagination"
            options={PAGINATION_MODES}
            value={pagination.mode}
            onChange={(mode) => setPagination({ mode })}
          />
        </InlineField>
        {pagination.mode !== 'none' && pagination.mode !== 'link' && (
          <InlineField label="Send in" labelWidth={10} tooltip="Where the offset, page, cursor or value goes">
            <RadioButtonGroup<PaginationTarget>
              aria-label="Pagination target"
              options={PAGINATION_TARGETS.filter((t) => t.value !== 'variable' || query.source === 'graphql')}
              value={pagination.in ?? (query.source === 'graphql' ? 'variable' : 'query')}
              onChange={(target) => setPagination({ ...pagination, in: target })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      <InlineFieldRow>
        {(pagination.mode === 'none'
          ? []
          : [...PAGINATION_OPTIONS[pagination.mode], ...(pagination.mode === 'list' ? [] : [MAX_PAGES_OPTION])]
        ).map((o) => (
          <InlineField key={o.key} label={o.label} tooltip={o.description} labelWidth={o.label.length + 4}>
            {o.type === 'list' ? (
              // Uncontrolled while typing: the commas between values are kept until the field is left.
              <Input
                aria-label={`Pagination ${o.label}`}
                width={30}
                placeholder={o.placeholder}
                defaultValue={((pagination[o.key] as string[] | undefined) ?? []).join(', ')}
                onBlur={(e) => {
                  const list = e.currentTarget.value
                    .split(',')
                    .map((x) => x.trim())
                    .filter(Boolean);
                  setPagination({ ...pagination, [o.key]: list.length ? list : undefined });
                }}
              />
            ) : (
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
            )}
          </InlineField>
        ))}
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Cache TTL"
          labelWidth={14}
          invalid={!isDuration(query.cacheTTL ?? '')}
          error="A duration such as 30s, 5m or 1h"
          tooltip={
            "Keep the upstream answer this long in Relay's query cache, shared by every panel and viewer asking the same " +
            "request (per user when the upstream sees the user). Empty: the proxy rule's cacheTTL for this path; 0s: never."
          }
        >
          <Input
            aria-label="Cache TTL"
            width={14}
            placeholder={ruleTTL?.ttl ? `${ruleTTL.ttl} (rule)` : 'off'}
            value={query.cacheTTL ?? ''}
            onChange={(e) => onChange({ ...query, cacheTTL: e.currentTarget.value || undefined })}
          />
        </InlineField>
        <InlineField
          label="Stale while revalidate"
          labelWidth={22}
          invalid={!isDuration(query.staleWhileRevalidate ?? '')}
          error="A duration such as 30s, 5m or 1h"
          tooltip="After the TTL, serve the old answer once more (for this long at most) while one background refresh fetches the new one."
        >
          <Input
            aria-label="Stale while revalidate"
            width={14}
            placeholder="off"
            value={query.staleWhileRevalidate ?? ''}
            onChange={(e) => onChange({ ...query, staleWhileRevalidate: e.currentTarget.value || undefined })}
          />
        </InlineField>
      </InlineFieldRow>
      <AnswerOptions query={query} onChange={onChange} />
    </Stack>
  );
}

/** Saved queries may hold a list for a parameter (repeated); the key-value editor shows it comma-joined. */
function flatParams(p?: Record<string, string | string[]>): Record<string, string> | undefined {
  return p && Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}
