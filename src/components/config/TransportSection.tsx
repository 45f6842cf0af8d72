import React from 'react';
import { Alert, Field, Input, SecretTextArea, Stack, Switch } from '@grafana/ui';

import { Section } from '../common/Section';
import { DEFAULTS, SecureKey } from '../../types/settings';
import { ConfigApi, durationError } from './configApi';
import { useFieldError } from './health';

export function TLSSection({ cfg, title = 'TLS' }: { cfg: ConfigApi; title?: string }) {
  const tls = cfg.jsonData.tls ?? {};
  const setTLS = (fn: (t: NonNullable<typeof tls>) => void) => cfg.update((jd) => fn((jd.tls = jd.tls ?? {})));
  return (
    <Section title={title} description="Certificates are stored encrypted and used only by the backend.">
      <Stack direction="row" gap={4} wrap="wrap">
        <Field label="Skip certificate verification" description="Accepts any certificate: for testing only.">
          <Switch
            aria-label="Skip TLS verification"
            value={!!tls.skipVerify}
            onChange={(e) => {
              const v = e.currentTarget.checked;
              setTLS((t) => (v ? (t.skipVerify = true) : delete t.skipVerify));
            }}
          />
        </Field>
        <Field label="Server name" description="Overrides the name checked against the certificate (SNI).">
          <Input
            aria-label="TLS server name"
            width={30}
            value={tls.serverName ?? ''}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setTLS((t) => (v ? (t.serverName = v) : delete t.serverName));
            }}
          />
        </Field>
      </Stack>
      {tls.skipVerify && (
        <Alert severity="warning" title="Certificate verification is off">
          Anyone on the network path can impersonate the upstream and read the credentials Relay sends.
        </Alert>
      )}
      <Stack direction="row" gap={2} wrap="wrap">
        <CertField cfg={cfg} secretKey="tlsCACert" label="CA certificate" placeholder="PEM-encoded certificate" />
        <CertField
          cfg={cfg}
          secretKey="tlsClientCert"
          label="Client certificate"
          placeholder="PEM-encoded certificate"
        />
        <CertField cfg={cfg} secretKey="tlsClientKey" label="Client key" placeholder="PEM-encoded private key" />
      </Stack>
    </Section>
  );
}

function CertField({
  cfg,
  secretKey,
  label,
  placeholder,
}: {
  cfg: ConfigApi;
  secretKey: SecureKey;
  label: string;
  placeholder: string;
}) {
  const error = useFieldError(`secureJsonData.${secretKey}`);
  return (
    <Field label={label} invalid={!!error} error={error}>
      <SecretTextArea
        aria-label={label}
        placeholder={placeholder}
        cols={40}
        rows={4}
        isConfigured={cfg.secure.isConfigured(secretKey)}
        value={cfg.secure.value(secretKey)}
        onChange={(e) => cfg.secure.set(secretKey, e.currentTarget.value)}
        onReset={() => cfg.secure.reset(secretKey)}
      />
    </Field>
  );
}

const TIMEOUTS = [
  { key: 'dial', label: 'Connect', description: 'TCP connection' },
  { key: 'tlsHandshake', label: 'TLS handshake', description: '' },
  { key: 'responseHeader', label: 'Response headers', description: 'Wait for the first byte' },
  { key: 'request', label: 'Whole request', description: 'Including the body' },
] as const;

export function TimeoutsSection({ cfg }: { cfg: ConfigApi }) {
  const t = cfg.jsonData.timeouts ?? {};
  return (
    <Section title="Timeouts" description="Go durations such as 500ms, 30s or 1m30s. Empty uses the default shown.">
      <Stack direction="row" gap={2} wrap="wrap">
        {TIMEOUTS.map(({ key, label, description }) => (
          <DurationField
            key={key}
            label={label}
            description={description}
            path={`jsonData.timeouts.${key}`}
            placeholder={DEFAULTS.timeouts[key]}
            value={t[key]}
            onChange={(v) =>
              cfg.update((jd) => {
                jd.timeouts = jd.timeouts ?? {};
                v ? (jd.timeouts[key] = v) : delete jd.timeouts[key];
              })
            }
          />
        ))}
      </Stack>
    </Section>
  );
}

export function DurationField(props: {
  label: string;
  description?: string;
  path: string;
  placeholder?: string;
  value?: string;
  onChange: (v: string) => void;
}) {
  const backend = useFieldError(props.path);
  const local = durationError(props.value);
  return (
    <Field label={props.label} description={props.description} invalid={!!(local || backend)} error={local ?? backend}>
      <Input
        aria-label={props.label}
        width={16}
        placeholder={props.placeholder}
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.currentTarget.value.trim())}
      />
    </Field>
  );
}
