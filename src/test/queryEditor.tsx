import { render } from '@testing-library/react';
import React, { useState } from 'react';

import { QueryEditor } from '../components/query/QueryEditor';
import { RelayQuery } from '../types/query';
import { RelayJsonData } from '../types/settings';
import { FakeBackend, installFakeBackend } from './backend';
import { testDataSource } from './instance';

/** What the query editor reads on mount, answered for a Viewer: /info (with `info` over it), /openapi.json, /schema, /transform. */
export function fakeRelay(over: { info?: object; transform?: object } = {}): FakeBackend {
  const b = installFakeBackend();
  b.on('GET info', {
    data: { plugin: {}, datasource: {}, caller: { login: 'viewer', role: 'Viewer' }, routes: [], ...over.info },
  });
  b.on('GET openapi.json', { data: { openapi: '3.0.3', paths: {} } });
  b.on('GET schema', { data: { fields: [] } });
  b.on('POST transform', { data: { frames: [], notices: [], ...over.transform } });
  return b;
}

interface Options {
  /** The data source's settings. */
  jsonData?: RelayJsonData;
  /** The panel's other queries (Grafana passes them all as `queries`); absent: no `queries` prop. */
  others?: RelayQuery[];
  /** Another editor with the query editor's props (variable, annotation). */
  Editor?: typeof QueryEditor;
}

/**
 * Mounts the editor of query A the way Grafana does: controlled, each change fed back. `latest` is the query as the
 * editor last changed it.
 */
export function renderQueryEditor(
  initial: Partial<RelayQuery> = {},
  { jsonData, others, Editor = QueryEditor }: Options = {}
) {
  const ds = testDataSource(jsonData);
  const latest = { current: { refId: 'A', ...initial } as RelayQuery };
  const onRunQuery = jest.fn();
  function Host() {
    const [q, setQ] = useState(latest.current);
    return (
      <Editor
        datasource={ds}
        query={q}
        queries={others && [q, ...others]}
        onRunQuery={onRunQuery}
        onChange={(n) => {
          latest.current = n;
          setQ(n);
        }}
      />
    );
  }
  render(<Host />);
  return { latest, onRunQuery };
}

/** The bodies the editor's preview POSTed to /transform, oldest first. */
export const transformBodies = (b: FakeBackend) =>
  b.requests.filter((r) => r.url.endsWith('/resources/transform')).map((r) => r.data as Record<string, unknown>);
