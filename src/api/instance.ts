import { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';

import { DataSource } from '../datasource';
import { RelayJsonData, RelaySettings } from '../types/settings';

/**
 * The config editor gets settings, not a data source instance; this builds
 * one for the saved data source so its resource calls go through
 * DataSourceWithBackend.getResource like everywhere else.
 */
export function dataSourceFromSettings(o: RelaySettings): DataSource {
  const settings: DataSourceInstanceSettings<RelayJsonData> = {
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still required by the type in 12.x
    id: o.id,
    uid: o.uid,
    type: o.type,
    name: o.name,
    url: o.url,
    access: o.access === 'direct' ? 'direct' : 'proxy',
    readOnly: o.readOnly,
    jsonData: o.jsonData,
    meta: { id: o.type, name: o.typeName ?? o.type } as DataSourcePluginMeta,
  };
  return new DataSource(settings);
}
