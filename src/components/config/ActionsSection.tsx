import React, { useState } from 'react';
import {
  Button,
  Checkbox,
  Combobox,
  ControlledCollapse,
  Field,
  Input,
  RadioButtonGroup,
  Stack,
  Switch,
  TagsInput,
  TextArea,
  useStyles2,
} from '@grafana/ui';

import { ActionParam, ActionParamType, ActionSettings, HTTP_METHODS, Role } from '../../types/settings';
import { Column, EditableTable } from '../common/EditableTable';
import { KeyValueEditor } from '../common/KeyValueEditor';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { ConfigApi, parseNumber } from './configApi';
import { useFieldError, useFieldErrorsUnder } from './health';
import { ROLE_OPTIONS } from './ProxySection';

const PARAM_TYPES: ActionParamType[] = ['string', 'number', 'integer', 'boolean'];
const ACTION_METHODS = HTTP_METHODS.filter((m) => m !== 'HEAD' && m !== 'OPTIONS');

/**
 * Named actions: fixed upstream requests with typed parameters, which users
 * run by name (POST /actions/{name}) without being allowed the raw path.
 */
export function ActionsSection({ cfg }: { cfg: ConfigApi }) {
  const actions = cfg.jsonData.actions ?? [];
  const setAction = (i: number, fn: (a: ActionSettings) => void) => cfg.update((jd) => fn((jd.actions ?? [])[i]));
  // A new action opens for editing; saved ones stay folded except the first.
  const [added, setAdded] = useState(-1);
  const add = () => {
    setAdded(actions.length);
    cfg.update(
      (jd) =>
        (jd.actions = [
          ...(jd.actions ?? []),
          { name: `action-${(jd.actions?.length ?? 0) + 1}`, method: 'POST', path: '/', minRole: 'Editor' },
        ])
    );
  };
  const remove = (i: number) =>
    cfg.update((jd) => {
      jd.actions = (jd.actions ?? []).filter((_, j) => j !== i);
      if (!jd.actions.length) {
        delete jd.actions;
      }
    });

  return (
    <Section
      title="Actions"
      description={
        <>
          Named upstream calls users can run from dashboards and scripts without being allowed the raw path. Write{' '}
          <code>{'{{param}}'}</code> in the path, query or body; the backend validates each parameter against its type
          before substituting it. Actions default to Editor.
        </>
      }
    >
      <Stack direction="column" gap={1}>
        {actions.map((a, i) => (
          <ActionEditor
            key={i}
            index={i}
            open={i === 0 || i === added}
            action={a}
            upstreams={(cfg.jsonData.upstreams ?? []).map((u) => u.name)}
            onChange={(fn) => setAction(i, fn)}
            onRemove={() => remove(i)}
          />
        ))}
        <div>
          <Button size="sm" variant="secondary" icon="plus" onClick={add}>
            Add action
          </Button>
        </div>
      </Stack>
    </Section>
  );
}

function ActionEditor({
  index,
  open,
  action,
  upstreams,
  onChange,
  onRemove,
}: {
  index: number;
  open: boolean;
  action: ActionSettings;
  /** Names of the named upstreams; empty: only the default one exists. */
  upstreams: string[];
  onChange: (fn: (a: ActionSettings) => void) => void;
  onRemove: () => void;
}) {
  const f = `jsonData.actions[${index}]`;
  const nameErr = useFieldError(`${f}.name`);
  const methodErr = useFieldError(`${f}.method`);
  const pathErr = useFieldError(`${f}.path`);
  const upstreamErr = useFieldError(`${f}.upstream`);
  const paramErrs = useFieldErrorsUnder(`${f}.params`);
  const styles = useStyles2(getTableStyles);
  const [bodyText, setBodyText] = useState(() =>
    action.body === undefined ? '' : JSON.stringify(action.body, null, 2)
  );
  const [bodyErr, setBodyErr] = useState<string | undefined>();
  const str = (key: 'title' | 'description' | 'confirm') => (v: string) =>
    onChange((a) => (v ? (a[key] = v) : delete a[key]));
  const hasErrors = !!(nameErr || methodErr || pathErr || upstreamErr || paramErrs.length);

  return (
    <ControlledCollapse
      isOpen={hasErrors || open}
      label={`${action.name || 'unnamed'} — ${action.method} ${action.path}${action.minRole ? ` (${action.minRole}+)` : ''}`}
    >
      <Stack direction="row" gap={2} wrap="wrap">
        <Field label="Name" description="Used in the URL and API key scopes." invalid={!!nameErr} error={nameErr}>
          <Input
            aria-label={`Action ${index + 1} name`}
            width={24}
            value={action.name}
            onChange={(e) => {
              const v = e.currentTarget.value;
              onChange((a) => (a.name = v));
            }}
          />
        </Field>
        <Field label="Title">
          <Input
            aria-label={`Action ${index + 1} title`}
            width={30}
            value={action.title ?? ''}
            onChange={(e) => str('title')(e.currentTarget.value)}
          />
        </Field>
        <Field label="Minimum role">
          <RadioButtonGroup<Role>
            aria-label={`Action ${index + 1} minimum role`}
            options={ROLE_OPTIONS}
            value={action.minRole ?? 'Editor'}
            onChange={(v) => onChange((a) => (a.minRole = v))}
          />
        </Field>
        <Field label="Require API key">
          <Switch
            aria-label={`Action ${index + 1} requires API key`}
            value={!!action.apiKeyRequired}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              onChange((a) => (v ? (a.apiKeyRequired = true) : delete a.apiKeyRequired));
            }}
          />
        </Field>
      </Stack>
      <Field label="Description">
        <Input
          aria-label={`Action ${index + 1} description`}
          value={action.description ?? ''}
          onChange={(e) => str('description')(e.currentTarget.value)}
        />
      </Field>
      <Stack direction="row" gap={2} wrap="wrap">
        <Field label="Method" invalid={!!methodErr} error={methodErr}>
          <RadioButtonGroup
            aria-label={`Action ${index + 1} method`}
            options={ACTION_METHODS.map((m) => ({ label: m, value: m }))}
            value={action.method}
            onChange={(v) => onChange((a) => (a.method = v))}
          />
        </Field>
        <Field label="Path" invalid={!!pathErr} error={pathErr}>
          <Input
            aria-label={`Action ${index + 1} path`}
            className={styles.mono}
            width={40}
            placeholder="/api/items"
            value={action.path}
            onChange={(e) => {
              const v = e.currentTarget.value;
              onChange((a) => (a.path = v));
            }}
          />
        </Field>
        {(upstreams.length > 0 || action.upstream) && (
          <Field label="Upstream" invalid={!!upstreamErr} error={upstreamErr}>
            <Combobox<string>
              aria-label={`Action ${index + 1} upstream`}
              width={24}
              options={['default', ...upstreams].map((u) => ({ label: u, value: u }))}
              value={action.upstream ?? 'default'}
              onChange={(o) => onChange((a) => (o.value === 'default' ? delete a.upstream : (a.upstream = o.value)))}
            />
          </Field>
        )}
      </Stack>
      <Field label="Query parameters">
        <KeyValueEditor
          name="action query parameter"
          value={action.query}
          onChange={(m) => onChange((a) => (Object.keys(m).length ? (a.query = m) : delete a.query))}
        />
      </Field>
      <Field label="Body (JSON)" invalid={!!bodyErr} error={bodyErr}>
        <TextArea
          aria-label={`Action ${index + 1} body`}
          className={styles.mono}
          rows={4}
          value={bodyText}
          onChange={(e) => setBodyText(e.currentTarget.value)}
          onBlur={() => {
            if (!bodyText.trim()) {
              setBodyErr(undefined);
              onChange((a) => delete a.body);
              return;
            }
            try {
              const parsed = JSON.parse(bodyText);
              setBodyErr(undefined);
              onChange((a) => (a.body = parsed));
            } catch (e) {
              setBodyErr(`Not valid JSON: ${e instanceof Error ? e.message : e}`);
            }
          }}
        />
      </Field>
      <Field label="Confirmation" description="When set, users must confirm this text before the action runs.">
        <Input
          aria-label={`Action ${index + 1} confirmation`}
          value={action.confirm ?? ''}
          onChange={(e) => str('confirm')(e.currentTarget.value)}
        />
      </Field>
      <ParamsTable
        index={index}
        params={action.params ?? []}
        onChange={(ps) => onChange((a) => (ps.length ? (a.params = ps) : delete a.params))}
      />
      {paramErrs.map(([k, m]) => (
        <div key={k} className={styles.error}>{`${k}: ${m}`}</div>
      ))}
      <Button size="sm" variant="destructive" fill="outline" icon="trash-alt" onClick={onRemove}>
        Remove action
      </Button>
    </ControlledCollapse>
  );
}

function ParamsTable({
  index,
  params,
  onChange,
}: {
  index: number;
  params: ActionParam[];
  onChange: (p: ActionParam[]) => void;
}) {
  const set = (i: number, fn: (p: ActionParam) => void) =>
    onChange(
      params.map((p, j) => {
        if (j !== i) {
          return p;
        }
        const c = { ...p };
        fn(c);
        return c;
      })
    );
  return (
    <Field label="Parameters">
      <div>
        <EditableTable<ActionParam>
          label={`Action ${index + 1} parameters`}
          rows={params}
          columns={paramColumns(set)}
          addLabel="Add parameter"
          onAdd={() => onChange([...params, { name: '', type: 'string' }])}
          onRemove={(i) => onChange(params.filter((_, j) => j !== i))}
          removeLabel={(n) => `Remove parameter ${n}`}
        />
      </div>
    </Field>
  );
}

const BOUNDS_TITLE = 'Value bounds; length bounds for strings';

function paramColumns(set: (i: number, fn: (p: ActionParam) => void) => void): Array<Column<ActionParam>> {
  const bound = (k: 'min' | 'max'): Column<ActionParam> => ({
    header: k === 'min' ? 'Min' : 'Max',
    headerTitle: BOUNDS_TITLE,
    render: ({ row, index, n }) => (
      <Input
        aria-label={`Parameter ${n} ${k}`}
        type="number"
        width={8}
        disabled={row.type === 'boolean'}
        value={row[k] ?? ''}
        onChange={(e) => {
          const v = parseNumber(e.currentTarget.value);
          set(index, (x) => (v === undefined ? delete x[k] : (x[k] = v)));
        }}
      />
    ),
  });
  return [
    {
      header: 'Name',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} name`}
          width={14}
          value={row.name}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (x.name = v));
          }}
        />
      ),
    },
    {
      header: 'Type',
      render: ({ row, index }) => (
        <RadioButtonGroup<ActionParamType>
          size="sm"
          options={PARAM_TYPES.map((t) => ({ label: t, value: t }))}
          value={row.type}
          onChange={(v) => set(index, (x) => (x.type = v))}
        />
      ),
    },
    {
      header: 'Required',
      render: ({ row, index, n }) => (
        <Checkbox
          aria-label={`Parameter ${n} required`}
          value={!!row.required}
          onChange={(e) => {
            const v = e.currentTarget.checked;
            set(index, (x) => (v ? (x.required = true) : delete x.required));
          }}
        />
      ),
    },
    {
      header: 'Allowed values',
      render: ({ row, index }) => (
        <TagsInput
          width={18}
          tags={(row.enum ?? []).map(String)}
          addOnBlur
          onChange={(t) => set(index, (x) => (t.length ? (x.enum = t.map((s) => coerce(s, x.type))) : delete x.enum))}
        />
      ),
    },
    {
      header: 'Pattern',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} pattern`}
          width={14}
          disabled={row.type !== 'string'}
          value={row.pattern ?? ''}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (v ? (x.pattern = v) : delete x.pattern));
          }}
        />
      ),
    },
    bound('min'),
    bound('max'),
    {
      header: 'Default',
      render: ({ row, index, n }) => (
        <Input
          aria-label={`Parameter ${n} default`}
          width={10}
          value={row.default === undefined ? '' : String(row.default)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            set(index, (x) => (v === '' ? delete x.default : (x.default = coerce(v, x.type))));
          }}
        />
      ),
    },
  ];
}

/** Enum and default values are typed like the parameter. */
function coerce(s: string, type: ActionParamType): string | number | boolean {
  if (type === 'boolean') {
    return s === 'true';
  }
  if (type === 'number' || type === 'integer') {
    const n = Number(s);
    return Number.isFinite(n) ? n : s;
  }
  return s;
}
