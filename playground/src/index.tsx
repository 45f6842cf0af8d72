import React from 'react';
import { createRoot } from 'react-dom/client';
import { createTheme, ThemeContext } from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles } from '@grafana/ui';

import { App } from './App';
import { httpBackendSrv } from './backendSrv';
import { PlaygroundDataSourceSrv } from './dataSourceSrv';
import { exchanges } from './exchanges';

// What Grafana sets up before it loads a plugin: the backend service (the session cookie authenticates), the data
// source service and a template service without dashboard variables.
setBackendSrv(httpBackendSrv({ onExchange: exchanges.record }));
const dataSources = new PlaygroundDataSourceSrv();
setDataSourceSrv(dataSources);
setTemplateSrv({
  replace: (s?: string) => s ?? '',
  getVariables: () => [],
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

const mode = new URLSearchParams(window.location.search).get('theme') === 'light' ? 'light' : 'dark';
const theme = createTheme({ colors: { mode } });

createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <App dataSources={dataSources} />
  </ThemeContext.Provider>
);
