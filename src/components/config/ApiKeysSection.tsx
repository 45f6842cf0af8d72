import React, { useState } from 'react';
import { Alert, Button, ClipboardButton, Input, Stack, TagsInput, Text, useStyles2 } from '@grafana/ui';

import { ApiKeyMeta } from '../../types/settings';
import { generateKey, hashField, KEY_NAME_PATTERN } from '../../utils/apiKeys';
import { EditableTable } from '../common/EditableTable';
import { Section } from '../common/Section';
import { getTableStyles } from '../common/styles';
import { ConfigApi } from './configApi';
import { useFieldErrorsUnder } from './health';

interface Shown {
  name: string;
  key: string;
}

/**
 * Keys for machine callers (sent as X-API-Key). Generated here with
 * crypto.getRandomValues, shown once, stored only as a salted hash.
 */
export function ApiKeysSection({ cfg, scopeHints }: { cfg: ConfigApi; scopeHints: string[] }) {
  const styles = useStyles2(getTableStyles);
  const keys = cfg.jsonData.apiKeys ?? [];
  const [shown, setShown] = useState<Shown | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const errors = useFieldErrorsUnder('jsonData.apiKeys');

  const hasHash = (name: string) => cfg.secure.isConfigured(hashField(name)) || !!cfg.secure.value(hashField(name));
  const nameProblem = (k: ApiKeyMeta, i: number) => {
    if (!KEY_NAME_PATTERN.test(k.name)) {
      return 'Use 1–64 letters, digits, “.”, “_” or “-”';
    }
    if (keys.findIndex((o) => o.name === k.name) !== i) {
      return 'Name already used';
    }
    return undefined;
  };

  const setKey = (i: number, fn: (k: ApiKeyMeta) => void) => cfg.update((jd) => fn((jd.apiKeys ?? [])[i]));

  const generate = async (i: number) => {
    setFailure(undefined);
    const name = keys[i].name;
    try {
      const g = await generateKey();
      cfg.secure.set(hashField(name), g.hash);
      setShown({ name, key: g.key });
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };

  const remove = (i: number) => {
    const name = keys[i].name;
    cfg.secure.batch(hasHash(name) ? { [hashField(name)]: null } : {}, (jd) => {
      jd.apiKeys = (jd.apiKeys ?? []).filter((_, j) => j !== i);
      if (jd.apiKeys.length === 0) {
        delete jd.apiKeys;
      }
    });
    if (shown?.name === name) {
      setShown(undefined);
    }
  };

  return (
    <Section
      title="API keys"
      description={
        <>
          For scripts and other machines calling Relay through Grafana (with a Grafana service account token), sent in
          the <code>X-API-Key</code> header. Routes and actions marked “Require API key” need one. Only a salted hash is
          stored; the key itself is shown once.
        </>
      }
    >
      {shown && (
        <Alert
          severity="success"
          title={`New key “${shown.name}”: copy it now`}
          onRemove={() => setShown(undefined)}
          data-testid="new-api-key"
        >
          <Stack direction="column" gap={1}>
            <Stack direction="row" gap={1} alignItems="center">
              <Input aria-label="New API key" readOnly value={shown.key} width={60} className={styles.mono} />
              <ClipboardButton icon="copy" variant="primary" getText={() => shown.key}>
                Copy
              </ClipboardButton>
            </Stack>
            <Text color="secondary" variant="bodySmall">
              It will not be shown again. Save the data source to activate it; the previous key of this name stops
              working then.
            </Text>
          </Stack>
        </Alert>
      )}
      {failure && (
        <Alert severity="error" title="Could not generate a key">
          {failure}
        </Alert>
      )}
      <EditableTable<ApiKeyMeta>
        label="API keys"
        rows={keys}
        rowTestId={(_, i) => `api-key-${i + 1}`}
        columns={[
          {
            header: 'Name',
            validate: (k, i) => (k.name ? nameProblem(k, i) : undefined),
            render: ({ row, index, n, error }) => (
              <Input
                aria-label={`API key ${n} name`}
                width={20}
                value={row.name}
                placeholder="ci-bot"
                invalid={!!error}
                // The hash is stored under the name: rename by removing and generating anew.
                disabled={hasHash(row.name)}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setKey(index, (x) => (x.name = v));
                }}
              />
            ),
          },
          {
            header: 'Scopes (empty: all machine routes)',
            render: ({ row, index }) => (
              <ScopesInput
                scopes={row.scopes ?? []}
                hints={scopeHints}
                onChange={(t) => setKey(index, (x) => (t.length ? (x.scopes = t) : delete x.scopes))}
              />
            ),
          },
          {
            header: 'Expires',
            render: ({ row, index, n }) => (
              <Input
                aria-label={`API key ${n} expires`}
                type="date"
                width={18}
                value={row.expires ? row.expires.slice(0, 10) : ''}
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  setKey(index, (x) => (v ? (x.expires = `${v}T23:59:59Z`) : delete x.expires));
                }}
              />
            ),
          },
          {
            header: 'Key',
            render: ({ row, index }) => {
              const stored = hasHash(row.name);
              return (
                <Stack direction="row" gap={1} alignItems="center">
                  <Text color={stored ? 'success' : 'warning'} variant="bodySmall">
                    {stored ? 'hash stored' : 'no key yet'}
                  </Text>
                  <Button
                    size="sm"
                    variant="secondary"
                    icon="key-skeleton-alt"
                    disabled={!row.name || !!nameProblem(row, index)}
                    onClick={() => generate(index)}
                  >
                    {stored ? 'Regenerate' : 'Generate'}
                  </Button>
                </Stack>
              );
            },
          },
        ]}
        addLabel="Add API key"
        onAdd={() => cfg.update((jd) => (jd.apiKeys = [...(jd.apiKeys ?? []), { name: '' }]))}
        onRemove={remove}
        removeLabel={(n) => `Remove API key ${n}`}
      />
      {errors.map(([f, m]) => (
        <div key={f} className={styles.error}>{`${f}: ${m}`}</div>
      ))}
      <SecureKeyErrors keys={keys} />
    </Section>
  );
}

function SecureKeyErrors({ keys }: { keys: ApiKeyMeta[] }) {
  const styles = useStyles2(getTableStyles);
  const errors = useFieldErrorsUnder('secureJsonData').filter(([f]) =>
    keys.some((k) => f === `secureJsonData.${hashField(k.name)}`)
  );
  return (
    <>
      {errors.map(([f, m]) => (
        <div key={f} className={styles.error}>{`${f}: ${m}`}</div>
      ))}
    </>
  );
}

function ScopesInput({
  scopes,
  hints,
  onChange,
}: {
  scopes: string[];
  hints: string[];
  onChange: (t: string[]) => void;
}) {
  const listId = 'relay-scope-hints';
  return (
    <Stack direction="column" gap={0}>
      <TagsInput width={30} placeholder="route or action:name" tags={scopes} addOnBlur onChange={onChange} />
      {hints.length > 0 && (
        <Text color="secondary" variant="bodySmall" data-testid={listId}>
          {`e.g. ${hints.slice(0, 4).join(', ')}`}
        </Text>
      )}
    </Stack>
  );
}
