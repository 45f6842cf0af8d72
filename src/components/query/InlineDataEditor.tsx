import React from 'react';
import { InlineField, TextArea, useStyles2 } from '@grafana/ui';

import { getTableStyles } from '../common/styles';

interface Props {
  value: unknown;
  onChange: (data: string) => void;
}

/** Inline data: JSON, CSV or NDJSON text run through the pipeline without an upstream call. */
export function InlineDataEditor({ value, onChange }: Props) {
  const styles = useStyles2(getTableStyles);
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2);
  return (
    <InlineField
      label="Data"
      labelWidth={14}
      grow
      tooltip="JSON, CSV or NDJSON text; set the pipeline's format to match. No upstream call is made."
    >
      <TextArea
        aria-label="Inline data text"
        className={styles.mono}
        rows={6}
        placeholder={'host,cpu\nweb-1,0.5\nweb-2,0.9'}
        value={text}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
    </InlineField>
  );
}
