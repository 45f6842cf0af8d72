import { css } from '@emotion/css';
import React, { useEffect, useState } from 'react';
import { DataSourceApi, DataSourceSettings, GrafanaTheme2 } from '@grafana/data';
import { config, FetchError, getBackendSrv } from '@grafana/runtime';
import { Alert, Button, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';

import { bootUser, canEditDataSources } from './boot';

interface Props {
  uid: string;
  datasource: DataSourceApi;
  onSaved: () => void;
}

const errorText = (e: unknown) => (e as FetchError)?.data?.message ?? (e instanceof Error ? e.message : String(e));

/**
 * Grafana's data source page: the plugin's ConfigEditor on the settings from GET /api/datasources/uid/<uid>,
 * saved with PUT (Admins only, as in Grafana; for others the page is read-only).
 */
export function ConfigPage({ uid, datasource, onSaved }: Props) {
  const styles = useStyles2(getStyles);
  const editable = canEditDataSources();
  const [options, setOptions] = useState<DataSourceSettings>();
  const [loadError, setLoadError] = useState<string>();
  const [saved, setSaved] = useState<{ ok: boolean; text: string }>();
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    getBackendSrv()
      .get<DataSourceSettings>(`/api/datasources/uid/${uid}`)
      .then(setOptions, (e) => setLoadError(errorText(e)));
  }, [uid]);

  const save = async () => {
    setSaving(true);
    setSaved(undefined);
    try {
      const r = await getBackendSrv().put<{ datasource: DataSourceSettings }>(`/api/datasources/uid/${uid}`, options);
      // The answer has no secret values: the editor shows saved secrets as "configured" from now on.
      setOptions(r.datasource);
      // As Grafana refreshes its frontend settings after a save, so new instances see the new jsonData.
      const known = Object.values(config.datasources).find((d) => d.uid === uid);
      if (known) {
        known.jsonData = r.datasource.jsonData;
      }
      onSaved();
      setSaved({ ok: true, text: `Saved: version ${r.datasource.version}. The plugin builds a new instance from it.` });
    } catch (e) {
      setSaved({ ok: false, text: errorText(e) });
    } finally {
      setSaving(false);
    }
  };

  const Editor = datasource.components?.ConfigEditor;
  if (loadError) {
    return <Alert severity="error" title={`Could not load the data source: ${loadError}`} />;
  }
  if (!options || !Editor) {
    return <LoadingPlaceholder text="Loading settings..." />;
  }
  return (
    <>
      {!editable && (
        <Alert severity="info" title="Read-only: only Admins may edit a data source" data-testid="config-read-only">
          {`You are signed in as ${bootUser().login} (${bootUser().orgRole}), as in Grafana you can see these settings but not change them.`}
        </Alert>
      )}
      {/* A disabled fieldset disables every input and button of the editor. */}
      <fieldset disabled={!editable} className={styles.fieldset} data-testid="config-fieldset">
        <Editor options={options} onOptionsChange={setOptions} />
      </fieldset>
      {editable && (
        <Stack direction="row" gap={2} alignItems="center">
          <Button onClick={save} disabled={saving}>
            Save &amp; test
          </Button>
        </Stack>
      )}
      {saved && (
        <div className={styles.result} data-testid="save-result">
          <Alert severity={saved.ok ? 'success' : 'error'} title={saved.text} />
        </div>
      )}
    </>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  fieldset: css({ border: 'none', margin: 0, padding: 0, minWidth: 0 }),
  result: css({ marginTop: theme.spacing(2), maxWidth: 800 }),
});
