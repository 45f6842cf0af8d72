import { ScopedVars } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';

/**
 * A TemplateSrv with Grafana's reference grammar and format rules, for tests that need real values: $name,
 * ${name}, ${name:fmt} and [[name]]; scoped variables (a repeated panel's) before the dashboard's; a reference's
 * own format (csv, json, pipe, raw, doublequote, ...) before the caller's; the caller's format as a function of the
 * value; $__from and $__to as the dashboard's time range. Unknown names stay as written, as in Grafana.
 */
const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

type Format = string | ((value: unknown) => string) | undefined;

const named: Record<string, (v: unknown) => string> = {
  csv: (v) => (Array.isArray(v) ? v.join(',') : String(v)),
  pipe: (v) => (Array.isArray(v) ? v.join('|') : String(v)),
  json: (v) => JSON.stringify(v),
  raw: (v) => String(v),
  doublequote: (v) => (Array.isArray(v) ? v : [v]).map((x) => `"${x}"`).join(','),
};

export function installTemplateSrv(
  variables: Record<string, string | string[]>,
  range = { from: 1700000000000, to: 1700003600000 }
): TemplateSrv {
  const t = {
    replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
      return (target ?? '').replace(REFERENCE, (match, a, b, bFmt, c, _field, cFmt) => {
        const name: string = a ?? b ?? c;
        const own: string | undefined = bFmt ?? cFmt;
        let value: unknown;
        if (scopedVars && name in scopedVars) {
          value = scopedVars[name]!.value;
        } else if (name in variables) {
          value = variables[name];
        } else if (name === '__from' || name === '__to') {
          value = String(name === '__from' ? range.from : range.to);
        } else {
          return match;
        }
        if (own && named[own]) {
          return named[own](value);
        }
        if (typeof format === 'function') {
          return format(value);
        }
        if (typeof format === 'string' && named[format]) {
          return named[format](value);
        }
        return named.csv(value);
      });
    },
    getVariables: () => [],
    containsTemplate: (s?: string) => !!s && new RegExp(REFERENCE.source).test(s),
    updateTimeRange: () => {},
  } as unknown as TemplateSrv;
  setTemplateSrv(t);
  return t;
}
