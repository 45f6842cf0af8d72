import React from 'react';
import { InlineField, InlineFieldRow, Input } from '@grafana/ui';

import { RelayQuery } from '../../types/query';

interface Props {
  query: RelayQuery;
  onChange: (q: RelayQuery) => void;
}

const splitList = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * Answers as data: error statuses read like a 200 (acceptStatus) and columns about the answer itself
 * (responseFields). Not with pagination: each page has its own answer.
 */
export function AnswerOptions({ query, onChange }: Props) {
  const paged = !!query.pagination && query.pagination.mode !== 'none';
  const set = (key: 'acceptStatus' | 'responseFields', raw: string) => {
    const list = splitList(raw);
    const next = { ...query, [key]: list.length ? list : undefined };
    if (!list.length) {
      delete next[key];
    }
    onChange(next);
  };
  return (
    <InlineFieldRow>
      <InlineField
        label="Accept status"
        labelWidth={14}
        disabled={paged}
        tooltip="Error answers read as data, e.g. 404, 5xx (2xx always is). An empty or non-JSON body gives one row with the status."
      >
        <Input
          aria-label="Accept status"
          width={24}
          placeholder="2xx, 404, 503"
          // Uncontrolled while typing: the commas are kept until the field is left.
          defaultValue={(query.acceptStatus ?? []).join(', ')}
          onBlur={(e) => set('acceptStatus', e.currentTarget.value)}
        />
      </InlineField>
      <InlineField
        label="Response columns"
        labelWidth={18}
        disabled={paged}
        tooltip="Added to every row: status, durationMs, url (final URL, credentials removed), header:<Name> (a column <Name>)"
      >
        <Input
          aria-label="Response columns"
          width={44}
          placeholder="status, durationMs, url, header:X-Request-Id"
          defaultValue={(query.responseFields ?? []).join(', ')}
          onBlur={(e) => set('responseFields', e.currentTarget.value)}
        />
      </InlineField>
    </InlineFieldRow>
  );
}
