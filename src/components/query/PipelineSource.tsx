import React from 'react';
import { InlineField, InlineFieldRow, InlineSwitch, Input, RadioButtonGroup } from '@grafana/ui';

import { PIPELINE_FORMATS } from '../../api/contract';
import { SchemaField, SchemaRoot } from '../../types/api';
import { Pipeline, PipelineFormat, RootSyntax } from '../../types/query';
import { Suggestion, SuggestInput } from '../common/SuggestInput';

const FORMAT_LABELS: Record<PipelineFormat, string> = {
  json: 'JSON',
  ndjson: 'NDJSON',
  csv: 'CSV',
  xml: 'XML',
  html: 'HTML',
  auto: 'Auto',
};
const FORMATS = PIPELINE_FORMATS.map((f) => ({ label: FORMAT_LABELS[f], value: f }));

/** What "Rows at" means per format (and root syntax). */
function rootHelp(format: PipelineFormat, syntax: RootSyntax): { tooltip: string; placeholder: string } {
  if (syntax === 'jq') {
    return {
      tooltip:
        'jq program over the whole JSON document; every value it yields is a row, e.g. .data.items[] | select(.active)',
      placeholder: '.data.items[]',
    };
  }
  switch (format) {
    case 'xml':
      return {
        tooltip:
          'Element path: names, *, //, [@attr="v"], [n]; e.g. //item or /rss/channel/item. Empty: the children of the document element.',
        placeholder: 'children of the document element',
      };
    case 'html':
      return {
        tooltip:
          'CSS selector of the row elements, e.g. table#services tr or ul.items > li. Empty: the rows of the first table.',
        placeholder: 'rows of the first table',
      };
  }
  return {
    tooltip:
      'gjson path to the array of rows, e.g. data.items (XML: element path; HTML: CSS selector). Empty: the document itself.',
    placeholder: 'document root',
  };
}

interface Props {
  pipeline: Pipeline;
  set: (patch: Partial<Pipeline>) => void;
  documentFields: SchemaField[];
  documentRoots?: SchemaRoot[];
  fieldsStatus?: React.ReactNode;
}

/** Where the rows are: the body format, the rows selector (path or jq) and the CSV options. */
export function PipelineSource({ pipeline: p, set, documentFields, documentRoots, fieldsStatus }: Props) {
  const format = p.format ?? 'json';
  const hasCsv = format === 'csv' || format === 'auto';
  const jqAllowed = format === 'json' || format === 'auto';
  const syntax: RootSyntax = jqAllowed && p.rootSyntax === 'jq' ? 'jq' : 'gjson';
  const help = rootHelp(format, syntax);

  const rootSuggestions: Suggestion[] = [
    ...(documentRoots ?? []).map((r) => ({ value: r.root, detail: `${r.count} rows` })),
    ...(syntax === 'jq'
      ? []
      : documentFields
          .filter((f) => f.type === 'json' || f.type === 'array' || f.type === 'object')
          .map((f) => ({ value: f.path, detail: f.type }))),
  ];

  return (
    <>
      <InlineFieldRow>
        <InlineField label="Body format" labelWidth={16}>
          <RadioButtonGroup
            aria-label="Body format"
            options={FORMATS}
            value={format}
            onChange={(v) => set({ format: v, rootSyntax: v === 'json' || v === 'auto' ? p.rootSyntax : undefined })}
          />
        </InlineField>
        {jqAllowed && (
          <InlineField
            label="Rows by"
            labelWidth={9}
            tooltip="How Rows at selects the rows: a gjson path, or a jq program"
          >
            <RadioButtonGroup
              aria-label="Root syntax"
              options={[
                { label: 'path', value: 'gjson' as RootSyntax },
                { label: 'jq', value: 'jq' as RootSyntax },
              ]}
              value={syntax}
              onChange={(v) => set({ rootSyntax: v === 'jq' ? 'jq' : undefined })}
            />
          </InlineField>
        )}
        {format !== 'csv' && (
          <InlineField label="Rows at" labelWidth={12} tooltip={help.tooltip} grow>
            <SuggestInput
              aria-label="Rows at"
              placeholder={help.placeholder}
              value={p.root ?? ''}
              suggestions={rootSuggestions}
              onChange={(v) => set({ root: v || undefined })}
              footer={fieldsStatus}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {hasCsv && (
        <InlineFieldRow>
          <InlineField label="CSV delimiter" labelWidth={16}>
            <Input
              aria-label="CSV delimiter"
              width={6}
              maxLength={1}
              placeholder=","
              value={p.csv?.delimiter ?? ''}
              onChange={(e) => set({ csv: { ...p.csv, delimiter: e.currentTarget.value || undefined } })}
            />
          </InlineField>
          <InlineField label="Header row" labelWidth={12}>
            <InlineSwitch
              aria-label="CSV header row"
              value={p.csv?.header ?? true}
              onChange={(e) => set({ csv: { ...p.csv, header: e.currentTarget.checked ? undefined : false } })}
            />
          </InlineField>
          <InlineField label="Comment" labelWidth={10}>
            <Input
              aria-label="CSV comment character"
              width={6}
              maxLength={1}
              placeholder="none"
              value={p.csv?.comment ?? ''}
              onChange={(e) => set({ csv: { ...p.csv, comment: e.currentTarget.value || undefined } })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </>
  );
}
