import { newStep } from '../components/query/steps';
import { STEP_TYPES } from '../api/contract';
import { cleanPipeline, cleanQuery, sortKeys } from './model';

describe('cleanPipeline', () => {
  it('drops empty values and CSV options for non-CSV formats (the backend decodes strictly)', () => {
    expect(
      cleanPipeline({ format: 'json', root: '', csv: { delimiter: ';' }, columns: [], steps: [], shape: 'table' })
    ).toEqual({ format: 'json' });
    expect(cleanPipeline({ format: 'csv', csv: { delimiter: ';', comment: '' } })).toEqual({
      format: 'csv',
      csv: { delimiter: ';' },
    });
  });

  it('keeps only the fields of each step type', () => {
    const steps = [
      { type: 'filter', expr: 'a > 1', name: 'stray' },
      { type: 'sort', by: ['x', { field: 'y', desc: true }, { field: '' }] },
      { type: 'limit', count: 5, offset: 0 },
      {
        type: 'groupBy',
        by: ['host'],
        timeBucket: { field: '', interval: '' },
        aggregates: [{ op: 'avg', field: 'cpu', as: '' }],
      },
      { type: 'rename', map: { a: 'b' } },
    ];
    expect(cleanPipeline({ steps } as never).steps).toEqual([
      { type: 'filter', expr: 'a > 1' },
      { type: 'sort', by: [{ field: 'x' }, { field: 'y', desc: true }] },
      { type: 'limit', count: 5 },
      { type: 'groupBy', by: ['host'], aggregates: [{ op: 'avg', field: 'cpu' }] },
      { type: 'rename', map: { a: 'b' } },
    ]);
  });

  it('keeps typed column defaults, including falsy ones', () => {
    expect(
      cleanPipeline({
        columns: [
          { name: 'n', type: 'number', default: 0 },
          { name: 'b', type: 'boolean', default: false },
        ],
      }).columns
    ).toEqual([
      { name: 'n', type: 'number', default: 0 },
      { name: 'b', type: 'boolean', default: false },
    ]);
  });
});

describe('cleanQuery', () => {
  it('drops empty params, headers and body', () => {
    const q = cleanQuery({ refId: 'A', path: '/x', params: { '': 'v' }, headers: {}, body: '  ' });
    expect(q).toEqual({ refId: 'A', path: '/x', pipeline: {} });
  });
});

describe('cleanQuery bodies', () => {
  it('sends form rows with a key instead of the text body, only with a method that has a body', () => {
    const rows = [
      { key: 'a', value: '1' },
      { key: ' ', value: 'dropped' },
    ];
    expect(cleanQuery({ refId: 'A', method: 'POST', body: '{}', bodyType: 'form', bodyForm: rows })).toEqual({
      refId: 'A',
      method: 'POST',
      bodyType: 'form',
      bodyForm: [{ key: 'a', value: '1' }],
      pipeline: {},
    });
    expect(cleanQuery({ refId: 'A', method: 'GET', bodyType: 'multipart', bodyForm: rows })).toEqual({
      refId: 'A',
      method: 'GET',
      pipeline: {},
    });
    expect(cleanQuery({ refId: 'A', method: 'POST', body: '{}', bodyForm: rows })).toEqual({
      refId: 'A',
      method: 'POST',
      body: '{}',
      pipeline: {},
    });
  });
});

describe('steps', () => {
  it('creates each step type with the fields it needs', () => {
    expect(newStep('groupBy')).toEqual({ type: 'groupBy', by: [], aggregates: [{ op: 'count' }] });
    expect(newStep('limit')).toEqual({ type: 'limit', count: 10 });
    expect(newStep('jq')).toEqual({ type: 'jq', expr: '' });
    for (const t of STEP_TYPES) {
      expect(newStep(t).type).toBe(t);
    }
  });
  it('reads both key forms', () => {
    expect(sortKeys(['a', { field: 'b', desc: true }])).toEqual([{ field: 'a' }, { field: 'b', desc: true }]);
    expect(sortKeys(undefined)).toEqual([]);
  });
});
