import React, { useState } from 'react';
import {
  Button,
  Combobox,
  ControlledCollapse,
  Field,
  Input,
  RadioButtonGroup,
  Stack,
  Switch,
  TextArea,
  useStyles2,
} from '@grafana/ui';

import { ActionSettings, HTTP_METHODS, Role } from '../../types/settings';
import { KeyValueEditor } from '../common/KeyValueEditor';
import { getTableStyles } from '../common/styles';
import { ActionParamsTable } from './ActionParamsTable';
import { useFieldError, useFieldErrorsUnder } from './health';
import { ROLE_OPTIONS } from './ProxySection';

const ACTION_METHODS = HTTP_METHODS.filter((m) => m !== 'HEAD' && m !== 'OPTIONS');

/** One named action: its request, who may run it, and its typed parameters. */
export function ActionEditor({
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
      <ActionParamsTable
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
