import React, { useState } from 'react';
import { Alert, Button, Collapse, Field, Stack, Text, TextArea } from '@grafana/ui';

import { RelayJsonData } from '../../types/settings';
import { ImportedSettings, importSettings } from './importSource';

interface Props {
  /** Applies the imported URL and jsonData in one change (the rest of the settings kept). */
  onImport: (url: string, jsonData: RelayJsonData) => void;
}

/**
 * Import an Infinity or JSON API data source's settings: paste its JSON (secrets are never read: Grafana does not
 * send them); the editor lists the secrets to enter again. docs/migrate.md; relay-migrate converts dashboards.
 */
export function ImportSection({ onImport }: Props) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [done, setDone] = useState<ImportedSettings | undefined>();

  const apply = () => {
    const res = importSettings(text);
    if ('error' in res) {
      setError(res.error);
      setDone(undefined);
      return;
    }
    setError(undefined);
    setDone(res);
    setText('');
    onImport(res.url, res.jsonData);
  };

  return (
    <Collapse label="Import from Infinity or JSON API" isOpen={open} onToggle={() => setOpen(!open)}>
      <Stack direction="column" gap={1}>
        <Text color="secondary" variant="bodySmall">
          Paste the old data source as Grafana shows it (GET /api/datasources/uid/&lt;uid&gt;, or its provisioning as
          JSON). Its URL, authentication, TLS, timeout, headers and allowed hosts replace these settings; secrets are
          not copied. Convert its dashboards with relay-migrate (docs/migrate.md).
        </Text>
        <Field label="Data source JSON" invalid={!!error} error={error}>
          <TextArea
            aria-label="Data source JSON to import"
            rows={6}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
          />
        </Field>
        <div>
          <Button variant="secondary" icon="import" onClick={apply} disabled={!text.trim()}>
            Import settings
          </Button>
        </div>
        {done && (
          <Alert
            title={`Imported the ${done.plugin === 'infinity' ? 'Infinity' : 'JSON API'} settings`}
            severity="info"
          >
            {done.secrets.length > 0 && (
              <>
                <Text>Enter these secrets again (they were not copied):</Text>
                <ul aria-label="Secrets to enter again">
                  {done.secrets.map((s) => (
                    <li key={s.key}>
                      {s.key}
                      {s.from !== s.key ? ` (was ${s.from})` : ''}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <ul aria-label="Import notes">
              {done.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          </Alert>
        )}
      </Stack>
    </Collapse>
  );
}
