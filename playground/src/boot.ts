import { DataSourceInstanceSettings, DataSourcePluginMeta } from '@grafana/data';
import { config } from '@grafana/runtime';

/** The signed-in user as the dev host's boot data describes them (window.grafanaBootData.user). */
export interface BootUser {
  isSignedIn: boolean;
  login: string;
  name?: string;
  orgRole: string;
}

export const bootUser = (): BootUser => config.bootData.user as unknown as BootUser;

/** Grafana's rule: only Admins may edit a data source. */
export const canEditDataSources = () => bootUser().orgRole === 'Admin';

/** The org's data sources from the boot data, as Grafana's frontend knows them (no secrets). */
export function bootDataSources(): DataSourceInstanceSettings[] {
  return Object.values(config.datasources);
}

export const pluginMeta = (ds: DataSourceInstanceSettings) => ds.meta as DataSourcePluginMeta;
