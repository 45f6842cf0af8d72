import { css } from '@emotion/css';
import React, { useEffect, useState } from 'react';
import { DataSourceApi, GrafanaTheme2 } from '@grafana/data';
import { Alert, Combobox, LinkButton, Stack, Tab, TabsBar, Text, useStyles2 } from '@grafana/ui';

import { bootDataSources, bootUser } from './boot';
import { ConfigPage } from './ConfigPage';
import { PlaygroundDataSourceSrv } from './dataSourceSrv';
import { LoginPage } from './LoginPage';
import { QueryPage } from './QueryPage';

type PageName = 'config' | 'query';

/** Where the user is: /?ds=<uid>&page=config|query, so a reload or a link opens the same page. */
function useLocationState() {
  const read = () => new URLSearchParams(window.location.search);
  const [params, setParams] = useState(read);
  useEffect(() => {
    const onPop = () => setParams(read());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const go = (changes: Record<string, string | undefined>) => {
    const next = read();
    for (const [k, v] of Object.entries(changes)) {
      v === undefined ? next.delete(k) : next.set(k, v);
    }
    window.history.pushState(null, '', `/?${next}`);
    setParams(next);
  };
  return { params, go };
}

export function App({ dataSources }: { dataSources: PlaygroundDataSourceSrv }) {
  const styles = useStyles2(getStyles);
  const user = bootUser();
  const { params, go } = useLocationState();
  const all = bootDataSources();
  const uid = params.get('ds') ?? all[0]?.uid;
  const page: PageName = params.get('page') === 'query' ? 'query' : 'config';
  const [ds, setDs] = useState<{ uid: string; api?: DataSourceApi; error?: string }>();

  useEffect(() => {
    if (!uid || !user.isSignedIn) {
      return;
    }
    setDs({ uid });
    dataSources.get(uid).then(
      (api) => setDs({ uid, api }),
      (e) => setDs({ uid, error: e instanceof Error ? e.message : String(e) })
    );
  }, [uid, dataSources, user.isSignedIn]);

  if (!user.isSignedIn) {
    return (
      <div className={styles.page}>
        <LoginPage />
      </div>
    );
  }
  return (
    <div className={styles.page}>
      <Stack direction="row" justifyContent="space-between" alignItems="center">
        <Stack direction="row" gap={2} alignItems="center">
          <Text element="h1" variant="h3">
            Relay playground
          </Text>
          <Combobox
            aria-label="Data source"
            width={30}
            options={all.map((d) => ({ label: d.name, value: d.uid }))}
            value={uid}
            onChange={(o) => go({ ds: o.value })}
          />
        </Stack>
        <Stack direction="row" gap={2} alignItems="center">
          <Text color="secondary" data-testid="signed-in-as">{`Signed in as ${user.login} (${user.orgRole})`}</Text>
          <LinkButton href="/logout" variant="secondary" size="sm" icon="signout">
            Sign out
          </LinkButton>
        </Stack>
      </Stack>
      <TabsBar className={styles.tabs}>
        <Tab label="Configuration" icon="cog" active={page === 'config'} onChangeTab={() => go({ page: 'config' })} />
        <Tab label="Query" icon="compass" active={page === 'query'} onChangeTab={() => go({ page: 'query' })} />
      </TabsBar>
      {!uid && <Alert title="No data source is provisioned for this plugin in your org" severity="info" />}
      {ds?.error && (
        <Alert title="Could not load the plugin" severity="error">
          {ds.error}
        </Alert>
      )}
      {ds?.api && ds.uid === uid && (
        <div key={uid} data-testid="playground-page" data-page={page}>
          {page === 'config' ? (
            <ConfigPage uid={uid} datasource={ds.api} onSaved={() => dataSources.reload()} />
          ) : (
            <QueryPage datasource={ds.api} initialQuery={params.get('query')} />
          )}
        </div>
      )}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  page: css({ padding: theme.spacing(2, 3), background: theme.colors.background.primary, minHeight: '100vh' }),
  tabs: css({ margin: theme.spacing(2, 0, 3) }),
});
