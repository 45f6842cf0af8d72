import fs from 'fs';
import path from 'path';

import { COLUMN_TYPES, CONTRACT, ERROR_SCHEMA, FieldSpec, PIPELINE_FORMATS, STEP_TYPES } from './contract';

/**
 * Frontend ↔ backend drift check: the types the frontend uses for Relay's
 * resource API (described in ./contract.ts, tied to ../types/api.ts by the
 * compiler) must match the OpenAPI document the backend generates from its
 * route table, committed as pkg/resources/testdata/openapi.golden.json.
 * RELAY_OPENAPI overrides the file (e.g. a document fetched from a running Relay).
 */
const GOLDEN = process.env.RELAY_OPENAPI ?? path.resolve(__dirname, '../../pkg/resources/testdata/openapi.golden.json');

type Json = Record<string, any>;

function resolve(doc: Json, node: Json | undefined): Json | undefined {
  let n = node;
  for (let i = 0; n && typeof n.$ref === 'string' && i < 10; i++) {
    const ref: string = n.$ref;
    if (!ref.startsWith('#/')) {
      throw new Error(`unsupported $ref ${ref}`);
    }
    n = ref
      .slice(2)
      .split('/')
      .reduce<Json | undefined>((acc, k) => acc?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return n;
}

/**
 * A oneOf of object schemas (the pipeline's steps, one schema per step type)
 * read as one object: every member's properties, enums merged; required only
 * what every member requires.
 */
function flattenOneOf(doc: Json, s: Json): Json {
  if (!Array.isArray(s.oneOf) || s.properties) {
    return s;
  }
  const members: Json[] = s.oneOf.map((m: Json) => resolve(doc, m) ?? {});
  const properties: Json = {};
  for (const m of members) {
    for (const [name, p] of Object.entries<Json>(m.properties ?? {})) {
      const prop = resolve(doc, p) ?? {};
      const seen = properties[name];
      properties[name] =
        seen && Array.isArray(seen.enum) && Array.isArray(prop.enum)
          ? { ...seen, enum: [...seen.enum, ...prop.enum] }
          : (seen ?? prop);
    }
  }
  const required = members.reduce<string[]>(
    (acc, m, i) => (i === 0 ? (m.required ?? []) : acc.filter((r) => (m.required ?? []).includes(r))),
    []
  );
  return { type: 'object', properties, required };
}

function schemaType(s: Json): string | undefined {
  return Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
}

function kindMatches(spec: FieldSpec, s: Json): boolean {
  const t = schemaType(s);
  if (spec.kind === 'any' || t === undefined) {
    return true; // schema {} accepts anything; "any" accepts any schema
  }
  if (spec.kind === 'integer' || spec.kind === 'number') {
    return t === 'integer' || t === 'number';
  }
  return spec.kind === t;
}

/**
 * Compares our spec of an object with the backend's schema. direction
 * "request": we must send every field the schema requires. "response": we may
 * rely on (declare required) only fields the schema requires.
 */
function compare(
  doc: Json,
  where: string,
  props: Record<string, FieldSpec>,
  schema: Json,
  direction: 'request' | 'response'
): string[] {
  const problems: string[] = [];
  const s = flattenOneOf(doc, resolve(doc, schema) ?? {});
  const sProps: Json = s.properties ?? {};
  const sRequired: string[] = s.required ?? [];
  for (const [name, spec] of Object.entries(props)) {
    const field = resolve(doc, sProps[name]);
    if (!field) {
      problems.push(`${where}.${name}: the frontend uses it, the backend's schema has no such property`);
      continue;
    }
    if (!kindMatches(spec, field)) {
      problems.push(`${where}.${name}: frontend ${spec.kind}, backend ${schemaType(field)}`);
    }
    if (spec.enum && Array.isArray(field.enum)) {
      const missing = spec.enum.filter((v) => !field.enum.includes(v));
      if (missing.length) {
        problems.push(
          `${where}.${name}: frontend values ${missing.join(', ')} are not in the backend's enum ${field.enum.join(', ')}`
        );
      }
    }
    if (direction === 'response' && spec.required && !sRequired.includes(name)) {
      problems.push(
        `${where}.${name}: the frontend relies on it always being present, the backend does not require it`
      );
    }
    if (spec.props) {
      problems.push(...compare(doc, `${where}.${name}`, spec.props, field, direction));
    }
    if (spec.items && field.items) {
      const items = flattenOneOf(doc, resolve(doc, field.items) ?? {});
      if (!kindMatches(spec.items, items)) {
        problems.push(`${where}.${name}[]: frontend ${spec.items.kind}, backend ${schemaType(items)}`);
      }
      if (spec.items.enum && Array.isArray(items.enum)) {
        const missing = spec.items.enum.filter((v) => !items.enum.includes(v));
        if (missing.length) {
          problems.push(`${where}.${name}[]: frontend values ${missing.join(', ')} are not in the backend's enum`);
        }
      }
      if (spec.items.props) {
        problems.push(...compare(doc, `${where}.${name}[]`, spec.items.props, items, direction));
      }
    }
  }
  if (direction === 'request') {
    for (const name of sRequired) {
      if (!props[name]?.required) {
        problems.push(`${where}.${name}: the backend requires it, the frontend does not always send it`);
      }
    }
  }
  return problems;
}

if (!fs.existsSync(GOLDEN)) {
  describe('resource API contract', () => {
    it.skip(`SKIPPED: ${path.relative(process.cwd(), GOLDEN)} is missing — commit the backend's OpenAPI snapshot to check frontend types against it`, () => {});
  });
} else {
  const doc: Json = JSON.parse(fs.readFileSync(GOLDEN, 'utf8'));

  describe('resource API contract (frontend types vs the backend OpenAPI document)', () => {
    it.each(CONTRACT.map((c) => [`${c.method.toUpperCase()} ${c.path}`, c] as const))('%s', (_, c) => {
      const op = doc.paths?.[c.path]?.[c.method];
      expect(op).toBeDefined();
      expect(op.operationId).toBe(c.operationId);
      const problems: string[] = [];
      const params: Json[] = (op.parameters ?? []).map((p: Json) => resolve(doc, p));
      for (const q of c.query ?? []) {
        if (!params.some((p) => p?.in === 'query' && p?.name === q)) {
          problems.push(`query parameter ${q}: sent by the frontend, not documented`);
        }
      }
      if (c.request) {
        const body = resolve(doc, op.requestBody)?.content?.['application/json']?.schema;
        if (!body) {
          problems.push('request body: the frontend sends JSON, the operation documents none');
        } else {
          expect(body.$ref).toBe(`#/components/schemas/${c.request.schema}`);
          problems.push(...compare(doc, c.request.schema, c.request.props, body, 'request'));
        }
      }
      if (c.response) {
        const rsp = resolve(doc, op.responses?.[c.response.status])?.content?.['application/json']?.schema;
        if (!rsp) {
          problems.push(`response ${c.response.status}: no JSON schema documented`);
        } else {
          expect(rsp.$ref).toBe(`#/components/schemas/${c.response.schema}`);
          problems.push(...compare(doc, c.response.schema, c.response.props, rsp, 'response'));
        }
      }
      const err = resolve(doc, op.responses?.default)?.content?.['application/json']?.schema;
      if (!err) {
        problems.push('default response: no JSON error schema');
      } else {
        problems.push(...compare(doc, ERROR_SCHEMA.schema, ERROR_SCHEMA.props, err, 'response'));
      }
      expect(problems).toEqual([]);
    });

    it('lists exactly the backend registry: step types, formats and column types (the editor offers no fewer)', () => {
      const pipeline = resolve(doc, doc.components?.schemas?.Pipeline) ?? {};
      const enumOf = (node: Json | undefined) => resolve(doc, node)?.enum;
      // Steps are a oneOf of one schema per step type, each with its type as a one-value enum.
      const steps = resolve(doc, resolve(doc, pipeline.properties?.steps)?.items) ?? {};
      const stepTypes = (steps.oneOf ?? []).flatMap((s: Json) => enumOf(resolve(doc, s)?.properties?.type) ?? []);
      expect(stepTypes).toEqual([...STEP_TYPES]);
      expect(Object.keys(steps.discriminator?.mapping ?? {}).sort()).toEqual([...STEP_TYPES].sort());
      expect(enumOf(pipeline.properties?.format)).toEqual([...PIPELINE_FORMATS]);
      expect(enumOf(resolve(doc, pipeline.properties?.columns)?.items?.properties?.type)).toEqual([...COLUMN_TYPES]);
    });

    it('documents every resource route the frontend calls, and nothing the frontend calls is missing', () => {
      const documented = new Set(
        Object.entries(doc.paths ?? {}).flatMap(([p, item]) => Object.keys(item as Json).map((m) => `${m} ${p}`))
      );
      const missing = CONTRACT.map((c) => `${c.method} ${c.path}`).filter((k) => !documented.has(k));
      expect(missing).toEqual([]);
    });
  });
}
