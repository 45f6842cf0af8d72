import { render } from '@testing-library/react';
import React, { useState } from 'react';

import { ConfigEditor } from '../components/config/ConfigEditor';
import { RelaySettings } from '../types/settings';
import { UID } from './backend';

/** The settings Grafana hands the config editor for a Relay data source at https://api.example.com, with `over`. */
export function testSettings(over: Partial<RelaySettings> = {}): RelaySettings {
  return {
    id: 1,
    uid: UID,
    orgId: 1,
    name: 'Relay',
    type: 'relay-gateway-datasource',
    typeName: 'Relay',
    typeLogoUrl: '',
    access: 'proxy',
    url: 'https://api.example.com',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    jsonData: {},
    secureJsonFields: {},
    readOnly: false,
    withCredentials: false,
    version: 1,
    ...over,
  } as RelaySettings;
}

/**
 * Mounts the config editor the way Grafana does: controlled, the latest options fed back. `latest` holds the options
 * as the editor last changed them. Install the fake backend (health, /openapi.json) first.
 */
export function renderConfigEditor(initial: RelaySettings) {
  const latest = { current: initial };
  function Host() {
    const [o, setO] = useState(initial);
    return (
      <ConfigEditor
        options={o}
        onOptionsChange={(n) => {
          latest.current = n;
          setO(n);
        }}
      />
    );
  }
  render(<Host />);
  return latest;
}
