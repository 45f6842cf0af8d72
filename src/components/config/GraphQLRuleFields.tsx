import React from 'react';
import { Input, Stack, Switch, Text } from '@grafana/ui';

import { MethodChips } from '../common/MethodChips';
import { BACKEND_DEFAULTS, GRAPHQL_OPERATIONS } from '../../api/settings.gen';
import { GraphQLRule } from '../../types/settings';

interface Props {
  /** "Rule 2": prefixes every control's accessible name. */
  label: string;
  value?: GraphQLRule;
  onChange: (v: GraphQLRule | undefined) => void;
}

/** A bound in 1…max, or undefined for the backend's default (empty field). */
function bound(text: string): number | undefined {
  const n = Number(text.trim());
  return text.trim() === '' || !Number.isInteger(n) ? undefined : n;
}

/**
 * A proxy rule's graphql block (docs/security.md, "GraphQL and POST rules"): off, the rule allows any document; on,
 * the backend parses each request's document and checks operation types, depth, aliases and introspection.
 */
export function GraphQLRuleFields({ label, value, onChange }: Props) {
  const d = BACKEND_DEFAULTS.graphql;
  const set = (fn: (g: GraphQLRule) => void) => {
    const g: GraphQLRule = { ...(value ?? {}) };
    fn(g);
    onChange(g);
  };
  const depthError =
    value?.maxDepth !== undefined && (value.maxDepth < 1 || value.maxDepth > d.maxDepthCeiling)
      ? `Depth must be between 1 and ${d.maxDepthCeiling}`
      : undefined;
  const aliasError = value?.maxAliases !== undefined && value.maxAliases < 1 ? 'Aliases must be at least 1' : undefined;
  return (
    <Stack direction="column" gap={0.5}>
      <Switch
        aria-label={`${label} GraphQL-aware`}
        value={!!value}
        onChange={(e) => onChange(e.currentTarget.checked ? { operations: ['query'] } : undefined)}
      />
      {value && (
        <>
          <MethodChips
            label={`${label} GraphQL operations`}
            methods={GRAPHQL_OPERATIONS}
            value={value.operations ?? ['query']}
            onChange={(ops) => set((g) => (g.operations = GRAPHQL_OPERATIONS.filter((o) => ops.includes(o))))}
          />
          <Stack direction="row" gap={0.5} alignItems="center">
            <Input
              aria-label={`${label} GraphQL max depth`}
              width={7}
              type="number"
              placeholder={String(d.maxDepth)}
              value={value.maxDepth ?? ''}
              invalid={!!depthError}
              title="Maximum selection depth, fragments expanded"
              onChange={(e) => {
                const n = bound(e.currentTarget.value);
                set((g) => (n === undefined ? delete g.maxDepth : (g.maxDepth = n)));
              }}
            />
            <Input
              aria-label={`${label} GraphQL max aliases`}
              width={7}
              type="number"
              placeholder={String(d.maxAliases)}
              value={value.maxAliases ?? ''}
              invalid={!!aliasError}
              title="Maximum aliased fields of a whole request"
              onChange={(e) => {
                const n = bound(e.currentTarget.value);
                set((g) => (n === undefined ? delete g.maxAliases : (g.maxAliases = n)));
              }}
            />
          </Stack>
          <Stack direction="row" gap={0.5} alignItems="center">
            <Switch
              aria-label={`${label} GraphQL introspection`}
              value={!!value.introspection}
              onChange={(e) => {
                const on = e.currentTarget.checked;
                set((g) => (on ? (g.introspection = true) : delete g.introspection));
              }}
            />
            <Text variant="bodySmall" color="secondary">
              introspection
            </Text>
          </Stack>
          {(value.operations ?? ['query']).length === 0 && (
            <Text variant="bodySmall" color="error">
              No operation type: every document is refused
            </Text>
          )}
          {[depthError, aliasError].filter(Boolean).map((e) => (
            <Text key={e} variant="bodySmall" color="error">
              {e!}
            </Text>
          ))}
        </>
      )}
    </Stack>
  );
}
