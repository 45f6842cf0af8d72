import React from 'react';
import { Button, Field, IconButton, Input, SecretInput, Stack, Switch, Text } from '@grafana/ui';

import { Section } from '../common/Section';
import { ConfigApi } from './configApi';
import { useFieldError } from './health';

/** Returns a message when the upstream URL would be refused by the backend. */
export function urlError(raw: string | undefined): string | undefined {
  if (!raw?.trim()) {
    return 'The upstream URL is required, e.g. https://api.example.com';
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'Not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    return 'The scheme must be http or https';
  }
  if (u.username || u.password) {
    return 'Do not put credentials in the URL; configure them under Authentication';
  }
  if (u.search || u.hash) {
    return 'No query or fragment here; use fixed query parameters in the proxy section';
  }
  return undefined;
}

/** Grafana's custom headers: httpHeaderName<N> (jsonData) with httpHeaderValue<N> (secureJsonData), N from 1. */
export function headerNames(jd: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (let i = 1; typeof jd[`httpHeaderName${i}`] === 'string'; i++) {
    out.push(jd[`httpHeaderName${i}`] as string);
  }
  return out;
}

export function ConnectionSection({ cfg }: { cfg: ConfigApi }) {
  const { options, jsonData } = cfg;
  const backendUrlError = useFieldError('url');
  const healthPathError = useFieldError('jsonData.healthPath');
  const touched = options.url !== undefined && options.url !== '';
  const localUrlError = touched ? urlError(options.url) : undefined;
  const headers = headerNames(jsonData as Record<string, unknown>);

  const addHeader = () =>
    cfg.update((jd) => {
      (jd as Record<string, unknown>)[`httpHeaderName${headers.length + 1}`] = '';
    });

  // Secret values cannot be read back, so removing header i shifts the names
  // down and asks for the values of the shifted headers again.
  const removeHeader = (i: number) => {
    const changes: Record<string, null> = {};
    for (let j = i; j <= headers.length; j++) {
      changes[`httpHeaderValue${j}`] = null;
    }
    cfg.secure.batch(changes, (jd) => {
      const rec = jd as Record<string, unknown>;
      const names = headers.filter((_, j) => j !== i - 1);
      for (let j = 1; j <= headers.length; j++) {
        delete rec[`httpHeaderName${j}`];
      }
      names.forEach((n, j) => (rec[`httpHeaderName${j + 1}`] = n));
    });
  };

  return (
    <Section
      title="Upstream API"
      description="The HTTP/JSON API Relay talks to. Only this origin is reachable unless the network policy below allows more."
    >
      <Field
        label="URL"
        required
        description="Base URL; query paths are relative to it."
        invalid={!!(localUrlError || backendUrlError)}
        error={localUrlError ?? backendUrlError}
      >
        <Input
          id="relay-url"
          aria-label="Upstream URL"
          placeholder="https://api.example.com"
          value={options.url ?? ''}
          width={60}
          onChange={(e) => cfg.setUrl(e.currentTarget.value)}
        />
      </Field>
      <Stack direction="row" gap={4} wrap="wrap">
        <Field
          label="Health check path"
          description="Requested with GET by “Save & test”."
          invalid={!!healthPathError}
          error={healthPathError}
        >
          <Input
            aria-label="Health check path"
            placeholder="/"
            value={jsonData.healthPath ?? ''}
            width={30}
            onChange={(e) => {
              const v = e.currentTarget.value;
              cfg.update((jd) => (v ? (jd.healthPath = v) : delete jd.healthPath));
            }}
          />
        </Field>
        <Field label="Send user header" description="Adds X-Grafana-User with the caller's login upstream.">
          <Switch
            aria-label="Send user header"
            value={!!jsonData.sendUserHeader}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              cfg.update((jd) => (jd.sendUserHeader = v));
            }}
          />
        </Field>
        <Field
          label="Forward Grafana ID token"
          description="Sends the caller's signed Grafana ID token (X-Grafana-Id; Grafana's idForwarding feature). The API must verify it."
        >
          <Switch
            aria-label="Forward Grafana ID token"
            value={!!jsonData.forwardGrafanaIdToken}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              cfg.update((jd) => (v ? (jd.forwardGrafanaIdToken = true) : delete jd.forwardGrafanaIdToken));
            }}
          />
        </Field>
      </Stack>
      <Field label="Custom headers" description="Sent with every upstream request. Values are stored encrypted.">
        <Stack direction="column" gap={0.5}>
          {headers.map((name, idx) => {
            const i = idx + 1;
            const key = `httpHeaderValue${i}` as const;
            return (
              <HeaderRow key={i} index={i} name={name} cfg={cfg} valueKey={key} onRemove={() => removeHeader(i)} />
            );
          })}
          <div>
            <Button size="sm" variant="secondary" icon="plus" onClick={addHeader}>
              Add header
            </Button>
          </div>
        </Stack>
      </Field>
    </Section>
  );
}

function HeaderRow(props: {
  index: number;
  name: string;
  cfg: ConfigApi;
  valueKey: `httpHeaderValue${number}`;
  onRemove: () => void;
}) {
  const { index, name, cfg, valueKey, onRemove } = props;
  const error = useFieldError(`jsonData.headers[${index - 1}].name`);
  return (
    <Stack direction="row" gap={0.5} alignItems="center">
      <Input
        aria-label={`Header ${index} name`}
        placeholder="X-Header"
        value={name}
        width={24}
        invalid={!!error}
        onChange={(e) => {
          const v = e.currentTarget.value;
          cfg.update((jd) => ((jd as Record<string, unknown>)[`httpHeaderName${index}`] = v));
        }}
      />
      <SecretInput
        aria-label={`Header ${index} value`}
        placeholder="value"
        width={40}
        isConfigured={cfg.secure.isConfigured(valueKey)}
        value={cfg.secure.value(valueKey)}
        onChange={(e) => cfg.secure.set(valueKey, e.currentTarget.value)}
        onReset={() => cfg.secure.reset(valueKey)}
      />
      <IconButton name="trash-alt" tooltip="Remove header" onClick={onRemove} />
      {error && (
        <Text color="error" variant="bodySmall">
          {error}
        </Text>
      )}
    </Stack>
  );
}
