import { ScopedVars } from '@grafana/data';
import { TemplateSrv } from '@grafana/runtime';

import { Pipeline, RelayQuery } from '../types/query';

/**
 * Template variables in every string of a query, each with the format of its
 * place (docs/queries.md, "Variables"). The backend refuses whatever is left
 * unresolved (unresolved_variable), with the same reading of places:
 *
 * - text (path, params, headers, root, columns, step fields): values joined
 *   with commas (in the path see pathFormat); a parameter whose
 *   value is exactly one multi-value variable is repeated when the query's
 *   multiValue is "repeat".
 * - expressions (filter, compute): inside double quotes ("$cat") the value is
 *   escaped so it stays one string (a value `a" || true || "` cannot end the
 *   literal); unquoted, a number stays a number, a string becomes a quoted
 *   literal and a multi-value variable an array literal (`category in $cats`).
 * - JSON (body, GraphQL variables, inline data): a single value is escaped as
 *   JSON string content (write "$host"), a multi-value variable is a JSON array
 *   (write $hosts without quotes).
 * - code (jq programs, GraphQL documents): only ${name} is replaced, by a JSON
 *   value; $name and [[T]] are the language's own.
 */

type Format = (value: unknown) => string;
export type Replace = (s: string, format?: Format) => string;

/** Grafana's reference grammar (TemplateSrv's regex), global. */
const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
const BRACED = /\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;
const SINGLE_REFERENCE = /^(\$\w+|\${\w+(?::\w+)?}|\[\[\w+(?::\w+)?\]\])$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

const values = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : [String(v ?? '')]);
const jsonContent = (s: string) => JSON.stringify(s).slice(1, -1);

export const textFormat: Format = (v) => values(v).join(',');
/**
 * Path values go in as they are (the backend encodes the path when it sends it), except ?, # and %, which are
 * percent-encoded so that a value cannot start a query string: the path guard then refuses the '%' with a clear
 * message. In the path's own query string (after '?') values are query-encoded.
 */
export const pathFormat: Format = (v) =>
  values(v)
    .map((x) => x.replace(/[?#%]/g, encodeURIComponent))
    .join(',');
export const queryFormat: Format = (v) => values(v).map(encodeURIComponent).join(',');

/** The path: segment values as pathFormat, values in a query string written into the path as queryFormat. */
export function interpolatePath(path: string, replace: Replace): string {
  const i = path.indexOf('?');
  return i < 0
    ? replace(path, pathFormat)
    : replace(path.slice(0, i), pathFormat) + '?' + replace(path.slice(i + 1), queryFormat);
}
export const jsonFormat: Format = (v) =>
  Array.isArray(v) ? JSON.stringify(v.map(String)) : jsonContent(String(v ?? ''));
export const codeFormat: Format = (v) =>
  Array.isArray(v) ? JSON.stringify(v.map(String)) : JSON.stringify(String(v ?? ''));

/** An expr-lang literal for a value outside quotes. */
function exprLiteral(v: unknown): string {
  const vs = values(v);
  const lit = (s: string) => (NUMBER.test(s) ? s : JSON.stringify(s));
  if (Array.isArray(v)) {
    return `[${vs.map(lit).join(', ')}]`;
  }
  return lit(vs[0]);
}

/** Expressions: each reference is formatted by whether it sits inside double quotes. */
export function interpolateExpr(expr: string, replace: Replace): string {
  return expr.replace(REFERENCE, (match, _a, _b, _c, _d, _e, _f, offset: number, whole: string) => {
    if (match === '$env') {
      return match; // expr-lang's own $env["field-name"]
    }
    const quoted = whole[offset - 1] === '"' && whole[offset + match.length] === '"';
    return replace(match, quoted ? (v) => jsonContent(values(v).join(',')) : exprLiteral);
  });
}

/** Code (jq, GraphQL): only ${…} references. */
export function interpolateCode(code: string, replace: Replace): string {
  return code.replace(BRACED, (match) => replace(match, codeFormat));
}

/**
 * Walks a pipeline: jq programs (jq steps, and the root when rootSyntax is jq) as code, filter/compute expressions as
 * expressions, other strings as text. As code, a jq program's own $vars are left alone; only ${name} is replaced.
 */
export function interpolatePipeline(p: Pipeline | undefined, replace: Replace): Pipeline | undefined {
  if (!p) {
    return p;
  }
  const walk = (v: unknown, path: string[]): unknown => {
    if (typeof v === 'string') {
      return replace(v, textFormat);
    }
    if (Array.isArray(v)) {
      return v.map((x, i) => walk(x, [...path, String(i)]));
    }
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const isStep = path.length === 2 && path[0] === 'steps';
      return Object.fromEntries(
        Object.entries(o).map(([k, x]) => {
          if (isStep && k === 'expr' && typeof x === 'string') {
            return [k, o.type === 'jq' ? interpolateCode(x, replace) : interpolateExpr(x, replace)];
          }
          if (isStep && k === 'type') {
            return [k, x];
          }
          if (path.length === 0 && k === 'root' && o.rootSyntax === 'jq' && typeof x === 'string') {
            return [k, interpolateCode(x, replace)];
          }
          return [k, walk(x, [...path, k])];
        })
      );
    }
    return v;
  };
  return walk(p, []) as Pipeline;
}

/** The query with its template variables replaced, place by place. */
export function interpolateQuery(query: RelayQuery, scopedVars: ScopedVars, t: TemplateSrv): RelayQuery {
  const replace: Replace = (s, format) => t.replace(s, scopedVars, format);
  const repeat = query.multiValue === 'repeat';
  const param = (v: string | string[]): string | string[] => {
    if (Array.isArray(v)) {
      return v.map((x) => replace(x, textFormat));
    }
    if (repeat && SINGLE_REFERENCE.test(v.trim())) {
      let list: string[] | undefined;
      const s = replace(v.trim(), (x) => {
        list = values(x);
        return list.join(',');
      });
      return list && list.length !== 1 ? list : s;
    }
    return replace(v, textFormat);
  };
  const out: RelayQuery = { ...query };
  if (query.path !== undefined) {
    out.path = interpolatePath(query.path, replace);
  }
  if (query.params) {
    out.params = Object.fromEntries(Object.entries(query.params).map(([k, v]) => [replace(k, textFormat), param(v)]));
  }
  if (query.headers) {
    out.headers = Object.fromEntries(Object.entries(query.headers).map(([k, v]) => [k, replace(v, textFormat)]));
  }
  if (query.body !== undefined) {
    out.body = replace(query.body, jsonFormat);
  }
  if (query.bodyForm) {
    // Each value on its own, as text: Relay encodes the form, so a value cannot spill into another field.
    out.bodyForm = query.bodyForm.map((f) => ({
      key: replace(f.key, textFormat),
      value: replace(f.value, textFormat),
    }));
  }
  if (typeof query.data === 'string') {
    out.data = replace(query.data, jsonFormat);
  } else if (query.data !== undefined) {
    try {
      out.data = JSON.parse(replace(JSON.stringify(query.data), jsonFormat));
    } catch {
      out.data = query.data; // a multi-value variable inside a JSON string: the backend names it
    }
  }
  if (query.graphql) {
    const vars = query.graphql.variables;
    out.graphql = {
      ...query.graphql,
      query: interpolateCode(query.graphql.query ?? '', replace),
      variables: typeof vars === 'string' ? replace(vars, jsonFormat) : vars,
    };
  }
  if (query.pagination?.values) {
    // A value that is one multi-value variable becomes one value per option.
    out.pagination = {
      ...query.pagination,
      values: query.pagination.values.flatMap((v) => {
        const r = param(v);
        return Array.isArray(r) ? r : SINGLE_REFERENCE.test(v.trim()) ? replaceList(v, replace) : [r];
      }),
    };
  }
  out.pipeline = interpolatePipeline(query.pipeline, replace);
  return out;
}

function replaceList(v: string, replace: Replace): string[] {
  let list: string[] = [];
  const s = replace(v.trim(), (x) => {
    list = values(x);
    return list.join(',');
  });
  return list.length ? list : [s];
}
