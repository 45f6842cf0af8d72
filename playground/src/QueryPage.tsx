import React, { useRef, useState } from 'react';
import {
  CoreApp,
  DataFrame,
  DataQuery,
  DataQueryRequest,
  DataQueryResponse,
  DataSourceApi,
  LoadingState,
  PanelData,
  rangeUtil,
  TimeRange,
} from '@grafana/data';
import { Alert, Button, RadioButtonGroup, Stack, Tab, TabsBar, Text } from '@grafana/ui';
import { from } from 'rxjs';

import { Exchange } from './backendSrv';
import { exchanges } from './exchanges';
import { Explain } from './results/Explain';
import { FrameTable } from './results/FrameTable';
import { TimeSeriesChart } from './results/TimeSeriesChart';

const RANGES = ['now-1h', 'now-6h', 'now-24h', 'now-7d'].map((r) => ({ label: `Last ${r.slice(4)}`, value: r }));

interface Run {
  id: number;
  loading: boolean;
  query: DataQuery;
  response?: DataQueryResponse;
  exchanges: Exchange[];
  skipped?: boolean;
}

const timeRange = (from: string): TimeRange => rangeUtil.convertRawToRange({ from, to: 'now' });

function parseQuery(json: string | null): Partial<DataQuery> {
  try {
    return json ? JSON.parse(json) : {};
  } catch {
    return {};
  }
}

/**
 * Explore, reduced: the plugin's QueryEditor, its query run through the DataSource class (POST /api/ds/query, as
 * in Grafana), and the frames as a table, a time-series chart and an explanation.
 */
export function QueryPage({ datasource, initialQuery }: { datasource: DataSourceApi; initialQuery: string | null }) {
  const Editor = datasource.components?.QueryEditor;
  const [query, setQuery] = useState<DataQuery>(() => ({
    ...(datasource.getDefaultQuery?.(CoreApp.Explore) ?? {}),
    ...parseQuery(initialQuery),
    refId: 'A',
  }));
  const [range, setRange] = useState('now-1h');
  const [run, setRun] = useState<Run>();
  const [view, setView] = useState<'table' | 'chart' | 'explain'>('table');
  // The editor calls onChange then onRunQuery in one go: the run must see the query just changed.
  const latest = useRef({ query, range, runs: 0 });

  const onChange = (q: DataQuery) => {
    latest.current.query = q;
    setQuery(q);
  };

  const runQuery = () => {
    const id = ++latest.current.runs;
    const q = latest.current.query;
    if (datasource.filterQuery && !datasource.filterQuery(q)) {
      setRun({ id, loading: false, query: q, exchanges: [], skipped: true });
      return;
    }
    const request: DataQueryRequest<DataQuery> = {
      app: CoreApp.Explore,
      requestId: `playground_${id}`,
      interval: '1m',
      intervalMs: 60_000,
      maxDataPoints: 1000,
      range: timeRange(latest.current.range),
      scopedVars: {},
      targets: [{ ...q, datasource: datasource.getRef() }],
      timezone: 'browser',
      startTime: Date.now(),
    };
    const seen: Exchange[] = [];
    const stop = exchanges.listen((e) => e.url.startsWith('/api/ds/query') && seen.push(e));
    setRun({ id, loading: true, query: q, exchanges: seen });
    let response: DataQueryResponse | undefined;
    const done = (r?: DataQueryResponse) => {
      stop();
      if (latest.current.runs === id) {
        setRun({ id, loading: false, query: q, response: r, exchanges: [...seen] });
      }
    };
    from(datasource.query(request)).subscribe({
      next: (r) => (response = r),
      complete: () => done(response),
      error: (e) => done({ data: [], error: { message: e instanceof Error ? e.message : String(e) } }),
    });
  };

  const frames: DataFrame[] = run?.response?.data ?? [];
  const errors = run?.response?.errors ?? (run?.response?.error ? [run.response.error] : []);
  const panelData: PanelData | undefined = run?.response && {
    state: errors.length ? LoadingState.Error : LoadingState.Done,
    series: frames,
    errors,
    timeRange: timeRange(range),
  };

  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={2} alignItems="center">
        <RadioButtonGroup
          aria-label="Time range"
          size="sm"
          options={RANGES}
          value={range}
          onChange={(r) => {
            latest.current.range = r;
            setRange(r);
          }}
        />
        <Button icon="play" onClick={runQuery} disabled={run?.loading}>
          Run query
        </Button>
      </Stack>
      {Editor && (
        <Editor
          datasource={datasource}
          query={query}
          onChange={onChange}
          onRunQuery={runQuery}
          range={timeRange(range)}
          data={panelData}
          app={CoreApp.Explore}
        />
      )}
      {run && (
        <div data-testid="query-result" data-state={run.loading ? 'loading' : 'done'}>
          {run.skipped && <Alert severity="info" title="The data source skips this query (filterQuery): set a path" />}
          {errors.map((e, i) => (
            <Alert key={i} severity="error" title={e.message ?? 'Query failed'} data-testid="query-error" />
          ))}
          {!run.loading && !run.skipped && (
            <>
              <TabsBar>
                <Tab
                  label={`Table (${frames.length} frames)`}
                  active={view === 'table'}
                  onChangeTab={() => setView('table')}
                />
                <Tab label="Time series" active={view === 'chart'} onChangeTab={() => setView('chart')} />
                <Tab label="Explain" active={view === 'explain'} onChangeTab={() => setView('explain')} />
              </TabsBar>
              <div key={run.id} style={{ paddingTop: 16 }}>
                {view === 'table' && frames.map((f, i) => <FrameTable key={i} frame={f} index={i} />)}
                {view === 'chart' &&
                  (frames.some((f) => f.fields.some((fl) => fl.type === 'time')) ? (
                    frames.map((f, i) => <TimeSeriesChart key={i} frame={f} index={i} />)
                  ) : (
                    <Text color="secondary">No frame has a time field: nothing to draw over time.</Text>
                  ))}
                {view === 'explain' && <Explain query={run.query} frames={frames} exchanges={run.exchanges} />}
              </div>
            </>
          )}
        </div>
      )}
    </Stack>
  );
}
