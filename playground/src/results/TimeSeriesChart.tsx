import 'uplot/dist/uPlot.min.css';

import React, { useEffect, useMemo, useRef } from 'react';
import { DataFrame } from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import uPlot from 'uplot';

import { toChartData } from './uplotData';
import { useWidth } from './useWidth';

/** A frame's number fields over its time field, drawn with uPlot (the library Grafana's time series panel uses). */
export function TimeSeriesChart({ frame, index }: { frame: DataFrame; index: number }) {
  const theme = useTheme2();
  const [ref, width] = useWidth<HTMLDivElement>();
  const plotEl = useRef<HTMLDivElement>(null);
  const chart = useMemo(() => toChartData(frame), [frame]);

  useEffect(() => {
    if (!chart || !plotEl.current || width === 0) {
      return;
    }
    const axis = { stroke: theme.colors.text.secondary, grid: { stroke: theme.colors.border.weak } };
    const plot = new uPlot(
      {
        width,
        height: 260,
        ms: 1,
        series: [
          {},
          ...chart.names.map((label, i) => ({
            label,
            stroke: theme.visualization.getColorByName(
              theme.visualization.palette[i % theme.visualization.palette.length]
            ),
            width: 2,
            spanGaps: false,
          })),
        ],
        axes: [axis, axis],
      },
      chart.data as uPlot.AlignedData,
      plotEl.current
    );
    return () => plot.destroy();
  }, [chart, width, theme]);

  if (!chart) {
    return null;
  }
  return (
    <div ref={ref} data-testid={`frame-chart-${index + 1}`} style={{ color: theme.colors.text.primary }}>
      <div ref={plotEl} />
    </div>
  );
}
