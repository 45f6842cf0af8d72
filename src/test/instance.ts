import { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';

import { DataSource } from '../datasource';
import { RelayJsonData } from '../types/settings';
import { UID } from './backend';

export function testDataSource(jsonData: RelayJsonData = {}): DataSource {
  const settings = {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still required by the type in 12.x
    id: 1,
    uid: UID,
    type: 'relay-gateway-datasource',
    name: 'Relay',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { id: 'relay-gateway-datasource', name: 'Relay' } as DataSourcePluginMeta,
  } as DataSourceInstanceSettings<RelayJsonData>;
  return new DataSource(settings);
}
