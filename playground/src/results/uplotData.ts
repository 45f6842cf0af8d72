import { DataFrame, FieldType } from '@grafana/data';

export interface ChartData {
  /** x: epoch milliseconds, ascending; then one array per number field. */
  data: Array<Array<number | null>>;
  names: string[];
}

/**
 * A frame as uPlot's aligned data: its first time field as x (sorted ascending, as uPlot needs) and each number
 * field as a series. Undefined when the frame has no time field or no number field: nothing to chart.
 */
export function toChartData(frame: DataFrame): ChartData | undefined {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  const numbers = frame.fields.filter((f) => f.type === FieldType.number);
  if (!time || numbers.length === 0 || frame.length === 0) {
    return undefined;
  }
  const ms = (i: number) => {
    const v = time.values[i];
    return v === null || v === undefined ? NaN : typeof v === 'number' ? v : new Date(v).getTime();
  };
  const order = Array.from({ length: frame.length }, (_, i) => i)
    .filter((i) => !Number.isNaN(ms(i)))
    .sort((a, b) => ms(a) - ms(b));
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    data: [order.map(ms), ...numbers.map((f) => order.map((i) => num(f.values[i])))],
    names: numbers.map((f) => f.config.displayName ?? f.name),
  };
}
