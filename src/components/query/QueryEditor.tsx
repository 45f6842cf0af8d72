import { css } from '@emotion/css';
import React, { useMemo, useRef } from 'react';
import { GrafanaTheme2, QueryEditorProps } from '@grafana/data';
import {
  Combobox,
  ControlledCollapse,
  InlineField,
  InlineFieldRow,
  RadioButtonGroup,
  Stack,
  Text,
  useStyles2,
} from '@grafana/ui';

import { upstreamPathsFromOpenAPI } from '../../api/openapi';
import type { DataSource } from '../../datasource';
import { cleanQuery, hasInlineData, queryDependencies } from '../../query/model';
import { DEFAULT_QUERY, Pipeline, QUERY_METHODS, QueryFormat, QuerySource, RelayQuery } from '../../types/query';
import { InfoResponse, OpenAPIDocument } from '../../types/api';
import { RelayJsonData } from '../../types/settings';
import { ResourceStatus } from '../common/ResourceStatus';
import { Suggestion, SuggestInput } from '../common/SuggestInput';
import { useResource } from '../common/useResource';
import { GraphQLEditor } from './GraphQLEditor';
import { InlineDataEditor } from './InlineDataEditor';
import { PipelineEditor } from './PipelineEditor';
import { effectiveTTL } from '../../query/cache';
import { knownQueryPath } from '../../query/knownPaths';
import { PreviewPanel } from './PreviewPanel';
import { ForEachOptions } from './ForEachOptions';
import { RequestOptions } from './RequestOptions';
import { OtherQueriesContext } from './steps/queryRefs';

export type RelayQueryEditorProps = QueryEditorProps<DataSource, RelayQuery, RelayJsonData>;

const METHOD_OPTIONS = QUERY_METHODS.map((m) => ({ label: m, value: m }));
const FORMAT_OPTIONS: Array<{ label: string; value: QueryFormat }> = [
  { label: 'Table', value: 'table' },
  { label: 'Time series', value: 'timeseries' },
  { label: 'Logs', value: 'logs' },
  { label: 'Trace', value: 'trace' },
  { label: 'Node graph', value: 'nodegraph' },
];
const SOURCE_OPTIONS: Array<{ label: string; value: QuerySource }> = [
  { label: 'HTTP', value: 'http' },
  { label: 'GraphQL', value: 'graphql' },
  { label: 'Inline data', value: 'inline' },
];

/** Paths callers may use: the chosen upstream's proxy rules, plus (default upstream) what /openapi.json documents. */
function pathSuggestions(info: InfoResponse, doc: OpenAPIDocument, upstream?: string): Suggestion[] {
  const out = new Map<string, Suggestion>();
  const named = upstream ? info.upstreams?.find((u) => u.name === upstream) : undefined;
  const rules = named ? named.proxyRules : (info.proxyRules ?? []);
  for (const r of [...rules, ...(named ? [] : upstreamPathsFromOpenAPI(doc))]) {
    const p = r.path?.replace(/\*$/, '');
    if (p && !out.has(p)) {
      out.set(p, { value: p, detail: r.methods?.join(' ') });
    }
  }
  return [...out.values()];
}

/** Debounce of the live preview and field discovery while typing. */
export const PREVIEW_DEBOUNCE_MS = 600;

export function QueryEditor({ query: rawQuery, onChange, onRunQuery, datasource, queries }: RelayQueryEditorProps) {
  const styles = useStyles2(getStyles);
  const query: RelayQuery = { ...DEFAULT_QUERY, ...rawQuery };
  const source: QuerySource = query.source ?? (query.graphql ? 'graphql' : hasInlineData(query) ? 'inline' : 'http');
  // Field discovery reads the upstream path with GET: only for plain HTTP queries.
  const path = source === 'http' ? (query.path?.trim() ?? '') : '';
  const runnable =
    source === 'inline' ? hasInlineData(query) : source === 'graphql' ? !!query.graphql?.query?.trim() : !!path;
  const pipeline: Pipeline = query.pipeline ?? {};
  const format = pipeline.format;
  const upstream = query.upstream || undefined;

  // /info (proxy rules; named upstreams, listed only when the data source has some) and /openapi.json, read once.
  const known = useResource(() => Promise.all([datasource.getInfo(), datasource.getOpenAPI()]), [datasource]);
  const upstreams = known.value?.[0].upstreams ?? [];

  const suggestions = known.value ? pathSuggestions(known.value[0], known.value[1], upstream) : [];
  const info = known.value?.[0];
  const rules = (upstream ? info?.upstreams?.find((u) => u.name === upstream)?.proxyRules : info?.proxyRules) ?? [];
  const ruleTTL = effectiveTTL({ ...query, cacheTTL: undefined }, rules);

  // Field discovery: the document's paths (for "rows at"), and the row's fields once a root is set. A path the
  // OpenAPI import described (jsonData.openapi.queries) has its row root and typed fields already: no sampling.
  const root = pipeline.root?.trim() ?? '';
  const rootSyntax = pipeline.rootSyntax;
  const described = path ? knownQueryPath(datasource.jsonData, path, upstream) : undefined;
  const describedFields = described?.fields.map((f) => ({ path: f.name, type: f.type }));
  const describedRows = described && root === described.root && rootSyntax !== 'jq';
  const docSchema = useResource(
    path && !described ? () => datasource.getSchema(path, { format, upstream }) : null,
    [datasource, path, format, upstream, !described],
    PREVIEW_DEBOUNCE_MS
  );
  const rowSchema = useResource(
    path && root && !describedRows ? () => datasource.getSchema(path, { root, format, rootSyntax, upstream }) : null,
    [datasource, path, root, format, rootSyntax, upstream, !describedRows],
    PREVIEW_DEBOUNCE_MS
  );
  const documentFields = described
    ? described.root
      ? [{ path: described.root, type: 'array' }]
      : (describedFields ?? [])
    : (docSchema.value?.fields ?? []);
  const rowFields = describedRows
    ? (describedFields ?? [])
    : root
      ? (rowSchema.value?.fields ?? [])
      : (docSchema.value?.fields ?? []);
  const fieldsState = root ? rowSchema : docSchema;

  // Live preview through POST /transform, keyed on the cleaned query so cosmetic edits do not re-run it.
  // The queries it reads (join, append, forEach) go along as the preview's inputs, and are part of its key.
  const inputs = (queries ?? []).filter((q) => queryDependencies(query).includes(q.refId) && q.refId !== query.refId);
  const keyOf = (q: RelayQuery) =>
    JSON.stringify([cleanQuery({ ...q, refId: '' }), ...inputs.map((i) => cleanQuery(i))]);
  const previewKey = keyOf(query);
  const preview = useResource(
    runnable ? () => datasource.previewQuery(query, {}, inputs) : null,
    [datasource, previewKey],
    PREVIEW_DEBOUNCE_MS
  );

  // Run the panel query when a field loses focus, if the query changed since the last run.
  const lastRun = useRef(previewKey);
  const runIfChanged = () => {
    if (lastRun.current !== previewKey) {
      lastRun.current = previewKey;
      onRunQuery();
    }
  };
  const change = (q: RelayQuery, run = false) => {
    onChange(q);
    if (run) {
      lastRun.current = keyOf(q);
      onRunQuery();
    }
  };

  const requestOptionsOpen = useMemo(
    () =>
      !!(
        rawQuery.params ||
        rawQuery.headers ||
        rawQuery.body ||
        rawQuery.bodyForm ||
        rawQuery.pagination ||
        rawQuery.forEach ||
        rawQuery.cacheTTL ||
        rawQuery.staleWhileRevalidate
      ),
    // Initial state only: do not collapse under the user's hands.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    []
  );

  const pathStatus =
    known.loading || known.error ? (
      <ResourceStatus what="path suggestions" loading={known.loading} error={known.error} compact />
    ) : undefined;
  const fieldsStatus =
    fieldsState.loading || fieldsState.error ? (
      <ResourceStatus what="fields" loading={fieldsState.loading} error={fieldsState.error} compact />
    ) : undefined;

  // The panel's other queries, which join and append steps and forEach may read.
  const otherRefs = useMemo(
    () => (queries ?? []).map((q) => q.refId).filter((r) => r && r !== rawQuery.refId),
    [queries, rawQuery.refId]
  );

  return (
    <div className={styles.editor} data-testid="relay-query-editor" onBlur={runIfChanged}>
      <InlineFieldRow>
        <InlineField label="Source" labelWidth={10}>
          <RadioButtonGroup<QuerySource>
            aria-label="Source"
            options={SOURCE_OPTIONS}
            value={source}
            onChange={(s) =>
              change(
                {
                  ...query,
                  source: s,
                  ...(s === 'graphql' ? { method: 'POST', graphql: query.graphql ?? { query: '' } } : {}),
                },
                false
              )
            }
          />
        </InlineField>
        <InlineField label="Format" labelWidth={10}>
          <RadioButtonGroup
            aria-label="Format"
            options={FORMAT_OPTIONS}
            value={query.format ?? 'table'}
            onChange={(f) => change({ ...query, format: f }, true)}
          />
        </InlineField>
      </InlineFieldRow>
      {source === 'inline' && <InlineDataEditor value={query.data} onChange={(data) => onChange({ ...query, data })} />}
      {source !== 'inline' && (
        <InlineFieldRow>
          {upstreams.length > 1 && (
            <InlineField label="Upstream" labelWidth={10} tooltip="Which of the data source's upstream APIs to call.">
              <Combobox<string>
                aria-label="Upstream"
                width={20}
                options={upstreams.map((u) => ({
                  label: u.default ? `${u.name} (default)` : u.name,
                  value: u.default ? 'default' : u.name,
                  description: u.origin,
                }))}
                value={upstream ?? 'default'}
                onChange={(o) => change({ ...query, upstream: o.value === 'default' ? undefined : o.value }, true)}
              />
            </InlineField>
          )}
          {source === 'http' && (
            <InlineField label="Method" labelWidth={10}>
              <RadioButtonGroup
                aria-label="Method"
                options={METHOD_OPTIONS}
                value={query.method ?? 'GET'}
                onChange={(method) => change({ ...query, method }, true)}
              />
            </InlineField>
          )}
          <InlineField
            label="Path"
            labelWidth={8}
            grow
            tooltip="Upstream path, relative to the data source URL. Template variables are replaced."
          >
            <SuggestInput
              aria-label="Path"
              placeholder={source === 'graphql' ? '/graphql' : '/api/items'}
              value={query.path ?? ''}
              suggestions={suggestions}
              onChange={(v) => onChange({ ...query, path: v })}
              footer={pathStatus}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {source === 'graphql' && (
        <GraphQLEditor
          value={query.graphql}
          onChange={(graphql) => onChange({ ...query, graphql })}
          datasource={datasource}
          path={query.path}
          upstream={upstream}
        />
      )}

      {source !== 'inline' && (
        <ControlledCollapse label="Request options" isOpen={requestOptionsOpen}>
          <RequestOptions query={{ ...query, source }} onChange={onChange} ruleTTL={ruleTTL} />
          <OtherQueriesContext.Provider value={otherRefs}>
            <ForEachOptions query={query} onChange={onChange} />
          </OtherQueriesContext.Provider>
        </ControlledCollapse>
      )}

      <ControlledCollapse label="Pipeline" isOpen>
        <OtherQueriesContext.Provider value={otherRefs}>
          <PipelineEditor
            pipeline={pipeline}
            onChange={(p) => onChange({ ...query, pipeline: p })}
            documentFields={documentFields}
            documentRoots={docSchema.value?.roots}
            rowFields={rowFields}
            fieldsStatus={fieldsStatus}
          />
        </OtherQueriesContext.Provider>
        {fieldsState.error && (
          <Text color="secondary" variant="bodySmall">
            {`Field suggestions unavailable: ${fieldsState.error.message}`}
          </Text>
        )}
      </ControlledCollapse>

      <Stack direction="column">
        <PreviewPanel
          idle={!runnable}
          loading={preview.loading}
          error={preview.error}
          value={preview.value}
          onRefresh={preview.reload}
        />
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  editor: css({ display: 'flex', flexDirection: 'column', gap: theme.spacing(0.5) }),
});
