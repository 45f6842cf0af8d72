import { DataSourceApi, DataSourcePlugin, DataSourcePluginMeta } from '@grafana/data';

/** A data source plugin of any query and options types, as Grafana holds it. */
export type GenericPlugin = DataSourcePlugin<DataSourceApi>;

type Factory = (...deps: unknown[]) => unknown;
type Define = ((...args: unknown[]) => void) & { amd: object };

declare global {
  interface Window {
    define?: Define;
  }
}

/**
 * Runs an AMD module's factory the way Grafana's SystemJS does for a plugin: each dependency is one of the
 * modules Grafana shares with plugins (the build's externals), and "module" is the module's own URL, from which
 * the plugin's webpack runtime takes its public path.
 */
export function runAmdFactory(deps: string[], factory: Factory, shared: Record<string, unknown>, uri: string): unknown {
  const missing = deps.filter((d) => !['module', 'exports', 'require'].includes(d) && !(d in shared));
  if (missing.length) {
    throw new Error(`module.js needs ${missing.join(', ')}, which the playground does not share (Grafana would)`);
  }
  const exports = {};
  const args = deps.map((d) => {
    switch (d) {
      case 'module':
        return { id: uri, uri };
      case 'exports':
        return exports;
      case 'require':
        return (name: string) => shared[name];
      default:
        return shared[d];
    }
  });
  return factory(...args) ?? exports;
}

/** define(factory), define(deps, factory) or define(name, deps, factory). */
function amdArgs(args: unknown[]): [string[], Factory] {
  const rest = typeof args[0] === 'string' ? args.slice(1) : args;
  return Array.isArray(rest[0]) ? [rest[0] as string[], rest[1] as Factory] : [[], rest[0] as Factory];
}

/** Loads a plugin's module.js with a script element, as shipped, and returns its exports. One load at a time. */
export function loadAmdModule(url: string, shared: Record<string, unknown>): Promise<Record<string, unknown>> {
  const uri = new URL(url, window.location.href).href;
  return new Promise((resolve, reject) => {
    const define = ((...args: unknown[]) => {
      try {
        const [deps, factory] = amdArgs(args);
        resolve(runAmdFactory(deps, factory, shared, uri) as Record<string, unknown>);
      } catch (e) {
        reject(e);
      }
    }) as Define;
    define.amd = {};
    window.define = define;
    const script = document.createElement('script');
    script.src = uri;
    script.onload = () => {
      delete window.define;
      reject(new Error(`${uri} did not call define()`)); // ignored when define already resolved
    };
    script.onerror = () => {
      delete window.define;
      reject(new Error(`could not load ${uri}`));
    };
    document.head.appendChild(script);
  });
}

/** Grafana's importDataSourcePlugin: the module's `plugin` export, with its meta attached. */
export async function importDataSourcePlugin(
  meta: DataSourcePluginMeta,
  shared: Record<string, unknown>
): Promise<GenericPlugin> {
  const exports = await loadAmdModule('/' + meta.module, shared);
  const plugin = exports.plugin as GenericPlugin | undefined;
  if (!plugin?.components) {
    throw new Error(`${meta.module} exports no data source plugin`);
  }
  plugin.meta = meta;
  return plugin;
}
