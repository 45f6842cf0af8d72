import React, { useMemo } from 'react';
import { applyFieldOverrides, DataFrame } from '@grafana/data';
import { Table, useTheme2 } from '@grafana/ui';

import { useWidth } from './useWidth';

const ROW = 36;

/** One frame in @grafana/ui's Table, with the display processors Grafana's panels attach first. */
export function FrameTable({ frame, index }: { frame: DataFrame; index: number }) {
  const theme = useTheme2();
  const [ref, width] = useWidth<HTMLDivElement>();
  const processed = useMemo(
    () =>
      applyFieldOverrides({
        data: [frame],
        fieldConfig: { defaults: {}, overrides: [] },
        replaceVariables: (v) => v,
        theme,
        timeZone: 'browser',
      })[0],
    [frame, theme]
  );
  const height = Math.min(420, ROW * (frame.length + 1) + 4);
  return (
    <div ref={ref} data-testid={`frame-table-${index + 1}`} data-rows={frame.length}>
      {width > 0 && <Table data={processed} width={width} height={height} ariaLabel={`Frame ${index + 1}`} />}
    </div>
  );
}
