import React, { useState } from 'react';
import { Alert, Button, Checkbox, Field, Input, RadioButtonGroup, Stack, Text, TextArea } from '@grafana/ui';

import { dataSourceFromSettings } from '../../api/instance';
import { OpenAPIImportProposal, OpenAPIImportRequest } from '../../types/api';
import { Section } from '../common/Section';
import { ConfigApi } from './configApi';
import { MergeResult, mergeProposal } from './openapiMerge';

type From = 'upstream' | 'paste';

const FROM_OPTIONS: Array<{ label: string; value: From }> = [
  { label: 'From an upstream', value: 'upstream' },
  { label: 'Paste', value: 'paste' },
];

/** A pasted document: a JSON object is sent as one, anything else (YAML) as text. */
function pastedDocument(text: string): unknown {
  try {
    const v = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : text;
  } catch {
    return text;
  }
}

/**
 * "Import from OpenAPI": the saved data source reads an API's description (from one of its upstreams, through the
 * proxy rules, or pasted) and proposes rules and actions; the admin ticks what to keep and it is merged into these
 * settings (saved with the rest). The proposal's query paths are kept for the query editor's column suggestions.
 */
export function OpenAPIImportSection({ cfg }: { cfg: ConfigApi }) {
  const saved = !!cfg.options.uid && !!cfg.options.url;
  const upstreamNames = (cfg.jsonData.upstreams ?? []).map((u) => u.name);
  const [from, setFrom] = useState<From>('upstream');
  const [upstream, setUpstream] = useState('');
  const [path, setPath] = useState('/openapi.json');
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [proposal, setProposal] = useState<OpenAPIImportProposal | undefined>();
  const [rules, setRules] = useState<Set<number>>(new Set());
  const [actions, setActions] = useState<Set<number>>(new Set());
  const [merged, setMerged] = useState<MergeResult | undefined>();

  const propose = async () => {
    const req: OpenAPIImportRequest =
      from === 'upstream' ? { upstream: upstream || '_default', path } : { document: pastedDocument(text) };
    setBusy(true);
    setError(undefined);
    setMerged(undefined);
    try {
      const p = await dataSourceFromSettings(cfg.options).importOpenAPI(req);
      setProposal(p);
      setRules(new Set());
      setActions(new Set());
    } catch (e) {
      setProposal(undefined);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const add = () => {
    if (!proposal) {
      return;
    }
    let result: MergeResult | undefined;
    cfg.update((jd) => {
      result = mergeProposal(jd, proposal, { rules, actions }, upstream || undefined);
    });
    setMerged(result);
    setRules(new Set());
    setActions(new Set());
  };

  return (
    <Section
      title="Import from OpenAPI"
      description="Propose proxy rules and named actions from the API's OpenAPI (or Swagger 2.0) description, and pick what to add. Runs on the saved data source (Admins only); nothing changes until you save."
    >
      {!saved && <Text color="secondary">Save the data source with its URL first.</Text>}
      {saved && (
        <Stack direction="column" gap={1}>
          <RadioButtonGroup<From> aria-label="Import from" options={FROM_OPTIONS} value={from} onChange={setFrom} />
          {from === 'upstream' ? (
            <Stack gap={1}>
              {upstreamNames.length > 0 && (
                <Field label="Upstream">
                  <RadioButtonGroup<string>
                    aria-label="Import upstream"
                    options={[{ label: 'default', value: '' }, ...upstreamNames.map((n) => ({ label: n, value: n }))]}
                    value={upstream}
                    onChange={setUpstream}
                  />
                </Field>
              )}
              <Field label="Document path" description="Relative to the upstream's URL; a proxy rule must allow GET.">
                <Input
                  aria-label="Document path"
                  width={30}
                  value={path}
                  onChange={(e) => setPath(e.currentTarget.value)}
                />
              </Field>
            </Stack>
          ) : (
            <Field label="Document" description="JSON or YAML, up to 20 MB.">
              <TextArea
                aria-label="OpenAPI document"
                rows={8}
                value={text}
                onChange={(e) => setText(e.currentTarget.value)}
              />
            </Field>
          )}
          <div>
            <Button
              variant="secondary"
              icon={busy ? 'spinner' : 'import'}
              disabled={busy || (from === 'upstream' ? !path.trim() : !text.trim())}
              onClick={propose}
            >
              Propose
            </Button>
          </div>
          {error && (
            <Alert severity="error" title="Import failed">
              {error}
            </Alert>
          )}
          {proposal && (
            <ProposalView
              proposal={proposal}
              rules={rules}
              actions={actions}
              onRules={setRules}
              onActions={setActions}
              onAdd={add}
            />
          )}
          {merged && (
            <Alert severity="success" title="Added to the settings (save to apply)">
              {`${merged.added.rules} rule(s), ${merged.added.actions} action(s), ${merged.added.queries} query path(s) for column suggestions.`}
              {merged.skipped.length > 0 && ` Already there, not added again: ${merged.skipped.join(', ')}.`}
            </Alert>
          )}
        </Stack>
      )}
    </Section>
  );
}

interface ViewProps {
  proposal: OpenAPIImportProposal;
  rules: Set<number>;
  actions: Set<number>;
  onRules: (s: Set<number>) => void;
  onActions: (s: Set<number>) => void;
  onAdd: () => void;
}

function ProposalView({ proposal: p, rules, actions, onRules, onActions, onAdd }: ViewProps) {
  return (
    <Stack direction="column" gap={1}>
      <Text>
        {`${p.source.title ?? 'Untitled'} ${p.source.version ?? ''} (OpenAPI ${p.source.openapi}): ${p.rules.length} rule(s), ${p.actions.length} action(s), ${p.queries.length} query path(s).`}
      </Text>
      <PickList
        title="Rules"
        items={p.rules.map((r) => ({
          label: `${r.methods.join(' ')} ${r.path} → ${r.minRole} (${r.operationId})`,
          description: r.template ? `for ${r.template}` : undefined,
        }))}
        picked={rules}
        onPicked={onRules}
      />
      <PickList
        title="Actions"
        items={p.actions.map((a) => ({
          label: `${a.name}: ${a.method} ${a.path} → ${a.minRole ?? 'Editor'}`,
          description:
            (a.params ?? []).map((x) => `${x.name}${x.required ? '*' : ''}: ${x.type}`).join(', ') || 'no parameters',
        }))}
        picked={actions}
        onPicked={onActions}
      />
      {p.notes.length > 0 && (
        <details>
          <summary>{`${p.notes.length} note(s): what the import could not map`}</summary>
          <ul aria-label="Import notes">
            {p.notes.map((n, i) => (
              <li key={i}>
                <Text variant="bodySmall">{`${n.method ? `${n.method} ${n.path}: ` : ''}${n.message}`}</Text>
              </li>
            ))}
          </ul>
        </details>
      )}
      <div>
        <Button onClick={onAdd} disabled={rules.size === 0 && actions.size === 0 && p.queries.length === 0}>
          Add selected
        </Button>
      </div>
    </Stack>
  );
}

interface PickListProps {
  /** The list's heading; the fieldset is named "Proposed <title, lower case>". */
  title: string;
  items: Array<{ label: string; description?: string }>;
  /** The indexes of the ticked items. */
  picked: Set<number>;
  onPicked: (s: Set<number>) => void;
}

/** One kind of the proposal (rules, actions) as checkboxes, with "Select all" and "None". */
function PickList({ title, items, picked, onPicked }: PickListProps) {
  const toggle = (i: number, on: boolean) => {
    const next = new Set(picked);
    on ? next.add(i) : next.delete(i);
    onPicked(next);
  };
  return (
    <fieldset aria-label={`Proposed ${title.toLowerCase()}`}>
      <Stack gap={1} alignItems="center">
        <Text element="h5">{title}</Text>
        <Button size="sm" variant="secondary" fill="text" onClick={() => onPicked(new Set(items.keys()))}>
          Select all
        </Button>
        <Button size="sm" variant="secondary" fill="text" onClick={() => onPicked(new Set())}>
          None
        </Button>
      </Stack>
      {items.map((it, i) => (
        <div key={i}>
          <Checkbox
            label={it.label}
            description={it.description}
            value={picked.has(i)}
            onChange={(e) => toggle(i, e.currentTarget.checked)}
          />
        </div>
      ))}
    </fieldset>
  );
}
