import { css } from '@emotion/css';
import React, { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, DataSourceInstanceSettings, DataSourcePluginMeta, ThemeContext } from '@grafana/data';
import { setBackendSrv, setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';

import { ConfigEditor } from '../../src/components/config/ConfigEditor';
import { QueryEditor } from '../../src/components/query/QueryEditor';
import { DataSource } from '../../src/datasource';
import { RelayQuery } from '../../src/types/query';
import { RelayJsonData, RelaySettings } from '../../src/types/settings';
import { httpBackendSrv } from '../../playground/src/backendSrv';

/**
 * The browser test's page: the real ConfigEditor or QueryEditor in
 * @grafana/ui's theme, talking to a running Relay behind the dev host.
 *   /?editor=config|query&theme=dark|light&uid=<uid>&user=<login>&query=<json>
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

function QueryPage({ settings }: { settings: RelaySettings }) {
  const [ds] = useState(() => {
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
    return new DataSource(s);
  });
  const [query, setQuery] = useState<RelayQuery>(() => ({ refId: 'A', ...JSON.parse(qs.get('query') ?? '{}') }));
  const [runs, setRuns] = useState(0);
  return (
    <>
      <QueryEditor datasource={ds} query={query} onChange={setQuery} onRunQuery={() => setRuns((n) => n + 1)} />
      <pre data-testid="query-model" data-runs={runs} style={{ display: 'none' }}>
        {JSON.stringify(query)}
      </pre>
    </>
  );
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
          {settings && (editor === 'query' ? <QueryPage settings={settings} /> : <ConfigPage initial={settings} />)}
        </div>
      </div>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
