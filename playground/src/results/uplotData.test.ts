import { FieldType, toDataFrame } from '@grafana/data';

import { toChartData } from './uplotData';

describe('toChartData', () => {
  it('takes the time field as x, sorted ascending, and each number field as a series', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'host', type: FieldType.string, values: ['a', 'b', 'c'] },
        { name: 'time', type: FieldType.time, values: [3000, 1000, 2000] },
        { name: 'cpu', type: FieldType.number, values: [0.3, 0.1, null] },
        { name: 'mem', type: FieldType.number, values: [30, 10, 20] },
      ],
    });
    expect(toChartData(frame)).toEqual({
      data: [
        [1000, 2000, 3000],
        [0.1, null, 0.3],
        [10, 20, 30],
      ],
      names: ['cpu', 'mem'],
    });
  });

  it('reads ISO time strings and drops rows without a time', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: ['1970-01-01T00:00:02Z', null] },
        { name: 'v', type: FieldType.number, values: [1, 2] },
      ],
    });
    expect(toChartData(frame)?.data).toEqual([[2000], [1]]);
  });

  it('has nothing to chart without a time field or without a number field', () => {
    const counts = toDataFrame({
      fields: [
        { name: 'category', type: FieldType.string, values: ['books'] },
        { name: 'count', type: FieldType.number, values: [50] },
      ],
    });
    const labels = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1] },
        { name: 'label', type: FieldType.string, values: ['x'] },
      ],
    });
    expect(toChartData(counts)).toBeUndefined();
    expect(toChartData(labels)).toBeUndefined();
  });
});
