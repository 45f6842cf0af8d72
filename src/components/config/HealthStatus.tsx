import React, { useEffect } from 'react';
import { getBackendSrv } from '@grafana/runtime';
import { css } from '@emotion/css';
import { Alert, Button, LoadingPlaceholder, Stack, Text, useStyles2 } from '@grafana/ui';
import { lastValueFrom } from 'rxjs';

import { isRecord, toRelayError } from '../../api/errors';
import { useResource } from '../common/useResource';
import { parseFieldErrors } from './health';

export interface HealthResult {
  ok: boolean;
  message: string;
}

/** Grafana's health route runs the plugin's CheckHealth on the saved settings. */
export async function checkHealth(uid: string): Promise<HealthResult> {
  try {
    const rsp = await lastValueFrom(
      getBackendSrv().fetch<{ status?: string; message?: string }>({
        url: `/api/datasources/uid/${encodeURIComponent(uid)}/health`,
        method: 'GET',
        showErrorAlert: false,
      })
    );
    return { ok: rsp.data?.status === 'OK', message: rsp.data?.message ?? '' };
  } catch (e) {
    // Grafana answers a failed check with 400 and {status: "ERROR", message}.
    const data = isRecord(e) && isRecord(e.data) ? e.data : undefined;
    if (data && data.status === 'ERROR' && typeof data.message === 'string') {
      return { ok: false, message: data.message };
    }
    throw toRelayError(e);
  }
}

interface Props {
  uid?: string;
  /** Changes when Grafana saved the settings; the check re-runs then. */
  version?: number;
  onResult: (r: HealthResult | undefined) => void;
}

/**
 * Shows the backend's verdict on the saved settings: Relay validates every
 * field and names the faulty ones, which the sections also show in place.
 */
export function HealthStatus({ uid, version, onResult }: Props) {
  const styles = useStyles2(getStyles);
  const health = useResource(uid ? () => checkHealth(uid) : null, [uid, version]);
  useEffect(() => onResult(health.value), [health.value, onResult]);

  if (!uid) {
    return null;
  }
  const retry = (
    <Button size="sm" variant="secondary" icon="sync" onClick={health.reload} disabled={health.loading}>
      Check again
    </Button>
  );
  if (health.loading && !health.value) {
    return <LoadingPlaceholder text="Checking the saved settings…" />;
  }
  if (health.error) {
    return (
      <Alert severity="warning" title="Could not run the health check" data-testid="health-error">
        <Stack direction="column" gap={1}>
          <div>{health.error.message}</div>
          <div>{retry}</div>
        </Stack>
      </Alert>
    );
  }
  const r = health.value;
  if (!r) {
    return null;
  }
  const fields = Object.entries(parseFieldErrors(r.message));
  const warned = r.ok && /\bWarning:/.test(r.message);
  return (
    <Alert
      severity={r.ok ? (warned ? 'warning' : 'success') : 'error'}
      title={
        r.ok
          ? warned
            ? 'Saved settings work, with a warning'
            : 'Saved settings work'
          : 'The backend rejected the saved settings'
      }
      data-testid="health-status"
      className={styles.alert}
    >
      <Stack direction="column" gap={1}>
        {fields.length > 0 ? (
          <ul data-testid="health-field-errors">
            {fields.map(([f, m]) => (
              <li key={f}>
                <code>{f}</code>: {m}
              </li>
            ))}
          </ul>
        ) : (
          <div>{r.message || (r.ok ? 'OK' : 'Unknown error')}</div>
        )}
        <Text color="secondary" variant="bodySmall">
          This checks the saved settings. Use “Save &amp; test” after editing.
        </Text>
        <div>{retry}</div>
      </Stack>
    </Alert>
  );
}

const getStyles = () => ({ alert: css({ maxWidth: 1100 }) });
