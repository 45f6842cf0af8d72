import React from 'react';
import { Field, Input, RadioButtonGroup, SecretInput, Stack, TagsInput } from '@grafana/ui';

import { SecureKey, TokenFormat } from '../../../types/settings';
import { ConfigApi } from '../configApi';
import { useFieldError } from '../health';

/** The labelled fields every auth kind's editor is built from, each showing the backend's error for its settings path. */

/** A text setting at `path` (e.g. jsonData.auth.basicUser). */
export function TextField(props: {
  path: string;
  label: string;
  description?: string;
  value?: string;
  placeholder?: string;
  width?: number;
  onChange: (v: string) => void;
}) {
  const error = useFieldError(props.path);
  return (
    <Field label={props.label} description={props.description} invalid={!!error} error={error}>
      <Input
        aria-label={props.label}
        value={props.value ?? ''}
        placeholder={props.placeholder}
        width={props.width ?? 30}
        onChange={(e) => props.onChange(e.currentTarget.value)}
      />
    </Field>
  );
}

/** A write-only secret with Grafana's "configured / Reset" behaviour. */
export function SecretField({
  cfg,
  secretKey,
  label,
  description,
}: {
  cfg: ConfigApi;
  secretKey: SecureKey;
  label: string;
  description?: string;
}) {
  const error = useFieldError(`secureJsonData.${secretKey}`);
  return (
    <Field label={label} description={description} invalid={!!error} error={error}>
      <SecretInput
        aria-label={label}
        width={30}
        isConfigured={cfg.secure.isConfigured(secretKey)}
        value={cfg.secure.value(secretKey)}
        onChange={(e) => cfg.secure.set(secretKey, e.currentTarget.value)}
        onReset={() => cfg.secure.reset(secretKey)}
      />
    </Field>
  );
}

/** A choice among a few options, shown as radio buttons; `ariaLabel` names the group for tests and screen readers. */
export function RadioField<T extends string>(props: {
  label: string;
  ariaLabel: string;
  description?: string;
  options: Array<{ label: string; value: T }>;
  value: T;
  onChange: (v: T) => void;
}) {
  return (
    <Field label={props.label} description={props.description}>
      <RadioButtonGroup<T>
        aria-label={props.ariaLabel}
        options={props.options}
        value={props.value}
        onChange={props.onChange}
      />
    </Field>
  );
}

/** A list of OAuth scopes; an empty list is no list (the setting is removed). */
export function ScopesField(props: { description?: string; value?: string[]; onChange: (v?: string[]) => void }) {
  return (
    <Field label="Scopes" description={props.description}>
      <TagsInput
        placeholder="Add scope"
        tags={props.value ?? []}
        addOnBlur
        onChange={(tags) => props.onChange(tags.length ? tags : undefined)}
      />
    </Field>
  );
}

/** How a fetched token is sent: header name and a format containing {{token}} (oauth2, jwt, login). */
export function TokenFormatFields({
  path,
  value,
  width,
  onChange,
}: {
  path: string;
  value: TokenFormat;
  width?: number;
  onChange: (fn: (t: TokenFormat) => void) => void;
}) {
  return (
    <>
      <TextField
        path={`${path}.tokenHeader`}
        label="Token header"
        placeholder="Authorization"
        width={width}
        value={value.tokenHeader}
        onChange={(v) => onChange((t) => (v ? (t.tokenHeader = v) : delete t.tokenHeader))}
      />
      <TextField
        path={`${path}.tokenFormat`}
        label="Token format"
        placeholder="Bearer {{token}}"
        width={width}
        value={value.tokenFormat}
        onChange={(v) => onChange((t) => (v ? (t.tokenFormat = v) : delete t.tokenFormat))}
      />
    </>
  );
}

/** A row of fields that wraps. */
export function Row({ children, top }: { children: React.ReactNode; top?: boolean }) {
  return (
    <Stack direction="row" gap={2} wrap="wrap" alignItems={top ? 'flex-start' : undefined}>
      {children}
    </Stack>
  );
}

/** Rows of fields, one under the other. */
export function Rows({ children }: { children: React.ReactNode }) {
  return (
    <Stack direction="column" gap={0}>
      {children}
    </Stack>
  );
}
