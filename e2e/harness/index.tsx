import { css } from '@emotion/css';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import {
  CoreApp,
  createTheme,
  DataFrame,
  DataQueryRequest,
  DataSourceInstanceSettings,
  DataSourcePluginMeta,
  dateTime,
  ThemeContext,
} from '@grafana/data';
import { firstValueFrom, Observable } from 'rxjs';
import { DataSourceSrv, setBackendSrv, setDataSourceSrv, setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/config/ConfigEditor';
import { AnnotationQueryEditor } from '../../src/components/query/AnnotationQueryEditor';
import { QueryEditor } from '../../src/components/query/QueryEditor';
import { VariableQueryEditor } from '../../src/components/query/VariableQueryEditor';
import { DataSource } from '../../src/datasource';
import { RelayQuery } from '../../src/types/query';
import { RelayJsonData, RelaySettings } from '../../src/types/settings';
import { httpBackendSrv } from '../../playground/src/backendSrv';
import { installTemplateSrv } from '../../src/test/templateSrv';

/**
 * The browser test's page: the real ConfigEditor or QueryEditor in
 * @grafana/ui's theme, talking to a running Relay behind the dev host.
 *   /?editor=config|query|variable|annotation|alert&theme=dark|light&uid=<uid>&user=<login>&query=<json>&vars=<json>
 * The variable and annotation pages run their query as Grafana would (variable support's query, the annotation's
 * prepareQuery, then /api/ds/query) and show the result's field names and values. The alert page does what
 * Grafana's "New alert rule" from a panel does with the panel's query (interpolateVariablesInQueries with the
 * dashboard's variables `vars`), then sends both queries to /api/ds/query as an alert rule's evaluation does (no
 * frontend in between), and shows the copied query and both answers.
 */
const qs = new URLSearchParams(window.location.search);
const editor = qs.get('editor') ?? 'config';
const mode = qs.get('theme') === 'light' ? 'light' : 'dark';
const uid = qs.get('uid') ?? 'relay-e2e';
const user = qs.get('user') ?? 'admin';
const theme = createTheme({ colors: { mode } });

setBackendSrv(httpBackendSrv({ headers: { Authorization: 'Basic ' + btoa(`${user}:${user}`) } }));
setTemplateSrv({
  replace: (s?: string) => s ?? '',
  getVariables: () => [],
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

async function loadSettings(): Promise<RelaySettings> {
  // The dev host lists provisioned data sources like Grafana's /api/datasources (secrets only as secureJsonFields).
  const r = await fetch('/api/datasources', { headers: { Authorization: 'Basic ' + btoa('admin:admin') } });
  const all: RelaySettings[] = await r.json();
  const ds = all.find((d) => d.uid === uid);
  if (!ds) {
    throw new Error(`data source ${uid} is not provisioned`);
  }
  return { ...ds, secureJsonFields: ds.secureJsonFields ?? {}, version: ds.version ?? 1 };
}

function ConfigPage({ initial }: { initial: RelaySettings }) {
  const [options, setOptions] = useState(initial);
  return (
    <>
      <ConfigEditor options={options} onOptionsChange={setOptions} />
      {/* What Grafana would save: read by the test, hidden from screenshots. */}
      <pre data-testid="saved-options" style={{ display: 'none' }}>
        {JSON.stringify({
          url: options.url,
          jsonData: options.jsonData,
          secureJsonData: options.secureJsonData,
          secureJsonFields: options.secureJsonFields,
        })}
      </pre>
    </>
  );
}

function newDataSource(settings: RelaySettings): DataSource {
  const s = {
    id: settings.id,
    uid: settings.uid,
    type: settings.type,
    name: settings.name,
    access: 'proxy',
    readOnly: false,
    jsonData: settings.jsonData,
    meta: { id: settings.type, name: 'Relay' } as DataSourcePluginMeta,
  } as DataSourceInstanceSettings<RelayJsonData>;
  const ds = new DataSource(s);
  // DataSourceWithBackend.query resolves each target's data source through Grafana's data source service.
  setDataSourceSrv({
    getInstanceSettings: () => s,
    get: async () => ds,
    getList: () => [s],
    reload: () => {},
  } as unknown as DataSourceSrv);
  return ds;
}

function request(ds: DataSource, q: RelayQuery): DataQueryRequest<RelayQuery> {
  const now = dateTime();
  return {
    app: CoreApp.Dashboard,
    requestId: 'e2e',
    interval: '1m',
    intervalMs: 60_000,
    range: { from: dateTime(now).subtract(1, 'hour'), to: now, raw: { from: 'now-1h', to: 'now' } },
    scopedVars: {},
    targets: [{ ...q, datasource: ds.getRef() }],
    timezone: 'utc',
    startTime: Date.now(),
  };
}

function QueryPage({ settings }: { settings: RelaySettings }) {
  const [ds] = useState(() => newDataSource(settings));
  const [query, setQuery] = useState<RelayQuery>(() => ({ refId: 'A', ...JSON.parse(qs.get('query') ?? '{}') }));
  const [runs, setRuns] = useState(0);
  const [result, setResult] = useState<string>('');
  const run = async () => {
    try {
      let response;
      if (editor === 'variable') {
        const support = ds.variables as unknown as {
          query: (r: DataQueryRequest<RelayQuery>) => Observable<{ data: DataFrame[] }>;
        };
        response = await firstValueFrom(support.query(request(ds, query)));
      } else {
        const target = ds.annotations!.prepareQuery!({ target: query } as never) as RelayQuery;
        response = await firstValueFrom(ds.query(request(ds, target)));
      }
      const frame = response.data[0] as DataFrame | undefined;
      setResult(
        JSON.stringify(frame ? frame.fields.map((f) => ({ name: f.name, values: [...f.values].slice(0, 3) })) : [])
      );
    } catch (e) {
      setResult(`error: ${e instanceof Error ? e.message : JSON.stringify(e)}`);
    }
  };
  const props = { datasource: ds, query, onChange: setQuery, onRunQuery: () => setRuns((n) => n + 1) };
  return (
    <>
      {editor === 'variable' && <VariableQueryEditor {...props} />}
      {editor === 'annotation' && <AnnotationQueryEditor {...props} />}
      {editor === 'query' && <QueryEditor {...props} />}
      {editor !== 'query' && (
        <button data-testid="run-mapped-query" onClick={run}>
          Run {editor} query
        </button>
      )}
      <pre data-testid="mapped-result">{result}</pre>
      <pre data-testid="query-model" data-runs={runs} style={{ display: 'none' }}>
        {JSON.stringify(query)}
      </pre>
    </>
  );
}

function AlertPage({ settings }: { settings: RelaySettings }) {
  const [result, setResult] = useState('');
  useEffect(() => {
    const ds = newDataSource(settings);
    installTemplateSrv(JSON.parse(qs.get('vars') ?? '{}'));
    const panel: RelayQuery = { refId: 'A', datasource: ds.getRef(), ...JSON.parse(qs.get('query') ?? '{}') };
    const [alert] = ds.interpolateVariablesInQueries([panel], {});
    const evaluate = async (q: RelayQuery) => {
      const r = await fetch('/api/ds/query', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Basic ' + btoa(`${user}:${user}`) },
        body: JSON.stringify({ from: 'now-1h', to: 'now', queries: [q] }),
      });
      return r.json();
    };
    Promise.all([evaluate(panel), evaluate(alert)]).then(
      ([panelAnswer, alertAnswer]) => setResult(JSON.stringify({ alert, panelAnswer, alertAnswer })),
      (e) => setResult(JSON.stringify({ error: String(e) }))
    );
  }, [settings]);
  return <pre data-testid="alert-result">{result}</pre>;
}

function App() {
  const [settings, setSettings] = useState<RelaySettings | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    loadSettings().then(setSettings, (e) => setError(String(e)));
  }, []);
  const page = css({ padding: theme.spacing(3), background: theme.colors.background.primary, minHeight: '100vh' });
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <div className={page}>
        <div id="harness" data-editor={editor} data-theme={mode}>
          {error && <div data-testid="harness-error">{error}</div>}
          {settings && editor === 'config' && <ConfigPage initial={settings} />}
          {settings && editor === 'alert' && <AlertPage settings={settings} />}
          {settings && editor !== 'config' && editor !== 'alert' && <QueryPage settings={settings} />}
        </div>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
