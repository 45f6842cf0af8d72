import { DataSourceApi, DataSourceInstanceSettings, DataSourceRef } from '@grafana/data';
import { DataSourceSrv } from '@grafana/runtime';

import { bootDataSources, pluginMeta } from './boot';
import { GenericPlugin, importDataSourcePlugin } from './pluginLoader';
import { sharedModules } from './sharedModules';

/**
 * Grafana's data source service, reduced to what a data source plugin calls: instance settings from the boot
 * data, and one instance of the plugin's DataSource class per data source, built from the loaded module.js.
 */
export class PlaygroundDataSourceSrv implements DataSourceSrv {
  private plugins = new Map<string, Promise<GenericPlugin>>();
  private instances = new Map<string, Promise<DataSourceApi>>();

  getList(): DataSourceInstanceSettings[] {
    return bootDataSources();
  }

  getInstanceSettings(ref?: DataSourceRef | string | null): DataSourceInstanceSettings | undefined {
    const all = bootDataSources();
    if (!ref) {
      return all.find((d) => d.isDefault) ?? all[0];
    }
    const key = typeof ref === 'string' ? ref : ref.uid;
    return all.find((d) => d.uid === key || d.name === key);
  }

  /** The plugin's module, loaded once per plugin type. */
  plugin(settings: DataSourceInstanceSettings): Promise<GenericPlugin> {
    let p = this.plugins.get(settings.type);
    if (!p) {
      p = importDataSourcePlugin(pluginMeta(settings), sharedModules);
      this.plugins.set(settings.type, p);
    }
    return p;
  }

  get(ref?: DataSourceRef | string | null): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    if (!settings) {
      return Promise.reject(new Error(`data source ${JSON.stringify(ref)} not found`));
    }
    let ds = this.instances.get(settings.uid);
    if (!ds) {
      ds = this.plugin(settings).then((plugin) => {
        const instance = new plugin.DataSourceClass(settings);
        instance.components = plugin.components;
        return instance;
      });
      this.instances.set(settings.uid, ds);
    }
    return ds;
  }

  reload() {
    this.instances.clear();
  }

  registerRuntimeDataSource() {
    throw new Error('runtime data sources are not supported by the playground');
  }
}
