import React, { useCallback, useMemo, useState } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';

import { dataSourceFromSettings } from '../../api/instance';
import { routesFromOpenAPI } from '../../api/openapi';
import { RelayJsonData, RelaySecureJsonData } from '../../types/settings';
import { useResource } from '../common/useResource';
import { ActionsSection } from './ActionsSection';
import { ApiKeysSection } from './ApiKeysSection';
import { AuthSection } from './AuthSection';
import { makeConfigApi } from './configApi';
import { ConnectionSection } from './ConnectionSection';
import { FieldErrorsContext, parseFieldErrors } from './health';
import { HealthResult, HealthStatus } from './HealthStatus';
import { ImportSection } from './ImportSection';
import { NetworkSection } from './NetworkSection';
import { OpenAPIImportSection } from './OpenAPIImportSection';
import { LimitsSection } from './LimitsSection';
import { ProxySection } from './ProxySection';
import { RoutesSection } from './RoutesSection';
import { TimeoutsSection, TLSSection } from './TransportSection';
import { UpstreamsSection } from './UpstreamsSection';

export type ConfigEditorProps = DataSourcePluginOptionsEditorProps<RelayJsonData, RelaySecureJsonData>;

export function ConfigEditor({ options, onOptionsChange }: ConfigEditorProps) {
  const cfg = makeConfigApi(options, onOptionsChange);
  const [health, setHealth] = useState<HealthResult | undefined>();
  const onHealth = useCallback((r: HealthResult | undefined) => setHealth(r), []);
  const fieldErrors = useMemo(() => (health && !health.ok ? parseFieldErrors(health.message) : {}), [health]);

  // A data source Grafana just created has no URL yet: nothing worth checking until it is saved with one.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const savedUrl = useMemo(() => options.url, [options.uid, options.version]);

  // Route names and the effective minimum roles come from the saved data source's OpenAPI document.
  const uid = options.uid;
  const routes = useResource(
    uid ? () => dataSourceFromSettings(options).getOpenAPI().then(routesFromOpenAPI) : null,
    // Reload when Grafana saved the settings, not on every keystroke.
    [uid, options.version]
  );
  const scopeHints = [
    ...(routes.value ?? []).map((r) => r.name),
    ...(options.jsonData.actions ?? []).map((a) => `action:${a.name}`),
  ];

  return (
    <FieldErrorsContext.Provider value={fieldErrors}>
      <div data-testid="relay-config-editor">
        <HealthStatus uid={savedUrl ? uid : undefined} version={options.version} onResult={onHealth} />
        <ImportSection
          onImport={(url, jsonData) =>
            onOptionsChange({ ...options, url, jsonData: { ...options.jsonData, ...jsonData } })
          }
        />
        <ConnectionSection cfg={cfg} />
        <AuthSection cfg={cfg} />
        <TLSSection cfg={cfg} />
        <TimeoutsSection cfg={cfg} />
        <NetworkSection cfg={cfg} />
        <ProxySection cfg={cfg} />
        <OpenAPIImportSection cfg={cfg} />
        <UpstreamsSection cfg={cfg} />
        <RoutesSection cfg={cfg} routes={routes} />
        <ApiKeysSection cfg={cfg} scopeHints={scopeHints} />
        <ActionsSection cfg={cfg} />
        <LimitsSection cfg={cfg} />
      </div>
    </FieldErrorsContext.Provider>
  );
}
